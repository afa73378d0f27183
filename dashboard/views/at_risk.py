"""At risk now: open, unanswered sessions whose buyer has waited long, the most urgent first
(least time left before the 24-hour deadline or, once it has passed, before expiry)."""

from __future__ import annotations

import streamlit as st

from dashboard import data, display, queries, sidebar

f = sidebar.current()
st.title("At risk now")
frames = data.load(queries.at_risk_page(f))
at_risk, hidden = frames["at_risk"], int(frames["outside_dates"]["sessions"].iloc[0])
as_of = at_risk["as_of_at"].iloc[0] if not at_risk.empty else None
st.caption(
    "`fct_sessions_at_risk`: sessions still open and unanswered at the build's as_of whose "
    "buyer has waited longer than `at_risk_waiting_hours` (20 h). *Time left* runs to the "
    "24-hour deadline while it is ahead, else to the expiry, when the platform closes the "
    "session unanswered (7 days). 'Now' is the build's as_of"
    + (f" ({as_of} UTC)" if as_of is not None else "")
    + f"; shown: {f.describe()}, by the shop-local date the session started."
)
if hidden:
    st.warning(
        f"{hidden} more at-risk session(s) started outside the selected dates; widen the "
        "range to see them."
    )
if at_risk.empty:
    st.success("Nothing at risk for this selection.")
    st.stop()

counts = at_risk["risk_level"].value_counts()
columns = st.columns(len(counts) + 1)
columns[0].metric("At risk", f"{len(at_risk)}")
for column, (level, n) in zip(columns[1:], counts.items(), strict=True):
    column.metric(level, f"{n}")

table = at_risk.assign(
    time_left=at_risk["seconds_left"].map(display.duration),
    waited=at_risk["waiting_seconds"].map(display.duration),
    hours_left=at_risk["seconds_left"] / 3600,
    waited_hours=at_risk["waiting_seconds"] / 3600,
)
shown = [
    "time_left", "next_limit", "risk_level", "shop_id", "shop_name", "agent_id",
    "agent_nickname", "waited", "buyer_id", "clock_started_at", "next_limit_at", "session_date",
    "session_id", "hours_left", "waited_hours",
]  # fmt: skip
st.dataframe(
    table[shown],
    hide_index=True,
    height=display.table_height(len(table)),
    key="at_risk_table",
    column_config={
        "time_left": st.column_config.TextColumn(
            "Time left", help="Until the next limit; sort by 'Hours left' for exact order."
        ),
        "next_limit": st.column_config.TextColumn(
            "Before",
            help="deadline: the 24-hour response deadline; expiry: the platform "
            "closes the session unanswered.",
        ),
        "risk_level": "Risk",
        "shop_id": "Shop",
        "shop_name": "Shop name",
        "agent_id": st.column_config.TextColumn(
            "Agent", help="The agent it is allocated to; empty: unassigned."
        ),
        "agent_nickname": "Nickname",
        "waited": st.column_config.TextColumn(
            "Buyer waited", help="Since the buyer's first message that needs a human."
        ),
        "buyer_id": "Buyer",
        "clock_started_at": display.time_column("Waiting since (UTC)"),
        "next_limit_at": display.time_column("Limit at (UTC)"),
        "session_date": display.date_column("Day (shop-local)"),
        "session_id": "Session",
        "hours_left": st.column_config.NumberColumn("Hours left", format="%.1f"),
        "waited_hours": st.column_config.NumberColumn("Hours waited", format="%.1f"),
    },
)
