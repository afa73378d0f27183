"""Published marts that readers can hold (spec/contract.md, CHAT_WAREHOUSE_PATH).

A plain `dbt build` works in the private working file and publishes the reader-facing schemas
atomically when the build and its tests pass. Readers (other processes, as notebooks and BI
tools are) hold the published file open throughout: the build never waits for them, they keep
the version they opened, and they see the new build when they reconnect. A failed build leaves
the published file as it was.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from chat_warehouse.dbt_invoke import build_warehouse, run_dbt
from chat_warehouse.publish import publishing_path, working_path
from tests.landing import message_row, write_landing
from tests.readers import holding_open

pytestmark = pytest.mark.slow

AS_OF = "2026-03-10 12:00:00"
SHOPS = [{"shop_id": "S1", "platform": "TIKTOK_SHOP", "shop_name": "One", "timezone": "UTC"}]
COUNT = "select count(*) from marts.fct_chat_sessions"


def _messages(conversations: int) -> list[dict]:
    """`conversations` answered conversations, plus one the buyer has waited 21 h in (at risk)."""
    rows = []
    for i in range(conversations):
        rows.append(
            message_row(f"m{i}b", f"c{i}", "S1", "BUYER", f"b{i}", "TEXT", "2026-03-01T10:00:00Z")
        )
        rows.append(
            message_row(f"m{i}r", f"c{i}", "S1", "SHOP", "a1", "TEXT", "2026-03-01T11:00:00Z")
        )
    rows.append(message_row("w1", "cw", "S1", "BUYER", "bw", "TEXT", "2026-03-09T15:00:00Z"))
    return rows


def _land(raw: Path, conversations: int) -> Path:
    return write_landing(raw, {"shops": SHOPS, "messages": _messages(conversations)})


def _count(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(COUNT).fetchone()[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """One build of two conversations; the tests below then land three more (they run in file
    order and each leaves the published file with 3 or 6 sessions, as they expect)."""
    tmp_path = tmp_path_factory.mktemp("publish")
    raw = _land(tmp_path / "raw", 2)
    warehouse = tmp_path / "wh" / "chat.duckdb"
    build_warehouse(raw, warehouse, AS_OF)
    return raw, warehouse


def test_the_published_file_holds_what_readers_need_and_no_build_state(built) -> None:
    _raw, warehouse = built
    assert _count(warehouse) == 3
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = set(
            con.sql("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
        )
        build = con.execute(
            "select as_of, models_built, tests_passed from audit.published_build"
        ).fetchone()
        described = con.execute(
            "select count(*) from duckdb_columns() where schema_name = 'marts' and comment is null"
        ).fetchone()[0]
    names = {t[0] for t in tables}
    assert {"marts.fct_chat_sessions", "marts.fct_shop_daily", "marts.dim_shops"} <= names
    assert {
        "audit.quarantined_rows",
        "audit.row_reconciliation",
        "reference.response_statuses",
    } <= names
    assert not any(n.startswith(("staging.", "intermediate.", "landing.")) for n in names)
    assert str(build[0]) == "2026-03-10 12:00:00" and build[1] > 20 and build[2] > 50
    assert described == 0  # the YAML descriptions travel with the tables
    assert working_path(warehouse, env={}).exists() and not publishing_path(warehouse).exists()


def _storage_version(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select tags['storage_version'] from duckdb_databases() "
            "where database_name = current_database()"
        ).fetchone()[0]


def test_the_build_writes_duckdbs_newest_storage_format(built) -> None:
    """profiles.yml's config_options: the working file and the published file are both in the
    format of the DuckDB that wrote them (faster to write than the v1.0 default)."""
    _raw, warehouse = built
    newest = f"v{'.'.join(duckdb.__version__.split('.')[:2])}.0+"
    assert _storage_version(working_path(warehouse, env={})) == newest
    assert _storage_version(warehouse) == newest


def test_a_failed_build_publishes_nothing(built) -> None:
    raw, warehouse = built
    before = warehouse.read_bytes()
    _land(raw, 5)
    with holding_open(warehouse) as notebook:
        # the at-risk warning becomes an error: the models are built, a test fails
        proc = run_dbt(
            ["build", "--exclude-resource-type", "unit_test", "--warn-error"],
            raw_dir=raw,
            warehouse_path=warehouse,
            as_of=AS_OF,
            check=False,
        )
        assert proc.returncode != 0
        assert "Not published: 1 node(s) failed (is_empty_fct_sessions_at_risk_)" in proc.stdout
        assert notebook.query(COUNT) == "[(3,)]"
    assert warehouse.read_bytes() == before
    with duckdb.connect(str(working_path(warehouse, env={})), read_only=True) as con:
        assert con.execute(COUNT).fetchone()[0] == 6  # built in the working file only
    assert not publishing_path(warehouse).exists()


def test_dbt_run_does_not_publish(built) -> None:
    raw, warehouse = built
    before = warehouse.read_bytes()
    _land(raw, 5)
    proc = run_dbt(["run"], raw_dir=raw, warehouse_path=warehouse, as_of=AS_OF)
    assert "Not published: `dbt run` does not build and test everything" in proc.stdout
    assert warehouse.read_bytes() == before


def test_dbt_build_succeeds_while_readers_hold_the_published_file(built) -> None:
    raw, warehouse = built
    _land(raw, 5)  # the next delivery: three more conversations
    with holding_open(warehouse) as notebook, holding_open(warehouse) as dashboard:
        assert notebook.query(COUNT) == "[(3,)]"
        proc = build_warehouse(raw, warehouse, AS_OF)
        assert "Published" in proc.stdout
        # the readers keep the version they opened: never a half-built state
        assert notebook.query(COUNT) == "[(3,)]"
        assert dashboard.query(COUNT) == "[(3,)]"
    assert _count(warehouse) == 6  # reconnected: the new build
