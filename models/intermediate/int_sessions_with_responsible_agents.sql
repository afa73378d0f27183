{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope() }}
-- depends_on: {{ ref('int_refresh_scope') }}",
) }}

-- The agent answerable for each session (metrics.md §5): the sender_id of the first human reply
-- where there is one (even a null sender_id: the contract does not require it of a reply, and
-- such a session is unassigned; see DECISIONS.md); otherwise the agent of the latest allocation
-- inside the session at or before the earliest of (deadline, closed_at, as_of); otherwise null.
-- With the allocation that decided it, and the session's allocations of §9.1 (first
-- allocation, transfers).
with sessions as (
    select * from {{ ref('int_sessions_with_exclusions') }}
    where true {{ in_refresh_scope() }}
),

allocations as (
    select * from {{ ref('int_session_allocations') }}
    where true {{ in_refresh_scope() }}
),

-- metrics.md §9.1: the first allocation inside the session, and its transfers
allocation_counts as (
    select
        conversation_id,
        session_opener_seq,
        min(allocated_at) as first_allocated_at,
        cast(sum(case when is_transfer then 1 else 0 end) as bigint) as transfer_count
    from allocations
    group by conversation_id, session_opener_seq
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
        allocations.agent_id as allocated_agent_id,
        allocations.allocation_message_id,
        allocations.allocated_at,
        row_number() over (
            partition by allocations.conversation_id, allocations.session_opener_seq
            order by allocations.walk_seq desc
        ) as allocation_rank
    from allocations
    inner join cutoffs
        on allocations.conversation_id = cutoffs.conversation_id
        and allocations.session_opener_seq = cutoffs.session_opener_seq
        and allocations.allocated_at <= cutoffs.allocation_cutoff_at
),

final as (
    select
        sessions.*,
        case
            when sessions.first_human_reply_at is not null then sessions.first_human_reply_sender_id
            else ranked_allocations.allocated_agent_id
        end as responsible_agent_id,
        -- why: the allocation that decided it (sessions without a first human reply)
        ranked_allocations.allocation_message_id as responsible_allocation_message_id,
        ranked_allocations.allocated_at as responsible_allocated_at,
        cutoffs.allocation_cutoff_at,
        allocation_counts.first_allocated_at,
        {{ seconds_between('sessions.started_at', 'allocation_counts.first_allocated_at') }}
            as allocation_wait_seconds,
        coalesce(allocation_counts.transfer_count, 0) as transfer_count
    from sessions
    left join cutoffs
        on sessions.conversation_id = cutoffs.conversation_id
        and sessions.session_opener_seq = cutoffs.session_opener_seq
    left join ranked_allocations
        on sessions.conversation_id = ranked_allocations.conversation_id
        and sessions.session_opener_seq = ranked_allocations.session_opener_seq
        and ranked_allocations.allocation_rank = 1
    left join allocation_counts
        on sessions.conversation_id = allocation_counts.conversation_id
        and sessions.session_opener_seq = allocation_counts.session_opener_seq
)

select * from final
