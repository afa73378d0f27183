-- Operational: sessions still open and unanswered at as_of that a CS manager should act on
-- now. WAITING_OVER_<at_risk_waiting_hours>H (WAITING_OVER_20H by default): the deadline is
-- near; PAST_DEADLINE: already missed, still
-- answerable; ABOUT_TO_EXPIRE: the platform will close it unanswered within
-- `about_to_expire_hours`. One row per session; empty is the healthy state.
{% set waiting_hours = var('at_risk_waiting_hours') %}
{% set expire_hours = var('about_to_expire_hours') %}

with sessions as (
    select * from {{ ref('fct_chat_sessions') }}
    where closed_at is null
        and first_human_reply_at is null
        and clock_started_at is not null
        and not is_excluded
),

timed as (
    select
        session_id,
        conversation_id,
        shop_id,
        platform,
        buyer_id,
        responsible_agent_id,
        started_at,
        clock_started_at,
        response_deadline_at,
        -- nobody has answered since the clock started, so the buyer has waited since then
        {{ add_hours('clock_started_at', var('session_expiry_hours')) }} as expires_at,
        {{ as_of_timestamp() }} as as_of_at,
        {{ seconds_between('clock_started_at', as_of_timestamp()) }} as waiting_seconds
    from sessions
),

final as (
    select
        *,
        case
            when expires_at <= {{ add_hours('as_of_at', expire_hours) }} then 'ABOUT_TO_EXPIRE'
            when response_deadline_at <= as_of_at then 'PAST_DEADLINE'
            else '{{ at_risk_waiting_label() }}'
        end as risk_level
    from timed
    where waiting_seconds > {{ waiting_hours }} * 3600
)

select * from final
