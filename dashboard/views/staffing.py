"""Staffing: when buyers write (sessions and the 24-hour rate by shop-local weekday and hour,
metrics.md §9.3) and how loaded each agent was against their capacity, day by day (§9.4)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, display, queries, sidebar

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]  # ISO weekday 1..7
CELL = 26  # pixels per heatmap row
HEADROOM = 60  # pixels of a heatmap for its x axis and title
HOUR_COLUMNS = [
    "day", "session_hour", "weekday_dates", "sessions", "sessions_per_date", "excluded_sessions",
    "counted_sessions", "within_24h_sessions", "response_rate_24h", "weekday",
]  # fmt: skip

f = sidebar.current()
st.title("Staffing")
st.caption(
    "When buyers write and whether the team keeps up: sessions and the 24-hour rate by the "
    "**shop-local** weekday and hour the session started (`fct_shop_hourly`, summed over the "
    "range; a rate is the sum of answered-in-time and auto-resolved over the sum counted), and "
    "each agent's busiest instant of each local date against their capacity "
    "(`fct_agent_workload_daily`). "
    f"Shown: {f.describe()}. The agent filter applies to the load only: the hours cover all of "
    "a shop's sessions."
)

frames = data.load(queries.staffing_page(f))
hours, days, agents = frames["hours"], frames["workload_days"], frames["workload_agents"]

# -- when buyers write ------------------------------------------------------------------------
st.subheader("When buyers write")
if hours.empty or int(hours["sessions"].sum()) == 0:
    st.info("No session started in the selected range.")
else:
    hours = hours.assign(day=hours["weekday"].map(lambda d: WEEKDAYS[int(d) - 1]))
    busiest = hours.sort_values(["sessions_per_date", "weekday", "session_hour"]).iloc[-1]
    counted = hours["counted_sessions"].sum()
    c1, c2, c3 = st.columns(3)
    c1.metric("Sessions", f"{int(hours['sessions'].sum()):,}")
    c2.metric(
        "Busiest hour",
        f"{busiest['day']} {int(busiest['session_hour']):02d}:00",
        help=f"{busiest['sessions_per_date']:.1f} sessions per {busiest['day']} of the range "
        "start in that local hour.",
    )
    c3.metric(
        "24-hour rate",
        display.pct(hours["within_24h_sessions"].sum() / counted if counted else None),
        help="(auto-resolved + answered in time) / counted, over every hour shown.",
    )
    tooltip = [
        alt.Tooltip("day:N", title="Weekday"),
        alt.Tooltip("session_hour:O", title="Local hour"),
        alt.Tooltip("sessions:Q", title="Sessions"),
        alt.Tooltip("weekday_dates:Q", title="Such weekdays in the range"),
        alt.Tooltip("sessions_per_date:Q", title="Sessions per such day", format=".1f"),
        alt.Tooltip("counted_sessions:Q", title="Counted"),
        alt.Tooltip("response_rate_24h:Q", title="24-hour rate", format=".1%"),
    ]
    shown_days = [d for d in WEEKDAYS if d in set(hours["day"])]
    base = alt.Chart(hours).encode(
        x=alt.X(
            "session_hour:O",
            title="Shop-local hour the session started",
            scale=alt.Scale(domain=list(range(24))),
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y(
            "day:N",
            title=None,
            scale=alt.Scale(domain=shown_days),
            axis=alt.Axis(labelOverlap=False),
        ),
        tooltip=tooltip,
    )
    height = HEADROOM + CELL * len(shown_days)
    sessions_map = base.mark_rect().encode(
        color=alt.Color(
            "sessions_per_date:Q",
            title="Sessions per day",
            scale=alt.Scale(scheme="blues"),
        )
    )
    st.markdown("**Sessions** (per day of that weekday in the range)")
    st.altair_chart(sessions_map, width="stretch", height=height)
    rate_map = base.mark_rect().encode(
        color=alt.Color(
            "response_rate_24h:Q",
            title="24-hour rate",
            scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1], domainMid=f.target_rate),
            legend=alt.Legend(format="%"),
        )
    )
    st.markdown(
        f"**24-hour response rate** (red below the target, {display.pct(f.target_rate)}; "
        "blank: nothing counted)"
    )
    st.altair_chart(rate_map, width="stretch", height=height)
    with st.expander("Heatmap figures"):
        st.dataframe(
            hours[HOUR_COLUMNS],
            hide_index=True,
            key="staffing_hours_table",
            column_config={
                "day": "Weekday",
                "session_hour": display.count_column("Hour", "Shop-local hour (0-23)."),
                "weekday_dates": display.count_column(
                    "Days", "How many of this weekday the range holds."
                ),
                "sessions": display.count_column("Sessions", "Excluded ones too."),
                "sessions_per_date": st.column_config.NumberColumn(
                    "Per day", help="Sessions / days of this weekday.", format="%.1f"
                ),
                "excluded_sessions": display.count_column("Excluded", "Any reason."),
                "counted_sessions": display.count_column("Counted", "The rate's base."),
                "within_24h_sessions": display.count_column(
                    "Within 24 h", "Auto-resolved or answered in time."
                ),
                "response_rate_24h": display.rate_column("24-hour rate", "Within 24 h / counted."),
                "weekday": display.count_column("ISO weekday", "1 is Monday."),
            },
        )

# -- load against capacity --------------------------------------------------------------------
st.subheader("Agent load against capacity")
st.caption(
    "An agent **holds** a session from its allocation to them until it moves to another agent, "
    "closes or the build's as_of (metrics.md §9.4). *Peak*: the most sessions held at one "
    "instant of the local date; *saturation*: peak / the agent's maximum concurrent sessions "
    "(the seller center's *kepadatan kerja*). Cells show the peak; blank colour: capacity "
    "unknown."
)
if days.empty:
    st.info("No agent held or received a session in the selected range.")
    st.stop()

label = (
    days["agent_id"]
    + " · "
    + days["agent_nickname"].fillna("unlisted")
    + " ("
    + days["shop_id"]
    + ")"
)
load = days.assign(
    agent=label,
    date=pd.to_datetime(days["workload_date"]).dt.strftime("%Y-%m-%d"),
)
highest = load["peak_saturation"].max(skipna=True)
top = max(1.0, float(highest)) if pd.notna(highest) else 1.0
cells = alt.Chart(load).encode(
    x=alt.X("date:O", title="Shop-local date", axis=alt.Axis(labelAngle=-60)),
    y=alt.Y("agent:N", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=320)),
    tooltip=[
        alt.Tooltip("agent:N", title="Agent"),
        alt.Tooltip("date:O", title="Date"),
        alt.Tooltip("peak_concurrent_sessions:Q", title="Peak sessions held"),
        alt.Tooltip("max_concurrent_sessions:Q", title="Capacity"),
        alt.Tooltip("peak_saturation:Q", title="Peak saturation", format=".0%"),
        alt.Tooltip("allocations_received:Q", title="Allocations"),
        alt.Tooltip("transfers_in:Q", title="Transfers in"),
        alt.Tooltip("transfers_out:Q", title="Transfers out"),
    ],
)
saturation_map = cells.mark_rect().encode(
    color=alt.Color(
        "peak_saturation:Q",
        title="Peak saturation",
        scale=alt.Scale(scheme="orangered", domain=[0, top]),
        legend=alt.Legend(format="%"),
    )
) + cells.mark_text(fontSize=10).encode(
    text="peak_concurrent_sessions:Q",
    color=alt.condition(
        alt.datum.peak_saturation >= top / 2, alt.value("white"), alt.value("black")
    ),
)
agents_shown = load["agent"].nunique()
st.altair_chart(saturation_map, width="stretch", height=HEADROOM + 40 + CELL * agents_shown)

st.markdown("**Per agent over the range** (most saturated first)")
st.dataframe(
    agents,
    hide_index=True,
    height=display.table_height(len(agents)),
    key="staffing_agents_table",
    column_config={
        "shop_id": "Shop",
        "agent_id": "Agent",
        "agent_nickname": "Nickname",
        "workload_dates": display.count_column(
            "Dates", "Local dates the agent held, received or lost a session."
        ),
        "peak_concurrent_sessions": display.count_column(
            "Peak held", "The most sessions held at one instant, over the range."
        ),
        "max_concurrent_sessions": display.count_column(
            "Capacity", "Maximum concurrent sessions (agents table)."
        ),
        "peak_saturation": display.rate_column(
            "Peak saturation", "The highest daily peak / capacity of the range."
        ),
        "dates_at_capacity": display.count_column(
            "Dates at capacity", "Dates whose peak reached the capacity (saturation >= 100%)."
        ),
        "allocations_received": display.count_column(
            "Allocations", "Allocations to the agent inside sessions."
        ),
        "transfers_in": display.count_column("Transfers in", "Taken from another agent."),
        "transfers_out": display.count_column("Transfers out", "Moved to another agent."),
    },
)
with st.expander("Per agent and date"):
    st.dataframe(
        days,
        hide_index=True,
        key="staffing_days_table",
        column_config={
            "shop_id": "Shop",
            "agent_id": "Agent",
            "agent_nickname": "Nickname",
            "workload_date": display.date_column("Date", "Shop-local date."),
            "allocations_received": display.count_column("Allocations", "Received that date."),
            "transfers_in": display.count_column("Transfers in", "Taken from another agent."),
            "transfers_out": display.count_column("Transfers out", "Moved to another agent."),
            "peak_concurrent_sessions": display.count_column(
                "Peak held", "The most sessions held at one instant of the date."
            ),
            "max_concurrent_sessions": display.count_column("Capacity", "Agents table."),
            "peak_saturation": display.rate_column("Peak saturation", "Peak / capacity."),
        },
    )
