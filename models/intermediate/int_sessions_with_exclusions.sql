{{ config(materialized='view') }}

-- Why a session leaves the rates, if it does (metrics.md §4): holiday mode at its start,
-- an upheld report, or a "no reply needed" mark. Report and mark actions apply to the latest
-- session opened before them in walk order (metrics.md §2.4): the open one, else the latest
-- earlier one.
with sessions as (
    select * from {{ ref('int_sessions_with_response_flags') }}
),

holiday_periods as (
    select * from {{ ref('int_holiday_periods_versioned') }}
),

actions as (
    select * from {{ ref('int_conversation_events_sessionized') }}
    where action_type in ('MARK_NO_REPLY_NEEDED', 'REPORT_BUYER')
        and session_opener_seq is not null
),

holiday_sessions as (
    select distinct
        sessions.conversation_id,
        sessions.session_opener_seq
    from sessions
    inner join holiday_periods
        on sessions.shop_id = holiday_periods.shop_id
        and sessions.started_at >= holiday_periods.starts_at
        and (holiday_periods.ends_at is null or sessions.started_at < holiday_periods.ends_at)
),

session_actions as (
    select
        conversation_id,
        session_opener_seq,
        max(
            case when action_type = 'REPORT_BUYER' and report_status = 'UPHELD' then 1 else 0 end
        ) = 1 as has_upheld_report,
        max(case when action_type = 'MARK_NO_REPLY_NEEDED' then 1 else 0 end) = 1
            as is_marked_no_reply_needed
    from actions
    group by conversation_id, session_opener_seq
),

flagged as (
    select
        sessions.*,
        holiday_sessions.session_opener_seq is not null as is_in_holiday_mode,
        coalesce(session_actions.has_upheld_report, false) as has_upheld_report,
        coalesce(session_actions.is_marked_no_reply_needed, false) as is_marked_no_reply_needed
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
        is_in_holiday_mode or has_upheld_report or is_marked_no_reply_needed as is_excluded
    from flagged
)

select * from final
