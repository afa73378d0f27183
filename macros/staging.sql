{#- A staging model: the clean rows of its base model (no rule broken, first copy of a key). -#}
{% macro clean_rows_of(base_model, columns) -%}
with base as (
    select * from {{ ref(base_model) }}
),

final as (
    select
        {{ columns | join(',\n        ') }}
    from base
    where quarantine_rule is null
        and not is_collapsed_duplicate
)

select * from final
{%- endmacro %}
