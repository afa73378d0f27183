"""Shops: each shop's 7-day 24-hour response rate (as the seller center shows it) against the
target, its figures over the date range, and the daily trend with the target line."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, display, queries, sidebar

MAX_TILES = 12

f = sidebar.current()
st.title("Shops")
st.caption(
    "The **7-day rate** is the seller center's figure: the 24-hour response rate over the "
    "shop's sessions of the seven local days ending on the last date of the range "
    "(`fct_shop_daily.rolling_7d_response_rate_24h`). The other figures cover the whole range. "
    f"Shown: {f.describe()}. The agent filter does not apply here: a shop's figures cover all "
    "its sessions, unassigned ones included."
)

summary = data.query(queries.shops_page(f)["summary"])
if summary.empty:
    st.info("No shop has sessions in the selected range.")
    st.stop()

tiles = summary.head(MAX_TILES)
columns = st.columns(min(4, len(tiles)))
for i, row in enumerate(tiles.itertuples(index=False)):
    rate = row.rolling_7d_response_rate_24h
    delta = None if display.is_missing(rate) else (rate - f.target_rate) * 100
    columns[i % len(columns)].metric(
        f"{row.shop_id} · {row.shop_name}",
        display.pct(rate),
        delta=None if delta is None else f"{delta:+.1f} pts vs target",
        border=True,
        help=f"7-day 24-hour rate on {row.last_date:%Y-%m-%d} ({row.timezone}), over "
        f"{row.rolling_7d_counted_sessions} counted sessions. Target {display.pct(f.target_rate)}. "
        f"7-day first-response tier: {row.frt_service_level_7d or '—'}.",
    )

table = display.minutes(summary, "median_first_response_seconds")
table["below_target"] = table["rolling_7d_response_rate_24h"] < f.target_rate
shown = [
    "shop_id", "shop_name", "platform", "last_date", "rolling_7d_response_rate_24h",
    "rolling_7d_counted_sessions", "sessions", "counted_sessions", "response_rate_24h",
    "median_first_response_minutes", "satisfaction_rate", "rated_sessions",
    "attributed_order_count", "attributed_order_amount", "below_target",
]  # fmt: skip
st.subheader("Per shop")
st.dataframe(
    display.below_target(table[shown], "rolling_7d_response_rate_24h", f.target_rate),
    hide_index=True,
    key="shops_table",
    column_config={
        "shop_id": "Shop",
        "shop_name": "Name",
        "platform": "Platform",
        "last_date": display.date_column(
            "7-day rate on", help="The last shop-local date of the range with a row."
        ),
        "rolling_7d_response_rate_24h": display.rate_column(
            "7-day rate", "The seller center's 7-day 24-hour response rate on that date."
        ),
        "rolling_7d_counted_sessions": display.count_column(
            "Counted (7 days)", "Sessions counted in the 7-day rate."
        ),
        "sessions": display.count_column("Sessions", "All sessions of the range, excluded too."),
        "counted_sessions": display.count_column(
            "Counted", "Sessions in the rate: not excluded and not pending."
        ),
        "response_rate_24h": display.rate_column(
            "Rate (range)", "(auto-resolved + answered in time) / counted, over the whole range."
        ),
        "median_first_response_minutes": display.minutes_column(
            "Median 1st reply",
            "Median first response time over the range's non-excluded sessions with a reply.",
        ),
        "satisfaction_rate": display.rate_column(
            "Satisfaction", "Sessions rated 4 or 5 / rated sessions (non-excluded)."
        ),
        "rated_sessions": display.count_column("Rated", "Non-excluded sessions with a rating."),
        "attributed_order_count": display.count_column(
            "Orders", "Orders attributed to the range's non-excluded sessions (metrics.md §6)."
        ),
        "attributed_order_amount": st.column_config.NumberColumn(
            "Attributed revenue",
            help="Amount of those orders, in the shop's currency.",
            format="localized",
        ),
        "below_target": st.column_config.CheckboxColumn(
            "Below target", help="7-day rate below the target (red rows)."
        ),
    },
)

st.subheader("Service levels")
st.caption(
    "Beyond the 24-hour rate (metrics.md §9), over the non-excluded sessions of the range. "
    "Counts, rates and means are sums over `fct_shop_daily` (a mean weighs each day by its own "
    "count); the mean and median first response, the median resolution and the one-touch rate "
    "are computed over the range's sessions in `fct_chat_sessions`. The **7-day tier** is the "
    "mart's `frt_service_level_7d` on the last date of the range."
)
service = display.minutes(
    summary,
    "avg_first_response_seconds",
    "median_first_response_seconds",
    "avg_response_seconds",
    "avg_resolution_seconds",
    "median_resolution_seconds",
    "avg_allocation_wait_seconds",
)
service_shown = [
    "shop_id", "shop_name", "frt_service_level_7d", "avg_first_response_minutes",
    "median_first_response_minutes", "avg_response_minutes", "response_count",
    "resolved_sessions", "avg_resolution_minutes", "median_resolution_minutes",
    "one_touch_resolution_rate", "one_touch_resolved_sessions", "self_service_rate",
    "abandonment_rate", "abandoned_sessions", "allocated_sessions",
    "avg_allocation_wait_minutes", "transferred_sessions",
]  # fmt: skip
count = display.count_column
st.dataframe(
    service[service_shown],
    hide_index=True,
    key="shops_service_table",
    column_config={
        "shop_id": "Shop",
        "shop_name": "Name",
        "frt_service_level_7d": st.column_config.TextColumn(
            "7-day tier",
            help="Tier of the 7-day median first response on the range's last date (Gorgias "
            "live chat): STELLAR <= 1 min, ABOVE_AVERAGE <= 5, AVERAGE <= 10, BELOW_AVERAGE "
            "<= 60, else UNACCEPTABLE (seed service_level_thresholds).",
        ),
        "avg_first_response_minutes": display.minutes_column(
            "Mean 1st reply", "Mean first response time (sessions with a human reply)."
        ),
        "median_first_response_minutes": display.minutes_column(
            "Median 1st reply", "Median (continuous) first response time."
        ),
        "avg_response_minutes": display.minutes_column(
            "Mean response",
            "Average response time: every human reply to a waiting buyer, not only the first.",
        ),
        **display.resolution_columns(),
        "self_service_rate": display.rate_column(
            "Self-service", "Auto-resolved by the FAQ card / counted."
        ),
        "abandonment_rate": display.rate_column(
            "Abandonment", "Closed while the buyer waited / (resolved + abandoned)."
        ),
        "abandoned_sessions": count("Abandoned", "Closed while the buyer waited."),
        "allocated_sessions": count("Allocated", "Sessions allocated to an agent."),
        "avg_allocation_wait_minutes": display.minutes_column(
            "Mean allocation wait", "Start to first allocation, allocated sessions."
        ),
        "transferred_sessions": count("Transferred", "Moved to another agent at least once."),
    },
)

st.subheader("Daily trend")
names = dict(zip(summary["shop_id"], summary["shop_name"], strict=True))
choice = st.selectbox(
    "Shops in the trend",
    ["all", *summary["shop_id"]],
    format_func=lambda s: "All shops shown, together" if s == "all" else f"{s} · {names[s]}",
    key="shops_trend_shop",
    help="Together: the rates over the sessions of every shop shown (sums, not an average).",
)
trend_shops = None if choice == "all" else (choice,)
trend = data.query(queries.shops_page(f, trend_shops)["trend"])
long = trend.melt(
    id_vars=["session_date"],
    value_vars=["response_rate_24h", "rolling_7d_response_rate_24h"],
    var_name="series",
    value_name="rate",
).replace({"response_rate_24h": "daily rate", "rolling_7d_response_rate_24h": "7-day rate"})
lines = (
    alt.Chart(long)
    .mark_line(point=True)
    .encode(
        x=alt.X("session_date:T", title="Shop-local date"),
        y=alt.Y("rate:Q", title="24-hour response rate", axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title=None),
        tooltip=["session_date:T", "series:N", alt.Tooltip("rate:Q", format=".1%")],
    )
)
rule = (
    alt.Chart(pd.DataFrame({"target": [f.target_rate]}))
    .mark_rule(color="#c62828", strokeDash=[6, 4])
    .encode(y="target:Q")
)
st.altair_chart(lines + rule, width="stretch")
st.caption(
    "Daily rate: that day's sessions; 7-day rate: the seven days ending that day. Red dashed "
    "line: the target. Days with nothing counted have no point."
)
with st.expander("Trend figures"):
    st.dataframe(
        trend,
        hide_index=True,
        key="shops_trend_table",
        column_config={
            "session_date": display.date_column("Date"),
            "response_rate_24h": display.rate_column("Daily rate", "That day's sessions."),
            "rolling_7d_response_rate_24h": display.rate_column(
                "7-day rate", "The seven local days ending that day."
            ),
        },
    )
