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
