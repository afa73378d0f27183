"""One writer, many readers: every refresh builds in the private working file and dbt itself
publishes the result (macros/publish.sql) when the build and its tests passed.

DuckDB allows one writer per file, and a reader holding a file blocks a writer. So no build
writes the published file (`CHAT_WAREHOUSE_PATH`, what dashboards hold): dbt works in
`<published>.work` (chat_warehouse.publish), which keeps the incremental state between
refreshes and is never copied, and its on-run-end hook swaps a fresh publication in with an
atomic `os.replace`. A reader keeps the version it opened until it reconnects; a failed build
publishes nothing. The refresh adds a writer lock (one refresh at a time, `<published>.lock`)
and checks that no other process holds the working file, so a clash ends in one clear line.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from chat_warehouse.locks import WarehouseLocked, check_writable
from chat_warehouse.publish import working_path
from orchestration.defs.dbt.project import REPO_ROOT


def _resolve(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else (REPO_ROOT / p)


@contextmanager
def writer_lock(published: Path, *, timeout_s: float = 3600, log=None) -> Iterator[None]:
    """Hold the warehouse's writer lock (`<file>.lock`), waiting for another refresh to end."""
    published.parent.mkdir(parents=True, exist_ok=True)
    lock_path = published.with_name(published.name + ".lock")
    with open(lock_path, "w") as handle:
        deadline = time.monotonic() + timeout_s
        waited = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise dg.Failure(f"another refresh has held {lock_path} for {timeout_s:.0f}s")
                if log and not waited:
                    log.info(f"waiting for the warehouse writer lock {lock_path}")
                waited = True
                time.sleep(1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def exclusive_build(published: Path, *, log=None) -> Iterator[Path]:
    """Take the writer lock and yield the working file dbt builds in; fail in one line when
    another process (a `dbt build` run by hand, a notebook) holds the working file."""
    with writer_lock(published, log=log):
        work = working_path(published, env={})
        try:
            check_writable(work, role="warehouse working file")
        except WarehouseLocked as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        yield work


class WarehouseResource(dg.ConfigurableResource):
    """Where the landing folder is and where the published warehouse lives (contract.md)."""

    raw_dir: str = "data/demo"
    warehouse_path: str = "warehouse/chat.duckdb"

    @property
    def raw_path(self) -> Path:
        return _resolve(self.raw_dir)

    @property
    def published_path(self) -> Path:
        return _resolve(self.warehouse_path)
