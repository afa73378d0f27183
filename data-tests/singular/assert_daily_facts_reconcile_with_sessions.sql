-- The daily marts recount fct_chat_sessions exactly: per shop and day, the shop row's sessions
-- equal the sessions of that day, and the agents' rows plus unassigned sessions add up to it.
with sessions as (
    select
        shop_id,
        session_date,
        count(*) as sessions,
        sum(case when responsible_agent_id is null then 1 else 0 end) as unassigned_sessions
    from {{ ref('fct_chat_sessions') }}
    group by shop_id, session_date
),

agents as (
    select
        shop_id,
        session_date,
        sum(sessions) as agent_sessions
    from {{ ref('fct_agent_daily') }}
    group by shop_id, session_date
),

shops as (
    select
        shop_id,
        session_date,
        sessions
    from {{ ref('fct_shop_daily') }}
)

select
    coalesce(shops.shop_id, sessions.shop_id) as shop_id,
    coalesce(shops.session_date, sessions.session_date) as session_date,
    shops.sessions as shop_sessions,
    sessions.sessions as counted_from_sessions,
    agents.agent_sessions,
    sessions.unassigned_sessions
from shops
full outer join sessions
    on shops.shop_id = sessions.shop_id
    and shops.session_date = sessions.session_date
left join agents
    on sessions.shop_id = agents.shop_id
    and sessions.session_date = agents.session_date
where coalesce(shops.sessions, 0) <> coalesce(sessions.sessions, 0)
    or (
        sessions.sessions is not null
        and coalesce(agents.agent_sessions, 0) + sessions.unassigned_sessions <> sessions.sessions
    )
