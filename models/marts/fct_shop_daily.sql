-- One row per (shop_id, session_date) from the shop's first session to the local date of
-- as_of (quiet days get zeros): the daily facts of metrics.md §7 over all the shop's sessions,
-- unassigned ones included, plus the 7-day rolling rate the seller center shows.
with sessions as (
    select * from {{ ref('fct_chat_sessions') }}
),

shops as (
    select * from {{ ref('stg_chat__shops') }}
),

shop_ranges as (
    select
        sessions.shop_id,
        min(sessions.session_date) as first_session_date,
        {{ local_date(as_of_timestamp(), 'shops.timezone') }} as as_of_date
    from sessions
    inner join shops
        on sessions.shop_id = shops.shop_id
    group by sessions.shop_id, shops.timezone
),

calendar as (
    select
        shop_ranges.shop_id,
        date_range.session_date
    from shop_ranges
    {{ date_range_join(
        'shop_ranges.first_session_date', 'shop_ranges.as_of_date', 'session_date') }}
),

daily as (
    select
        shop_id,
        session_date,
        {{ daily_session_metrics() }}
    from sessions
    group by shop_id, session_date
),

filled as (
    select
        calendar.shop_id,
        calendar.session_date,
        coalesce(daily.sessions, 0) as sessions,
        coalesce(daily.excluded_sessions, 0) as excluded_sessions,
        coalesce(daily.holiday_mode_sessions, 0) as holiday_mode_sessions,
        coalesce(daily.reported_sessions, 0) as reported_sessions,
        coalesce(daily.no_reply_needed_sessions, 0) as no_reply_needed_sessions,
        coalesce(daily.pending_sessions, 0) as pending_sessions,
        coalesce(daily.counted_sessions, 0) as counted_sessions,
        coalesce(daily.auto_resolved_sessions, 0) as auto_resolved_sessions,
        coalesce(daily.responded_in_time_sessions, 0) as responded_in_time_sessions,
        coalesce(daily.responded_late_sessions, 0) as responded_late_sessions,
        coalesce(daily.unresponded_sessions, 0) as unresponded_sessions,
        daily.response_rate_24h,
        daily.avg_first_response_seconds,
        daily.median_first_response_seconds,
        daily.p90_first_response_seconds,
        coalesce(daily.rated_sessions, 0) as rated_sessions,
        coalesce(daily.satisfied_sessions, 0) as satisfied_sessions,
        daily.satisfaction_rate,
        coalesce(daily.attributed_order_count, 0) as attributed_order_count,
        coalesce(daily.attributed_order_amount, 0) as attributed_order_amount
    from calendar
    left join daily
        on calendar.shop_id = daily.shop_id
        and calendar.session_date = daily.session_date
),

final as (
    select
        filled.*,
        shops.platform,
        {{ response_rate(
            'sum(filled.auto_resolved_sessions + filled.responded_in_time_sessions) over last_7_days',
            'sum(filled.counted_sessions) over last_7_days') }} as rolling_7d_response_rate_24h,
        sum(filled.counted_sessions) over last_7_days as rolling_7d_counted_sessions
    from filled
    inner join shops
        on filled.shop_id = shops.shop_id
    window last_7_days as (
        partition by filled.shop_id order by filled.session_date
        rows between 6 preceding and current row
    )
)

select * from final
