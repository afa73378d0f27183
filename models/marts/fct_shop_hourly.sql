-- When buyers write (metrics.md §9.3, staffing): per shop, local date and local hour of the
-- sessions' starts, the session counts and 24-hour rate of §7 and the median first response.
-- Only hours that have sessions; on a daylight-saving fall-back day the repeated local hour
-- is one row (it is one wall-clock hour of that date).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_keys('shop_day') }}",
) }}

-- incremental by day: a refresh recomputes every hour of the days of the sessions it
-- recomputed, as they are now and as they were (int_refresh_keys)
with keys as (  -- noqa: ST03
    {{ refresh_keys_of('shop_day') }}
),

sessions as (
    select sessions.*
    from {{ ref('fct_chat_sessions') }} as sessions
    {% if is_incremental() %}
        inner join keys
            on sessions.shop_id = keys.shop_id
            and sessions.session_date = keys.session_date
    {% endif %}
),

hourly as (
    select
        shop_id,
        session_date,
        session_hour,
        cast(count(*) as bigint) as sessions,
        cast(sum(case when is_excluded then 1 else 0 end) as bigint) as excluded_sessions,
        cast(sum(case when is_counted_in_rate then 1 else 0 end) as bigint) as counted_sessions,
        cast(
            sum(
                case
                    when is_counted_in_rate
                        and response_status in ('AUTO_RESOLVED', 'RESPONDED_IN_TIME')
                        then 1
                    else 0
                end
            ) as bigint
        ) as responded_within_window_sessions,
        {{ percentile_cont('case when not is_excluded then first_response_seconds end', 0.5) }}
            as median_first_response_seconds
    from sessions
    group by shop_id, session_date, session_hour
),

final as (
    select
        shop_id,
        session_date,
        session_hour,
        sessions,
        excluded_sessions,
        counted_sessions,
        responded_within_window_sessions,
        {{ response_rate('responded_within_window_sessions', 'counted_sessions') }}
            as response_rate_24h,
        median_first_response_seconds,
        {{ this_invocation() }} as built_invocation_id
    from hourly
)

select * from final
