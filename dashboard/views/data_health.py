"""Data health: which build is published, the landing rows it quarantined (by table and rule),
and the row reconciliation of every landing table."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import data, display, queries

st.title("Data health")
st.caption(
    "The whole published build: the sidebar filters do not apply here. A landing row that breaks "
    "the contract never reaches a figure; it is listed in `audit.quarantined_rows` with the rule "
    "it broke. For every table, raw rows = clean + quarantined + collapsed duplicates "
    "(`audit.row_reconciliation`). Rules and fixes: docs/when-the-data-is-wrong.md."
)

frames = data.load(queries.data_health_page())
build, quarantine, reconciliation = frames["build"], frames["quarantine"], frames["reconciliation"]

path, _, mtime_ns, size = data.file_version()
st.subheader("Published build")
if build.empty:
    st.warning("`audit.published_build` is empty: this file was not published by a dbt build.")
else:
    b = build.iloc[0]
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    c1.metric("as_of (UTC)", f"{b['as_of']:%Y-%m-%d %H:%M}", help="The instant the build computed.")
    c2.metric("Published (UTC)", f"{b['published_at']:%Y-%m-%d %H:%M}")
    c3.metric("Models built", f"{b['models_built']}")
    c4.metric(
        "Tests passed",
        f"{b['tests_passed']}",
        delta=f"{b['tests_warned']} warned" if b["tests_warned"] else None,
        delta_color="off",
        delta_arrow="off",
    )
    st.caption(
        f"Build started {b['build_started_at']:%Y-%m-%d %H:%M:%S} UTC with dbt {b['dbt_version']}, "
        f"invocation `{b['invocation_id']}`. File `{path}` "
        f"({size / 1e6:,.1f} MB, written "
        f"{datetime.fromtimestamp(mtime_ns / 1e9, tz=UTC):%Y-%m-%d %H:%M:%S} UTC)."
    )

st.subheader("Reconciliation per table")
unbalanced = reconciliation[~reconciliation["balanced"]]
if unbalanced.empty:
    st.success("Every table balances: raw = clean + quarantined + collapsed duplicates.")
else:
    st.error(f"{len(unbalanced)} table(s) do not balance: {', '.join(unbalanced['source_table'])}.")
count = display.count_column
st.dataframe(
    reconciliation,
    hide_index=True,
    key="reconciliation_table",
    column_config={
        "source_table": "Table",
        "raw_rows": count("Raw", "Rows in the landing files (scanned independently)."),
        "clean_rows": count("Clean", "Rows that reach the models."),
        "quarantined_rows": count("Quarantined", "Rows that broke a contract rule."),
        "collapsed_duplicate_rows": count("Duplicates", "Redelivered copies collapsed into one."),
        "balanced": st.column_config.CheckboxColumn("Balanced"),
    },
)

st.subheader("Quarantined rows by table and rule")
total = int(quarantine["quarantined_rows"].sum()) if not quarantine.empty else 0
st.markdown(f"**{total:,}** quarantined row(s) under {len(quarantine)} table/rule pair(s).")
st.dataframe(
    quarantine,
    hide_index=True,
    height=display.table_height(len(quarantine), most=460),
    key="quarantine_table",
    column_config={
        "source_table": "Table",
        "rule": "Rule",
        "quarantined_rows": count("Rows", "Quarantined rows of this table and rule."),
        "files": count("Files", "Landing files they came from."),
        "example_row_key": "Example row key",
    },
)
if not quarantine.empty:
    pairs = list(zip(quarantine["source_table"], quarantine["rule"], strict=True))
    table, rule = st.selectbox(
        "Show rows of", pairs, format_func=lambda p: f"{p[0]} · {p[1]}", key="quarantine_pick"
    )
    st.dataframe(
        data.query(queries.quarantine_samples(table, rule)),
        hide_index=True,
        key="quarantine_samples",
        column_config={"raw_row": st.column_config.TextColumn("Row as landed", width="large")},
    )
