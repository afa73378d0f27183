-- The conversations an incremental refresh recomputes (macros/refresh.sql; DECISIONS.md,
-- "Incremental refresh"): exactly those whose sessions what arrived, or the passing of time,
-- can change. Empty in a full recompute (every model then recomputes everything).
--
--   a. conversations whose landed messages were decided again (new rows, redelivered
--      message_ids: base_chat__messages' rows of this build), or with a message stamped after
--      the previous build's as_of (it was not visible then; "arrived" below also means this);
--   b. conversations of actions with a version loaded now (every version's conversation);
--   c. conversations of ratings loaded now;
--   d. conversations with a session starting in the span of a holiday period with a version
--      loaded now (old and new spans);
--   e. conversations with a session open, or PENDING, at the previous build: closing, expiring
--      and deadlines happen with time;
--   f. every conversation of a buyer at a shop where one of the above has that buyer and an
--      order names them, or an order loaded now names them: an order goes to the buyer's
--      session with the latest first reply, in any of the buyer's conversations (metrics.md
--      §6). A buyer with no order has nothing to move between conversations.
-- The previous build's sessions are read from the relations as they are before this build
-- rewrites them (int_refresh_scope runs before the walk). needs_walk marks the conversations
-- whose rows changed (a, b): only those are walked again; the others' walk is as it was.
-- needs_timeline marks those and (d): fct_conversation_events recomputes them.
{{ config(materialized='table') }}
-- depends_on: {{ ref('base_chat__messages') }}
-- depends_on: {{ ref('base_chat__conversation_actions_landed') }}
-- depends_on: {{ ref('base_chat__session_ratings_landed') }}
-- depends_on: {{ ref('base_chat__shop_holiday_periods_landed') }}
-- depends_on: {{ ref('base_chat__orders_landed') }}
-- depends_on: {{ ref('stg_chat__messages') }}
-- depends_on: {{ ref('stg_chat__orders') }}

{% set mode = chat_refresh_mode() %}
{% set previous_sessions = adapter.get_relation(
    database=target.database, schema='intermediate',
    identifier='int_sessions_with_response_flags') if execute else none %}

{% if mode == 'full' or previous_sessions is none %}

select
    cast(null as {{ dbt.type_string() }}) as conversation_id,
    cast(null as boolean) as needs_walk,
    cast(null as boolean) as needs_timeline
where false

{% else %}

{% set previous_as_of = previous_as_of_timestamp() %}
{% set as_of = as_of_timestamp() %}

with messages_decided_now as (
    select distinct conversation_id
    from {{ ref('base_chat__messages') }}
    where
        _checked_invocation_id = {{ this_invocation() }}
        and conversation_id is not null
    union
    select distinct conversation_id
    from {{ ref('stg_chat__messages') }}
    where created_at > {{ previous_as_of }} and created_at <= {{ as_of }}
),

-- The relations read twice below are read at each use (inline_cte): DuckDB would otherwise
-- store a copy of every row (the landed actions, every buyer message: at 100M messages,
-- gigabytes spilled to disk).
actions_landed as {{ inline_cte() }} (
    select * from {{ ref('base_chat__conversation_actions_landed') }}
),

actions_now as (
    select distinct versions.conversation_id
    from actions_landed as versions
    inner join actions_landed as loaded_now
        on versions.action_id = loaded_now.action_id
    where
        loaded_now._loaded_invocation_id = {{ this_invocation() }}
        or (loaded_now.updated_at > {{ previous_as_of }} and loaded_now.updated_at <= {{ as_of }})
        or (loaded_now.acted_at > {{ previous_as_of }} and loaded_now.acted_at <= {{ as_of }})
),

ratings_landed as {{ inline_cte() }} (
    select * from {{ ref('base_chat__session_ratings_landed') }}
),

ratings_now as (
    select distinct copies.conversation_id
    from ratings_landed as copies
    inner join ratings_landed as loaded_now
        on copies.rating_id = loaded_now.rating_id
    where
        loaded_now._loaded_invocation_id = {{ this_invocation() }}
        or (loaded_now.rated_at > {{ previous_as_of }} and loaded_now.rated_at <= {{ as_of }})
),

holidays_landed as {{ inline_cte() }} (
    select * from {{ ref('base_chat__shop_holiday_periods_landed') }}
),

holiday_spans_now as (
    select
        versions.shop_id,
        versions.starts_at,
        versions.ends_at
    from holidays_landed as versions
    inner join holidays_landed as loaded_now
        on versions.period_id = loaded_now.period_id
    where
        loaded_now._loaded_invocation_id = {{ this_invocation() }}
        or (loaded_now.updated_at > {{ previous_as_of }} and loaded_now.updated_at <= {{ as_of }})
),

previous_sessions as {{ inline_cte() }} (
    select
        conversation_id,
        shop_id,
        started_at,
        closed_at,
        response_status
    from {{ previous_sessions }}
),

holidays_now as (
    select distinct previous_sessions.conversation_id
    from previous_sessions
    inner join holiday_spans_now
        on previous_sessions.shop_id = holiday_spans_now.shop_id
        and previous_sessions.started_at >= holiday_spans_now.starts_at
        and (
            holiday_spans_now.ends_at is null
            or previous_sessions.started_at < holiday_spans_now.ends_at
        )
),

open_before as (
    select distinct conversation_id
    from previous_sessions
    where closed_at is null or response_status = 'PENDING'
),

-- what changes the walk: its rows (messages, actions)
walked as (
    select conversation_id from messages_decided_now
    union
    select conversation_id from actions_now
),

direct as (
    select conversation_id from walked
    union
    select conversation_id from ratings_now
    union
    select conversation_id from holidays_now
    union
    select conversation_id from open_before
),

buyer_messages as {{ inline_cte() }} (
    select
        conversation_id,
        shop_id,
        sender_id as buyer_id
    from {{ ref('stg_chat__messages') }}
    where sender_role = 'BUYER'
),

orders_landed as {{ inline_cte() }} (
    select * from {{ ref('base_chat__orders_landed') }}
),

buyers_with_orders as (
    select distinct
        buyer_id,
        shop_id
    from {{ ref('stg_chat__orders') }}
),

buyers as (
    select distinct
        buyer_messages.buyer_id,
        buyer_messages.shop_id
    from buyer_messages
    inner join direct
        on buyer_messages.conversation_id = direct.conversation_id
    inner join buyers_with_orders
        on buyer_messages.buyer_id = buyers_with_orders.buyer_id
        and buyer_messages.shop_id = buyers_with_orders.shop_id
    union
    select distinct
        copies.buyer_id,
        copies.shop_id
    from orders_landed as copies
    inner join orders_landed as loaded_now
        on copies.order_id = loaded_now.order_id
    where
        loaded_now._loaded_invocation_id = {{ this_invocation() }}
        or (loaded_now.created_at > {{ previous_as_of }} and loaded_now.created_at <= {{ as_of }})
),

recomputed as (
    select conversation_id from direct
    union
    select buyer_messages.conversation_id
    from buyer_messages
    inner join buyers
        on buyer_messages.buyer_id = buyers.buyer_id
        and buyer_messages.shop_id = buyers.shop_id
),

-- needs_walk: the rows changed, so the walk runs again; otherwise only the session models
-- recompute (time closes, expires and ends the PENDING status; orders and ratings attach).
-- needs_timeline: fct_conversation_events recomputes these and those whose sessions a holiday
-- version can exclude (a report or "no reply needed" then excludes nothing, and its row says
-- so); what else a row did depends on its conversation's rows and on time only through rows
-- stamped after the previous as_of, which are new rows (walked).
final as (
    select
        recomputed.conversation_id,
        walked.conversation_id is not null as needs_walk,
        walked.conversation_id is not null or holidays_now.conversation_id is not null
            as needs_timeline
    from recomputed
    left join walked
        on recomputed.conversation_id = walked.conversation_id
    left join holidays_now
        on recomputed.conversation_id = holidays_now.conversation_id
)

select * from final

{% endif %}
