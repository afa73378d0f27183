"""The dashboard's pages, run with Streamlit's test harness (AppTest) against a small warehouse
built and published by dbt (tests/dashboard_data.py): each page renders without an exception,
and every figure it shows equals the marts (read here with independent SQL)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, display
from dashboard.warehouse import Sql
from tests.dashboard_data import published_warehouse

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
TIMEOUT = 120  # seconds for one script run (imports are slow on a busy 2-core machine)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    reuse = os.environ.get("DASHBOARD_TEST_WAREHOUSE")  # iterating on a page: skip the build
    return Path(reuse) if reuse else published_warehouse(tmp_path_factory, worker_id)


def mart(warehouse: Path, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    """Rows of the published warehouse, read independently of the dashboard."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).df()


def open_page(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch, page: str | None = None, **query_params: str
) -> AppTest:
    """Run the app on `warehouse` and switch to `page` (views/<page>.py); no exception."""
    monkeypatch.setenv("CHAT_WAREHOUSE_PATH", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    if page:
        at.query_params.update(query_params)
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


# A column that tells each table apart (AppTest sees no key on a read-only st.dataframe).
TABLES = {
    "shops_table": "below_target",
    "shops_trend_table": "rolling_7d_response_rate_24h",
    "agents_table": "agent_nickname",
    "at_risk_table": "hours_left",
    "sessions_table": "buyer_id",
    "session_timeline": "event_role",
    "quarantine_table": "example_row_key",
    "reconciliation_table": "balanced",
}


def table(at: AppTest, name: str) -> pd.DataFrame:
    """The data of one table of the page (by the column only it has, TABLES)."""
    found = [d.value for d in at.dataframe if TABLES[name] in d.value.columns]
    if name == "shops_trend_table":
        found = [v for v in found if "shop_id" not in v.columns]
    assert found, f"no table {name!r} on the page"
    return found[0]


def default_range(warehouse: Path) -> tuple[date, date]:
    """The sidebar's default range: the last 30 days of the build."""
    first, last = mart(
        warehouse, "select min(session_date), max(session_date) from marts.fct_shop_daily"
    ).iloc[0]
    return max(first, last - pd.Timedelta(days=29)).date(), last.date()


def test_shops_page_shows_each_shops_7_day_rate_as_the_mart_has_it(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch)
    start, end = default_range(warehouse)
    last_rows = mart(
        warehouse,
        "select * from marts.fct_shop_daily where session_date <= ? "
        "qualify row_number() over (partition by shop_id order by session_date desc) = 1 "
        "order by shop_id",
        [end],
    )
    tiles = {m.label.split(" · ")[0]: m.value for m in at.metric}
    shown = table(at, "shops_table").set_index("shop_id")
    for row in last_rows.itertuples():
        assert tiles[row.shop_id] == display.pct(row.rolling_7d_response_rate_24h)
        assert shown.loc[row.shop_id, "rolling_7d_response_rate_24h"] == pytest.approx(
            row.rolling_7d_response_rate_24h
        )
        assert shown.loc[row.shop_id, "below_target"] == (row.rolling_7d_response_rate_24h < 0.9)
    days = mart(
        warehouse,
        "select * from marts.fct_shop_daily where session_date between ? and ?",
        [start, end],
    )
    sums = days.groupby("shop_id").sum(numeric_only=True)
    for shop, s in sums.iterrows():
        assert shown.loc[shop, "sessions"] == s["sessions"]
        assert shown.loc[shop, "counted_sessions"] == s["counted_sessions"]
        good = s["auto_resolved_sessions"] + s["responded_in_time_sessions"]
        assert shown.loc[shop, "response_rate_24h"] == pytest.approx(good / s["counted_sessions"])
        rated = s["rated_sessions"]
        satisfaction = s["satisfied_sessions"] / rated if rated else float("nan")
        assert shown.loc[shop, "satisfaction_rate"] == pytest.approx(satisfaction, nan_ok=True)
        assert shown.loc[shop, "attributed_order_amount"] == pytest.approx(
            float(s["attributed_order_amount"])
        )
    medians = mart(
        warehouse,
        "select shop_id, first_response_seconds from marts.fct_chat_sessions where "
        "session_date between ? and ? and not is_excluded and first_response_seconds is not null",
        [start, end],
    ).groupby("shop_id")["first_response_seconds"]
    for shop, values in medians:
        assert shown.loc[shop, "median_first_response_minutes"] * 60 == pytest.approx(
            np.quantile(values, 0.5)
        )


def test_shops_trend_of_one_shop_is_the_marts_daily_and_7_day_rate(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch)
    at.selectbox(key="shops_trend_shop").set_value("S1").run()
    start, end = default_range(warehouse)
    expected = mart(
        warehouse,
        "select session_date, response_rate_24h, rolling_7d_response_rate_24h "
        "from marts.fct_shop_daily where shop_id = 'S1' and session_date between ? and ? "
        "order by session_date",
        [start, end],
    )
    trend = table(at, "shops_trend_table")
    assert list(trend["session_date"]) == list(expected["session_date"])
    for column in ("response_rate_24h", "rolling_7d_response_rate_24h"):
        assert trend[column].tolist() == pytest.approx(expected[column].tolist(), nan_ok=True)


def test_target_input_moves_the_below_target_marks(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch)
    at.number_input(key="f_target").set_value(50.0).run()
    assert not table(at, "shops_table")["below_target"].any()


def test_agents_page_totals_equal_sums_over_fct_agent_daily(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch, "agents")
    start, end = default_range(warehouse)
    daily = mart(
        warehouse,
        "select * from marts.fct_agent_daily where session_date between ? and ?",
        [start, end],
    )
    sums = daily.groupby(["shop_id", "agent_id"]).sum(numeric_only=True)
    shown = table(at, "agents_table").set_index(["shop_id", "agent_id"])
    assert sorted(shown.index) == sorted(sums.index)
    counts = [
        "sessions",
        "counted_sessions",
        "responded_in_time_sessions",
        "responded_late_sessions",
        "unresponded_sessions",
        "auto_resolved_sessions",
        "pending_sessions",
        "excluded_sessions",
        "attributed_order_count",
    ]
    for key, s in sums.iterrows():
        for column in counts:
            assert shown.loc[key, column] == s[column], (key, column)
        good = s["auto_resolved_sessions"] + s["responded_in_time_sessions"]
        assert shown.loc[key, "response_rate_24h"] == pytest.approx(good / s["counted_sessions"])
    # mean, median and p90 over the range come from the sessions, not from daily medians
    sessions = mart(
        warehouse,
        "select shop_id, responsible_agent_id as agent_id, first_response_seconds "
        "from marts.fct_chat_sessions where session_date between ? and ? and not is_excluded "
        "and first_response_seconds is not null and responsible_agent_id is not null",
        [start, end],
    )
    for key, values in sessions.groupby(["shop_id", "agent_id"])["first_response_seconds"]:
        row = shown.loc[key]
        assert row["avg_first_response_minutes"] * 60 == pytest.approx(values.mean())
        assert row["median_first_response_minutes"] * 60 == pytest.approx(np.quantile(values, 0.5))
        assert row["p90_first_response_minutes"] * 60 == pytest.approx(np.quantile(values, 0.9))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Answerable sessions"] == f"{int(sums['sessions'].sum()):,}"
    assert metrics["Counted"] == f"{int(sums['counted_sessions'].sum()):,}"
    good = sums["auto_resolved_sessions"].sum() + sums["responded_in_time_sessions"].sum()
    assert metrics["24-hour rate"] == display.pct(good / sums["counted_sessions"].sum())


def test_agent_filter_narrows_the_agents_page_to_that_agent(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch, "agents")
    at.multiselect(key="f_agents").set_value([("S1", "a2")]).run()
    assert not at.exception
    shown = table(at, "agents_table")
    assert list(zip(shown["shop_id"], shown["agent_id"], strict=True)) == [("S1", "a2")]
    expected = mart(
        warehouse,
        "select sum(sessions) from marts.fct_agent_daily where shop_id = 'S1' and agent_id = 'a2'",
    ).iloc[0, 0]
    assert shown["sessions"].iloc[0] == expected


def test_below_target_rows_are_coloured() -> None:
    frame = pd.DataFrame({"agent": ["x", "y", "z"], "rate": [0.95, 0.5, None]})
    styles = display.below_target(frame, "rate", 0.9)._compute().ctx
    coloured = {row for (row, _col), css in styles.items() if css}
    assert coloured == {1}


def test_at_risk_page_lists_the_mart_by_time_left(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch, "at_risk")
    risk = mart(warehouse, "select * from marts.fct_sessions_at_risk")
    limit = risk["response_deadline_at"].where(
        risk["response_deadline_at"] > risk["as_of_at"], risk["expires_at"]
    )
    risk["left"] = (limit - risk["as_of_at"]).dt.total_seconds()
    expected = risk.sort_values(["left", "session_id"])
    shown = table(at, "at_risk_table")
    assert list(shown["session_id"]) == list(expected["session_id"])
    assert shown["hours_left"].tolist() == pytest.approx((expected["left"] / 3600).tolist())
    assert shown["waited_hours"].tolist() == pytest.approx(
        (expected["waiting_seconds"] / 3600).tolist()
    )
    assert shown["shop_id"].tolist() == expected["shop_id"].tolist()
    assert shown["agent_id"].tolist() == expected["responsible_agent_id"].tolist()
    assert {m.label: m.value for m in at.metric}["At risk"] == str(len(risk))


def test_at_risk_page_says_how_many_the_date_range_hides(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch, "at_risk")
    at.date_input(key="f_dates").set_value((date(2026, 3, 8), date(2026, 3, 10))).run()
    dates = mart(
        warehouse,
        "select c.session_date from marts.fct_sessions_at_risk as r "
        "join marts.fct_chat_sessions as c using (session_id)",
    )["session_date"]
    hidden = int((dates < pd.Timestamp("2026-03-08")).sum())
    assert 0 < hidden < len(dates)
    assert at.warning and at.warning[0].value.startswith(f"{hidden} more at-risk session(s)")
    assert len(table(at, "at_risk_table")) == len(dates) - hidden


def test_sessions_page_finds_sessions_by_status_and_exclusion(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch, "sessions")
    at.multiselect(key="s_status").set_value(["RESPONDED_IN_TIME"])
    at.multiselect(key="s_exclusion").set_value(["REPORTED", "HOLIDAY_MODE"]).run()
    found = table(at, "sessions_table")
    expected = mart(
        warehouse,
        "select session_id from marts.fct_chat_sessions where response_status = "
        "'RESPONDED_IN_TIME' and exclusion_reason in ('REPORTED', 'HOLIDAY_MODE')",
    )
    assert sorted(found["session_id"]) == sorted(expected["session_id"]) and len(found) == 2


def test_sessions_page_opens_a_session_with_its_explanation_and_timeline(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # c1-2-2: never answered, closed as EXPIRED (an implicit close: a line of its own)
    s = mart(warehouse, "select * from marts.fct_chat_sessions where conversation_id = 'c1-2-2'")
    assert s["close_reason"].iloc[0] == "EXPIRED"
    session_id = s["session_id"].iloc[0]
    at = open_page(warehouse, monkeypatch, "sessions", session=session_id)
    assert at.info[0].value == display.escape_markdown(s["verdict_explanation"].iloc[0])
    assert {m.label: m.value for m in at.metric}["Status"] == s["response_status"].iloc[0]
    events = mart(
        warehouse,
        "select * from marts.fct_conversation_events where conversation_id = 'c1-2-2' "
        "order by event_seq",
    )
    timeline = table(at, "session_timeline")
    rows = timeline[timeline["event_source"] != "implicit close"]
    assert rows["event_id"].tolist() == events["event_id"].tolist()
    assert rows["event_role"].tolist() == events["event_role"].tolist()
    assert rows["in_session"].tolist() == (events["session_id"] == session_id).tolist()
    close = timeline[timeline["event_source"] == "implicit close"]
    assert close["event_role"].tolist() == ["closed the session (EXPIRED)"]
    assert close["event_at"].iloc[0] == s["closed_at"].iloc[0]
    assert timeline.index[timeline["event_source"] == "implicit close"][0] == len(timeline) - 1


def test_data_health_page_counts_equal_the_audit_tables(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch, "data_health")
    build = mart(warehouse, "select * from audit.published_build").iloc[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["as_of (UTC)"] == f"{build['as_of']:%Y-%m-%d %H:%M}"
    assert metrics["Tests passed"] == str(build["tests_passed"])
    quarantined = mart(
        warehouse,
        "select source_table, rule, count(*) as n from audit.quarantined_rows group by all",
    )
    shown = table(at, "quarantine_table")
    assert sorted(
        zip(shown["source_table"], shown["rule"], shown["quarantined_rows"], strict=True)
    ) == sorted(quarantined.itertuples(index=False, name=None))
    reconciliation = mart(warehouse, "select * from audit.row_reconciliation order by source_table")
    shown = table(at, "reconciliation_table")
    for column in ("raw_rows", "clean_rows", "quarantined_rows", "collapsed_duplicate_rows"):
        assert shown[column].tolist() == reconciliation[column].tolist()
    assert shown["balanced"].all()


def test_a_missing_warehouse_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "none.duckdb"
    monkeypatch.setenv("CHAT_WAREHOUSE_PATH", str(missing))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    line = f"No published warehouse at {missing}: run `make demo` or `dbt build` first."
    assert [e.value for e in at.error] == [line]
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard", "--warehouse", str(missing)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"error: {line}"]


def test_a_new_publication_is_read_on_the_next_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The published file is replaced by a rename (as dbt publishes); the dashboard, which
    holds a read-only connection to the old file, reads the new one at its next query."""
    published = tmp_path / "chat.duckdb"
    for name, as_of in (("old.duckdb", "2026-03-01"), ("new.duckdb", "2026-03-02")):
        with duckdb.connect(str(tmp_path / name)) as con:
            con.execute("create schema audit")
            con.execute(f"create table audit.published_build as select date '{as_of}' as as_of")
    (tmp_path / "old.duckdb").rename(published)
    monkeypatch.setenv("CHAT_WAREHOUSE_PATH", str(published))
    read = Sql("select as_of from audit.published_build")
    assert str(data.query(read)["as_of"].iloc[0].date()) == "2026-03-01"
    os.replace(tmp_path / "new.duckdb", published)
    assert str(data.query(read)["as_of"].iloc[0].date()) == "2026-03-02"
