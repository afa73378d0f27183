{#- Versioned landing tables (actions, holiday periods; contract.md): each row is a version of
    `key`, and "of versioned rows only the latest version with updated_at <= as_of counts"
    (metrics.md, intro). The clean versions come from `staging_model`; `keep_when` filters the
    chosen versions further (e.g. an action that had not happened yet at as_of). -#}
{% macro latest_versions_as_of(staging_model, key, columns, keep_when=none) -%}
with versions as (
    select * from {{ ref(staging_model) }}
    where updated_at <= {{ as_of_timestamp() }}
),

ranked as (
    select
        *,
        row_number() over (partition by {{ key }} order by updated_at desc) as version_rank
    from versions
),

final as (
    select
        {{ columns | join(',\n        ') }}
    from ranked
    where version_rank = 1
    {%- if keep_when %}
        and {{ keep_when }}
    {%- endif %}
)

select * from final
{%- endmacro %}
