-- One row per (shop_id, agent_id, session_date): the daily facts of metrics.md §7 and §9.2 over
-- the sessions an agent is answerable for (responsible_agent_id), on days the agent has
-- sessions. Incremental by (shop, agent, date): a refresh recomputes the agent-days of the
-- sessions it recomputed, as they are now and as they were (int_refresh_keys).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_keys('agent_day') }}",
) }}

with keys as (  -- noqa: ST03
    {{ refresh_keys_of('agent_day') }}
),

sessions as (
    select sessions.*
    from {{ ref('fct_chat_sessions') }} as sessions
    {% if is_incremental() %}
        inner join keys
            on sessions.shop_id = keys.shop_id
            and sessions.responsible_agent_id = keys.agent_id
            and sessions.session_date = keys.session_date
    {% endif %}
    where sessions.responsible_agent_id is not null
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
        agents.nickname as agent_nickname,
        {{ this_invocation() }} as built_invocation_id
    from daily
    left join agents
        on daily.agent_id = agents.agent_id
)

select * from final
