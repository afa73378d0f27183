-- Every allocation inside a session (metrics.md §5: between its opening row and its close, in
-- walk order), with the agent that held the session before it. An allocation to a different
-- agent than the previous one in the session is a transfer (§9.1); one to the agent already
-- holding continues the hold (§9.4). An allocation while no session is open is in no session
-- and counts nowhere.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope() }}
-- depends_on: {{ ref('int_refresh_scope') }}",
) }}

with members as (
    select * from {{ ref('int_conversation_events_sessionized') }}
    where
        is_allocation
        and is_session_member
        {{ in_refresh_scope() }}  -- noqa: LT02
),

sequenced as (
    select
        conversation_id,
        shop_id,
        session_opener_seq,
        walk_seq,
        event_id as allocation_message_id,
        event_at as allocated_at,
        allocated_agent_id as agent_id,
        lag(allocated_agent_id) over (
            partition by conversation_id, session_opener_seq order by walk_seq
        ) as previous_agent_id
    from members
),

final as (
    select
        *,
        coalesce(previous_agent_id <> agent_id, false) as is_transfer,
        -- a hold starts at the session's first allocation and at every transfer
        previous_agent_id is null or previous_agent_id <> agent_id as is_hold_start
    from sequenced
)

select * from final
