-- One row per (shop, agent): every agent of the agents table, plus every agent that is some
-- session's responsible agent without being in that table (is_listed_agent false), so that a
-- dashboard's agent filter offers every agent of fct_agent_daily.
with agents as (
    select * from {{ ref('stg_chat__agents') }}
),

responsible as (
    select distinct
        shop_id,
        responsible_agent_id as agent_id
    from {{ ref('fct_chat_sessions') }}
    where responsible_agent_id is not null
),

unlisted as (
    select
        responsible.shop_id,
        responsible.agent_id
    from responsible
    left join agents
        on responsible.shop_id = agents.shop_id
        and responsible.agent_id = agents.agent_id
    where agents.agent_id is null
),

final as (
    select
        shop_id,
        agent_id,
        nickname,
        role,
        max_concurrent_sessions,
        true as is_listed_agent
    from agents
    union all
    select
        shop_id,
        agent_id,
        cast(null as {{ dbt.type_string() }}) as nickname,
        cast(null as {{ dbt.type_string() }}) as role,
        cast(null as integer) as max_concurrent_sessions,
        false as is_listed_agent
    from unlisted
)

select * from final
