"""End-to-end: build the warehouse with `dbt build` on hand-made landing folders and assert
the marts, the quarantine and the build's errors, as an analytics engineer would see them."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from chat_warehouse.dbt_invoke import build_warehouse, run_dbt
from tests.landing import drop_column, write_landing
from tests.landing import message_row as msg

AS_OF = "2026-03-10 12:00:00"

SHOPS = [
    {"shop_id": "S1", "platform": "TIKTOK_SHOP", "shop_name": "One", "timezone": "Asia/Jakarta"},
    {
        "shop_id": "S2",
        "platform": "TOKOPEDIA",
        "shop_name": "Two",
        "timezone": "America/Los_Angeles",
    },
    {"shop_id": "S9", "platform": "TOKOPEDIA", "shop_name": "Bad", "timezone": "Mars/Olympus"},
]


MESSAGES = [
    # c1 (S1, Jakarta): answered in 1 h by agent a1 after an allocation; then a new session
    # 2 days later that nobody answers (UNRESPONDED at as_of).
    msg("m01", "c1", "S1", "BUYER", "b1", "TEXT", "2026-03-01T10:00:00Z"),
    msg(
        "m02",
        "c1",
        "S1",
        "SYSTEM",
        None,
        "ALLOCATED_SERVICE",
        "2026-03-01T10:00:05Z",
        '{"agent_id": "a1"}',
    ),
    msg("m03", "c1", "S1", "CUSTOMER_SERVICE", "a1", "TEXT", "2026-03-01T11:00:00Z"),
    msg("m04", "c1", "S1", "BUYER", "b1", "TEXT", "2026-03-03T10:00:00Z"),
    # c2 (S1): FAQ click answered by the robot only → AUTO_RESOLVED; offset honoured
    msg("m05", "c2", "S1", "BUYER", "b2", "FAQ_QUESTION", "2026-03-02T10:00:00+07:00"),
    msg("m06", "c2", "S1", "ROBOT", "bot", "TEXT", "2026-03-02T10:00:02+07:00"),
    # c3 (S2, Los Angeles): the reply comes 25 h later (late); an invisible reply earlier
    # does not count
    msg("m07", "c3", "S2", "BUYER", "b3", "TEXT", "2026-03-04T07:30:00Z"),
    msg("m08", "c3", "S2", "CUSTOMER_SERVICE", "a2", "TEXT", "2026-03-04T08:00:00Z", visible=False),
    msg("m09", "c3", "S2", "CUSTOMER_SERVICE", "a2", "TEXT", "2026-03-05T08:30:00Z", visible=True),
    # c4 (S2): asked 2 h before as_of, not answered yet → PENDING
    msg("m10", "c4", "S2", "BUYER", "b4", "TEXT", "2026-03-10T10:00:00Z"),
    # bad rows: unparseable time, unknown shop, unknown sender role, redelivered duplicate
    msg("x01", "c5", "S1", "BUYER", "b5", "TEXT", "yesterday-ish"),
    msg("x02", "c6", "S9", "BUYER", "b6", "TEXT", "2026-03-02T10:00:00Z"),
    msg("x03", "c1", "S1", "ALIEN", "b1", "TEXT", "2026-03-02T10:00:00Z"),
    msg("m01", "c1", "S1", "BUYER", "b1", "TEXT", "2026-03-01T10:05:00Z"),
    # after as_of: ignored
    msg("m11", "c4", "S2", "CUSTOMER_SERVICE", "a2", "TEXT", "2026-03-10T13:00:00Z"),
]

REPORT_PENDING = {
    "action_id": "r1",
    "conversation_id": "c3",
    "shop_id": "S2",
    "action_type": "REPORT_BUYER",
    "agent_id": "a2",
    "acted_at": "2026-03-04T09:00:00Z",
    "report_status": "PENDING",
    "updated_at": "2026-03-04T09:00:00Z",
}

ACTIONS = [
    # c3's session: reported, first PENDING then UPHELD after as_of → not excluded
    REPORT_PENDING,
    {**REPORT_PENDING, "report_status": "UPHELD", "updated_at": "2026-03-11T09:00:00Z"},
    # c1's second session marked "no reply needed"
    {
        "action_id": "n1",
        "conversation_id": "c1",
        "shop_id": "S1",
        "action_type": "MARK_NO_REPLY_NEEDED",
        "agent_id": "a1",
        "acted_at": "2026-03-03T12:00:00Z",
        "report_status": None,
        "updated_at": "2026-03-03T12:00:00Z",
    },
]

HOLIDAYS = [
    # ends before it starts → quarantined
    {
        "period_id": "h1",
        "shop_id": "S1",
        "starts_at": "2026-03-05T00:00:00Z",
        "ends_at": "2026-03-04T00:00:00Z",
        "updated_at": "2026-03-01T00:00:00Z",
    },
]

RATINGS = [
    {
        "rating_id": "g1",
        "conversation_id": "c1",
        "shop_id": "S1",
        "rated_at": "2026-03-01T12:00:00Z",
        "score": 5,
    },
    {
        "rating_id": "g2",
        "conversation_id": "c1",
        "shop_id": "S1",
        "rated_at": "2026-03-01T12:00:00Z",
        "score": 9,
    },
]

ORDERS = [
    {
        "order_id": "o1",
        "shop_id": "S1",
        "buyer_id": "b1",
        "created_at": "2026-03-02T09:00:00Z",
        "amount": "150000",
        "currency": "IDR",
    },
    {
        "order_id": "o2",
        "shop_id": "S1",
        "buyer_id": "b1",
        "created_at": "2026-03-09T09:00:00Z",
        "amount": "-5",
        "currency": "IDR",
    },
]

TABLES = {
    "shops": SHOPS,
    "messages": MESSAGES,
    "conversation_actions": ACTIONS,
    "shop_holiday_periods": HOLIDAYS,
    "session_ratings": RATINGS,
    "orders": ORDERS,
}


def _query(path: Path, sql: str) -> list[dict]:
    """Rows of a query on a warehouse opened read-only, as dicts."""
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


@pytest.fixture(scope="module")
def csv_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("e2e_csv")
    write_landing(root / "raw", TABLES)
    build_warehouse(root / "raw", root / "wh.duckdb", AS_OF)
    return root / "wh.duckdb"


def test_sessions_follow_the_rules(csv_warehouse: Path) -> None:
    rows = {
        (r["conversation_id"], r["started_at"]): r
        for r in _query(csv_warehouse, "select * from marts.fct_chat_sessions")
    }
    assert len(rows) == 5
    first = rows[("c1", datetime(2026, 3, 1, 10, 0))]
    assert first["response_status"] == "RESPONDED_IN_TIME"
    assert first["first_response_seconds"] == 3600
    assert first["responsible_agent_id"] == "a1"
    assert (first["closed_at"], first["close_reason"]) == (datetime(2026, 3, 2, 11, 0), "IDLE")
    assert first["rating_score"] == 5 and first["is_satisfied"] is True
    assert (
        first["attributed_order_count"] == 1 and float(first["attributed_order_amount"]) == 150000
    )
    assert first["session_date"] == date(2026, 3, 1)

    second = rows[("c1", datetime(2026, 3, 3, 10, 0))]
    assert second["response_status"] == "UNRESPONDED"
    assert second["exclusion_reason"] == "NO_REPLY_NEEDED" and second["is_counted_in_rate"] is False

    faq = rows[("c2", datetime(2026, 3, 2, 3, 0))]  # +07:00 honoured
    assert faq["response_status"] == "AUTO_RESOLVED" and faq["clock_started_at"] is None

    late = rows[("c3", datetime(2026, 3, 4, 7, 30))]
    assert late["response_status"] == "RESPONDED_LATE"
    assert late["first_human_reply_at"] == datetime(2026, 3, 5, 8, 30)
    assert late["is_excluded"] is False  # the UPHELD verdict came after as_of
    assert late["session_date"] == date(2026, 3, 3)  # 23:30 in Los Angeles (PST)

    pending = rows[("c4", datetime(2026, 3, 10, 10, 0))]
    assert pending["response_status"] == "PENDING" and pending["first_human_reply_at"] is None


def test_shop_daily_counts_and_calendar(csv_warehouse: Path) -> None:
    days = {
        (r["shop_id"], r["session_date"]): r
        for r in _query(csv_warehouse, "select * from marts.fct_shop_daily")
    }
    s1 = sorted(d for s, d in days if s == "S1")
    assert s1[0] == date(2026, 3, 1) and s1[-1] == date(2026, 3, 10)  # through as_of's local date
    assert len(s1) == 10
    d1 = days[("S1", date(2026, 3, 1))]
    assert (d1["sessions"], d1["counted_sessions"], d1["response_rate_24h"]) == (1, 1, 1.0)
    quiet = days[("S1", date(2026, 3, 4))]
    assert quiet["sessions"] == 0 and quiet["response_rate_24h"] is None
    assert quiet["rolling_7d_response_rate_24h"] == 1.0  # 3-01 and 3-02 both responded
    d3 = days[("S1", date(2026, 3, 3))]
    assert (d3["excluded_sessions"], d3["no_reply_needed_sessions"], d3["counted_sessions"]) == (
        1,
        1,
        0,
    )
    s2 = days[("S2", date(2026, 3, 3))]
    assert (s2["responded_late_sessions"], s2["response_rate_24h"]) == (1, 0.0)
    s2_last = days[("S2", date(2026, 3, 10))]
    assert s2_last["pending_sessions"] == 1 and s2_last["counted_sessions"] == 0


def test_agent_daily(csv_warehouse: Path) -> None:
    rows = _query(csv_warehouse, "select * from marts.fct_agent_daily order by agent_id")
    assert [(r["agent_id"], r["session_date"], r["sessions"]) for r in rows] == [
        ("a1", date(2026, 3, 1), 1),
        ("a2", date(2026, 3, 3), 1),
    ]
    assert rows[0]["median_first_response_seconds"] == 3600


def test_bad_rows_are_quarantined_with_their_rule(csv_warehouse: Path) -> None:
    got = {
        (r["source_table"], r["row_key"], r["rule"])
        for r in _query(csv_warehouse, "select * from audit.quarantined_rows")
    }
    assert got == {
        ("messages", "x01", "created_at_unparseable"),
        ("messages", "x02", "shop_unknown"),
        ("messages", "x03", "sender_role_invalid"),
        ("shops", "S9", "timezone_unknown"),
        ("shop_holiday_periods", "h1", "holiday_ends_before_start"),
        ("session_ratings", "g2", "score_out_of_range"),
        ("orders", "o2", "amount_negative"),
    }
    recon = {
        r["source_table"]: r
        for r in _query(csv_warehouse, "select * from audit.row_reconciliation")
    }
    assert recon["messages"] == {
        "source_table": "messages",
        "raw_rows": 15,
        "clean_rows": 11,
        "quarantined_rows": 3,
        "collapsed_duplicate_rows": 1,
    }
    assert recon["agents"]["raw_rows"] == 0  # absent optional table reads as empty
    raw = _query(csv_warehouse, "select raw_row from audit.quarantined_rows where row_key = 'x01'")
    assert '"created_at":"yesterday-ish"' in raw[0]["raw_row"]


def test_parquet_folder_gives_the_same_marts(csv_warehouse: Path, tmp_path: Path) -> None:
    csv_dir = tmp_path / "csv"
    write_landing(csv_dir, TABLES)
    raw = tmp_path / "raw"
    raw.mkdir()
    for csv_file in csv_dir.glob("*.csv"):
        table = pacsv.read_csv(
            csv_file,
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in pacsv.read_csv(csv_file).column_names}
            ),
        )
        if csv_file.stem == "messages":  # a folder of parts, as the contract allows
            (raw / "messages").mkdir()
            pq.write_table(table.slice(0, 7), raw / "messages" / "part-0.parquet")
            pq.write_table(table.slice(7), raw / "messages" / "part-1.parquet")
        else:
            pq.write_table(table, raw / f"{csv_file.stem}.parquet")
    build_warehouse(raw, tmp_path / "wh.duckdb", AS_OF, with_tests=False)  # marts compared
    # built_invocation_id: each build stamps its own invocation on the rows it writes
    sql = (
        "select * exclude (opening_message_id, built_invocation_id) "
        "from marts.fct_chat_sessions order by session_id"
    )
    assert _query(tmp_path / "wh.duckdb", sql) == _query(csv_warehouse, sql)
    sql = (
        "select * exclude (built_invocation_id) from marts.fct_shop_daily "
        "order by shop_id, session_date"
    )
    assert _query(tmp_path / "wh.duckdb", sql) == _query(csv_warehouse, sql)


def _run_hook_only(raw: Path, tmp_path: Path):
    return run_dbt(
        ["run", "--select", "stg_chat__shops"],
        raw_dir=raw,
        warehouse_path=tmp_path / "w.duckdb",
        as_of=AS_OF,
        check=False,
    )


def test_missing_required_table_stops_the_build_naming_it(tmp_path: Path) -> None:
    raw = write_landing(tmp_path / "raw", {"shops": SHOPS, "messages": MESSAGES})
    (raw / "shop_holiday_periods.csv").unlink()
    proc = _run_hook_only(raw, tmp_path)
    assert proc.returncode != 0
    assert "Required landing table 'shop_holiday_periods' is missing" in proc.stdout


def test_missing_required_column_stops_the_build_naming_it(tmp_path: Path) -> None:
    raw = write_landing(tmp_path / "raw", {"shops": SHOPS, "messages": MESSAGES})
    drop_column(raw / "messages.csv", "created_at")
    proc = _run_hook_only(raw, tmp_path)
    assert proc.returncode != 0
    assert "missing required column(s) created_at" in proc.stdout
    assert "messages.csv" in proc.stdout


@pytest.mark.parametrize(
    ("vars_", "message"),
    [
        (
            {"as_of": "2026-13-45 10:00:00"},
            "var as_of is '2026-13-45 10:00:00', which is not an ISO-8601",
        ),
        ({"response_window_hours": 0}, "var response_window_hours is '0'; it must be a positive"),
        ({"session_expiry_hours": "a week"}, "var session_expiry_hours is 'a week'; it must be"),
        ({"conversation_batch_rows": "5M"}, "var conversation_batch_rows is '5M'; it must be a"),
    ],
)
def test_a_var_that_cannot_be_right_stops_the_build_naming_it(
    tmp_path: Path, vars_: dict, message: str
) -> None:
    """An unparseable as_of would otherwise filter out every row and build empty marts."""
    raw = write_landing(tmp_path / "raw", {"shops": SHOPS, "messages": MESSAGES[:2]})
    proc = run_dbt(
        ["run", "--select", "stg_chat__shops"],
        raw_dir=raw,
        warehouse_path=tmp_path / "w.duckdb",
        extra_vars=vars_,
        check=False,
    )
    assert proc.returncode != 0
    assert message in proc.stdout


def test_an_unparseable_chat_as_of_stops_the_build_naming_it(tmp_path: Path) -> None:
    raw = write_landing(tmp_path / "raw", {"shops": SHOPS, "messages": MESSAGES[:2]})
    proc = run_dbt(
        ["run", "--select", "stg_chat__shops"],
        raw_dir=raw,
        warehouse_path=tmp_path / "w.duckdb",
        as_of="yesterday",  # passed as CHAT_AS_OF
        check=False,
    )
    assert proc.returncode != 0
    assert "CHAT_AS_OF is 'yesterday', which is not an ISO-8601" in proc.stdout


def test_an_as_of_with_an_offset_is_honoured(csv_warehouse: Path, tmp_path: Path) -> None:
    """var as_of '2026-03-10T19:00:00+07:00' is the instant 2026-03-10 12:00 UTC (AS_OF, the
    module's build of the same folder, given as CHAT_AS_OF). The var wins over CHAT_AS_OF,
    which says a month earlier here."""
    raw = csv_warehouse.parent / "raw"
    build_warehouse(
        raw,
        tmp_path / "offset.duckdb",
        "2026-02-10 12:00:00",
        extra_vars={"as_of": "2026-03-10T19:00:00+07:00"},
        with_tests=False,
    )
    sql = "select * exclude (built_invocation_id) from marts.fct_chat_sessions order by session_id"
    offset = _query(tmp_path / "offset.duckdb", sql)
    assert len(offset) == 5
    assert offset == _query(csv_warehouse, sql)


def test_two_forms_of_one_table_are_refused(tmp_path: Path) -> None:
    raw = write_landing(tmp_path / "raw", {"shops": SHOPS, "messages": MESSAGES[:2]})
    (raw / "messages").mkdir()
    shutil.copy(raw / "messages.csv", raw / "messages" / "part.csv")
    proc = _run_hook_only(raw, tmp_path)
    assert proc.returncode != 0
    assert "is ambiguous" in proc.stdout


def test_every_model_and_column_is_documented(csv_warehouse: Path, tmp_path: Path) -> None:
    """`dbt docs generate` on the built warehouse: every model of this project and every column
    the warehouse actually has must carry a description in the YAML."""
    import json

    raw = csv_warehouse.parent / "raw"
    run_dbt(
        ["docs", "generate"],
        raw_dir=raw,
        warehouse_path=csv_warehouse,
        as_of=AS_OF,
        target_path=tmp_path / "docs",
    )
    manifest = json.loads((tmp_path / "docs" / "manifest.json").read_text())
    catalog = json.loads((tmp_path / "docs" / "catalog.json").read_text())
    missing = []
    for unique_id, node in manifest["nodes"].items():
        if (
            node["resource_type"] not in ("model", "seed")
            or node["package_name"] != "chat_warehouse"
        ):
            continue
        if not node.get("description"):
            missing.append(f"{node['name']}: no model description")
        described = {
            name.lower() for name, col in node["columns"].items() if col.get("description")
        }
        for column in catalog["nodes"].get(unique_id, {}).get("columns", {}):
            if column.lower() not in described:
                missing.append(f"{node['name']}.{column}")
    assert not missing, "undocumented:\n" + "\n".join(sorted(missing))
