{#-
  Conversation batches: a full recompute of a big message-grain model, one slice of the
  conversations at a time (DECISIONS.md, "Conversation batches").

  The walk and fct_conversation_events sort every row of every conversation through several
  window passes. At 100M messages those sorts need more than the memory DuckDB is given, and
  spilling them took over 28 GB of disk (the build stopped at max_temp_directory_size). A
  conversation's rows depend on that conversation alone, so the model can be computed for one
  slice of the conversations at a time: each slice sorts 1/N of the rows, in memory.

  A batch is a range of conversation keys (0 .. 4095, a hash of conversation_id:
  conversation_key()). base_chat__messages is written in key order in a full build and the
  walk batch by batch, and both store the key: a batch's scan of them (filtered on the stored
  column) skips the other batches' row groups by their min/max, instead of reading every row
  of every batch N times.

  A model opts in with `{% set batch_filter = conversation_batch_filter() %}` (decided once)
  and `{{ batch_filter }}` in the `where` of each input CTE (it restricts the model's SQL to
  batch 1 of N; `conversation_batch_filter(stored_key='conversation_key')` for an input that
  stores the key), and `post_hook="{{ insert_other_batches() }}"` (it reads N from the compiled
  SQL, runs that SQL for batches 2..N and appends their rows). N =
  ceil(rows of stg_chat__messages / var conversation_batch_rows), at most 4096, in a full
  recompute on DuckDB, else 1: an incremental refresh recomputes a small scope, Spark
  partitions on its own, and a unit test (whose inputs are fixtures) must see its SQL whole.
  N changes how a result is computed, never the result (tests/test_incremental.py builds with
  batches and without).
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
  {#- counted once per build: each filter of each batched model asks -#}
  {% set known = graph.get('chat_message_counts', {}) %}
  {% if invocation_id not in known %}
    {% do known.update({invocation_id:
        run_query('select count(*) from ' ~ messages).columns[0].values()[0]}) %}
    {% do graph.update({'chat_message_counts': known}) %}
  {% endif %}
  {{ return(_batches_of(known[invocation_id], batch_rows)) }}
{% endmacro %}


{#- ceil(rows / batch_rows), at least 1 and at most one conversation key a batch. -#}
{% macro _batches_of(rows, batch_rows) %}
  {{ return([[1, ((rows + batch_rows - 1) // batch_rows) | int] | max,
             conversation_key_count()] | min) }}
{% endmacro %}


{#- How many batches the walk and the timeline of this build are expected to compute in,
    asked before stg_chat__messages is rebuilt (by base_chat__messages): from the landed
    messages, which are at least as many as the clean ones. -#}
{% macro expected_conversation_batches() %}
  {% if not execute or target.type != 'duckdb' or flags.WHICH not in ('build', 'run') %}
    {{ return(1) }}
  {% endif %}
  {% set batch_rows = var('conversation_batch_rows') | int %}
  {% if batch_rows <= 0 %}{{ return(1) }}{% endif %}
  {% set landed = ref('base_chat__messages_landed') %}
  {{ return(_batches_of(run_query('select count(*) from ' ~ landed).columns[0].values()[0],
                        batch_rows)) }}
{% endmacro %}


{#- The marker that ties a batch's filter to its number in the compiled SQL. -#}
{% macro _batch_marker(batch, batches) -%}
  /* conversation batch {{ batch + 1 }} of {{ batches }} */
{%- endmacro %}


{#- The keys of batch `batch` (0-based) of `batches`, as a condition to follow a key
    expression: `between <first> and <last> /* conversation batch b of N */`. -#}
{% macro _batch_range(batch, batches) -%}
  {%- set keys = conversation_key_count() %}
  between {{ (batch * keys) // batches }} and {{ ((batch + 1) * keys) // batches - 1 }}
  {{- ' ' ~ _batch_marker(batch, batches) }}
{%- endmacro %}


{#- `and <conversation in batch 1>`, or nothing when the node is not batched: on the key
    computed from `column`, or on a column `stored_key` that holds it. -#}
{% macro conversation_batch_filter(column='conversation_id', stored_key=none) -%}
  {%- set batches = conversation_batches() -%}
  {%- if batches > 1 %}
    and {{ stored_key or conversation_key(column) }} {{ _batch_range(0, batches) }}
  {%- endif %}
{%- endmacro %}


{#- post_hook: append batches 2..N, each the model's compiled SQL with its batch number (N as
    the model's SQL was compiled with it; nothing when it was compiled in one piece). -#}
{% macro insert_other_batches() %}
  {% set head = '/* conversation batch 1 of ' %}
  {#- `sql` is the compiled model once it runs (none while dbt only renders the hook) -#}
  {% if sql is none or head not in sql %}{{ return('') }}{% endif %}
  {% set batches = sql.split(head)[1].split(' ')[0] | int %}
  {% set first = _batch_range(0, batches) %}
  {% for batch in range(1, batches) %}
    {{ log(this.identifier ~ ': conversation batch ' ~ (batch + 1) ~ ' of ' ~ batches,
        info=true) }}
    {% do run_query('insert into ' ~ this ~ ' '
        ~ sql.replace(first, _batch_range(batch, batches))) %}
  {% endfor %}
  {{ return('') }}
{% endmacro %}
