"""Great Expectations suites (expectations/suites/): clean data passes every suite, and a broken
landing table or a tampered mart fails the expectation that guards it, critically.

One small generated landing folder (no contract-breaking rows) and one warehouse built from it
are shared by the module; broken variants are derived from them with DuckDB.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from chat_warehouse.dbt_invoke import build_warehouse
from chat_warehouse.generator.cli import main as generate
from chat_warehouse.quality import (
    ALL_SUITES,
    EXPECTATIONS_DIR,
    LANDING_COLUMNS,
    MARTS,
    build_data_docs,
    load_suite,
    read_landing_table,
    read_mart,
    validate_landing,
    validate_mart,
)
from chat_warehouse.quality.cli import main as quality_cli
from chat_warehouse.quality.suites import read_suite_json, suite_path

pytestmark = pytest.mark.slow
DAY = dt.date(2026, 1, 20)


def _generate(out: Path, *extra: str) -> Path:
    assert generate(["--out", str(out), "--messages", "3000", "--bad-row-share", "0",
                     "--force", "--quiet", *extra]) == 0  # fmt: skip
    return out


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean Parquet landing folder (messages/ and conversation_actions/ are folders)."""
    return _generate(tmp_path_factory.mktemp("dq") / "raw")


@pytest.fixture(scope="module")
def warehouse(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dq_wh") / "chat.duckdb"
    as_of = json.loads((landing / "_manifest.json").read_text())["as_of"]
    build_warehouse(landing, path, as_of, with_tests=False)
    return path


def _names(failures: list[str]) -> str:
    return "\n".join(failures)


def test_suite_files_are_reviewable() -> None:
    """Every expectation says whether it is critical and why, consistently with GX severity."""
    for name in ALL_SUITES:
        data = read_suite_json(name)
        assert data["name"] == name
        text = suite_path(name).read_text(encoding="utf-8")
        canonical = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert text == canonical, (
            f"{name}: keep the JSON in canonical form (expectations/README.md)"
        )
        seen = set()
        for exp in data["expectations"]:
            meta = exp["meta"]
            assert isinstance(meta["critical"], bool) and len(meta["why"]) > 20, exp
            assert exp["severity"] == ("critical" if meta["critical"] else "warning"), exp
            assert meta["why"] in exp["notes"], exp
            key = (exp["type"], json.dumps(exp["kwargs"], sort_keys=True))
            assert key not in seen, f"duplicate expectation in {name}: {key}"
            seen.add(key)
        types = {(e["type"], e["meta"]["critical"]) for e in data["expectations"]}
        assert ("expect_table_columns_to_match_set", True) in types, name
        assert len(load_suite(name).expectations) == len(data["expectations"])


def test_clean_data_passes_every_suite(landing: Path, warehouse: Path) -> None:
    for table in LANDING_COLUMNS:
        result = validate_landing(landing, table)
        assert result.success and not result.warnings, (table, result.warnings)
        assert result.statistics["rows"] > 0, table
    for mart in MARTS:
        result = validate_mart(warehouse, mart)
        assert result.success and not result.warnings, (mart, result.critical_failures)


def test_clean_csv_landing_passes(tmp_path: Path) -> None:
    """CSV is read as text: timestamps, scores and amounts are parsed as staging parses them."""
    raw = _generate(tmp_path / "csv", "--format", "csv", "--messages", "800")
    frame = read_landing_table(raw, "session_ratings")
    assert set(frame.dtypes.astype(str)) == {"object"}
    for table in LANDING_COLUMNS:
        result = validate_landing(raw, table)
        assert result.success and not result.warnings, (table, result.warnings)


def test_day_slices(landing: Path, warehouse: Path) -> None:
    whole = read_landing_table(landing, "messages")
    day = read_landing_table(landing, "messages", day=DAY)
    assert 0 < len(day) < len(whole)
    assert day["created_at"].dt.date.eq(DAY).all()
    assert validate_landing(landing, "messages", day=DAY).statistics["rows"] == len(day)
    sessions = read_mart(warehouse, "fct_chat_sessions", day=DAY)
    assert len(sessions) > 0 and sessions["session_date"].dt.date.eq(DAY).all()
    assert validate_mart(warehouse, "fct_shop_daily", day=DAY).success


def _messages_variant(landing: Path, out: Path, select: str) -> Path:
    """A copy of the landing folder whose messages are `select` over the clean ones, as CSV."""
    shutil.copytree(landing, out)
    shutil.rmtree(out / "messages")
    con = duckdb.connect()
    con.execute(f"create view m as select * from read_parquet('{landing}/messages/*.parquet')")
    con.execute(f"copy ({select}) to '{out / 'messages.csv'}' (header, delimiter ',')")
    con.close()
    return out


ROW = "row_number() over (order by message_id)"
LANDING_CASES = [
    pytest.param(
        f"select * replace (case when {ROW} % 2 = 0 then null else message_id end as message_id)"
        " from m",
        "expect_column_values_to_not_be_null(column='message_id', mostly=0.99)",
        None,
        id="half_the_message_ids_null",
    ),
    pytest.param(
        f"select * replace (case when {ROW} % 5 <> 0 then 'MODERATOR' else sender_role end"
        " as sender_role) from m",
        "expect_column_values_to_match_regex(column='sender_role'",
        None,
        id="unknown_sender_role_in_most_rows",
    ),
    pytest.param(
        "select * replace (timestamp '1970-01-01' as created_at) from m",
        "expect_column_values_to_be_between(column='created_at__utc', min_value=",
        None,
        id="zero_epoch_clock",
    ),
    pytest.param(
        "select * exclude (created_at) from m",
        "expect_table_columns_to_match_set(",
        None,
        id="required_column_missing",
    ),
    pytest.param(
        f"select * replace (case when {ROW} = 7 then 'STICKER' else message_type end"
        " as message_type) from m",
        None,
        "expect_column_values_to_be_in_set(column='message_type'",
        id="one_quarantinable_row_is_a_warning",
    ),
    pytest.param(
        "select * replace (lower(sender_role) as sender_role) from m",
        None,
        "expect_column_values_to_be_in_set(column='sender_role'",
        id="lower_case_enum_is_a_warning",
    ),
]


@pytest.mark.parametrize(("select", "critical", "warning"), LANDING_CASES)
def test_broken_landing_messages(
    landing: Path, tmp_path: Path, select: str, critical: str | None, warning: str | None
) -> None:
    """A broken critical thing fails critically, naming the expectation; a few bad rows and
    lower-case enums (which staging accepts) are only warnings."""
    raw = _messages_variant(landing, tmp_path / "raw", select)
    result = validate_landing(raw, "messages")
    if critical:
        assert not result.success
        assert critical in _names(result.critical_failures), result.critical_failures
    else:
        assert result.success, result.critical_failures
        assert warning and warning in _names(result.warnings), result.warnings


def test_landing_tables_absent_or_unreadable(landing: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(landing, raw)
    (raw / "orders.parquet").unlink()
    (raw / "shops.parquet").unlink()
    (raw / "messages" / "part-00000.parquet").write_bytes(b"not parquet at all")
    orders = validate_landing(raw, "orders")
    assert orders.success and orders.statistics["rows"] == 0
    assert list(read_landing_table(raw, "orders").columns) == list(LANDING_COLUMNS["orders"])
    for table in ("shops", "messages"):
        result = validate_landing(raw, table)
        assert not result.success and "data readable" in result.critical_failures[0], table
    assert quality_cli(["validate", "--raw-dir", str(raw), "--warehouse", "missing.duckdb",
                        "--suite", "landing.shops", "-q"]) == 1  # fmt: skip


MART_CASES = [
    pytest.param(
        "fct_shop_daily",
        "update marts.fct_shop_daily set response_rate_24h = 1.5 where rowid = 3",
        "expect_column_values_to_be_between(column='response_rate_24h', max_value=1",
        id="rate_above_one",
    ),
    pytest.param(
        "fct_agent_daily",
        "update marts.fct_agent_daily set counted_sessions = counted_sessions + 1 where rowid = 5",
        "column_A='counted_sessions', column_B='check__counted_by_status'",
        id="counted_not_sum_of_statuses",
    ),
    pytest.param(
        "fct_chat_sessions",
        "update marts.fct_chat_sessions set response_status = 'ANSWERED' where rowid = 1",
        "expect_column_values_to_be_in_set(column='response_status'",
        id="unknown_response_status",
    ),
    pytest.param(
        "fct_chat_sessions",
        "update marts.fct_chat_sessions set is_counted_in_rate = true where is_excluded",
        "column='is_counted_in_rate', value_set=[False]) where is_excluded == True",
        id="excluded_session_counted",
    ),
    pytest.param(
        "fct_shop_daily",
        "delete from marts.fct_agent_daily where rowid = 0",
        "column_A='sessions', column_B='check__sessions_by_agents_and_unassigned'",
        id="shop_day_not_agents_plus_unassigned",
    ),
    pytest.param(
        "fct_shop_daily",
        "delete from marts.fct_shop_daily"
        " where session_date = (select min(session_date) + 3 from marts.fct_shop_daily)",
        "column='check__calendar_gap_days'",
        id="shop_calendar_gap",
    ),
]


@pytest.mark.parametrize(("mart", "tamper", "critical"), MART_CASES)
def test_tampered_marts_fail(
    warehouse: Path, tmp_path: Path, mart: str, tamper: str, critical: str
) -> None:
    """A copy of the warehouse, tampered with a writable connection, fails the expectation
    that guards what was broken (the clean warehouse passes: test_clean_data_passes...)."""
    copy = tmp_path / "tampered.duckdb"
    shutil.copyfile(warehouse, copy)
    con = duckdb.connect(str(copy))
    con.execute(tamper)
    con.close()
    result = validate_mart(copy, mart)
    assert not result.success
    assert critical in _names(result.critical_failures), result.critical_failures


def test_build_data_docs(landing: Path, warehouse: Path, tmp_path: Path) -> None:
    """Docs are built in a copy of expectations/ (the repository's stays untouched)."""
    root = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, root, ignore=shutil.ignore_patterns("uncommitted"))
    committed = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    index = build_data_docs(landing, warehouse, root_dir=root)
    assert index == root / "uncommitted" / "data_docs" / "local_site" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert "landing.messages" in html and "marts.fct_shop_daily" in html
    assert {p: p.read_bytes() for p in committed} == committed, "docs run rewrote a committed file"
