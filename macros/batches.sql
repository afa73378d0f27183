{#-
  Conversation batches: a full recompute of a big message-grain model, one slice of the
  conversations at a time (DECISIONS.md, "Conversation batches").

  The walk and fct_conversation_events sort every row of every conversation through several
  window passes. At 100M messages those sorts need more than the memory DuckDB is given, and
  spilling them took over 28 GB of disk (the build stopped at max_temp_directory_size). A
  conversation's rows depend on that conversation alone, so the model can be computed for one
  slice of the conversations at a time: each slice sorts 1/N of the rows, in memory.

  A model opts in with `{% set batch_filter = conversation_batch_filter() %}` (decided once)
  and `{{ batch_filter }}` in the `where` of each input CTE (it restricts the model's SQL to
  batch 1 of N), and `post_hook="{{ insert_other_batches() }}"` (it reads N from the compiled
  SQL, runs that SQL for batches 2..N and appends their rows). N =
  ceil(rows of stg_chat__messages / var conversation_batch_rows) in a full recompute on DuckDB,
  else 1: an incremental refresh recomputes a small scope, Spark partitions on its own, and a
  unit test (whose inputs are fixtures) must see its SQL whole. N changes how a result is
  computed, never the result (tests/test_incremental.py builds with batches and without).
-#}

{#- How many batches this node computes in (1: no batching). -#}
{% macro conversation_batches() %}
  {% if not execute or target.type != 'duckdb' or model.resource_type != 'model' %}
    {{ return(1) }}
  {% endif %}
  {#- only when models are built (`dbt compile` and `docs generate` show one piece) -#}
  {% if flags.WHICH not in ('build', 'run') %}{{ return(1) }}{% endif %}
  {% if not (flags.FULL_REFRESH or chat_refresh_mode() == 'full') %}{{ return(1) }}{% endif %}
  {% set batch_rows = var('conversation_batch_rows') | int %}
  {% if batch_rows <= 0 %}{{ return(1) }}{% endif %}
  {#- without the hook, batches 2..N would be silently missing -#}
  {% set hooks = model.config.get('post-hook') or model.config.get('post_hook') or [] %}
  {% if 'insert_other_batches' not in (hooks | map(attribute='sql') | join) %}
    {{ exceptions.raise_compiler_error(model.name ~ ': conversation_batch_filter() needs '
        ~ 'post_hook="{{ insert_other_batches() }}" (macros/batches.sql)') }}
  {% endif %}
  {% set messages = ref('stg_chat__messages') %}
  {% if adapter.get_relation(messages.database, messages.schema, messages.identifier) is none %}
    {{ return(1) }}
  {% endif %}
  {% set rows = run_query('select count(*) from ' ~ messages).columns[0].values()[0] %}
  {{ return([1, ((rows + batch_rows - 1) // batch_rows) | int] | max) }}
{% endmacro %}


{#- The marker that ties a batch's filter to its number in the compiled SQL. -#}
{% macro _batch_marker(batch, batches) -%}
  /* conversation batch {{ batch + 1 }} of {{ batches }} */
{%- endmacro %}


{#- `and <conversation in batch 1>`, or nothing when the node is not batched. -#}
{% macro conversation_batch_filter(column='conversation_id') -%}
  {%- set batches = conversation_batches() -%}
  {%- if batches > 1 %}
    and {{ conversation_bucket(column, batches) }} = 0 {{ _batch_marker(0, batches) }}
  {%- endif %}
{%- endmacro %}


{#- post_hook: append batches 2..N, each the model's compiled SQL with its batch number (N as
    the model's SQL was compiled with it; nothing when it was compiled in one piece). -#}
{% macro insert_other_batches() %}
  {% set head = '/* conversation batch 1 of ' %}
  {#- `sql` is the compiled model once it runs (none while dbt only renders the hook) -#}
  {% if sql is none or head not in sql %}{{ return('') }}{% endif %}
  {% set batches = sql.split(head)[1].split(' ')[0] | int %}
  {% set first = '= 0 ' ~ _batch_marker(0, batches) %}
  {% for batch in range(1, batches) %}
    {{ log(this.identifier ~ ': conversation batch ' ~ (batch + 1) ~ ' of ' ~ batches,
        info=true) }}
    {% do run_query('insert into ' ~ this ~ ' '
        ~ sql.replace(first, '= ' ~ batch ~ ' ' ~ _batch_marker(batch, batches))) %}
  {% endfor %}
  {{ return('') }}
{% endmacro %}
