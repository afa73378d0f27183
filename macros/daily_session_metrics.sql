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
    sum(case when not is_excluded then attributed_order_amount else 0 end) as attributed_order_amount,
    {{ service_level_metrics() }}
{%- endmacro %}


{#- The per-day service levels of metrics.md §9.2, over the non-excluded sessions of the group;
    a rate is null when its denominator is 0. Part of daily_session_metrics(). -#}
{% macro service_level_metrics() -%}
    cast(sum(case when not is_excluded and needs_human_reply then 1 else 0 end) as bigint)
        as human_needed_sessions,
    cast(sum(case when not is_excluded then response_count else 0 end) as bigint) as response_count,
    sum(case when not is_excluded then total_response_seconds end)
        / nullif(sum(case when not is_excluded then response_count else 0 end), 0)
        as avg_response_seconds,
    cast(sum(case when not is_excluded and resolved_at is not null then 1 else 0 end) as bigint)
        as resolved_sessions,
    avg(case when not is_excluded then resolution_seconds end) as avg_resolution_seconds,
    {{ percentile_cont('case when not is_excluded then resolution_seconds end', 0.5) }}
        as median_resolution_seconds,
    cast(sum(case when not is_excluded and is_abandoned then 1 else 0 end) as bigint)
        as abandoned_sessions,
    {{ response_rate(
        "sum(case when not is_excluded and is_abandoned then 1 else 0 end)",
        "sum(case when not is_excluded and (is_abandoned or resolved_at is not null) then 1 else 0 end)") }}
        as abandonment_rate,
    cast(sum(case when not is_excluded and is_one_touch_resolved then 1 else 0 end) as bigint)
        as one_touch_resolved_sessions,
    {{ response_rate(
        "sum(case when not is_excluded and is_one_touch_resolved then 1 else 0 end)",
        "sum(case when not is_excluded and resolved_at is not null and human_reply_count >= 1 then 1 else 0 end)") }}
        as one_touch_resolution_rate,
    {{ response_rate(
        "sum(case when is_counted_in_rate and response_status = 'AUTO_RESOLVED' then 1 else 0 end)",
        "sum(case when is_counted_in_rate then 1 else 0 end)") }} as self_service_rate,
    avg(case when not is_excluded then cast(rating_score as double) end) as avg_rating_score,
    cast(sum(case when not is_excluded and attributed_order_count > 0 then 1 else 0 end) as bigint)
        as converted_sessions,
    {{ response_rate(
        "sum(case when not is_excluded and attributed_order_count > 0 then 1 else 0 end)",
        "sum(case when not is_excluded and first_human_reply_at is not null then 1 else 0 end)") }}
        as conversion_rate,
    cast(sum(case when not is_excluded and first_allocated_at is not null then 1 else 0 end) as bigint)
        as allocated_sessions,
    avg(case when not is_excluded then allocation_wait_seconds end) as avg_allocation_wait_seconds,
    cast(sum(case when not is_excluded and transfer_count > 0 then 1 else 0 end) as bigint)
        as transferred_sessions
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

{#- Spark: no rows when start_date is after end_date (sequence() would fail there). -#}
{% macro spark__date_range_join(start_date, end_date, alias) -%}
    lateral view explode(
        case
            when {{ start_date }} <= {{ end_date }}
                then sequence({{ start_date }}, {{ end_date }}, interval 1 day)
        end
    ) date_range as {{ alias }}
{%- endmacro %}


{#- The columns daily_session_metrics() returns, in order, and whether each is a count (0 on a
    day without sessions) or a value (null on such a day): fct_shop_daily fills its calendar
    from this list, so a metric added above is added here, once. -#}
{% macro daily_metric_columns() -%}
  {{ return([
    ('sessions', 'count'), ('excluded_sessions', 'count'), ('holiday_mode_sessions', 'count'),
    ('reported_sessions', 'count'), ('no_reply_needed_sessions', 'count'),
    ('pending_sessions', 'count'), ('counted_sessions', 'count'),
    ('auto_resolved_sessions', 'count'), ('responded_in_time_sessions', 'count'),
    ('responded_late_sessions', 'count'), ('unresponded_sessions', 'count'),
    ('response_rate_24h', 'value'), ('avg_first_response_seconds', 'value'),
    ('median_first_response_seconds', 'value'), ('p90_first_response_seconds', 'value'),
    ('rated_sessions', 'count'), ('satisfied_sessions', 'count'), ('satisfaction_rate', 'value'),
    ('attributed_order_count', 'count'), ('attributed_order_amount', 'count'),
    ('human_needed_sessions', 'count'), ('response_count', 'count'),
    ('avg_response_seconds', 'value'), ('resolved_sessions', 'count'),
    ('avg_resolution_seconds', 'value'), ('median_resolution_seconds', 'value'),
    ('abandoned_sessions', 'count'), ('abandonment_rate', 'value'),
    ('one_touch_resolved_sessions', 'count'), ('one_touch_resolution_rate', 'value'),
    ('self_service_rate', 'value'), ('avg_rating_score', 'value'),
    ('converted_sessions', 'count'), ('conversion_rate', 'value'),
    ('allocated_sessions', 'count'), ('avg_allocation_wait_seconds', 'value'),
    ('transferred_sessions', 'count'),
  ]) }}
{%- endmacro %}


{#- The daily metrics of `relation_alias` on a calendar: counts 0 on a day without sessions,
    values null (daily_metric_columns). -#}
{% macro filled_daily_metrics(relation_alias) -%}
  {%- for name, kind in daily_metric_columns() %}
    {% if kind == 'count' %}coalesce({{ relation_alias }}.{{ name }}, 0){% else %}{{ relation_alias }}.{{ name }}{% endif %} as {{ name }}{{ ',' if not loop.last }}
  {%- endfor %}
{%- endmacro %}
