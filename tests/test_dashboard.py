"""The dashboard's pages, run with Streamlit's test harness (AppTest) against a small warehouse
built and published by dbt (tests/dashboard_data.py): each page renders without an exception,
and every figure it shows equals the marts (read here with independent SQL)."""

from __future__ import annotations

import json
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
from tests.dashboard_data import AGENTS, published_warehouse

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
    "shops_service_table": "frt_service_level_7d",
    "agents_table": "agent_nickname",
    "agents_service_table": "one_touch_resolution_rate",
    "staffing_hours_table": "sessions_per_date",
    "staffing_agents_table": "dates_at_capacity",
    "staffing_days_table": "workload_date",
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


def service_levels(sessions: pd.DataFrame) -> dict[str, float]:
    """metrics.md §9.2 over a set of non-excluded sessions, straight from fct_chat_sessions:
    the definitions themselves, not a re-aggregation of the daily marts."""
    resolved = sessions["resolved_at"].notna()
    touched = resolved & (sessions["human_reply_count"] >= 1)
    abandoned = sessions["is_abandoned"].fillna(False).astype(bool)
    counted = sessions["is_counted_in_rate"].astype(bool)
    allocated = sessions["first_allocated_at"].notna()
    first = sessions["first_response_seconds"].dropna()

    def ratio(a: float, b: float) -> float:
        return a / b if b else float("nan")

    return {
        "avg_first_response_seconds": first.mean() if len(first) else float("nan"),
        "median_first_response_seconds": np.quantile(first, 0.5) if len(first) else float("nan"),
        "response_count": sessions["response_count"].sum(),
        "avg_response_seconds": ratio(
            sessions["total_response_seconds"].sum(), sessions["response_count"].sum()
        ),
        "resolved_sessions": resolved.sum(),
        "avg_resolution_seconds": sessions.loc[resolved, "resolution_seconds"].mean(),
        "median_resolution_seconds": (
            np.quantile(sessions.loc[resolved, "resolution_seconds"], 0.5)
            if resolved.any()
            else float("nan")
        ),
        "abandoned_sessions": abandoned.sum(),
        "abandonment_rate": ratio(abandoned.sum(), abandoned.sum() + resolved.sum()),
        "one_touch_resolved_sessions": sessions["is_one_touch_resolved"].sum(),
        "one_touch_resolution_rate": ratio(
            (sessions["is_one_touch_resolved"] & touched).sum(), touched.sum()
        ),
        "self_service_rate": ratio(
            (counted & (sessions["response_status"] == "AUTO_RESOLVED")).sum(), counted.sum()
        ),
        "allocated_sessions": allocated.sum(),
        "avg_allocation_wait_seconds": sessions.loc[allocated, "allocation_wait_seconds"].mean(),
        "transferred_sessions": (sessions["transfer_count"] > 0).sum(),
    }


def assert_service_levels(row: pd.Series, expected: dict[str, float], key: Any) -> None:
    """A row of a page's service table (times in minutes) against service_levels()."""
    compared = 0
    for column, value in expected.items():
        minutes = column.replace("_seconds", "_minutes")
        if column.endswith("_seconds") and minutes in row.index:
            shown = row[minutes] * 60
        elif column in row.index:
            shown = row[column]
        else:
            continue
        compared += 1
        assert shown == pytest.approx(float(value), nan_ok=True), (key, column)
    assert compared >= 10, row.index


def range_sessions(warehouse: Path, start: date, end: date) -> pd.DataFrame:
    """The range's non-excluded sessions, as fct_chat_sessions has them."""
    return mart(
        warehouse,
        "select * from marts.fct_chat_sessions "
        "where session_date between ? and ? and not is_excluded",
        [start, end],
    )


def test_shops_page_shows_the_service_levels_of_the_range(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch)
    start, end = default_range(warehouse)
    shown = table(at, "shops_service_table").set_index("shop_id")
    sessions = range_sessions(warehouse, start, end)
    assert sorted(shown.index) == sorted(sessions["shop_id"].unique())
    for shop, of_shop in sessions.groupby("shop_id"):
        assert_service_levels(shown.loc[shop], service_levels(of_shop), shop)
    # the tier is the mart's, on the last date of the range
    tiers = mart(
        warehouse,
        "select shop_id, frt_service_level_7d from marts.fct_shop_daily where session_date <= ? "
        "qualify row_number() over (partition by shop_id order by session_date desc) = 1",
        [end],
    ).set_index("shop_id")["frt_service_level_7d"]
    assert shown["frt_service_level_7d"].to_dict() == tiers.to_dict()
    # the fixture exercises them: S1 answers within 10 minutes to 30 hours, abandons some
    # (expired) sessions, resolves others with one reply, has FAQ-only sessions and transfers
    s1 = shown.loc["S1"]
    assert s1["frt_service_level_7d"] in {"AVERAGE", "BELOW_AVERAGE", "UNACCEPTABLE"}
    assert 0 < s1["abandonment_rate"] < 1 and 0 < s1["self_service_rate"] < 1
    assert 0 < s1["one_touch_resolution_rate"] and s1["transferred_sessions"] == 2


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


