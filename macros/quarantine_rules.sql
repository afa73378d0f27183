{#- Shared quarantine rules of the staging layer (spec/contract.md, metrics.md §8).
    Each returns `when ... then '<rule>'` branches for a `case` that names the first rule a
    landing row breaks. The rule names are listed and explained in README "When the data is wrong". -#}

{#- A required text key: null or blank breaks `<col>_missing`. -#}
{% macro rule_required(col) -%}
  when nullif(trim(cast({{ col }} as varchar)), '') is null then '{{ col }}_missing'
{%- endmacro %}

{#- A timestamp column with its raw text beside it as `<col>_raw`. -#}
{% macro rule_timestamp(col, required=true) -%}
  {%- if required %}
  when {{ col }}_raw is null then '{{ col }}_missing'
  {%- endif %}
  when {{ col }}_raw is not null and {{ col }} is null then '{{ col }}_unparseable'
  when {{ col }} < cast('{{ var("min_valid_timestamp") }}' as timestamp) then '{{ col }}_out_of_range'
{%- endmacro %}

{#- An upper-case enum. -#}
{% macro rule_enum(col, values, required=true) -%}
  {%- if required %}
  when {{ col }} is null then '{{ col }}_missing'
  {%- endif %}
  when {{ col }} is not null and {{ col }} not in ({% for v in values %}'{{ v }}'{% if not loop.last %}, {% endif %}{% endfor %}) then '{{ col }}_invalid'
{%- endmacro %}

{#- Trimmed text, blank as null. -#}
{% macro clean_text(col) -%}
  nullif(trim(cast({{ col }} as varchar)), '')
{%- endmacro %}

{#- Upper-cased enum text, blank as null. -#}
{% macro clean_enum(col) -%}
  upper(nullif(trim(cast({{ col }} as varchar)), ''))
{%- endmacro %}

{#- The landing row as JSON text, for audit.quarantined_rows. -#}
{% macro raw_row_json(relation_alias) -%}
  {{ return(adapter.dispatch('raw_row_json', 'chat_warehouse')(relation_alias)) }}
{%- endmacro %}

{% macro duckdb__raw_row_json(relation_alias) -%}
  cast(to_json({{ relation_alias }}) as varchar)
{%- endmacro %}


{#- The landing row as one value (a struct in DuckDB), carried until we know whether the row is
    quarantined; only quarantined rows are serialised to JSON. -#}
{% macro landing_row(relation_alias) -%}
  {{ return(adapter.dispatch('landing_row', 'chat_warehouse')(relation_alias)) }}
{%- endmacro %}

{% macro duckdb__landing_row(relation_alias) -%}
  {{ relation_alias }}
{%- endmacro %}


{#- The common tail of a base model: keep clean rows' first copy per key, mark the rest as
    collapsed duplicates, serialise the landing row of quarantined rows only. -#}
{% macro finish_base_model(checked_cte, key_columns, order_by) -%}
select
    * exclude (_landing_row),
    quarantine_rule is null
        and row_number() over (
            partition by {{ key_columns | join(', ') }}, quarantine_rule is null
            order by {{ order_by }}
        ) > 1 as is_collapsed_duplicate,
    case when quarantine_rule is not null then {{ raw_row_json('_landing_row') }} end as raw_row
from {{ checked_cte }}
{%- endmacro %}
