-- The session walk of metrics.md §2, set-based: every row that can change a session, in
-- walk order, with the session it belongs to. One model, so that its dbt unit tests state
-- each rule on plain messages and actions. The steps, top to bottom:
--
-- 1. Walk order (§1): messages and actions together, by time, then messages before actions,
--    then id as text. Rows with no effect on sessions (notifications, entering the chat,
--    invisible agent rows) are left out: an implicit close they could trigger takes effect
--    anyway, since every row kept is at or before as_of. A stretch starts at every human
--    reply and every close action (where waiting_since is cleared); last_activity_at is the
--    latest buyer message, human or automated reply so far.
-- 2. Waiting anchors (§2.2): within a stretch nothing clears waiting_since except expiry, and
--    an idle close cannot happen while it is set. So the first non-FAQ buyer message of a
--    stretch sets it, and after an expiry the next one to set it is the first non-FAQ buyer
--    message more than `session_expiry_hours` after the previous anchor. That greedy chain is
--    the only sequential part of the walk; it is followed with a recursive CTE, and only in the
--    rare stretches longer than the expiry.
-- 3. The walk (§2.1, §2.3): the state after a row, (waiting_since, last_activity), is read off
--    its history: the latest anchor of the row's stretch while it has not expired, and the
--    latest activity. The state after the previous row gives the implicit close (expiry or
--    idle) a row may trigger before it is processed. A buyer message opens a session when a
--    close (implicit or CLOSE_SESSION) lies between it and the previous buyer message.
--    Candidate closes computed while no session is open are harmless: a session's close is
--    the first close after its opening row.
-- See DECISIONS.md, "The session walk", for why this equals the sequential walk.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope(only='needs_walk') }}
-- depends_on: {{ ref('int_refresh_scope') }}",
    post_hook="{{ insert_other_batches() }}",
) }}
{% set expiry_hours = var('session_expiry_hours') %}
{% set idle_hours = var('session_idle_close_hours') %}
{% set batch_filter = conversation_batch_filter() %}
{% set keyed_batch_filter = conversation_batch_filter(stored_key='conversation_key') %}

with recursive

-- An incremental refresh re-walks only the conversations whose rows changed (the walk of a
-- conversation depends on its rows alone; time acts in int_sessions_closed): int_refresh_scope,
-- needs_walk (macros/refresh.sql). A full recompute at scale walks one batch of conversations
-- at a time (macros/batches.sql), reading the messages of its batch by their stored key.
messages as (
    select * from {{ ref('stg_chat__messages') }}
    where
        created_at <= {{ as_of_timestamp() }}
        {{ in_refresh_scope(only='needs_walk') }}  -- noqa: LT02
        {{ keyed_batch_filter }}  -- noqa: LT02
),

actions as (
    select * from {{ ref('int_conversation_actions_versioned') }}
    where true {{ in_refresh_scope(only='needs_walk') }} {{ batch_filter }}
),

message_events as (
    select
        conversation_id,
        shop_id,
        created_at as event_at,
        0 as event_source_order,
        message_id as event_id,
        sender_id,
        (
            sender_role = 'BUYER'
            and message_type not in (
                'BUYER_ENTER_FROM_PRODUCT', 'BUYER_ENTER_FROM_ORDER', 'BUYER_ENTER_FROM_TRANSFER'
            )
        ) as is_buyer_message,
        sender_role = 'BUYER' and message_type = 'FAQ_QUESTION' as is_faq_click,
        (
            sender_role in ('CUSTOMER_SERVICE', 'SHOP')
            and is_visible
            and message_type not in (
                'ALLOCATED_SERVICE', 'NOTIFICATION', 'BUYER_ENTER_FROM_PRODUCT',
                'BUYER_ENTER_FROM_ORDER', 'BUYER_ENTER_FROM_TRANSFER'
            )
        ) as is_human_reply,
        sender_role = 'ROBOT' as is_automated_reply,
        message_type = 'ALLOCATED_SERVICE' as is_allocation,
        allocated_agent_id,
        cast(null as {{ dbt.type_string() }}) as action_type,
        cast(null as {{ dbt.type_string() }}) as action_agent_id,
        cast(null as {{ dbt.type_string() }}) as report_status
    from messages
),

action_events as (
    select
        conversation_id,
        shop_id,
        acted_at as event_at,
        1 as event_source_order,
        action_id as event_id,
        cast(null as {{ dbt.type_string() }}) as sender_id,
        false as is_buyer_message,
        false as is_faq_click,
        false as is_human_reply,
        false as is_automated_reply,
        false as is_allocation,
        cast(null as {{ dbt.type_string() }}) as allocated_agent_id,
        action_type,
        agent_id as action_agent_id,
        report_status
    from actions
),

events as (
    select * from message_events
    where is_buyer_message or is_human_reply or is_automated_reply or is_allocation
    union all
    select * from action_events
),