def test_agents_page_shows_service_levels_and_load(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch, "agents")
    start, end = default_range(warehouse)
    shown = table(at, "agents_service_table").set_index(["shop_id", "agent_id"])
    sessions = range_sessions(warehouse, start, end).dropna(subset=["responsible_agent_id"])
    for key, of_agent in sessions.groupby(["shop_id", "responsible_agent_id"]):
        assert_service_levels(shown.loc[key], service_levels(of_agent), key)
    load = mart(
        warehouse,
        "select * from marts.fct_agent_workload_daily where workload_date between ? and ?",
        [start, end],
    ).groupby(["shop_id", "agent_id"])
    for key, days in load:
        row = shown.loc[key]
        for column in ("allocations_received", "transfers_in", "transfers_out"):
            assert row[column] == days[column].sum(), (key, column)
        assert row["peak_concurrent_sessions"] == days["peak_concurrent_sessions"].max()
        assert row["peak_saturation"] == pytest.approx(days["peak_saturation"].max())
    # the fixture's two transfers: a1 -> a2 (c1-8-5) and a2 -> a1 (c1-8-6)
    for agent in ("a1", "a2"):
        assert (shown.loc[("S1", agent), ["transfers_in", "transfers_out"]] == 1).all()
    assert shown.loc[("S1", "a2"), "peak_saturation"] >= 1


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


WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def sessions_by_local_hour(warehouse: Path, shops: list[str] | None = None) -> pd.DataFrame:
    """Every session with the weekday and hour of its start in its shop's time zone, computed
    here from started_at (UTC) and the shop's zone, not read from the marts' hour columns."""
    sessions = mart(
        warehouse,
        "select s.shop_id, s.started_at, s.is_counted_in_rate, s.response_status, h.timezone "
        "from marts.fct_chat_sessions as s join marts.dim_shops as h using (shop_id)",
    )
    if shops is not None:
        sessions = sessions[sessions["shop_id"].isin(shops)]
    local = [
        pd.Timestamp(t).tz_localize("UTC").tz_convert(zone)
        for t, zone in zip(sessions["started_at"], sessions["timezone"], strict=True)
    ]
    return sessions.assign(
        local_date=[t.date() for t in local],
        day=[WEEKDAYS[t.weekday()] for t in local],
        hour=[t.hour for t in local],
        within=sessions["is_counted_in_rate"]
        & sessions["response_status"].isin(["AUTO_RESOLVED", "RESPONDED_IN_TIME"]),
    )


def test_staffing_page_heatmap_counts_sessions_by_local_weekday_and_hour(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch, "staffing")
    start, end = default_range(warehouse)
    # heatmaps (rect marks): sessions and the rate by weekday and hour, saturation by date
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    marks = [spec.get("mark") or spec["layer"][0]["mark"] for spec in specs]
    assert [m["type"] for m in marks] == ["rect", "rect", "rect"]
    colours = [(spec.get("encoding") or spec["layer"][0]["encoding"])["color"] for spec in specs]
    assert [c["field"] for c in colours] == [
        "sessions_per_date",
        "response_rate_24h",
        "peak_saturation",
    ]
    sessions = sessions_by_local_hour(warehouse)
    sessions = sessions[(sessions["local_date"] >= start) & (sessions["local_date"] <= end)]
    grid = table(at, "staffing_hours_table")
    dates = pd.date_range(start, end)
    weekdays = sorted({d.weekday() for d in dates})
    assert len(grid) == 24 * len(weekdays)  # a full grid: hours without sessions are 0
    shown = grid.set_index(["day", "session_hour"])
    expected = sessions.groupby(["day", "hour"]).agg(
        sessions=("shop_id", "size"),
        counted=("is_counted_in_rate", "sum"),
        within=("within", "sum"),
    )
    for (day, hour), e in expected.iterrows():
        row = shown.loc[(day, hour)]
        assert row["sessions"] == e["sessions"], (day, hour)
        assert row["counted_sessions"] == e["counted"], (day, hour)
        rate = e["within"] / e["counted"] if e["counted"] else float("nan")
        assert row["response_rate_24h"] == pytest.approx(rate, nan_ok=True), (day, hour)
        n_days = sum(1 for d in dates if WEEKDAYS[d.weekday()] == day)
        assert row["weekday_dates"] == n_days
        assert row["sessions_per_date"] == pytest.approx(e["sessions"] / n_days)
    assert grid["sessions"].sum() == len(sessions)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sessions"] == f"{len(sessions):,}"
    # S1 (Jakarta, UTC+7) writes at 02:00 UTC every day: 09:00 local
    s1 = sessions_by_local_hour(warehouse, ["S1"])
    assert (s1["hour"] == 9).sum() >= 9
    # the shop filter narrows the hours to that shop's sessions
    at.multiselect(key="f_shops").set_value(["S2"]).run()
    grid = table(at, "staffing_hours_table")
    s2 = sessions_by_local_hour(warehouse, ["S2"])
    s2 = s2[(s2["local_date"] >= start) & (s2["local_date"] <= end)]
    assert grid["sessions"].sum() == len(s2)
    by_hour = grid.groupby("session_hour")["sessions"].sum()
    assert by_hour[by_hour > 0].to_dict() == s2.groupby("hour").size().to_dict()


