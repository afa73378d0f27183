{#- A text field of a JSON object held in a text column; null when the text is not JSON. -#}
{% macro json_text_field(expr, field) -%}
  {{ return(adapter.dispatch('json_text_field', 'chat_warehouse')(expr, field)) }}
{%- endmacro %}

{% macro default__json_text_field(expr, field) -%}
  json_extract_path_text({{ expr }}, '{{ field }}')
{%- endmacro %}

{% macro duckdb__json_text_field(expr, field) -%}
  case when json_valid({{ expr }}) then json_extract_string({{ expr }}, '$.{{ field }}') end
{%- endmacro %}


{#- Continuous percentile (linear interpolation), as an aggregate. -#}
{% macro percentile_cont(expr, fraction) -%}
  {{ return(adapter.dispatch('percentile_cont', 'chat_warehouse')(expr, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expr, fraction) -%}
  percentile_cont({{ fraction }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expr, fraction) -%}
  quantile_cont({{ expr }}, {{ fraction }})
{%- endmacro %}


{#- A stable text key from several columns (md5 of the values joined by '|'). -#}
{% macro surrogate_key(columns) -%}
  md5({% for c in columns %}coalesce(cast({{ c }} as varchar), '∅'){% if not loop.last %} || '|' || {% endif %}{% endfor %})
{%- endmacro %}


{#- Boolean text as the contract spells it (true/false, 1/0); null or blank is null, anything else
    is 'invalid' so that staging can quarantine it. -#}
{% macro parse_boolean_text(expr) -%}
  case
    when nullif(trim(cast({{ expr }} as varchar)), '') is null then null
    when lower(trim(cast({{ expr }} as varchar))) in ('true', '1', 't', 'yes') then 'true'
    when lower(trim(cast({{ expr }} as varchar))) in ('false', '0', 'f', 'no') then 'false'
    else 'invalid'
  end
{%- endmacro %}
