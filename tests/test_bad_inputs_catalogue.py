"""The catalogue of bad inputs (tests/bad_inputs/; docs/when-the-data-is-wrong.md).

Row-level cases share one landing folder, built once with `dbt build` (data tests included, so
the build itself must pass): each case asserts exactly which of its rows are quarantined with
which rule, which collapse as duplicates, what its sessions look like in the marts, and that
the known good conversation is untouched. `audit.row_reconciliation` must balance and every
quarantined row must belong to a case.

Stop-the-build cases each get a small landing folder and one `dbt run` of a single model: the
on-run-start hook fails before any model runs. They run one after another on one warehouse
file, in the pytest worker on the manifest it has parsed (chat_warehouse.dbt_invoke), so each
costs the hook's 2-5 s rather than a dbt start-up and a parse besides.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from chat_warehouse.dbt_invoke import build_warehouse, run_dbt
from chat_warehouse.publish import working_path
from chat_warehouse.quality import read_landing_table
from tests.bad_inputs import (
    AS_OF,
    CASES,
    GOOD_CONVERSATION,
    GOOD_SESSION,
    LINE,
    STOP_CASES,
    Case,
    StopCase,
    good_rows,
    write_catalogue_landing,
    write_csv,
    write_small_landing,
)
from tests.landing import CONTRACT_COLUMNS

pytestmark = pytest.mark.slow

# landing table -> (base model, key column), as macros/landing/landing_tables.sql
BASE = {
    "shops": ("base_chat__shops", "shop_id"),
    "messages": ("base_chat__messages", "message_id"),
    "conversation_actions": ("base_chat__conversation_actions", "action_id"),
    "shop_holiday_periods": ("base_chat__shop_holiday_periods", "period_id"),
    "agents": ("base_chat__agents", "agent_id"),
    "session_ratings": ("base_chat__session_ratings", "rating_id"),
    "orders": ("base_chat__orders", "order_id"),
}


def _query(path: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a query on a warehouse opened read-only, as dicts."""
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _mentions(raw_row: str, case_id: str) -> bool:
    """Does a quarantined raw row carry an id of this case (`<case id>.<name>`)?"""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(case_id)}\.", raw_row) is not None


@dataclass
class Catalogue:
    """The warehouse built on the catalogue folder, with what the tests read from it."""

    path: Path
    work_path: Path
    raw_dir: Path
    line_keys: dict[tuple[str, str], str]
    quarantined: list[dict[str, Any]]
    sessions: dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    """Write every row-level case into one landing folder and `dbt build` it once."""
    root = tmp_path_factory.mktemp("bad_inputs")
    line_keys = write_catalogue_landing(root / "raw", CASES)
    build_warehouse(root / "raw", root / "wh.duckdb", AS_OF)
    sessions: dict[str, list[dict[str, Any]]] = {}
    sql = "select * from marts.fct_chat_sessions order by conversation_id, started_at"
    for row in _query(root / "wh.duckdb", sql):
        sessions.setdefault(row["conversation_id"], []).append(row)
    return Catalogue(
        path=root / "wh.duckdb",
        work_path=working_path(root / "wh.duckdb", env={}),
        raw_dir=root / "raw",
        line_keys=line_keys,
        quarantined=_query(root / "wh.duckdb", "select * from audit.quarantined_rows"),
        sessions=sessions,
    )


def _expected_quarantine(case: Case, catalogue: Catalogue) -> Counter:
    return Counter(
        (table, rule, catalogue.line_keys[(case.id, table)] if key == LINE else key)
        for table, rule, key in case.quarantined
    )


