{#-
  Data tests in a refresh check what the refresh wrote (README "What a refresh recomputes").

  dbt wraps the model a generic test reads in `get_where_subquery` (where its `where` config
  applies); this project's version adds, in an incremental refresh, a filter on the rows this
  build wrote (`built_invocation_id`) for the models that stamp it: the incremental marts and
  the walk, whose other rows were tested by the build that wrote them. A full recompute
  (the `full_refresh` job, a first build, a rule change) writes every row, so it tests every
  row. Uniqueness tests still read the whole relation: a refresh that left an old row beside
  its recomputed one is exactly what they are for.
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
