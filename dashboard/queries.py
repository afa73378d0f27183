"""Every SQL statement of the dashboard, parameterised, in one place.

Each page has one function returning its *bundle*: a dict of named statements (`data.Sql`)
that `data.load` runs, and that `bench.py` times. Figures are computed here, in SQL, from the
marts, never re-derived in pandas:

- rates over a date range are sums of numerators over sums of denominators of the daily marts
  ((auto-resolved + in time) / counted, metrics.md §7), never averages of daily rates;
- medians and p90s over a range come from `fct_chat_sessions` (continuous percentiles, as the
  marts compute them), never from daily medians;
- a mean over a range (average response, resolution, allocation wait: metrics.md §9.2) is the
  daily marts' means weighted by their own denominators (responses, resolved sessions,
  allocated sessions), which is the sum of the times over the sum of the counts;
- the seller center's 7-day rate is `fct_shop_daily.rolling_7d_response_rate_24h` itself, and
  the 7-day first-response tier `frt_service_level_7d` too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from dashboard.filters import Filters
from dashboard.warehouse import Sql

NOT_EXCLUDED = "NOT_EXCLUDED"  # the Sessions page's exclusion choice for "not excluded"
SESSION_LIST_LIMIT = 500

# -- filter options and metadata --------------------------------------------------------------


def filter_options() -> dict[str, Sql]:
    """Shops, agents and the range of shop-local dates, for the sidebar."""
    return {
        "shops": Sql(
            "select shop_id, platform, shop_name, timezone from marts.dim_shops order by shop_id"
        ),
        "agents": Sql(
            "select shop_id, agent_id, nickname, role, is_listed_agent "
            "from marts.dim_agents order by shop_id, agent_id"
        ),
        "dates": Sql(
            "select min(session_date) as first_date, max(session_date) as last_date "
            "from marts.fct_shop_daily"
        ),
        "build": Sql("select as_of, published_at from audit.published_build"),
    }


def columns_of(schema: str, table: str) -> Sql:
    """The column names of a published table (empty when it does not exist)."""
    return Sql(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        (schema, table),
    )


def _and(*parts: Sql) -> Sql:
    """The conjunction of several conditions."""
    return Sql(" and ".join(p.text for p in parts), tuple(v for p in parts for v in p.params))


def _sql(template: str, *parts: Sql) -> Sql:
    """Fill `{0}`, `{1}`... of a template with the given conditions, joining their parameters
    in the order they appear (each part must be used exactly once, in order)."""
    text = template.format(*(p.text for p in parts))
    return Sql(text, tuple(v for p in parts for v in p.params))


# -- Service levels (metrics.md §9.2), shared by Shops and Agents ----------------------------

# metrics.md §9.2 over a range, from the daily marts (fct_shop_daily, fct_agent_daily): counts
# are sums; a mean is the daily means weighted by their denominators (the sum of the times over
# the sum of the counts); a rate is a sum of numerators over a sum of denominators.
SERVICE_SUMS = """
        sum(human_needed_sessions)::bigint as human_needed_sessions,
        sum(response_count)::bigint as response_count,
        sum(avg_response_seconds * response_count)
            / nullif(sum(response_count), 0) as avg_response_seconds,
        sum(resolved_sessions)::bigint as resolved_sessions,
        sum(avg_resolution_seconds * resolved_sessions)
            / nullif(sum(resolved_sessions), 0) as avg_resolution_seconds,
        sum(abandoned_sessions)::bigint as abandoned_sessions,
        sum(abandoned_sessions)
            / nullif(sum(abandoned_sessions + resolved_sessions), 0) as abandonment_rate,
        sum(one_touch_resolved_sessions)::bigint as one_touch_resolved_sessions,
        sum(auto_resolved_sessions) / nullif(sum(counted_sessions), 0) as self_service_rate,
        sum(allocated_sessions)::bigint as allocated_sessions,
        sum(avg_allocation_wait_seconds * allocated_sessions)
            / nullif(sum(allocated_sessions), 0) as avg_allocation_wait_seconds,
        sum(transferred_sessions)::bigint as transferred_sessions
