"""Agents: per agent over the date range, the sessions they are answerable for, their 24-hour
rate and its parts, first response times, satisfaction and attributed orders."""

from __future__ import annotations

import streamlit as st

from dashboard import data, display, queries, sidebar

f = sidebar.current()
st.title("Agents")
st.caption(
    "An agent's sessions are those they are **answerable** for: the sender of the first human "
    "reply, else the agent of the latest allocation before the deadline (metrics.md §5). "
    "Counts and rates are sums over `fct_agent_daily` for the range; mean, median and p90 "
    "first response are computed over the range's sessions in `fct_chat_sessions`. "
    f"Shown: {f.describe()}. Click a column header to sort; red rows are below the target."
)

frames = data.load(queries.agents_page(f))
agents, totals = frames["agents"], frames["totals"].iloc[0]
if agents.empty:
    st.info("No agent is answerable for a session in the selected range.")
    st.stop()

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Agents", f"{int(totals['agents'])}")
c2.metric("Answerable sessions", f"{int(totals['sessions']):,}", help="Excluded ones included.")
c3.metric("Counted", f"{int(totals['counted_sessions']):,}", help="Not excluded and not pending.")
c4.metric(
    "24-hour rate",
    display.pct(totals["response_rate_24h"]),
    help="(auto-resolved + answered in time) / counted, over every agent shown.",
)
c5.metric(
    "Median 1st reply",
    display.duration(totals["median_first_response_seconds"]),
    help="Over the non-excluded sessions of the agents shown that have a first human reply.",
)

table = display.minutes(
    agents,
    "avg_first_response_seconds",
    "median_first_response_seconds",
    "p90_first_response_seconds",
    "avg_response_seconds",
    "avg_resolution_seconds",
    "median_resolution_seconds",
    "avg_allocation_wait_seconds",
)
shown = [
    "shop_id", "agent_id", "agent_nickname", "sessions", "counted_sessions",
    "response_rate_24h", "responded_in_time_sessions", "responded_late_sessions",
    "unresponded_sessions", "auto_resolved_sessions", "pending_sessions", "excluded_sessions",
    "avg_first_response_minutes", "median_first_response_minutes", "p90_first_response_minutes",
    "satisfaction_rate", "rated_sessions", "attributed_order_count", "attributed_order_amount",
]  # fmt: skip
count = display.count_column
st.dataframe(
    display.below_target(table[shown], "response_rate_24h", f.target_rate),
    hide_index=True,
    height=display.table_height(len(table)),
    key="agents_table",
    column_config={
        "shop_id": "Shop",
        "agent_id": "Agent",
        "agent_nickname": "Nickname",
        "sessions": count("Answerable", "Sessions the agent is answerable for, excluded too."),
        "counted_sessions": count("Counted", "Not excluded and not pending: the rate's base."),
        "response_rate_24h": display.rate_column(
            "24-hour rate", "(auto-resolved + answered in time) / counted."
        ),
        "responded_in_time_sessions": count("In time", "First human reply within 24 hours."),
        "responded_late_sessions": count("Late", "First human reply after 24 hours."),
        "unresponded_sessions": count("Unresponded", "No human reply, deadline passed."),
        "auto_resolved_sessions": count("Auto-resolved", "FAQ clicks only (count as in time)."),
        "pending_sessions": count("Pending", "No reply yet, deadline still ahead (not counted)."),
        "excluded_sessions": count("Excluded", "Holiday mode, upheld report or no reply needed."),
        "avg_first_response_minutes": display.minutes_column(
            "Mean 1st reply", "Mean first response time (non-excluded sessions with a reply)."
        ),
        "median_first_response_minutes": display.minutes_column(
            "Median 1st reply", "Median (continuous) first response time."
        ),
        "p90_first_response_minutes": display.minutes_column(
            "p90 1st reply", "90th percentile (continuous) of the first response time."
        ),
        "satisfaction_rate": display.rate_column("Satisfaction", "Rated 4 or 5 / rated."),
        "rated_sessions": count("Rated", "Non-excluded sessions with a rating."),
        "attributed_order_count": count("Orders", "Orders attributed to the agent's sessions."),
        "attributed_order_amount": st.column_config.NumberColumn(
            "Order amount", help="Amount of those orders (shop currency).", format="localized"
        ),
    },
)

st.subheader("Service levels and load")
st.caption(
    "Beyond the 24-hour rate (metrics.md §9), over the non-excluded sessions the agent is "
    "answerable for: counts, rates and means are sums over `fct_agent_daily` (a mean weighs "
    "each day by its own count); the median resolution and the one-touch rate are computed over "
    "the range's sessions. *Allocations*, *transfers in / out* and *peak* come from "
    "`fct_agent_workload_daily` on the range's local dates and count every session allocated "
    "to the agent, excluded ones and ones another agent ended up answerable for included."
)
service_shown = [
    "shop_id", "agent_id", "avg_response_minutes", "response_count", "resolved_sessions",
    "avg_resolution_minutes", "median_resolution_minutes", "one_touch_resolution_rate",
    "one_touch_resolved_sessions", "abandonment_rate", "allocated_sessions",
    "avg_allocation_wait_minutes", "transferred_sessions", "allocations_received",
    "transfers_in", "transfers_out", "peak_concurrent_sessions", "max_concurrent_sessions",
    "peak_saturation",
]  # fmt: skip
st.dataframe(
    table[service_shown],
    hide_index=True,
    height=display.table_height(len(table)),
    key="agents_service_table",
    column_config={
        "shop_id": "Shop",
        "agent_id": "Agent",
        "avg_response_minutes": display.minutes_column(
            "Mean response", "Every human reply to a waiting buyer, not only the first."
        ),
        **display.resolution_columns(),
        "abandonment_rate": display.rate_column(
            "Abandonment", "Closed while the buyer waited / (resolved + abandoned)."
        ),
        "allocated_sessions": count("Allocated", "Answerable sessions with an allocation."),
        "avg_allocation_wait_minutes": display.minutes_column(
            "Mean allocation wait", "Start to first allocation."
        ),
        "transferred_sessions": count(
            "Transferred", "Answerable sessions moved between agents at least once."
        ),
        "allocations_received": count("Allocations", "Allocations to the agent (any session)."),
        "transfers_in": count("Transfers in", "Of those, taken from another agent."),
        "transfers_out": count("Transfers out", "Sessions the agent held moved to another."),
        "peak_concurrent_sessions": count(
            "Peak held", "The most sessions held at one instant, on the range's busiest date."
        ),
        "max_concurrent_sessions": count("Capacity", "Maximum concurrent sessions."),
        "peak_saturation": display.rate_column(
            "Peak saturation",
            "The highest daily peak / capacity (the Staffing page has each date).",
        ),
    },
)
