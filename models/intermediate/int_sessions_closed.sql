{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope() }}
-- depends_on: {{ ref('int_refresh_scope') }}",
) }}
-- One row per session (metrics.md §2): who opened it, when, and how and when it closed; whether
-- the buyer was left waiting (abandoned) or it was resolved, and when (§9.1).
-- A session's close is the first close after its opening row; the conversation's last
-- session, with no close after it, closes at its pending close instant once that is <= as_of
-- and is otherwise still open (closed_at and close_reason null).
with events as (
    select * from {{ ref('int_conversation_events_sessionized') }}
    -- only the conversations this refresh recomputes
    where true {{ in_refresh_scope() }}
),

openings as (
    select
        conversation_id,
        shop_id,
        walk_seq as session_opener_seq,
        event_id as opening_message_id,
        sender_id as buyer_id,
        event_at as started_at
    from events
    where is_session_opener
),

ranked_closes as (
    select
        conversation_id,
        closes_session_opener_seq as session_opener_seq,
        marker_closed_at,
        marker_close_reason,
        is_close_while_waiting,
        -- the CLOSE_SESSION action that closed the session (AGENT and SYSTEM come from one)
        case when marker_close_reason in ('AGENT', 'SYSTEM') then event_id end as close_action_id,
        case when marker_close_reason = 'AGENT' then action_agent_id end as close_agent_id,
        row_number() over (
            partition by conversation_id, closes_session_opener_seq order by walk_seq
        ) as close_rank
    from events
    where is_close_marker
        and closes_session_opener_seq is not null
),

first_closes as (
    select * from ranked_closes
    where close_rank = 1
),

last_events as (
    select
        conversation_id,
        pending_close_at,
        pending_close_reason
    from events
    where is_last_event
),

closes as (
    select
        {{ surrogate_key(['openings.conversation_id', 'openings.opening_message_id']) }}
            as session_id,
        openings.conversation_id,
        openings.shop_id,
        openings.session_opener_seq,
        openings.opening_message_id,
        openings.buyer_id,
        openings.started_at,
        -- a session without a close after it is its conversation's last one
        case
            when first_closes.marker_closed_at is not null then first_closes.marker_closed_at
            when last_events.pending_close_at <= {{ as_of_timestamp() }}
                then last_events.pending_close_at
        end as closed_at,
        case
            when first_closes.marker_closed_at is not null then first_closes.marker_close_reason
            when last_events.pending_close_at <= {{ as_of_timestamp() }}
                then last_events.pending_close_reason
        end as close_reason,
        first_closes.close_action_id,
        first_closes.close_agent_id,
        case
            when first_closes.marker_closed_at is not null then first_closes.is_close_while_waiting
            when last_events.pending_close_at <= {{ as_of_timestamp() }}
                then last_events.pending_close_reason = 'EXPIRED'
            else false
        end as is_abandoned
    from openings
    left join first_closes
        on openings.conversation_id = first_closes.conversation_id
        and openings.session_opener_seq = first_closes.session_opener_seq
    -- one last event per conversation; joined on the conversation alone (an extra condition
    -- on first_closes here would make the planner fall back to a nested-loop join)
    inner join last_events
        on openings.conversation_id = last_events.conversation_id
),

-- metrics.md §9.1: a session that closed without the buyer waiting is resolved, by the close
-- (AGENT, SYSTEM) or, for an idle close, at its last activity (the idle timer is not work:
-- the idle close instant is that activity + session_idle_close_hours)
final as (
    select
        *,
        case
            when closed_at is null or is_abandoned then null
            when close_reason = 'IDLE'
                then {{ add_hours('closed_at', -var('session_idle_close_hours')) }}
            else closed_at
        end as resolved_at
    from closes
)

select * from final
