{#- JSON text of landing rows, for audit.quarantined_rows (raw_row). -#}

{#- The landing row as JSON text, for audit.quarantined_rows. -#}
{% macro raw_row_json(relation_alias) -%}
  {{ return(adapter.dispatch('raw_row_json', 'chat_warehouse')(relation_alias)) }}
{%- endmacro %}

{% macro duckdb__raw_row_json(relation_alias) -%}
  cast(to_json({{ relation_alias }}) as varchar)
{%- endmacro %}


{#- The landing row as one value (a struct), carried until we know whether the row is
    quarantined; only quarantined rows are serialised to JSON. -#}
{% macro landing_row(relation_alias, types=none) -%}
  {{ return(adapter.dispatch('landing_row', 'chat_warehouse')(relation_alias, types)) }}
{%- endmacro %}

{% macro duckdb__landing_row(relation_alias, types) -%}
  {{ relation_alias }}
{%- endmacro %}

{#- Spark: nulls are kept as `null` (as DuckDB's to_json does). -#}
{% macro spark__raw_row_json(relation_alias) -%}
  to_json({{ relation_alias }}, map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- Spark: a relation alias is no value; the row as a struct of its columns. With the columns'
    `types` (landing_column_types), a timestamp is its text as DuckDB writes it in JSON (Spark's
    cast to text: fraction without trailing zeros), not in Spark's JSON format. -#}
{% macro spark__landing_row(relation_alias, types) -%}
  {%- if types -%}
  named_struct(
    {%- for name, dtype in types.items() %}
    '{{ name }}', {% if dtype.startswith('TIMESTAMP') %}cast({{ relation_alias }}.{{ name }} as string){% else %}{{ relation_alias }}.{{ name }}{% endif %}{% if not loop.last %},{% endif %}
    {%- endfor %}
  )
  {%- else -%}
  struct({{ relation_alias }}.*)
  {%- endif -%}
{%- endmacro %}


{#- A JSON object (text) of the named columns of the current row: `{"a": ..., "b": ...}`. -#}
{% macro json_object_of(columns) -%}
  {{ return(adapter.dispatch('json_object_of', 'chat_warehouse')(columns)) }}
{%- endmacro %}

{% macro duckdb__json_object_of(columns) -%}
  cast(to_json({ {%- for c in columns %}'{{ c }}': {{ c }}{% if not loop.last %}, {% endif %}{% endfor -%} }) as varchar)
{%- endmacro %}

{#- Spark: a `*_at` column (a UTC timestamp, by the project's naming) as its text, as DuckDB
    writes a timestamp in JSON (fraction without trailing zeros). -#}
{% macro spark__json_object_of(columns) -%}
  to_json(
    named_struct(
      {%- for c in columns %}'{{ c }}', {% if c.endswith('_at') %}cast({{ c }} as string){% else %}{{ c }}{% endif %}{% if not loop.last %}, {% endif %}{% endfor -%}
    ),
    map('ignoreNullFields', 'false')
  )
{%- endmacro %}
