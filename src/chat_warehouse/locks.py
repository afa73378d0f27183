"""Say in one line why a DuckDB warehouse file cannot be opened, instead of a traceback.

DuckDB allows one writer per file, and any open connection (even `read_only=True`) takes a
lock that blocks a writer. Its error names the process that holds the lock:

    IO Error: Could not set lock on file "/x/chat.duckdb": Conflicting lock is held in
    /usr/bin/python3.11 (PID 5018). See also https://duckdb.org/docs/stable/connect/concurrency

`lock_message` turns that into one sentence naming the file, the holder (with its command line
when /proc shows it) and what to do. dbt (through the dbt-duckdb plugin in
`chat_warehouse.duckdb_plugin`), the Make targets and the Dagster refresh all print it.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


class WarehouseLocked(RuntimeError):
    """The warehouse file is held by another process; the message says by whom and what to do."""


def is_lock_error(exc: BaseException) -> bool:
    """Is this DuckDB's "Conflicting lock is held" error?"""
    return isinstance(exc, duckdb.IOException) and "Conflicting lock" in str(exc)


def _command_line(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    parts = [p.decode(errors="replace") for p in raw.split(b"\0") if p]
    text = " ".join(" ".join(parts).split())
    return text if len(text) <= 160 else text[:157] + "..."


def holder_of(exc: BaseException) -> str:
    """The process DuckDB's lock error names, as `PID 5018 (python3.11 -c ...)`."""
    match = _HOLDER.search(str(exc))
    if not match:
        return "another process"
    pid = int(match.group("pid"))
    shown = _command_line(pid) or match.group("program")
    return f"PID {pid} ({shown})"


def lock_message(path: Path | str, exc: BaseException, *, role: str = "warehouse file") -> str:
    """One line: which file is locked, by which process, and what to do about it."""
    return (
        f"Cannot open the {role} {Path(path).resolve()}: it is held by {holder_of(exc)}. "
        "Another dbt build or Dagster refresh is running on it, or a notebook/BI tool has it "
        "open: wait for the build to finish, or close that connection "
        f"(`kill {_pid(exc)}` if it is stuck), then run again."
    )


def _pid(exc: BaseException) -> str:
    match = _HOLDER.search(str(exc))
    return match.group("pid") if match else "<pid>"


def connect_read_only(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a warehouse file; WarehouseLocked (one line) when a writer
    holds it."""
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if is_lock_error(exc):
            raise WarehouseLocked(lock_message(path, exc)) from None
        raise


def check_writable(path: Path | str, *, role: str = "warehouse file") -> None:
    """Raise WarehouseLocked (one clear line) when another process holds `path`.

    Opens the file for writing and closes it at once; a file that does not exist yet is not
    created (there is nothing to hold).
    """
    p = Path(path)
    if not p.exists():
        return
    try:
        duckdb.connect(str(p)).close()
    except duckdb.IOException as exc:
        if is_lock_error(exc):
            raise WarehouseLocked(lock_message(p, exc, role=role)) from None
        raise
