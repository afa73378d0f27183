{#- The daily facts of metrics.md §7, defined once: aggregate expressions over rows of
    fct_chat_sessions. fct_agent_daily and fct_shop_daily both select them. -#}
{% macro daily_session_metrics() -%}
    cast(count(*) as bigint) as sessions,
    cast(sum(case when is_excluded then 1 else 0 end) as bigint) as excluded_sessions,
    cast(sum(case when exclusion_reason = 'HOLIDAY_MODE' then 1 else 0 end) as bigint) as holiday_mode_sessions,
    cast(sum(case when exclusion_reason = 'REPORTED' then 1 else 0 end) as bigint) as reported_sessions,
    cast(sum(case when exclusion_reason = 'NO_REPLY_NEEDED' then 1 else 0 end) as bigint) as no_reply_needed_sessions,
    cast(sum(case when not is_excluded and response_status = 'PENDING' then 1 else 0 end) as bigint) as pending_sessions,
    cast(sum(case when is_counted_in_rate then 1 else 0 end) as bigint) as counted_sessions,
    cast(sum(case when is_counted_in_rate and response_status = 'AUTO_RESOLVED' then 1 else 0 end) as bigint)
        as auto_resolved_sessions,
    cast(sum(case when is_counted_in_rate and response_status = 'RESPONDED_IN_TIME' then 1 else 0 end) as bigint)
        as responded_in_time_sessions,
    cast(sum(case when is_counted_in_rate and response_status = 'RESPONDED_LATE' then 1 else 0 end) as bigint)
        as responded_late_sessions,
    cast(sum(case when is_counted_in_rate and response_status = 'UNRESPONDED' then 1 else 0 end) as bigint)
        as unresponded_sessions,
    {{ response_rate(
        "sum(case when is_counted_in_rate and response_status in ('AUTO_RESOLVED', 'RESPONDED_IN_TIME') then 1 else 0 end)",
        "sum(case when is_counted_in_rate then 1 else 0 end)") }} as response_rate_24h,
    avg(case when not is_excluded then first_response_seconds end) as avg_first_response_seconds,
    {{ percentile_cont('case when not is_excluded then first_response_seconds end', 0.5) }}
        as median_first_response_seconds,
    {{ percentile_cont('case when not is_excluded then first_response_seconds end', 0.9) }}
        as p90_first_response_seconds,
    cast(sum(case when not is_excluded and rating_score is not null then 1 else 0 end) as bigint) as rated_sessions,
    cast(sum(case when not is_excluded and is_satisfied then 1 else 0 end) as bigint) as satisfied_sessions,
    {{ response_rate(
        "sum(case when not is_excluded and is_satisfied then 1 else 0 end)",
        "sum(case when not is_excluded and rating_score is not null then 1 else 0 end)") }}
        as satisfaction_rate,
    cast(sum(case when not is_excluded then attributed_order_count else 0 end) as bigint)
        as attributed_order_count,
    sum(case when not is_excluded then attributed_order_amount else 0 end) as attributed_order_amount
{%- endmacro %}


{#- numerator / denominator as a fraction, null when the denominator is 0. -#}
{% macro response_rate(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif({{ denominator }}, 0)
{%- endmacro %}


{#- One row per date from start_date to end_date (inclusive) for each row of a relation:
    `select <cols>, <date> as <alias> from <relation> <date_range_join(...)>`. -#}
{% macro date_range_join(start_date, end_date, alias) -%}
  {{ return(adapter.dispatch('date_range_join', 'chat_warehouse')(start_date, end_date, alias)) }}
{%- endmacro %}

{% macro duckdb__date_range_join(start_date, end_date, alias) -%}
    cross join lateral (
        select cast(unnest(generate_series({{ start_date }}, {{ end_date }}, interval 1 day)) as date)
            as {{ alias }}
    ) as date_range
{%- endmacro %}