"""

# What the daily marts cannot give over a range, from the range's non-excluded sessions in
# fct_chat_sessions: the mean and median first response, the median resolution time
# (continuous, as the marts compute them; medians cannot be combined across days) and the
# one-touch rate (its denominator, resolved sessions with a human reply, is no mart column).
SESSION_SERVICE = """
        avg(first_response_seconds) as avg_first_response_seconds,
        quantile_cont(first_response_seconds, 0.5) as median_first_response_seconds,
        quantile_cont(resolution_seconds, 0.5) as median_resolution_seconds,
        count(*) filter (where resolved_at is not null and human_reply_count >= 1)
            as one_touch_base_sessions,
        count(*) filter (where is_one_touch_resolved)
            / nullif(count(*) filter (where resolved_at is not null and human_reply_count >= 1), 0)
            as one_touch_resolution_rate
"""

# -- Shops ----------------------------------------------------------------------------------

SHOP_SUMMARY = f"""
with days as (
    select * from marts.fct_shop_daily where {{0}}
),

totals as (
    select
        shop_id,
        max(session_date) as last_date,
        sum(sessions)::bigint as sessions,
        sum(excluded_sessions)::bigint as excluded_sessions,
        sum(pending_sessions)::bigint as pending_sessions,
        sum(counted_sessions)::bigint as counted_sessions,
        sum(auto_resolved_sessions + responded_in_time_sessions)::bigint as within_24h_sessions,
        sum(rated_sessions)::bigint as rated_sessions,
        sum(satisfied_sessions)::bigint as satisfied_sessions,
        sum(attributed_order_count)::bigint as attributed_order_count,
        sum(attributed_order_amount) as attributed_order_amount,
        {SERVICE_SUMS}
    from days
    group by shop_id
),

-- the seller center's figures: the 7-day rate and first-response tier on the range's last date
seven_day as (
    select shop_id, rolling_7d_response_rate_24h, rolling_7d_counted_sessions, frt_service_level_7d
    from days
    qualify row_number() over (partition by shop_id order by session_date desc) = 1
),

per_session as (
    select shop_id, {SESSION_SERVICE}
    from marts.fct_chat_sessions
    where {{1}} and not is_excluded
    group by shop_id
)

select
    t.shop_id,
    s.shop_name,
    s.platform,
    s.timezone,
    t.last_date,
    d.rolling_7d_response_rate_24h,
    d.rolling_7d_counted_sessions,
    t.sessions,
    t.excluded_sessions,
    t.pending_sessions,
    t.counted_sessions,
    t.within_24h_sessions,
    t.within_24h_sessions / nullif(t.counted_sessions, 0) as response_rate_24h,
    f.median_first_response_seconds,
    t.rated_sessions,
    t.satisfied_sessions / nullif(t.rated_sessions, 0) as satisfaction_rate,
    t.attributed_order_count,
    t.attributed_order_amount,
    d.frt_service_level_7d,
    f.avg_first_response_seconds,
    t.* exclude (
        shop_id, last_date, sessions, excluded_sessions, pending_sessions, counted_sessions,
        within_24h_sessions, rated_sessions, satisfied_sessions, attributed_order_count,
        attributed_order_amount
    ),
    f.* exclude (shop_id, avg_first_response_seconds, median_first_response_seconds)
from totals as t
inner join seven_day as d on d.shop_id = t.shop_id
left join per_session as f on f.shop_id = t.shop_id
left join marts.dim_shops as s on s.shop_id = t.shop_id
order by t.shop_id
"""

# Daily and 7-day rates of a set of shops together: sums over the shops per local date, the
# 7-day window over those sums. For one shop these are the mart's own two rates.
SHOP_TREND = """
with daily as (
    select
        session_date,
        sum(sessions)::bigint as sessions,
        sum(counted_sessions)::bigint as counted_sessions,
        sum(auto_resolved_sessions + responded_in_time_sessions)::bigint as within_24h_sessions
    from marts.fct_shop_daily
    where session_date between cast(? as date) - 6 and ? and {0}
    group by session_date
),

