-- The instants at which a buyer starts waiting (waiting_since is set, metrics.md §2.2).
--
-- Within a stretch (rows between two human replies / close actions) nothing clears
-- waiting_since except expiry, and an idle close cannot happen while it is set. So the first
-- non-FAQ buyer message of a stretch always sets it, and after an expiry the next one to set
-- it is the first non-FAQ buyer message more than `session_expiry_hours` after the previous
-- anchor. That greedy chain is the only sequential part of the session walk: it is followed
-- with a recursive CTE, and only in the rare stretches longer than the expiry (see
-- DECISIONS.md, "The session walk").
{% set expiry_hours = var('session_expiry_hours') %}

with recursive triggers as (
    select conversation_id, stretch_no, walk_seq, event_at
    from {{ ref('int_conversation_events_ordered') }}
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
    select conversation_id, stretch_no, first_walk_seq as walk_seq, first_event_at as anchor_at
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
    select conversation_id, stretch_no, walk_seq, anchor_at
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

final as (
    select conversation_id, stretch_no, walk_seq, anchor_at
    from chain
)

select * from final
