"""The published warehouse without Streamlit: where it is, a parameterised statement, and how
one runs. The launcher, the benchmark and the queries use this; data.py adds the app's cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd

from chat_warehouse.locks import WarehouseLocked, is_lock_error, lock_message

DEFAULT_WAREHOUSE = "warehouse/chat.duckdb"
MISSING_HINT = "run `make demo` or `dbt build` first"


class Sql(NamedTuple):
    """One parameterised statement: DuckDB SQL with `?` placeholders and their values."""

    text: str
    params: tuple[Any, ...] = ()


def warehouse_path() -> Path:
    """The published warehouse the dashboard reads (`CHAT_WAREHOUSE_PATH`)."""
    return Path(os.environ.get("CHAT_WAREHOUSE_PATH") or DEFAULT_WAREHOUSE)


def missing_message(path: Path) -> str:
    """The one line shown when there is nothing published to read."""
    return f"No published warehouse at {path}: {MISSING_HINT}."


def open_read_only(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A connection that reads the published file at `path` as it is now, read-only.

    The file is attached to a fresh in-memory database rather than opened with
    `duckdb.connect(path)`: DuckDB reuses an instance already open on the same path in the
    process, which would keep serving the replaced file after a new publication. Cursors of
    this connection must run `USE wh` (see `cursor`). WarehouseLocked (one line) when a writer
    holds the file."""
    con = duckdb.connect(":memory:")
    literal = str(path).replace("'", "''")
    try:
        con.execute(f"attach '{literal}' as wh (read_only)")
    except duckdb.IOException as exc:
        con.close()
        if is_lock_error(exc):
            raise WarehouseLocked(lock_message(path, exc)) from None
        raise
    con.execute("use wh")
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new cursor (for another thread) on a connection of `open_read_only`."""
    cur = con.cursor()
    cur.execute("use wh")
    return cur


def run(con: duckdb.DuckDBPyConnection, sql: Sql) -> pd.DataFrame:
    """Execute one statement on a connection (no cache) and return its rows."""
    return con.execute(sql.text, list(sql.params)).df()
