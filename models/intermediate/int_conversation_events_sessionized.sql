-- The session walk of metrics.md §2, set-based: every event with the session it belongs to.
--
-- The walk's state after a row is (waiting_since, last_activity). Both can be read off the
-- row's history without walking: last_activity is the latest activity so far, and
-- waiting_since is the latest anchor of the row's stretch while it has not expired
-- (int_buyer_waits_anchored). The state after the previous row gives the implicit close
-- (expiry or idle) that a row may trigger before it is processed. A buyer message opens a
-- session when a close (implicit or CLOSE_SESSION) lies between it and the previous buyer
-- message. Candidate closes computed while no session is open are harmless: a session's close
-- is the first close after its opening row. See DECISIONS.md, "The session walk".
{% set expiry_hours = var('session_expiry_hours') %}
{% set idle_hours = var('session_idle_close_hours') %}

with events as (
    select * from {{ ref('int_conversation_events_ordered') }}
),

anchors as (
    select * from {{ ref('int_buyer_waits_anchored') }}
),

events_with_anchors as (
    select
        events.*,
        anchors.anchor_at,
        anchors.stretch_no as anchor_stretch_no
    from events
    left join anchors
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
        implicit_close_reason is not null or action_type = 'CLOSE_SESSION' as is_close_marker,
        -- an implicit close happens before the row, a close action at the row
        case
            when implicit_close_reason is not null then close_instant_before
            when action_type = 'CLOSE_SESSION' then event_at
        end as marker_closed_at,
        case
            when implicit_close_reason is not null then implicit_close_reason
            when action_type = 'CLOSE_SESSION' and action_agent_id is not null then 'AGENT'
            when action_type = 'CLOSE_SESSION' then 'SYSTEM'
        end as marker_close_reason,
        max(
            case
                when implicit_close_reason is not null or action_type = 'CLOSE_SESSION'
                    then walk_seq
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
        is_buyer_message
            and (prev_buyer_walk_seq is null or last_close_marker_seq > prev_buyer_walk_seq)
            as is_session_opener
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
        conversation_id,
        shop_id,
        event_at,
        event_source_order,
        event_id,
        walk_seq,
        sender_id,
        is_buyer_message,
        is_faq_click,
        is_waiting_trigger,
        is_human_reply,
        is_automated_reply,
        is_allocation,
        allocated_agent_id,
        action_type,
        action_agent_id,
        report_status,
        waiting_since_after,
        last_activity_at,
        is_session_opener,
        session_opener_seq,
        -- inside the session: no close between its opening row and this one
        session_opener_seq is not null
            and coalesce(last_close_marker_seq, 0) <= session_opener_seq as is_session_member,
        is_close_marker,
        marker_closed_at,
        marker_close_reason,
        -- the session a close belongs to (an implicit close before an opening row closes the
        -- previous session)
        case
            when is_close_marker and is_session_opener then prev_session_opener_seq
            when is_close_marker then session_opener_seq
        end as closes_session_opener_seq,
        is_last_event,
        pending_close_at,
        pending_close_reason
    from sessionized
)

select * from final
