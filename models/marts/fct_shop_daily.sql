-- One row per (shop_id, session_date) from the shop's first session to the local date of
-- as_of (quiet days get zeros): the daily facts of metrics.md §7 over all the shop's sessions,
-- unassigned ones included, plus the 7-day rolling rate the seller center shows; and the service
-- levels of §9.2, with the 7-day first-response tier. Incremental by (shop, date): a refresh
-- rewrites the days of the sessions it recomputed and the six after each (their 7-day windows),
-- and the calendar dates the mart lacks (int_refresh_keys, kind shop_daily).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_keys('shop_daily') }}",
) }}

with keys as (  -- noqa: ST03
    {{ refresh_keys_of('shop_daily') }}
),

-- read at each use: one use needs two columns of every session, the other every column of
-- the sessions in the days this build writes; a stored copy would hold every column of every
-- session
all_sessions as {{ inline_cte() }} (
    select * from {{ ref('fct_chat_sessions') }}
),

shops as (
    select * from {{ ref('stg_chat__shops') }}
),

shop_ranges as (
    select
        all_sessions.shop_id,
        min(all_sessions.session_date) as first_session_date,
        {{ local_date(as_of_timestamp(), 'shops.timezone') }} as as_of_date
    from all_sessions
    inner join shops
        on all_sessions.shop_id = shops.shop_id
    group by all_sessions.shop_id, shops.timezone
),

full_calendar as (
    select
        shop_ranges.shop_id,
        date_range.session_date,
        {{ add_days('date_range.session_date', -6) }} as window_start_date
    from shop_ranges
    {{ date_range_join(
        'shop_ranges.first_session_date', 'shop_ranges.as_of_date', 'session_date') }}
),

-- the rows this build writes
calendar as (
    select full_calendar.*
    from full_calendar
    {% if is_incremental() %}
        inner join keys
            on full_calendar.shop_id = keys.shop_id
            and full_calendar.session_date = keys.session_date
    {% endif %}
),

-- and the days their 7-day windows read
window_days as (
    select distinct
        full_calendar.shop_id,
        full_calendar.session_date
    from full_calendar
    {% if is_incremental() %}
        inner join calendar
            on full_calendar.shop_id = calendar.shop_id
            and full_calendar.session_date
            between calendar.window_start_date and calendar.session_date
    {% endif %}
),

sessions as (
    select all_sessions.*
    from all_sessions
    {% if is_incremental() %}
        inner join window_days
            on all_sessions.shop_id = window_days.shop_id
            and all_sessions.session_date = window_days.session_date
    {% endif %}
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
        window_days.shop_id,
        window_days.session_date,
        {{ filled_daily_metrics('daily') }}
    from window_days
    left join daily
        on window_days.shop_id = daily.shop_id
        and window_days.session_date = daily.session_date
),

-- metrics.md §9.2: the continuous median first response over the non-excluded sessions of the
-- seven local days ending on each date (the window of the rolling rate), pooled
window_first_responses as (
    select
        calendar.shop_id,
        calendar.session_date,
        {{ percentile_cont('sessions.first_response_seconds', 0.5) }}
            as median_first_response_seconds_7d
    from calendar
    inner join sessions
        on calendar.shop_id = sessions.shop_id
        and sessions.session_date between calendar.window_start_date and calendar.session_date
    where
        not sessions.is_excluded
        and sessions.first_response_seconds is not null
    group by calendar.shop_id, calendar.session_date
),

-- the tier with the smallest (inclusive) bound at or above the median; the unbounded tier
-- takes the rest
window_tiers as (
    select
        window_first_responses.shop_id,
        window_first_responses.session_date,
        thresholds.service_level,
        row_number() over (
            partition by window_first_responses.shop_id, window_first_responses.session_date
            order by
                case when thresholds.max_first_response_seconds is null then 1 else 0 end,
                thresholds.max_first_response_seconds
        ) as tier_rank
    from window_first_responses
    inner join {{ ref('service_level_thresholds') }} as thresholds
        on (
            thresholds.max_first_response_seconds is null
            or window_first_responses.median_first_response_seconds_7d
            <= thresholds.max_first_response_seconds
        )
),

rolled as (
    select
        filled.*,
        shops.platform,
        window_tiers.service_level as frt_service_level_7d,
        {{ response_rate(
            'sum(filled.auto_resolved_sessions + filled.responded_in_time_sessions) over last_7_days',
            'sum(filled.counted_sessions) over last_7_days') }} as rolling_7d_response_rate_24h,
        sum(filled.counted_sessions) over last_7_days as rolling_7d_counted_sessions
    from filled
    inner join shops
        on filled.shop_id = shops.shop_id
    left join window_tiers
        on filled.shop_id = window_tiers.shop_id
        and filled.session_date = window_tiers.session_date
        and window_tiers.tier_rank = 1
    window last_7_days as (
        partition by filled.shop_id order by filled.session_date
        rows between 6 preceding and current row
    )
),

final as (
    select
        rolled.*,
        {{ this_invocation() }} as built_invocation_id
    from rolled
    inner join calendar
        on rolled.shop_id = calendar.shop_id
        and rolled.session_date = calendar.session_date
)

select * from final
