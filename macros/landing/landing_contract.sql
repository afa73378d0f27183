{#- The raw landing tables of spec/contract.md, as defined once in models/staging/__sources.yml
    (source `landing`): which tables must exist, and for each column, in the contract's order,
    whether the file must have it (`required_in_file`). Read at execution time from the `graph`
    context, so it is available to the on-run-start hook; Python reads the same YAML through
    chat_warehouse.contract, and tests/test_landing_contract.py checks that both agree.

    Returns {table: {'required': bool, 'day_column': name or none,
                     'columns': [(name, required_in_file), ...]}}. -#}
{% macro landing_contract() -%}
  {% if not execute %}
    {{ return({}) }}
  {% endif %}
  {% set contract = {} %}
  {% for node in graph.sources.values()
      if node.package_name == project_name and node.source_name == 'landing' %}
    {% set meta = node.config.meta or {} %}
    {% set columns = [] %}
    {% for column in node.columns.values() %}
      {% set column_meta = (column.config or {}).get('meta') or {} %}
      {% do columns.append((column.name, column_meta.get('required_in_file', false) == true)) %}
    {% endfor %}
    {% do contract.update({node.name: {
        'required': meta.get('required', false) == true,
        'day_column': meta.get('day_column'),
        'columns': columns,
    }}) %}
  {% endfor %}
  {% if contract | length == 0 %}
    {% do exceptions.raise_compiler_error(
        "The landing contract (source 'landing' in models/staging/__sources.yml) has no tables.") %}
  {% endif %}
  {{ return(contract) }}
{%- endmacro %}


{#- The contract as the dbt hook sees it, the tables of landing_tables() and, with
    `register=true`, the columns of each landing view the hook registers for CHAT_RAW_DIR, as
    JSON on stdout: `dbt run-operation print_landing_contract` (tests/test_landing_contract.py). -#}
{% macro print_landing_contract(register=false) %}
  {% set report = {'contract': landing_contract(), 'landing_tables': landing_tables()} %}
  {% if register %}
    {% do register_landing_tables() %}
    {% set views = {} %}
    {% for table in report.contract %}
      {% set described = run_query('describe landing.' ~ table) %}
      {% do views.update({table: described.columns[0].values() | list}) %}
    {% endfor %}
    {% do report.update({'landing_views': views}) %}
  {% endif %}
  {% do print(tojson(report)) %}
{% endmacro %}


{% macro landing_dir() -%}
  {{ return(env_var('CHAT_RAW_DIR', 'data/demo') | replace('\\', '/') | trim) }}
{%- endmacro %}
