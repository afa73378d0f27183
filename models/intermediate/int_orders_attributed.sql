-- Conversion (metrics.md §6): an order counts for the buyer's session at the same shop with
-- the latest first human reply before it, no more than `conversion_window_days` before it,
-- so no order counts twice. One row per attributed order.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope() }}
-- depends_on: {{ ref('int_refresh_scope') }}",
) }}
{% set window_days = var('conversion_window_days') %}

-- in a refresh, the sessions of the conversations it recomputes: int_refresh_scope holds every
-- conversation of each buyer (at the shop) concerned, so every candidate of an order is here
with replied_sessions as (
    select
        session_id,
        conversation_id,
        shop_id,
        buyer_id,
        first_human_reply_at
    from {{ ref('int_sessions_with_response_flags') }}
    where
        first_human_reply_at is not null
        {{ in_refresh_scope() }}  -- noqa: LT02
),

orders as (
    select * from {{ ref('stg_chat__orders') }}
    where created_at <= {{ as_of_timestamp() }}
),

candidates as (
    select
        orders.order_id,
        orders.amount,
        replied_sessions.session_id,
        replied_sessions.conversation_id,
        row_number() over (
            partition by orders.order_id
            order by replied_sessions.first_human_reply_at desc, replied_sessions.session_id desc
        ) as candidate_rank
    from orders
    inner join replied_sessions
        on orders.shop_id = replied_sessions.shop_id
        and orders.buyer_id = replied_sessions.buyer_id
        and orders.created_at > replied_sessions.first_human_reply_at
        and orders.created_at <= {{ add_hours(
            'replied_sessions.first_human_reply_at', window_days * 24) }}
),

final as (
    select
        order_id,
        session_id,
        conversation_id,
        amount
    from candidates
    where candidate_rank = 1
)

select * from final
