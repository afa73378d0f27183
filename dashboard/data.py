"""Read-only access to the published warehouse, and a result cache that follows publications.

The dashboard reads only the published file (`CHAT_WAREHOUSE_PATH`, default
`warehouse/chat.duckdb`), never the builder's `.work` file. A build publishes by renaming a new
file over the published one (README, "Readers never block a build"), so a reader holding the
old file blocks nothing and keeps a consistent version. Here:

- one read-only connection per *version* of the file (its inode, mtime and size); every query
  runs on its own cursor (DuckDB's way to share a database across threads, and Streamlit runs
  each browser session in a thread). When the file changes, the next query opens the new file;
  the old connection is dropped, and DuckDB closes it when its last cursor is done.
- results are cached (`st.cache_data`) under the file version, the SQL text and its
  parameters: a repeated view costs nothing, and a new publication is a new cache key, so
  nobody sees a stale figure after a build.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboard import warehouse
from dashboard.warehouse import Sql, missing_message, run, warehouse_path

__all__ = ["Sql", "WarehouseMissing", "file_version", "load", "query", "run"]


class WarehouseMissing(RuntimeError):
    """The published warehouse file does not exist (yet)."""


# (resolved path, inode, mtime in ns, size): changes whenever a build publishes.
FileVersion = tuple[str, int, int, int]


def file_version(path: Path | None = None) -> FileVersion:
    """The current version of the published file; WarehouseMissing when there is none."""
    path = path or warehouse_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise WarehouseMissing(missing_message(path)) from None
    return (str(path.resolve()), stat.st_ino, stat.st_mtime_ns, stat.st_size)


_lock = threading.Lock()
_open: tuple[FileVersion, duckdb.DuckDBPyConnection] | None = None


def cursor(version: FileVersion) -> duckdb.DuckDBPyConnection:
    """A new cursor on the read-only connection of this file version (opened when needed)."""
    global _open
    with _lock:
        if _open is None or _open[0] != version:
            _open = (version, warehouse.open_read_only(version[0]))
        return warehouse.cursor(_open[1])


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(version: FileVersion, text: str, params: tuple[Any, ...]) -> pd.DataFrame:
    cur = cursor(version)
    try:
        return run(cur, Sql(text, params))
    finally:
        cur.close()


def query(sql: Sql) -> pd.DataFrame:
    """Rows of a statement on the published warehouse, cached per published version."""
    return _cached(file_version(), sql.text, tuple(sql.params))


def load(bundle: dict[str, Sql]) -> dict[str, pd.DataFrame]:
    """Run every statement of a page's bundle (queries.py); same keys, DataFrames as values."""
    return {name: query(sql) for name, sql in bundle.items()}
