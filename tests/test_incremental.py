"""Incremental refresh equals a full build (issue: Dagster orchestration, item 2).

Generated landing data arrives day by day, some rows up to 72 hours late; after each day the
same warehouse is refreshed incrementally (as_of = the day's end). Every mart must then equal
a full build of the final landing folder at the same as_of.

Both builds use session_expiry_hours = 48 so that the lookback (expiry + late_arrival_hours =
120 h) is shorter than the data, and later refreshes really skip old conversations.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from chat_warehouse.dbt_invoke import build_warehouse
from chat_warehouse.publish import working_path

DAYS = 8
VARS = {"session_expiry_hours": 48, "late_arrival_hours": 72}
START = datetime(2026, 1, 1)
MARTS = ["fct_chat_sessions", "fct_agent_daily", "fct_shop_daily", "fct_sessions_at_risk"]

# landing table → the column that says when a row is stamped (its arrival is that + a delay)
STAMP = {
    "messages": "created_at",
    "conversation_actions": "updated_at",
    "shop_holiday_periods": "updated_at",
    "session_ratings": "rated_at",
    "orders": "created_at",
}
ALWAYS_THERE = ["shops", "agents"]


def _land_until(source: Path, raw: Path, arrived_by: datetime) -> None:
    """Write the landing folder as it is at `arrived_by`: every row whose arrival is by then.

    One row in eight arrives late, by up to 72 hours (chosen by a hash of the row, so the
    same row is late in every call); rows whose stamp cannot be parsed arrive on time."""
    raw.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for table in ALWAYS_THERE:
        con.execute(
            f"copy (select * from read_csv('{source}/{table}.csv', all_varchar = true)) "
            f"to '{raw}/{table}.csv' (header, force_quote *)"
        )
    for table, stamp in STAMP.items():
        con.execute(
            f"""
            copy (
                select * exclude (_arrival)
                from (
                    select
                        *,
                        coalesce(try_cast({stamp} as timestamptz), timestamptz '2000-01-01')
                        + case when hash(to_json(t)) % 8 = 0
                            then to_hours(cast(hash(to_json(t)) % 73 as bigint))
                            else interval 0 hour end as _arrival
                    from read_csv('{source}/{table}.csv', all_varchar = true) as t
                )
                where _arrival <= timestamptz '{arrived_by:%Y-%m-%d %H:%M:%S}+00'
            ) to '{raw}/{table}.csv' (header, force_quote *)
            """
        )
    con.close()


def _mart_rows(path: Path, mart: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        columns = [r[0] for r in con.execute(f"describe marts.{mart}").fetchall()]
        keep = ", ".join(c for c in columns if c not in ("as_of_at",))
        return con.execute(f"select {keep} from marts.{mart} order by all").fetchall()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "landing"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "chat_warehouse.generator",
            "--out",
            str(out),
            "--messages",
            "3000",
            "--days",
            str(DAYS),
            "--shops",
            "3",
            "--format",
            "csv",
            "--seed",
            "11",
            "--bad-row-share",
            "0.01",
            "--quiet",
            "--force",
        ],
        check=True,
    )
    return out


def test_day_by_day_incremental_refresh_equals_full_build(generated: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    incremental = tmp_path / "incremental.duckdb"
    as_of = START
    for day in range(1, DAYS + 2):  # one extra day: late rows of the last day land
        as_of = START + timedelta(days=day)
        _land_until(generated, raw, as_of)
        build_warehouse(
            raw, incremental, as_of.strftime("%Y-%m-%d %H:%M:%S"), with_tests=False, extra_vars=VARS
        )
    with duckdb.connect(str(working_path(incremental, env={})), read_only=True) as con:
        built = con.execute(
            "select count(distinct built_invocation_id) "
            "from intermediate.int_conversation_events_sessionized"
        ).fetchone()[0]
    assert built > 1, "the refreshes did not run incrementally (every row rewritten each time)"

    full = tmp_path / "full.duckdb"
    build_warehouse(
        raw, full, as_of.strftime("%Y-%m-%d %H:%M:%S"), with_tests=False, extra_vars=VARS
    )
    for mart in MARTS:
        got, want = _mart_rows(incremental, mart), _mart_rows(full, mart)
        assert len(got) == len(want), f"{mart}: {len(got)} rows incrementally, {len(want)} in full"
        assert got == want, f"{mart} differs between incremental refreshes and a full build"
    assert len(_mart_rows(full, "fct_chat_sessions")) > 200