def _assert_sessions(actual: list[dict[str, Any]], expected: list[dict[str, Any]], what: str):
    assert len(actual) == len(expected), (
        f"{what}: {len(actual)} session(s), expected {len(expected)}"
    )
    for got, want in zip(actual, expected, strict=True):
        assert {k: got[k] for k in want} == want, what


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_row_level_case(case: Case, catalogue: Catalogue) -> None:
    """The case's bad rows, and only they, are quarantined with the rule named; the rest of its
    rows reach the marts as metrics.md says; the good conversation is untouched."""
    got = Counter(
        (r["source_table"], r["rule"], r["row_key"])
        for r in catalogue.quarantined
        if _mentions(r["raw_row"], case.id)
    )
    assert got == _expected_quarantine(case, catalogue)

    for table, key in set(case.collapsed):
        base, key_column = BASE[table]
        rows = _query(
            catalogue.work_path,  # the staging layer lives in the working file only
            f"select count(*) as n from staging.{base} "
            f"where {key_column} = ? and is_collapsed_duplicate",
            [key],
        )
        assert rows[0]["n"] == case.collapsed.count((table, key)), f"collapsed {table} {key}"

    for conversation_id, expected in case.sessions.items():
        _assert_sessions(
            catalogue.sessions.get(conversation_id, []), list(expected), conversation_id
        )

    for sql, expected_rows in case.checks:  # may read any layer: the working file has them all
        with duckdb.connect(str(catalogue.work_path), read_only=True) as con:
            assert con.execute(sql).fetchall() == expected_rows, sql

    _assert_sessions(catalogue.sessions.get(GOOD_CONVERSATION, []), [GOOD_SESSION], "good")


def test_every_quarantined_row_belongs_to_a_case(catalogue: Catalogue) -> None:
    """Nothing is quarantined that no case expects (the good rows stay clean)."""
    strays = [
        r for r in catalogue.quarantined if not any(_mentions(r["raw_row"], c.id) for c in CASES)
    ]
    assert strays == []
    expected = sum(len(c.quarantined) for c in CASES)
    assert len(catalogue.quarantined) == expected


def test_row_reconciliation_balances_for_every_table(catalogue: Catalogue) -> None:
    """raw = clean + quarantined + collapsed, per table; malformed CSV lines count as raw."""
    recon = {
        r["source_table"]: r
        for r in _query(catalogue.path, "select * from audit.row_reconciliation")
    }
    assert set(recon) == set(CONTRACT_COLUMNS)
    for table, r in recon.items():
        assert r["raw_rows"] == (
            r["clean_rows"] + r["quarantined_rows"] + r["collapsed_duplicate_rows"]
        ), table
    expected_raw = Counter({t: len(rows) for t, rows in good_rows().items()})
    for case in CASES:
        for table, rows in case.rows.items():
            expected_raw[table] += len(rows)
        for file in case.files:
            expected_raw[file.table] += file.raw_rows
    expected_raw["agents"] += 1  # agents/part-3.csv (agent a1, columns reordered)
    assert {t: r["raw_rows"] for t, r in recon.items()} == dict(expected_raw)


def test_rejected_lines_keep_the_line_as_landed(catalogue: Catalogue) -> None:
    """A malformed line's raw_row holds the line itself, its file and line number."""
    rows = [r for r in catalogue.quarantined if _mentions(r["raw_row"], "too_many_columns")]
    assert len(rows) == 1
    assert '"csv_line":"too_many_columns.m3,too_many_columns.c,S1,BUYER' in rows[0]["raw_row"]
    assert '"error_type":"TOO MANY COLUMNS"' in rows[0]["raw_row"]
    assert rows[0]["source_file"].endswith("messages.csv")


@pytest.mark.parametrize("table", list(CONTRACT_COLUMNS))
def test_quality_reader_reads_what_the_build_reads(table: str, catalogue: Catalogue) -> None:
    """The Great Expectations reader (chat_warehouse.quality.read_landing_table) holds exactly
    the rows of the build's landing view: every raw row but the CSV lines quarantined as
    csv_*, none dropped, none added."""
    columns = CONTRACT_COLUMNS[table]
    frame = read_landing_table(catalogue.raw_dir, table)
    assert list(frame.columns) == columns
    with duckdb.connect(str(catalogue.work_path), read_only=True) as con:
        built = con.execute(f"select {', '.join(columns)} from landing.{table}").fetchall()
        raw_rows, rejected = con.execute(
            "select raw_rows, (select count(*) from staging.base_chat__rejected_lines as r "
            "where r.source_table = a.source_table) from audit.row_reconciliation as a "
            "where source_table = ?",
            [table],
        ).fetchone()
    read = [tuple(None if v is None else str(v) for v in row) for row in frame.itertuples(False)]
    assert len(read) == len(built) == raw_rows - rejected
    assert sorted(read, key=repr) == sorted(built, key=repr)


