-- Every row of every conversation, in walk order (metrics.md §1), with the session it belongs
-- to and what it did: the timeline behind each verdict (the dashboard's Sessions page shows a
-- session's conversation from here). One row per clean message and per action (its latest
-- version at as_of) stamped at or before as_of; rows the walk skips (notifications, entering
-- the chat, invisible replies) are here too, marked as having no effect. Implicit closes
-- (EXPIRED, IDLE) are not rows: fct_chat_sessions has their instant and reason. A refresh
-- recomputes the conversations whose rows changed and those whose sessions a holiday version
-- can exclude (int_refresh_scope.needs_timeline: what a row did depends on its conversation's
-- rows and on the exclusion of its session); a full recompute at scale computes one batch of
-- conversations at a time (macros/batches.sql), reading the messages and the walk of its batch
-- by their stored key.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope(only='needs_timeline') }}
-- depends_on: {{ ref('int_refresh_scope') }}",
    post_hook="{{ insert_other_batches() }}",
) }}
{% set batch_filter = conversation_batch_filter() %}
{% set keyed_batch_filter = conversation_batch_filter(stored_key='conversation_key') %}

with messages as (
    select * from {{ ref('stg_chat__messages') }}
    where
        created_at <= {{ as_of_timestamp() }}
        {{ in_refresh_scope(only='needs_timeline') }}  -- noqa: LT02
        {{ keyed_batch_filter }}  -- noqa: LT02
),

actions as (
    select * from {{ ref('int_conversation_actions_versioned') }}
    where true {{ in_refresh_scope(only='needs_timeline') }} {{ batch_filter }}
),

walk as (
    select * from {{ ref('int_conversation_events_sessionized') }}
    where true {{ in_refresh_scope(only='needs_timeline') }} {{ keyed_batch_filter }}
),

sessions as (
    select * from {{ ref('int_sessions_with_responsible_agents') }}
    where true {{ in_refresh_scope(only='needs_timeline') }} {{ batch_filter }}
),

allocations as (
    select * from {{ ref('int_session_allocations') }}
    where true {{ in_refresh_scope(only='needs_timeline') }} {{ batch_filter }}
),

rows_of_conversations as (
    select
        conversation_id,
        shop_id,
        created_at as event_at,
        0 as event_source_order,
        message_id as event_id,
        'message' as event_source,
        sender_role,
        sender_id,
        message_type,
        is_visible,
        allocated_agent_id,
        cast(null as {{ dbt.type_string() }}) as action_type,
        cast(null as {{ dbt.type_string() }}) as report_status
    from messages
    union all
    select
        conversation_id,
        shop_id,
        acted_at as event_at,
        1 as event_source_order,
        action_id as event_id,
        'action' as event_source,
        cast(null as {{ dbt.type_string() }}) as sender_role,
        agent_id as sender_id,
        cast(null as {{ dbt.type_string() }}) as message_type,
        cast(null as boolean) as is_visible,
        cast(null as {{ dbt.type_string() }}) as allocated_agent_id,
        action_type,
        report_status
    from actions
),