ordered_events as (
    select
        conversation_id,
        shop_id,
        event_at,
        event_source_order,
        event_id,
        row_number() over walk_order as walk_seq,
        sender_id,
        is_buyer_message,
        is_faq_click,
        is_buyer_message and not is_faq_click as is_waiting_trigger,
        is_human_reply,
        is_automated_reply,
        is_allocation,
        allocated_agent_id,
        action_type,
        action_agent_id,
        report_status,
        -- waiting_since is cleared by a human reply and by a close; count those boundaries
        sum(case when is_human_reply or action_type = 'CLOSE_SESSION' then 1 else 0 end)
            over walk_order_to_here as stretch_no,
        max(case when is_buyer_message or is_human_reply or is_automated_reply then event_at end)
            over walk_order_to_here as last_activity_at
    from events
    window
        walk_order as (
            partition by conversation_id order by event_at, event_source_order, event_id
        ),
        walk_order_to_here as (
            partition by conversation_id order by event_at, event_source_order, event_id
            rows between unbounded preceding and current row
        )
),

triggers as (
    select
        conversation_id,
        stretch_no,
        walk_seq,
        event_at
    from ordered_events
    where is_waiting_trigger
),

stretches as (
    select
        conversation_id,
        stretch_no,
        min(walk_seq) as first_walk_seq,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at
    from triggers
    group by conversation_id, stretch_no
),

first_anchors as (
    select
        conversation_id,
        stretch_no,
        first_walk_seq as walk_seq,
        first_event_at as anchor_at
    from stretches
),

-- In long stretches only: each trigger's successor, the first trigger after its expiry.
long_stretch_triggers as (
    select triggers.*
    from triggers
    inner join stretches
        on triggers.conversation_id = stretches.conversation_id
        and triggers.stretch_no = stretches.stretch_no
    where stretches.last_event_at > {{ add_hours('stretches.first_event_at', expiry_hours) }}
),

successors as (
    select
        current_trigger.conversation_id,
        current_trigger.stretch_no,
        current_trigger.walk_seq,
        min(later_trigger.walk_seq) as next_walk_seq
    from long_stretch_triggers as current_trigger
    inner join long_stretch_triggers as later_trigger
        on current_trigger.conversation_id = later_trigger.conversation_id
        and current_trigger.stretch_no = later_trigger.stretch_no
        and later_trigger.event_at > {{ add_hours('current_trigger.event_at', expiry_hours) }}
    group by current_trigger.conversation_id, current_trigger.stretch_no, current_trigger.walk_seq
),

successor_anchors as (
    select
        successors.conversation_id,
        successors.stretch_no,
        successors.walk_seq,
        successors.next_walk_seq,
        triggers.event_at as next_event_at
    from successors
    inner join triggers
        on successors.conversation_id = triggers.conversation_id
        and successors.next_walk_seq = triggers.walk_seq
),

chain as (
    select
        conversation_id,
        stretch_no,
        walk_seq,
        anchor_at
    from first_anchors
    union all
    select
        chain.conversation_id,
        chain.stretch_no,
        successor_anchors.next_walk_seq as walk_seq,
        successor_anchors.next_event_at as anchor_at
    from chain
    inner join successor_anchors
        on chain.conversation_id = successor_anchors.conversation_id
        and chain.walk_seq = successor_anchors.walk_seq
),

-- The walk's passes carry only what they need; the rest of each row is joined back at the end
-- (sorting narrow rows is what keeps the walk fast at scale).
events_with_anchors as (
    select
        events.conversation_id,
        events.walk_seq,
        events.event_at,
        events.stretch_no,
        events.last_activity_at,
        events.is_buyer_message,
        coalesce(events.action_type = 'CLOSE_SESSION', false) as is_close_action,
        events.action_agent_id is not null as has_action_agent,
        anchors.anchor_at,
        anchors.stretch_no as anchor_stretch_no
    from ordered_events as events
    left join chain as anchors
        on events.conversation_id = anchors.conversation_id
        and events.walk_seq = anchors.walk_seq
),

-- The latest anchor up to this row and up to the previous row, and the previous row's state.
histories as (
    select
        *,
        max(anchor_at) over to_here as latest_anchor_at,
        max(anchor_stretch_no) over to_here as latest_anchor_stretch_no,
        max(anchor_at) over before_here as prev_latest_anchor_at,
        max(anchor_stretch_no) over before_here as prev_latest_anchor_stretch_no,
        lag(stretch_no) over walk as prev_stretch_no,
        lag(event_at) over walk as prev_event_at,
        lag(last_activity_at) over walk as prev_last_activity_at,
        max(case when is_buyer_message then walk_seq end) over before_here as prev_buyer_walk_seq,
        lead(walk_seq) over walk is null as is_last_event
    from events_with_anchors
    window
        walk as (partition by conversation_id order by walk_seq),
        to_here as (
            partition by conversation_id order by walk_seq
            rows between unbounded preceding and current row
        ),
        before_here as (
            partition by conversation_id order by walk_seq
            rows between unbounded preceding and 1 preceding
        )
),

