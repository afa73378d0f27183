-- One row per (shop_id, agent_id, session_date): the daily facts of metrics.md §7 over the
-- sessions an agent is answerable for (responsible_agent_id), on days the agent has sessions.
with sessions as (
    select * from {{ ref('fct_chat_sessions') }}
    where responsible_agent_id is not null
),

agents as (
    select * from {{ ref('stg_chat__agents') }}
),

daily as (
    select
        shop_id,
        responsible_agent_id as agent_id,
        session_date,
        {{ daily_session_metrics() }}
    from sessions
    group by shop_id, responsible_agent_id, session_date
),

final as (
    select
        daily.*,
        agents.nickname as agent_nickname
    from daily
    left join agents
        on daily.agent_id = agents.agent_id
)

select * from final