-- walk order over every row, the walk's own columns where the row is in the walk, and for a
-- row the walk skips the session it lies in: that of the latest walk row up to it, if that
-- row is inside a session (its opening row's walk_seq; 0 when it is outside any). One window
-- order for both (one sort of every row).
ordered as (
    select
        rows_of_conversations.*,
        row_number() over walk_order as event_seq,
        {{ last_non_null(
            "case when walk.walk_seq is not null then "
            ~ "case when walk.is_session_member then walk.session_opener_seq else 0 end end"
        ) }} over walk_order_to_here as context_opener_seq,
        walk.walk_seq,
        walk.is_session_opener,
        walk.is_session_member,
        walk.session_opener_seq,
        walk.is_faq_click,
        walk.is_human_reply,
        walk.is_automated_reply,
        walk.is_allocation,
        walk.waiting_since_before,
        walk.closes_session_opener_seq
    from rows_of_conversations
    left join walk
        on rows_of_conversations.conversation_id = walk.conversation_id
        and rows_of_conversations.event_source_order = walk.event_source_order
        and rows_of_conversations.event_id = walk.event_id
    window
        walk_order as (
            partition by rows_of_conversations.conversation_id
            order by
                rows_of_conversations.event_at,
                rows_of_conversations.event_source_order,
                rows_of_conversations.event_id
        ),
        walk_order_to_here as (
            partition by rows_of_conversations.conversation_id
            order by
                rows_of_conversations.event_at,
                rows_of_conversations.event_source_order,
                rows_of_conversations.event_id
            rows between unbounded preceding and current row
        )
),

placed as (
    select
        *,
        case
            when walk_seq is not null
                and event_source = 'action'
                and action_type = 'CLOSE_SESSION'
                then closes_session_opener_seq
            -- report and "no reply needed" apply to the latest session opened before them
            when walk_seq is not null and event_source = 'action'
                then session_opener_seq
            when walk_seq is not null and is_session_member
                then session_opener_seq
            when walk_seq is null and context_opener_seq > 0
                then context_opener_seq
        end as candidate_opener_seq
    from ordered
),

with_sessions as (
    select
        placed.*,
        sessions.session_id,
        sessions.clock_start_message_id,
        sessions.first_human_reply_message_id,
        sessions.close_action_id,
        sessions.responsible_allocation_message_id,
        sessions.excluding_action_id,
        sessions.closed_at as session_closed_at,
        allocations.is_transfer,
        allocations.previous_agent_id
    from placed
    left join sessions
        on placed.conversation_id = sessions.conversation_id
        and placed.candidate_opener_seq = sessions.session_opener_seq
    left join allocations
        on placed.conversation_id = allocations.conversation_id
        and placed.walk_seq = allocations.walk_seq
),

-- a skipped row after its session's (implicit) close is outside it; a close action belongs
-- to the session only when it is the one that closed it
bounded as (
    select
        *,
        case
            when session_id is null then null
            when walk_seq is null and session_closed_at < event_at then null
            when
                action_type = 'CLOSE_SESSION' and event_id <> coalesce(close_action_id, '')
                then null
            else session_id
        end as row_session_id
    from with_sessions
),

final as (
    select
        conversation_id,
        shop_id,
        event_seq,
        event_at,
        event_source,
        event_id,
        sender_role,
        sender_id,
        message_type,
        action_type,
        report_status,
        allocated_agent_id,
        row_session_id as session_id,
        walk_seq is not null as is_in_walk,
        coalesce(
            concat_ws(
                ', ',
                case when is_session_opener then 'opened the session' end,
                case
                    when row_session_id is not null and event_id = clock_start_message_id
                        then 'started the 24-hour clock'
                end,
                case when is_faq_click then 'FAQ click (answered by the platform)' end,
                case
                    when event_source = 'message' and sender_role = 'BUYER' and walk_seq is not null
                        and not is_session_opener and not is_faq_click
                        and event_id <> coalesce(clock_start_message_id, '')
                        then 'buyer message'
                end,
                case
                    when row_session_id is not null and event_id = first_human_reply_message_id
                        then 'first human reply'
                    when is_human_reply and row_session_id is not null
                        and waiting_since_before is not null
                        then 'human reply to a waiting buyer'
                    when is_human_reply and row_session_id is not null
                        then 'human reply (nobody waiting)'
                    when is_human_reply then 'human reply outside any session'
                end,
                case when is_automated_reply then 'automated reply' end,
                case
                    when is_allocation and row_session_id is null
                        then 'allocation outside any session (counts nowhere)'
                    when is_allocation and is_transfer
                        then 'transferred from '
                            || previous_agent_id
                            || ' to '
                            || allocated_agent_id
                    when is_allocation and previous_agent_id is not null
                        then 'allocated again to ' || allocated_agent_id || ' (same hold)'
                    when is_allocation then 'allocated to ' || allocated_agent_id
                end,
                case
                    when is_allocation and event_id = responsible_allocation_message_id
                        then 'decided the responsible agent'
                end,
                case
                    when action_type = 'CLOSE_SESSION' and row_session_id is not null
                        then 'closed the session ('
                            || case when sender_id is null then 'SYSTEM' else 'AGENT' end
                            || ')'
                    when action_type = 'CLOSE_SESSION' then 'close with no open session (no effect)'
                    when action_type is not null and row_session_id is null
                        then 'no session to apply to (no effect)'
                    when action_type = 'REPORT_BUYER' and event_id = excluding_action_id
                        then 'excluded the session (REPORTED)'
                    when action_type = 'MARK_NO_REPLY_NEEDED' and event_id = excluding_action_id
                        then 'excluded the session (NO_REPLY_NEEDED)'
                    when action_type = 'REPORT_BUYER' and report_status = 'UPHELD'
                        then 'report upheld (the session is already excluded)'
                    when action_type = 'REPORT_BUYER'
                        then 'report ' || coalesce(report_status, 'without status')
                            || ' (excludes nothing)'
                    when action_type = 'MARK_NO_REPLY_NEEDED'
                        then 'marked no reply needed (the session is already excluded)'
                end,
                case
                    when event_source = 'message' and walk_seq is null
                        then 'no effect (' || case
                                when sender_role in ('CUSTOMER_SERVICE', 'SHOP') and not is_visible
                                    then 'invisible reply'
                                else lower(message_type)
                            end || ')'
                end
            ),
            'no effect'
        ) as event_role,
        {{ this_invocation() }} as built_invocation_id
    from bounded
)

select * from final
