"""Sessions: find sessions by status, exclusion, agent, shop and day; open one to read why it
has its verdict and to walk its conversation row by row."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, display, queries, sidebar

f = sidebar.current()
st.title("Sessions")
st.caption(
    f"Sessions of {f.describe()}, newest first (at most {queries.SESSION_LIST_LIMIT} listed). "
    "An id search ignores the other filters. Open a session below, or link to one with "
    "`?session=<session_id>`."
)

legends = data.load(queries.legends())
status_help = dict(legends["statuses"].itertuples(index=False))
exclusion_help = dict(legends["exclusions"].itertuples(index=False))
c1, c2, c3 = st.columns([2, 2, 3])
statuses = c1.multiselect(
    "Status",
    list(status_help),
    key="s_status",
    placeholder="Any status",
    help="\n".join(f"- **{k}**: {v}" for k, v in status_help.items()),
)
exclusions = c2.multiselect(
    "Exclusion",
    [queries.NOT_EXCLUDED, *exclusion_help],
    key="s_exclusion",
    placeholder="Excluded or not",
    format_func=lambda e: "not excluded" if e == queries.NOT_EXCLUDED else e,
    help="\n".join(f"- **{k}**: {v}" for k, v in exclusion_help.items()),
)
search = c3.text_input(
    "Session, conversation or buyer id", key="s_search", placeholder="exact id"
).strip()

found = data.load(queries.sessions_page(f, statuses, exclusions, search))
matches, total = found["sessions"], int(found["count"]["sessions"].iloc[0])
listed = f"; the newest {len(matches)} listed." if total > len(matches) else "."
st.markdown(f"**{total:,}** matching session(s){listed}")
st.dataframe(
    matches,
    hide_index=True,
    key="sessions_table",
    height=280,
    column_config={
        "session_id": "Session",
        "shop_id": "Shop",
        "session_date": display.date_column("Day (shop-local)"),
        "started_at": display.time_column("Started (UTC)"),
        "response_status": "Status",
        "exclusion_reason": "Exclusion",
        "agent_id": "Agent",
        "first_response_seconds": st.column_config.NumberColumn("1st reply (s)", format="%d"),
        "close_reason": "Close",
        "conversation_id": "Conversation",
        "buyer_id": "Buyer",
    },
)

linked = st.query_params.get("session")
options = list(matches["session_id"])
if linked and linked not in options:
    options.insert(0, linked)
labels = {
    r.session_id: f"{r.started_at:%Y-%m-%d %H:%M} UTC · {r.shop_id} · {r.response_status}"
    f"{' · ' + r.exclusion_reason if r.exclusion_reason else ''} · {r.session_id}"
    for r in matches.itertuples(index=False)
}
if not options:
    st.info("No session matches; change the filters or search for an id.")
    st.stop()
chosen = st.selectbox(
    "Open a session",
    options,
    index=options.index(linked) if linked in options else 0,
    format_func=lambda s: labels.get(s, s),
)
if chosen != linked:
    st.query_params["session"] = chosen

detail = data.query(queries.session_detail(chosen)["session"])
if detail.empty:
    st.error(f"No session {chosen} in the published warehouse.")
    st.stop()
s = detail.iloc[0]
st.subheader(f"Session {s['session_id']}")
m1, m2, m3, m4 = st.columns(4)
m1.metric("Status", s["response_status"], help=status_help.get(s["response_status"]))
m2.metric(
    "Exclusion",
    s["exclusion_reason"] or "not excluded",
    help=exclusion_help.get(s["exclusion_reason"], "Counted in rates unless pending."),
)
m3.metric(
    "Answerable agent",
    s["responsible_agent_id"] or "unassigned",
    help=s["agent_nickname"] if isinstance(s["agent_nickname"], str) else None,
)
m4.metric("First response", display.duration(s["first_response_seconds"]))

with st.container(key="verdict"):
    if "verdict_explanation" in detail.columns:
        explanation = s["verdict_explanation"] or "No explanation recorded."
        st.info(display.escape_markdown(explanation), icon=":material/gavel:")
    else:
        st.warning(
            "This warehouse has no verdict explanations yet (`verdict_explanation`): rebuild "
            "it with the current models."
        )

tz = s["shop_timezone"] or "UTC"
instants = [
    ("Opened (buyer's first message)", s["started_at"]),
    ("24-hour clock started", s["clock_started_at"]),
    ("Response deadline", s["response_deadline_at"]),
    ("First human reply", s["first_human_reply_at"]),
    (f"Closed ({s['close_reason'] or 'still open'})", s["closed_at"]),
    ("Build as_of", s["as_of"]),
]
key_times = pd.DataFrame(instants, columns=["instant", "utc"])
key_times["utc"] = pd.to_datetime(key_times["utc"])
key_times[f"local ({tz})"] = key_times["utc"].dt.tz_localize("UTC").dt.tz_convert(tz)
st.markdown(
    f"Shop **{s['shop_id']}** ({s['shop_name']}), conversation `{s['conversation_id']}`, "
    f"buyer `{s['buyer_id']}`, shop-local day {s['session_date']:%Y-%m-%d}."
)
st.dataframe(key_times, hide_index=True, key="session_instants")

st.subheader("Timeline")
events = data.query(queries.columns_of("marts", "fct_conversation_events"))
if events.empty:
    st.warning(
        "This warehouse has no `fct_conversation_events` yet: rebuild it with the current "
        "models to see the conversation row by row."
    )
    st.stop()
timeline = data.query(queries.session_timeline(s["conversation_id"], s["session_id"])["timeline"])
timeline.insert(
    2, "local_time", pd.to_datetime(timeline["event_at"]).dt.tz_localize("UTC").dt.tz_convert(tz)
)
st.caption(
    "Every row of the conversation in walk order (time, then message id; an action after a "
    "message at the same instant); the session's own rows are highlighted. *What it did* says "
    "how the row acted on its session. Implicit closes (EXPIRED, IDLE) are no row of the data: "
    "they are shown as a line of their own."
)
st.dataframe(
    display.highlight(timeline, "in_session"),
    hide_index=True,
    height=display.table_height(len(timeline)),
    key="session_timeline",
    column_order=[
        "event_seq",
        "local_time",
        "event_role",
        "event_source",
        "sender_role",
        "sender_id",
        "message_type",
        "action_type",
        "report_status",
        "allocated_agent_id",
        "event_id",
        "event_at",
        "in_session",
    ],
    column_config={
        "event_seq": st.column_config.NumberColumn("#", format="%d"),
        "event_at": display.time_column("At (UTC)"),
        "local_time": display.time_column(f"Local ({tz})"),
        "event_source": "Source",
        "event_id": "Row id",
        "sender_role": "Sender role",
        "sender_id": "Sender",
        "message_type": "Message type",
        "action_type": "Action",
        "report_status": "Report",
        "allocated_agent_id": "Allocated to",
        "session_id": None,
        "event_role": st.column_config.TextColumn("What it did", width="large"),
        "in_session": st.column_config.CheckboxColumn("In this session"),
    },
)
