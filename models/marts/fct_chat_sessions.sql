-- One row per chat session: its bounds, 24-hour response flag, exclusion, responsible agent,
-- rating and attributed orders (metrics.md §2–§6). session_date is the shop's local date.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope() }}
-- depends_on: {{ ref('int_refresh_scope') }}",
) }}

with sessions as (
    select * from {{ ref('int_sessions_with_responsible_agents') }}
    where true {{ in_refresh_scope() }}
),

shops as (
    select * from {{ ref('stg_chat__shops') }}
),

ratings as (
    select * from {{ ref('int_sessions_with_ratings') }}
    where true {{ in_refresh_scope() }}
),

orders as (
    select
        session_id,
        cast(count(*) as bigint) as attributed_order_count,
        sum(amount) as attributed_order_amount
    from {{ ref('int_orders_attributed') }}
    where true {{ in_refresh_scope() }}
    group by session_id
),

joined as (
    select
        sessions.session_id,
        sessions.conversation_id,
        sessions.shop_id,
        shops.platform,
        sessions.buyer_id,
        sessions.started_at,
        {{ local_date('sessions.started_at', 'shops.timezone') }} as session_date,
        {{ local_hour('sessions.started_at', 'shops.timezone') }} as session_hour,
        sessions.closed_at,
        sessions.close_reason,
        sessions.clock_started_at,
        sessions.response_deadline_at,
        sessions.first_human_reply_at,
        cast(sessions.first_response_seconds as double) as first_response_seconds,
        sessions.response_status,
        sessions.is_excluded,
        sessions.exclusion_reason,
        not sessions.is_excluded and sessions.response_status <> 'PENDING' as is_counted_in_rate,
        sessions.responsible_agent_id,
        sessions.buyer_message_count,
        sessions.human_reply_count,
        ratings.rating_score,
        ratings.is_satisfied,
        coalesce(orders.attributed_order_count, 0) as attributed_order_count,
        coalesce(orders.attributed_order_amount, 0) as attributed_order_amount,
        -- metrics.md §9.1 service levels
        sessions.clock_started_at is not null as needs_human_reply,
        sessions.response_count,
        sessions.total_response_seconds,
        sessions.is_abandoned,
        sessions.resolved_at,
        cast({{ seconds_between('sessions.started_at', 'sessions.resolved_at') }} as double)
            as resolution_seconds,
        sessions.resolved_at is not null and sessions.human_reply_count = 1
            as is_one_touch_resolved,
        sessions.first_allocated_at,
        cast(sessions.allocation_wait_seconds as double) as allocation_wait_seconds,
        sessions.transfer_count,
        -- the rows that decided the verdict (see verdict_explanation)
        sessions.opening_message_id,
        sessions.clock_start_message_id,
        sessions.first_human_reply_message_id,
        sessions.close_action_id,
        sessions.close_agent_id,
        sessions.responsible_allocation_message_id,
        sessions.responsible_allocated_at,
        sessions.allocation_cutoff_at,
        sessions.excluding_action_id,
        sessions.excluding_holiday_period_id,
        sessions.session_opener_seq,
        shops.timezone as shop_timezone
    from sessions
    inner join shops
        on sessions.shop_id = shops.shop_id
    left join ratings
        on sessions.conversation_id = ratings.conversation_id
        and sessions.session_opener_seq = ratings.session_opener_seq
    left join orders
        on sessions.session_id = orders.session_id
),

final as (
    select
        *,
        {{ verdict_explanation() }} as verdict_explanation,
        {{ this_invocation() }} as built_invocation_id
    from joined
)

select * from final
