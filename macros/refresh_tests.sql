{#-
  Data tests in a refresh check what the refresh wrote (README "What a refresh recomputes").

  dbt wraps the model a generic test reads in `get_where_subquery` (where its `where` config
  applies); this project's version adds, in an incremental refresh, a filter on the rows this
  build wrote (`built_invocation_id`) for the models that stamp it: the incremental marts, the
  walk and the clean messages (stg_chat__messages passes on base_chat__messages' stamp), whose
  other rows were tested by the build that wrote them. A full recompute
  (the `full_refresh` job, a first build, a rule change) writes every row, so it tests every
  row.

  Uniqueness tests (`unique`, `unique_combination_of_columns`) read the rows whose key is a key
  this build wrote, old rows included: a refresh that left an old row beside its recomputed
  one is exactly what they are for. A duplicate among old rows alone was there, untouched, when
  the build that wrote them tested them, and an incremental refresh only follows a build whose
  every test passed (macros/refresh.sql), so reading every row would find nothing more.
-#}
{% macro get_where_subquery(relation) -%}
  {% set where = config.get('where', '') %}
  {% set filters = [where] if where else [] %}
  {% if execute and _tests_written_rows_only(relation) %}
    {% do filters.append("built_invocation_id = '" ~ invocation_id ~ "'") %}
  {% endif %}
  {% if filters | length == 0 %}{{ return(relation) }}{% endif %}
  {%- set filtered -%}
    (select * from {{ relation }} where ({{ filters | join(') and (') }})) dbt_subquery
  {%- endset -%}
  {{ return(filtered) }}
{%- endmacro %}


{% macro _tests_written_rows_only(relation) %}
  {% set test_name = (model.test_metadata or {}).get('name') if model is mapping
      else model.test_metadata.name %}
  {% if test_name in ('unique', 'unique_combination_of_columns') %}{{ return(false) }}{% endif %}
  {{ return(_stamps_written_rows(relation)) }}
{% endmacro %}


{#- True in an incremental refresh when `relation` is an incremental model stamping each row
    with the build that wrote it (`built_invocation_id`), or a view passing on the stamp of the
    incremental model it reads (stg_chat__messages). -#}
{% macro _stamps_written_rows(relation) %}
  {% if relation.identifier is not defined or chat_refresh_mode() != 'incremental' %}
    {{ return(false) }}
  {% endif %}
  {% for node in graph.nodes.values() %}
    {% if node.resource_type == 'model' and node.name == relation.identifier
        and node.config.materialized in ('incremental', 'view')
        and 'built_invocation_id' in node.columns %}
      {{ return(true) }}
    {% endif %}
  {% endfor %}
  {{ return(false) }}
{% endmacro %}


{#- For a uniqueness test of `model` (aliased `alias`) on `columns`: in an incremental refresh of
    a model that stamps its rows, `and <the row's key is one this build wrote>`; otherwise
    nothing (every row is read). The key is matched as a row value, `(a, b) in (select a, b
    ...)`, a hash semi-join (an `exists` with null-safe equality was slower than reading every
    row: DECISIONS.md). A key with a null part matches nothing that way, so those rows are all
    read (the test groups nulls together); `null_keys=false` when the test has already left
    them out (`unique` skips a null value). -#}
{% macro written_keys_condition(model, columns, alias, null_keys=true) %}
  {% if not execute or not _stamps_written_rows(model) %}{{ return('') }}{% endif %}
  {%- set keys = [] -%}
  {%- set null_parts = [] -%}
  {%- for column in columns -%}
    {%- do keys.append(alias ~ '.' ~ column) -%}
    {%- do null_parts.append(alias ~ '.' ~ column ~ ' is null') -%}
  {%- endfor -%}
  {%- set condition -%}
    and (
        ({{ keys | join(', ') }}) in (
            select {{ columns | join(', ') }} from {{ model }}
            where built_invocation_id = '{{ invocation_id }}'
        )
        {%- if null_keys %}
        or {{ null_parts | join(' or ') }}
        {%- endif %}
    )
  {%- endset -%}
  {{ return(condition) }}
{% endmacro %}


{#- dbt's `unique` test, reading in a refresh only the rows with a key this build wrote (see
    the top of this file). -#}
{% macro default__test_unique(model, column_name) %}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}{{ ' as tested' if model.identifier is defined }}
where
    {{ column_name }} is not null
    {{ written_keys_condition(model, [column_name], 'tested', null_keys=false) }}
group by {{ column_name }}
having count(*) > 1
{% endmacro %}