waiting as (
    select
        *,
        case
            when latest_anchor_stretch_no = stretch_no
                and event_at <= {{ add_hours('latest_anchor_at', expiry_hours) }}
                then latest_anchor_at
        end as waiting_since_after,
        case
            when prev_latest_anchor_stretch_no = prev_stretch_no
                and prev_event_at <= {{ add_hours('prev_latest_anchor_at', expiry_hours) }}
                then prev_latest_anchor_at
        end as waiting_since_before
    from histories
),

-- An implicit close takes effect before a row strictly later than the close instant.
implicit_closes as (
    select
        *,
        case
            when waiting_since_before is not null
                then {{ add_hours('waiting_since_before', expiry_hours) }}
            else {{ add_hours('prev_last_activity_at', idle_hours) }}
        end as close_instant_before,
        -- after the conversation's last row: when its last session would close
        case
            when waiting_since_after is not null
                then {{ add_hours('waiting_since_after', expiry_hours) }}
            else {{ add_hours('last_activity_at', idle_hours) }}
        end as pending_close_at,
        case when waiting_since_after is not null then 'EXPIRED' else 'IDLE' end
            as pending_close_reason
    from waiting
),

close_markers as (
    select
        *,
        case
            when event_at > close_instant_before
                then case when waiting_since_before is not null then 'EXPIRED' else 'IDLE' end
        end as implicit_close_reason
    from implicit_closes
),

marked as (
    select
        *,
        implicit_close_reason is not null or is_close_action as is_close_marker,
        -- an implicit close happens before the row, a close action at the row
        case
            when implicit_close_reason is not null then close_instant_before
            when is_close_action then event_at
        end as marker_closed_at,
        case
            when implicit_close_reason is not null then implicit_close_reason
            when is_close_action and has_action_agent then 'AGENT'
            when is_close_action then 'SYSTEM'
        end as marker_close_reason,
        max(
            case
                when implicit_close_reason is not null or is_close_action then walk_seq
            end
        ) over (
            partition by conversation_id order by walk_seq
            rows between unbounded preceding and current row
        ) as last_close_marker_seq
    from close_markers
),

openers as (
    select
        *,
        (
            is_buyer_message
            and (
                prev_buyer_walk_seq is null
                or coalesce(last_close_marker_seq > prev_buyer_walk_seq, false)
            )
        ) as is_session_opener
    from marked
),

sessionized as (
    select
        *,
        max(case when is_session_opener then walk_seq end) over (
            partition by conversation_id order by walk_seq
            rows between unbounded preceding and current row
        ) as session_opener_seq,
        max(case when is_session_opener then walk_seq end) over (
            partition by conversation_id order by walk_seq
            rows between unbounded preceding and 1 preceding
        ) as prev_session_opener_seq
    from openers
),

final as (
    select
        sessionized.conversation_id,
        events.shop_id,
        sessionized.event_at,
        events.event_source_order,
        events.event_id,
        sessionized.walk_seq,
        events.sender_id,
        events.is_buyer_message,
        events.is_faq_click,
        events.is_waiting_trigger,
        events.is_human_reply,
        events.is_automated_reply,
        events.is_allocation,
        events.allocated_agent_id,
        events.action_type,
        events.action_agent_id,
        events.report_status,
        sessionized.waiting_since_before,
        sessionized.waiting_since_after,
        sessionized.last_activity_at,
        sessionized.is_session_opener,
        sessionized.session_opener_seq,
        -- inside the session: no close between its opening row and this one
        (
            sessionized.session_opener_seq is not null
            and coalesce(sessionized.last_close_marker_seq, 0) <= sessionized.session_opener_seq
        ) as is_session_member,
        sessionized.is_close_marker,
        sessionized.marker_closed_at,
        sessionized.marker_close_reason,
        -- metrics.md §9.1 abandoned: the close came while the buyer waited (an expiry always
        -- does; a close action does when waiting_since was set before it)
        case
            when sessionized.implicit_close_reason is not null
                then sessionized.implicit_close_reason = 'EXPIRED'
            when sessionized.is_close_action then sessionized.waiting_since_before is not null
        end as is_close_while_waiting,
        -- the session a close belongs to (an implicit close before an opening row closes the
        -- previous session)
        case
            when sessionized.is_close_marker and sessionized.is_session_opener
                then sessionized.prev_session_opener_seq
            when sessionized.is_close_marker then sessionized.session_opener_seq
        end as closes_session_opener_seq,
        sessionized.is_last_event,
        sessionized.pending_close_at,
        sessionized.pending_close_reason,
        {{ conversation_key('sessionized.conversation_id') }} as conversation_key,
        '{{ invocation_id }}' as built_invocation_id
    from sessionized
    inner join ordered_events as events
        on sessionized.conversation_id = events.conversation_id
        and sessionized.walk_seq = events.walk_seq
)

select * from final
