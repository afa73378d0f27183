{#-
  The incremental materialization on DuckDB: in an incremental refresh, an `append` model's rows
  go straight into its table (DECISIONS.md, "Incremental refresh: rows written once").

  dbt-duckdb's materialization first builds the model's rows into a temporary table, reads that
  table's columns to reconcile the schema, then copies the rows into the target: every row of
  every refreshed model written twice. Here a refresh of an `append` model is its pre_hooks
  (the delete of the rows it recomputes), then `insert into <target> by name <the model's SQL>`,
  then its post_hooks, in one transaction.

  Nothing is lost by skipping the schema reconciliation: a refresh never meets a changed model.
  Any change to a model or a macro changes the rules fingerprint, and that build is a full
  recompute (macros/refresh.sql), which dbt-duckdb's materialization builds as it always does.
  `by name` matches the columns by name, so their order does not matter.

  Every other case is dbt-duckdb's own materialization: the first build of a table, a full
  recompute, the other strategies (delete+insert), Python models.
-#}
{% materialization incremental, adapter='duckdb', supported_languages=['sql', 'python'] -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- if model['language'] != 'sql'
        or existing_relation is none
        or existing_relation.is_view
        or should_full_refresh()
        or config.get('incremental_strategy') != 'append' -%}
    {{ return(dbt.materialization_incremental_duckdb()) }}
  {%- endif -%}
  {%- set target_relation = this.incorporate(type='table') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('main') -%}
    insert into {{ target_relation }} by name
    {{ compiled_code }}
  {%- endcall %}

  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  -- `COMMIT` happens here
  {% do adapter.commit() %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}