def test_staffing_page_shows_each_agents_peak_saturation_by_date(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(warehouse, monkeypatch, "staffing")
    start, end = default_range(warehouse)
    load = mart(
        warehouse,
        "select * from marts.fct_agent_workload_daily where workload_date between ? and ? "
        "order by shop_id, agent_id, workload_date",
        [start, end],
    )
    days = table(at, "staffing_days_table")
    assert list(zip(days["agent_id"], days["workload_date"], strict=True)) == list(
        zip(load["agent_id"], load["workload_date"], strict=True)
    )
    assert days["peak_concurrent_sessions"].tolist() == load["peak_concurrent_sessions"].tolist()
    # saturation is the peak over the agent's capacity (agents table), as metrics.md §9.4 says
    capacity = {(a["shop_id"], a["agent_id"]): a["max_concurrent_sessions"] for a in AGENTS}
    for row in days.itertuples():
        assert row.peak_saturation == pytest.approx(
            row.peak_concurrent_sessions / capacity[(row.shop_id, row.agent_id)]
        )
    agents = table(at, "staffing_agents_table").set_index(["shop_id", "agent_id"])
    for key, of_agent in load.groupby(["shop_id", "agent_id"]):
        row = agents.loc[key]
        assert row["workload_dates"] == len(of_agent)
        assert row["peak_concurrent_sessions"] == of_agent["peak_concurrent_sessions"].max()
        assert row["peak_saturation"] == pytest.approx(of_agent["peak_saturation"].max())
        assert row["dates_at_capacity"] == (of_agent["peak_saturation"] >= 1).sum()
        for column in ("allocations_received", "transfers_in", "transfers_out"):
            assert row[column] == of_agent[column].sum(), (key, column)
    # a2 (capacity 2) holds three sessions at once on 2026-03-08: the most saturated, first
    assert agents.index[0] == ("S1", "a2")
    assert agents.loc[("S1", "a2"), "dates_at_capacity"] >= 1
    # the agent filter narrows the load (not the hours)
    at.multiselect(key="f_agents").set_value([("S1", "a2")]).run()
    assert not at.exception
    assert set(table(at, "staffing_days_table")["agent_id"]) == {"a2"}
    assert table(at, "staffing_hours_table")["sessions"].sum() == len(
        sessions_by_local_hour(warehouse).query("@start <= local_date <= @end")
    )


def test_staffing_page_on_dates_without_sessions_still_shows_the_load(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2026-03-10 (local): no session starts, but sessions started earlier are still held
    at = open_page(warehouse, monkeypatch, "staffing")
    at.date_input(key="f_dates").set_value((date(2026, 3, 10), date(2026, 3, 10))).run()
    assert not at.exception
    assert [i.value for i in at.info] == ["No session started in the selected range."]
    held = mart(
        warehouse,
        "select agent_id, peak_concurrent_sessions from marts.fct_agent_workload_daily "
        "where workload_date = '2026-03-10' order by shop_id, agent_id",
    )
    assert len(held) > 0
    days = table(at, "staffing_days_table")
    assert days["agent_id"].tolist() == held["agent_id"].tolist()
    assert days["peak_concurrent_sessions"].tolist() == held["peak_concurrent_sessions"].tolist()


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
