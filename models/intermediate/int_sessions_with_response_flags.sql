{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope() }}
-- depends_on: {{ ref('int_refresh_scope') }}",
) }}
-- The 24-hour response flag of every session (metrics.md §3): clock start, deadline, first
-- human reply after the clock-start message (in walk order), status and first response time;
-- and its responses (§9.1: human replies while the buyer waits) with their total time.
{% set window_hours = var('response_window_hours') %}

-- only the conversations this refresh recomputes
with sessions as (
    select * from {{ ref('int_sessions_closed') }}
    where true {{ in_refresh_scope() }}
),

members as (
    select * from {{ ref('int_conversation_events_sessionized') }}
    where
        is_session_member
        {{ in_refresh_scope() }}  -- noqa: LT02
),

session_counts as (
    select
        conversation_id,
        session_opener_seq,
        min(case when is_waiting_trigger then walk_seq end) as clock_start_seq,
        min(case when is_waiting_trigger then event_at end) as clock_started_at,
        cast(sum(case when is_buyer_message then 1 else 0 end) as bigint) as buyer_message_count,
        cast(sum(case when is_human_reply then 1 else 0 end) as bigint) as human_reply_count,
        -- §9.1 responses: human replies made while the buyer waits, timed from the
        -- waiting_since each clears
        cast(
            sum(case when is_human_reply and waiting_since_before is not null then 1 else 0 end)
            as bigint
        ) as response_count,
        sum(
            case
                when is_human_reply and waiting_since_before is not null
                    then {{ seconds_between('waiting_since_before', 'event_at') }}
            end
        ) as total_response_seconds
    from members
    group by conversation_id, session_opener_seq
),

clock_starts as (
    select
        members.conversation_id,
        members.session_opener_seq,
        members.event_id as clock_start_message_id
    from members
    inner join session_counts
        on members.conversation_id = session_counts.conversation_id
        and members.session_opener_seq = session_counts.session_opener_seq
        and members.walk_seq = session_counts.clock_start_seq
),

-- the first human reply after the clock-start message; one before it (answering an FAQ
-- click) does not answer the follow-up
ranked_replies as (
    select
        members.conversation_id,
        members.session_opener_seq,
        members.event_at as first_human_reply_at,
        members.sender_id as first_human_reply_sender_id,
        members.event_id as first_human_reply_message_id,
        row_number() over (
            partition by members.conversation_id, members.session_opener_seq
            order by members.walk_seq
        ) as reply_rank
    from members
    inner join session_counts
        on members.conversation_id = session_counts.conversation_id
        and members.session_opener_seq = session_counts.session_opener_seq
    where members.is_human_reply
        and members.walk_seq > session_counts.clock_start_seq
),

first_replies as (
    select * from ranked_replies
    where reply_rank = 1
),

timed as (
    select
        sessions.*,
        session_counts.clock_started_at,
        {{ add_hours('session_counts.clock_started_at', window_hours) }} as response_deadline_at,
        first_replies.first_human_reply_at,
        first_replies.first_human_reply_sender_id,
        session_counts.buyer_message_count,
        session_counts.human_reply_count,
        clock_starts.clock_start_message_id,
        first_replies.first_human_reply_message_id,
        session_counts.response_count,
        cast(session_counts.total_response_seconds as double) as total_response_seconds
    from sessions
    inner join session_counts
        on sessions.conversation_id = session_counts.conversation_id
        and sessions.session_opener_seq = session_counts.session_opener_seq
    left join clock_starts
        on sessions.conversation_id = clock_starts.conversation_id
        and sessions.session_opener_seq = clock_starts.session_opener_seq
    left join first_replies
        on sessions.conversation_id = first_replies.conversation_id
        and sessions.session_opener_seq = first_replies.session_opener_seq
),

final as (
    select
        *,
        case
            when clock_started_at is null then 'AUTO_RESOLVED'
            when first_human_reply_at <= response_deadline_at then 'RESPONDED_IN_TIME'
            when first_human_reply_at > response_deadline_at then 'RESPONDED_LATE'
            when closed_at is not null or response_deadline_at <= {{ as_of_timestamp() }}
                then 'UNRESPONDED'
            else 'PENDING'
        end as response_status,
        {{ seconds_between('clock_started_at', 'first_human_reply_at') }} as first_response_seconds
    from timed
)

select * from final
