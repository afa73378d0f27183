{{ config(materialized='view') }}

-- The agent answerable for each session (metrics.md §5): the sender_id of the first human reply
-- where there is one (even a null sender_id: the contract does not require it of a reply, and
-- such a session is unassigned; see DECISIONS.md); otherwise the agent of the latest allocation
-- inside the session at or before the earliest of (deadline, closed_at, as_of); otherwise null.
with sessions as (
    select * from {{ ref('int_sessions_with_exclusions') }}
),

allocations as (
    select
        conversation_id,
        session_opener_seq,
        walk_seq,
        event_at,
        allocated_agent_id
    from {{ ref('int_conversation_events_sessionized') }}
    where is_allocation
        and is_session_member
),

cutoffs as (
    select
        conversation_id,
        session_opener_seq,
        least(
            coalesce(response_deadline_at, {{ as_of_timestamp() }}),
            coalesce(closed_at, {{ as_of_timestamp() }}),
            {{ as_of_timestamp() }}
        ) as allocation_cutoff_at
    from sessions
    where first_human_reply_at is null
),

ranked_allocations as (
    select
        allocations.conversation_id,
        allocations.session_opener_seq,
        allocations.allocated_agent_id,
        row_number() over (
            partition by allocations.conversation_id, allocations.session_opener_seq
            order by allocations.walk_seq desc
        ) as allocation_rank
    from allocations
    inner join cutoffs
        on allocations.conversation_id = cutoffs.conversation_id
        and allocations.session_opener_seq = cutoffs.session_opener_seq
        and allocations.event_at <= cutoffs.allocation_cutoff_at
),

final as (
    select
        sessions.*,
        case
            when sessions.first_human_reply_at is not null then sessions.first_human_reply_sender_id
            else ranked_allocations.allocated_agent_id
        end as responsible_agent_id
    from sessions
    left join ranked_allocations
        on sessions.conversation_id = ranked_allocations.conversation_id
        and sessions.session_opener_seq = ranked_allocations.session_opener_seq
        and ranked_allocations.allocation_rank = 1
)

select * from final
