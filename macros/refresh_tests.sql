{#-
  Data tests in a refresh check what the refresh wrote (README "What a refresh recomputes").

  dbt wraps the model a generic test reads in `get_where_subquery` (where its `where` config
  applies); this project's version adds, in an incremental refresh, a filter on the rows this
  build wrote (`built_invocation_id`) for the models that stamp it: the incremental marts and
  the walk, whose other rows were tested by the build that wrote them. A full recompute
  (the `full_refresh` job, a first build, a rule change) writes every row, so it tests every
  row.

  A uniqueness test keeps every row whose key is also the key of a row this build wrote. A
  duplicate has at least one such row: the rows a refresh did not write were unique when the
  build that wrote them passed its tests (a build whose tests failed makes the next one a full
  recompute). So a refresh that left an old row beside its recomputed one still fails, and the
  test reads the relation once with a semi-join instead of grouping every key.
-#}
{% macro get_where_subquery(relation) -%}
  {% set where = config.get('where', '') %}
  {% set filters = [where] if where else [] %}
  {% if execute and _tests_written_rows_only(relation) %}
    {% set written = "built_invocation_id = '" ~ invocation_id ~ "'" %}
    {% set key_columns = _uniqueness_test_columns() %}
    {% if key_columns %}
      {%- set same_key -%}
        exists (
            select 1 from {{ relation }} as written_row
            where written_row.{{ written }}
            {%- for column in key_columns %}
                and written_row.{{ column }} = tested_row.{{ column }}
            {%- endfor %}
        )
      {%- endset -%}
      {% do filters.append(same_key) %}
    {% else %}
      {% do filters.append(written) %}
    {% endif %}
  {% endif %}
  {% if filters | length == 0 %}{{ return(relation) }}{% endif %}
  {%- set filtered -%}
    (select * from {{ relation }} as tested_row where ({{ filters | join(') and (') }})) dbt_subquery
  {%- endset -%}
  {{ return(filtered) }}
{%- endmacro %}


{#- The test this is, by its generic test's name (none for a singular test). -#}
{% macro _test_name() %}
  {{ return((model.test_metadata or {}).get('name') if model is mapping
      else model.test_metadata.name) }}
{% endmacro %}


{#- The key columns of a uniqueness test (unique, unique_combination_of_columns), or none. -#}
{% macro _uniqueness_test_columns() %}
  {% set kwargs = ((model.test_metadata or {}).get('kwargs') if model is mapping
      else model.test_metadata.kwargs) or {} %}
  {% set name = _test_name() %}
  {% if name == 'unique' %}{{ return([kwargs.get('column_name')]) }}{% endif %}
  {% if name == 'unique_combination_of_columns' %}
    {{ return(kwargs.get('combination_of_columns')) }}
  {% endif %}
  {{ return(none) }}
{% endmacro %}


{% macro _tests_written_rows_only(relation) %}
  {% if relation.identifier is not defined or chat_refresh_mode() != 'incremental' %}
    {{ return(false) }}
  {% endif %}
  {% for node in graph.nodes.values() %}
    {% if node.resource_type == 'model' and node.name == relation.identifier
        and node.config.materialized == 'incremental' and 'built_invocation_id' in node.columns %}
      {{ return(true) }}
    {% endif %}
  {% endfor %}
  {{ return(false) }}
{% endmacro %}