# --------------------------------------------------------------------------- stop the build


@dataclass
class HookSeries:
    """The results of the stop-the-build cases and of the absent/header-only build."""

    warehouse: Path
    results: dict[str, dict[str, Any]]
    output: str


ABSENT_AND_HEADER_ONLY = "absent_optional_tables_and_header_only_table"


def _absent_and_header_only_landing(raw: Path) -> None:
    """shops and messages only (the good conversation); shop_holiday_periods header-only; every
    optional table absent."""
    rows = good_rows()
    for table in ("shops", "messages"):
        write_csv(raw / f"{table}.csv", CONTRACT_COLUMNS[table], rows[table])
    write_csv(raw / "shop_holiday_periods.csv", CONTRACT_COLUMNS["shop_holiday_periods"], [])


@pytest.fixture(scope="module")
def hook_series(tmp_path_factory: pytest.TempPathFactory) -> HookSeries:
    """Every stop-the-build case as `dbt run --select stg_chat__shops` (the on-run-start hook
    fails first), then the absent/header-only folder as a run of the staging, audit and session
    models, all on one working file: in the pytest worker, dbt runs in-process on the
    manifest it parsed for that file name (chat_warehouse.dbt_invoke), so each case costs the
    hook's 2-5 s, not a dbt start-up and a parse besides."""
    root = tmp_path_factory.mktemp("stop_the_build")
    warehouse = root / "wh.duckdb"
    jobs = []
    for case in STOP_CASES:
        raw = write_small_landing(root / case.id)
        case.mutate(raw)
        jobs.append((case.id, raw, ["run", "--select", "stg_chat__shops"]))
    raw = root / ABSENT_AND_HEADER_ONLY
    _absent_and_header_only_landing(raw)
    jobs.append(
        (
            ABSENT_AND_HEADER_ONLY,
            raw,
            ["run", "--select", "+fct_chat_sessions", "+row_reconciliation"],
        )
    )
    results, output = {}, []
    for name, raw, args in jobs:
        proc = run_dbt(args, raw_dir=raw, warehouse_path=warehouse, as_of=AS_OF, check=False)
        results[name] = {"success": proc.returncode == 0, "error": proc.stdout}
        output.append(proc.stdout)
    # `dbt run` publishes nothing: the series reads the working file
    return HookSeries(working_path(warehouse, env={}), results, "\n".join(output))


@pytest.mark.parametrize("case", STOP_CASES, ids=[c.id for c in STOP_CASES])
def test_stop_the_build_case(case: StopCase, hook_series: HookSeries) -> None:
    """The on-run-start hook stops the build before any model runs, naming the file or table
    and the problem."""
    result = hook_series.results[case.id]
    assert not result["success"]
    assert "on-run-start" in result["error"], result["error"]
    for text in case.expect:
        assert text in result["error"], f"{text!r} not in:\n{result['error']}"


def test_absent_optional_tables_and_a_header_only_table_build(hook_series: HookSeries) -> None:
    """Absent optional tables read as empty and a header-only file is a valid empty table:
    the build succeeds and the good conversation's session is as metrics.md says."""
    result = hook_series.results[ABSENT_AND_HEADER_ONLY]
    assert result["success"], result["error"] + hook_series.output[-3000:]
    recon = _query(hook_series.warehouse, "select * from audit.row_reconciliation")
    assert {r["source_table"]: r["raw_rows"] for r in recon} == {
        "shops": 2,
        "messages": 3,
        "shop_holiday_periods": 0,
        "conversation_actions": 0,
        "agents": 0,
        "session_ratings": 0,
        "orders": 0,
    }
    sessions = _query(hook_series.warehouse, "select * from marts.fct_chat_sessions")
    _assert_sessions(
        sessions, [{**GOOD_SESSION, "rating_score": None, "attributed_order_count": 0}], "good"
    )