rolled as (
    select
        session_date,
        sessions,
        counted_sessions,
        within_24h_sessions / nullif(counted_sessions, 0) as response_rate_24h,
        sum(within_24h_sessions) over seven_days
            / nullif(sum(counted_sessions) over seven_days, 0) as rolling_7d_response_rate_24h
    from daily
    window seven_days as (
        order by session_date range between interval 6 days preceding and current row
    )
)

select * from rolled where session_date between ? and ? order by session_date
"""


def shops_page(f: Filters, trend_shops: tuple[str, ...] | None = None) -> dict[str, Sql]:
    """Per shop over the range, and the daily trend of `trend_shops` (default: the filter's)."""
    trend = dataclasses.replace(f, shops=trend_shops) if trend_shops is not None else f
    trend_where = trend.where(day=None)
    return {
        "summary": _sql(SHOP_SUMMARY, f.where(), f.where()),
        "trend": Sql(
            SHOP_TREND.format(trend_where.text),
            (f.start, f.end, *trend_where.params, f.start, f.end),
        ),
    }


# -- Agents ---------------------------------------------------------------------------------

AGENT_COUNTS = """
    sum(sessions)::bigint as sessions,
    sum(excluded_sessions)::bigint as excluded_sessions,
    sum(pending_sessions)::bigint as pending_sessions,
    sum(counted_sessions)::bigint as counted_sessions,
    sum(auto_resolved_sessions)::bigint as auto_resolved_sessions,
    sum(responded_in_time_sessions)::bigint as responded_in_time_sessions,
    sum(responded_late_sessions)::bigint as responded_late_sessions,
    sum(unresponded_sessions)::bigint as unresponded_sessions,
    sum(auto_resolved_sessions + responded_in_time_sessions)
        / nullif(sum(counted_sessions), 0) as response_rate_24h,
    sum(rated_sessions)::bigint as rated_sessions,
    sum(satisfied_sessions) / nullif(sum(rated_sessions), 0) as satisfaction_rate,
    sum(attributed_order_count)::bigint as attributed_order_count,
    sum(attributed_order_amount) as attributed_order_amount
"""

AGENT_TABLE = f"""
with totals as (
    select shop_id, agent_id, {AGENT_COUNTS}, {SERVICE_SUMS}
    from marts.fct_agent_daily
    where {{0}}
    group by shop_id, agent_id
),

per_session as (
    select
        shop_id,
        responsible_agent_id as agent_id,
        {SESSION_SERVICE},
        quantile_cont(first_response_seconds, 0.9) as p90_first_response_seconds
    from marts.fct_chat_sessions
    where {{1}} and responsible_agent_id is not null and not is_excluded
    group by shop_id, responsible_agent_id
),

-- load (metrics.md §9.4) on the range's local dates: allocations to the agent (of any session,
-- not only those the agent is answerable for), transfers, the day of highest saturation
workload as (
    select
        shop_id,
        agent_id,
        sum(allocations_received)::bigint as allocations_received,
        sum(transfers_in)::bigint as transfers_in,
        sum(transfers_out)::bigint as transfers_out,
        max(peak_concurrent_sessions) as peak_concurrent_sessions,
        max(peak_saturation) as peak_saturation
    from marts.fct_agent_workload_daily
    where {{2}}
    group by shop_id, agent_id
)

select
    t.shop_id,
    t.agent_id,
    a.nickname as agent_nickname,
    a.max_concurrent_sessions,
    t.* exclude (shop_id, agent_id),
    f.* exclude (shop_id, agent_id),
    w.* exclude (shop_id, agent_id)
from totals as t
left join per_session as f on f.shop_id = t.shop_id and f.agent_id = t.agent_id
left join workload as w on w.shop_id = t.shop_id and w.agent_id = t.agent_id
left join marts.dim_agents as a on a.shop_id = t.shop_id and a.agent_id = t.agent_id
order by t.shop_id, t.agent_id
"""

AGENT_TOTALS = f"""
select
    (select count(distinct (shop_id, agent_id)) from marts.fct_agent_daily where {{0}}) as agents,
    {AGENT_COUNTS},
    (select median(first_response_seconds) from marts.fct_chat_sessions
     where {{1}} and responsible_agent_id is not null
         and not is_excluded and first_response_seconds is not null)
        as median_first_response_seconds
from marts.fct_agent_daily
where {{2}}
"""


def agents_page(f: Filters) -> dict[str, Sql]:
    """Per (shop, agent) over the range, and the totals over every agent shown."""
    daily = f.where(agent="agent_id")
    sessions = f.where(agent="responsible_agent_id")
    workload = f.where(agent="agent_id", day="workload_date")
    return {
        "agents": _sql(AGENT_TABLE, daily, sessions, workload),
        "totals": _sql(AGENT_TOTALS, daily, sessions, daily),
    }


# -- Staffing -------------------------------------------------------------------------------

# When buyers write (metrics.md §9.3): fct_shop_hourly summed per shop-local weekday (ISO: 1 is
# Monday) and hour over the range, on a full grid of the weekdays the range holds (hours without
# sessions are 0, their rate null), with how many of that weekday the range holds.
STAFFING_HOURS = """
with hours as (
    select
        isodow(session_date) as weekday,
        session_hour,
        sum(sessions)::bigint as sessions,
        sum(excluded_sessions)::bigint as excluded_sessions,
        sum(counted_sessions)::bigint as counted_sessions,
        sum(responded_within_window_sessions)::bigint as within_24h_sessions
    from marts.fct_shop_hourly
    where {0}
    group by all
),

weekdays as (
    select isodow(day) as weekday, count(*)::bigint as weekday_dates
    from (select unnest(generate_series(?::date, ?::date, interval 1 day))::date as day)
    group by all
)

select
    w.weekday,
    g.session_hour,
    w.weekday_dates,
    coalesce(h.sessions, 0)::bigint as sessions,
    coalesce(h.sessions, 0) / w.weekday_dates as sessions_per_date,
    coalesce(h.excluded_sessions, 0)::bigint as excluded_sessions,
    coalesce(h.counted_sessions, 0)::bigint as counted_sessions,
    coalesce(h.within_24h_sessions, 0)::bigint as within_24h_sessions,
    h.within_24h_sessions / nullif(h.counted_sessions, 0) as response_rate_24h
from weekdays as w
cross join (select unnest(range(24))::integer as session_hour) as g
left join hours as h on h.weekday = w.weekday and h.session_hour = g.session_hour
order by w.weekday, g.session_hour
"""

# Load against capacity (metrics.md §9.4), one row per agent and shop-local date
WORKLOAD_DAYS = """
select
    w.shop_id,
    w.agent_id,
    a.nickname as agent_nickname,
    w.workload_date,
    w.allocations_received,
    w.transfers_in,
    w.transfers_out,
    w.peak_concurrent_sessions,
    w.max_concurrent_sessions,
    w.peak_saturation
from marts.fct_agent_workload_daily as w
left join marts.dim_agents as a on a.shop_id = w.shop_id and a.agent_id = w.agent_id
where {0}
order by w.shop_id, w.agent_id, w.workload_date
"""

WORKLOAD_AGENTS = """
select
    w.shop_id,
    w.agent_id,
    a.nickname as agent_nickname,
    count(*)::bigint as workload_dates,
    max(w.peak_concurrent_sessions) as peak_concurrent_sessions,
    any_value(w.max_concurrent_sessions) as max_concurrent_sessions,
    max(w.peak_saturation) as peak_saturation,
    count(*) filter (where w.peak_saturation >= 1)::bigint as dates_at_capacity,
    sum(w.allocations_received)::bigint as allocations_received,
    sum(w.transfers_in)::bigint as transfers_in,
    sum(w.transfers_out)::bigint as transfers_out
from marts.fct_agent_workload_daily as w
left join marts.dim_agents as a on a.shop_id = w.shop_id and a.agent_id = w.agent_id
where {0}
group by w.shop_id, w.agent_id, a.nickname
order by peak_saturation desc nulls last, w.shop_id, w.agent_id
"""


def staffing_page(f: Filters) -> dict[str, Sql]:
    """Sessions and the 24-hour rate by shop-local weekday and hour (shops and dates; the agent
    filter does not apply), and each agent's load against capacity per date and in all."""
    hourly = f.where()
    workload = f.where(shop="w.shop_id", agent="w.agent_id", day="w.workload_date")
    return {
        "hours": Sql(STAFFING_HOURS.format(hourly.text), (*hourly.params, f.start, f.end)),
        "workload_days": _sql(WORKLOAD_DAYS, workload),
        "workload_agents": _sql(WORKLOAD_AGENTS, workload),
    }


# -- At risk now ----------------------------------------------------------------------------

AT_RISK = """
with at_risk as (
    select
        r.*,
        c.session_date,
        -- the next limit: the 24-hour deadline while it is ahead, else the expiry
        case when r.response_deadline_at > r.as_of_at then 'deadline' else 'expiry' end
            as next_limit,
        case when r.response_deadline_at > r.as_of_at
            then r.response_deadline_at else r.expires_at end as next_limit_at
    from marts.fct_sessions_at_risk as r
    inner join marts.fct_chat_sessions as c on c.session_id = r.session_id
)

select
    r.session_id,
    r.shop_id,
    s.shop_name,
    r.platform,
    r.responsible_agent_id as agent_id,
    a.nickname as agent_nickname,
    r.buyer_id,
    r.risk_level,
    r.next_limit,
    r.next_limit_at,
    epoch(r.next_limit_at) - epoch(r.as_of_at) as seconds_left,
    r.waiting_seconds,
    r.clock_started_at,
    r.response_deadline_at,
    r.expires_at,
    r.started_at,
    r.session_date,
    r.conversation_id,
    r.as_of_at
from at_risk as r
left join marts.dim_shops as s on s.shop_id = r.shop_id
left join marts.dim_agents as a on a.shop_id = r.shop_id and a.agent_id = r.responsible_agent_id
where {0}
order by seconds_left, r.session_id
"""

AT_RISK_OUTSIDE_DATES = """
select count(*) as sessions
from marts.fct_sessions_at_risk as r
inner join marts.fct_chat_sessions as c on c.session_id = r.session_id
where {0} and c.session_date not between ? and ?
"""


def at_risk_page(f: Filters) -> dict[str, Sql]:
    """At-risk sessions by time left, and how many the date range hides."""
    listed = f.where(shop="r.shop_id", agent="r.responsible_agent_id", day="r.session_date")
    same_but_dates = f.where(shop="r.shop_id", agent="r.responsible_agent_id", day=None)
    hidden = _sql(AT_RISK_OUTSIDE_DATES, same_but_dates)
    return {
        "at_risk": Sql(AT_RISK.format(listed.text), listed.params),
        "outside_dates": Sql(hidden.text, (*hidden.params, f.start, f.end)),
    }


# -- Sessions -------------------------------------------------------------------------------

SESSION_COLUMNS = """
    session_id, shop_id, session_date, started_at, response_status, exclusion_reason,
    responsible_agent_id as agent_id, first_response_seconds, close_reason, conversation_id,
    buyer_id
"""


def sessions_page(
    f: Filters,
    statuses: Sequence[str] = (),
    exclusions: Sequence[str] = (),
    search: str = "",
    limit: int = SESSION_LIST_LIMIT,
) -> dict[str, Sql]:
    """Sessions matching the filters (newest first, at most `limit`) and how many match.

    `exclusions` may hold NOT_EXCLUDED for sessions that are not excluded. A `search` (an exact
    session, conversation or buyer id) ignores every other filter."""
    if search:
        where = Sql("? in (session_id, conversation_id, buyer_id)", (search.strip(),))
    else:
        parts = [f.where(agent="responsible_agent_id")]
        if statuses:
            parts.append(Sql("list_contains(?::varchar[], response_status)", (list(statuses),)))
        if exclusions:
            parts.append(
                Sql(
                    "list_contains(?::varchar[], coalesce(exclusion_reason, ?))",
                    (list(exclusions), NOT_EXCLUDED),
                )
            )
        where = _and(*parts)
    return {
        "count": Sql(
            f"select count(*) as sessions from marts.fct_chat_sessions where {where.text}",
            where.params,
        ),
        "sessions": Sql(
            f"select {SESSION_COLUMNS} from marts.fct_chat_sessions where {where.text} "
            "order by started_at desc, session_id limit ?",
            (*where.params, limit),
        ),
    }


def legends() -> dict[str, Sql]:
    """The reference seeds: what each status, exclusion and close reason means."""
    return {
        "statuses": Sql(
            "select response_status, description from reference.response_statuses "
            "order by precedence"
        ),
        "exclusions": Sql(
            "select exclusion_reason, description from reference.exclusion_reasons "
            "order by precedence"
        ),
        "closes": Sql("select close_reason, description from reference.close_reasons"),
    }


def session_detail(session_id: str) -> dict[str, Sql]:
    """One session with its shop and agent names, and the build's as_of."""
    return {
        "session": Sql(
            """
            select s.*, sh.shop_name, a.nickname as agent_nickname, b.as_of
            from marts.fct_chat_sessions as s
            left join marts.dim_shops as sh on sh.shop_id = s.shop_id
            left join marts.dim_agents as a
                on a.shop_id = s.shop_id and a.agent_id = s.responsible_agent_id
            cross join audit.published_build as b
            where s.session_id = ?
            """,
            (session_id,),
        )
    }


# Every row of the conversation in walk order, plus a synthetic line for the session's
# implicit close (EXPIRED, IDLE: no row of the data closes it). An implicit close takes effect
# after the rows at its instant (metrics.md §2.3), so the line sorts after them.
TIMELINE = """
with events as (
    select
        event_seq::double as sort_key,
        event_seq,
        event_at,
        event_source,
        event_id,
        sender_role,
        sender_id,
        message_type,
        action_type,
        report_status,
        allocated_agent_id,
        session_id,
        event_role
    from marts.fct_conversation_events
    where conversation_id = ?
),

implicit_close as (
    select
        coalesce((select max(e.event_seq) from events as e where e.event_at <= s.closed_at), 0)
            + 0.5 as sort_key,
        null::bigint as event_seq,
        s.closed_at as event_at,
        'implicit close' as event_source,
        null as event_id,
        null as sender_role,
        null as sender_id,
        null as message_type,
        null as action_type,
        null as report_status,
        null as allocated_agent_id,
        s.session_id,
        'closed the session (' || s.close_reason || ')' as event_role
    from marts.fct_chat_sessions as s
    where s.session_id = ? and s.close_reason in ('EXPIRED', 'IDLE')
)

select * exclude (sort_key), coalesce(session_id = ?, false) as in_session
from (select * from events union all by name select * from implicit_close)
order by sort_key
"""


def session_timeline(conversation_id: str, session_id: str) -> dict[str, Sql]:
    """The conversation's timeline, marking the rows inside the given session."""
    return {"timeline": Sql(TIMELINE, (conversation_id, session_id, session_id))}


# -- Data health ----------------------------------------------------------------------------


def data_health_page() -> dict[str, Sql]:
    """The published build, quarantined rows by table and rule, the reconciliation."""
    return {
        "build": Sql("select * from audit.published_build"),
        "quarantine": Sql(
            """
            select source_table, rule, count(*) as quarantined_rows,
                count(distinct source_file) as files, min(row_key) as example_row_key
            from audit.quarantined_rows
            group by source_table, rule
            order by source_table, quarantined_rows desc, rule
            """
        ),
        "reconciliation": Sql(
            """
            select
                source_table, raw_rows, clean_rows, quarantined_rows, collapsed_duplicate_rows,
                raw_rows = clean_rows + quarantined_rows + collapsed_duplicate_rows as balanced
            from audit.row_reconciliation
            order by source_table
            """
        ),
    }


def quarantine_samples(source_table: str, rule: str, limit: int = 100) -> Sql:
    """Example quarantined rows of one table and rule, as they landed."""
    return Sql(
        "select row_key, source_file, raw_row, detected_at from audit.quarantined_rows "
        "where source_table = ? and rule = ? order by row_key limit ?",
        (source_table, rule, limit),
    )
