{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope() }}
-- depends_on: {{ ref('int_refresh_scope') }}",
) }}

-- Why a session leaves the rates, if it does (metrics.md §4): holiday mode at its start,
-- an upheld report, or a "no reply needed" mark. Report and mark actions apply to the latest
-- session opened before them in walk order (metrics.md §2.4): the open one, else the latest
-- earlier one.
with sessions as (
    select * from {{ ref('int_sessions_with_response_flags') }}
    where true {{ in_refresh_scope() }}
),

holiday_periods as (
    select * from {{ ref('int_holiday_periods_versioned') }}
),

actions as (
    select * from {{ ref('int_conversation_events_sessionized') }}
    where action_type in ('MARK_NO_REPLY_NEEDED', 'REPORT_BUYER')
        and session_opener_seq is not null
        {{ in_refresh_scope() }}  -- noqa: LT02
),

holiday_sessions as (
    select
        sessions.conversation_id,
        sessions.session_opener_seq,
        -- the period named in the verdict when several cover the start: the first by id
        min(holiday_periods.period_id) as holiday_period_id
    from sessions
    inner join holiday_periods
        on sessions.shop_id = holiday_periods.shop_id
        and sessions.started_at >= holiday_periods.starts_at
        and (holiday_periods.ends_at is null or sessions.started_at < holiday_periods.ends_at)
    group by sessions.conversation_id, sessions.session_opener_seq
),

session_actions as (
    select
        conversation_id,
        session_opener_seq,
        max(
            case when action_type = 'REPORT_BUYER' and report_status = 'UPHELD' then 1 else 0 end
        ) = 1 as has_upheld_report,
        max(case when action_type = 'MARK_NO_REPLY_NEEDED' then 1 else 0 end) = 1
            as is_marked_no_reply_needed,
        -- the actions named in the verdict: the first by id when several apply
        min(
            case when action_type = 'REPORT_BUYER' and report_status = 'UPHELD' then event_id end
        ) as upheld_report_action_id,
        min(case when action_type = 'MARK_NO_REPLY_NEEDED' then event_id end)
            as no_reply_needed_action_id
    from actions
    group by conversation_id, session_opener_seq
),

flagged as (
    select
        sessions.*,
        holiday_sessions.session_opener_seq is not null as is_in_holiday_mode,
        coalesce(session_actions.has_upheld_report, false) as has_upheld_report,
        coalesce(session_actions.is_marked_no_reply_needed, false) as is_marked_no_reply_needed,
        holiday_sessions.holiday_period_id,
        session_actions.upheld_report_action_id,
        session_actions.no_reply_needed_action_id
    from sessions
    left join holiday_sessions
        on sessions.conversation_id = holiday_sessions.conversation_id
        and sessions.session_opener_seq = holiday_sessions.session_opener_seq
    left join session_actions
        on sessions.conversation_id = session_actions.conversation_id
        and sessions.session_opener_seq = session_actions.session_opener_seq
),

final as (
    select
        *,
        case
            when is_in_holiday_mode then 'HOLIDAY_MODE'
            when has_upheld_report then 'REPORTED'
            when is_marked_no_reply_needed then 'NO_REPLY_NEEDED'
        end as exclusion_reason,
        is_in_holiday_mode or has_upheld_report or is_marked_no_reply_needed as is_excluded,
        -- what excluded it: the holiday period, or the action (report upheld, mark)
        case when is_in_holiday_mode then holiday_period_id end as excluding_holiday_period_id,
        case
            when is_in_holiday_mode then null
            when has_upheld_report then upheld_report_action_id
            when is_marked_no_reply_needed then no_reply_needed_action_id
        end as excluding_action_id
    from flagged
)

select * from final
