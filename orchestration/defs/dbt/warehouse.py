"""One writer, many readers: build into a private copy, then publish it atomically.

DuckDB allows one writer per file, and a reader holding the file would block a writer. So a
refresh never writes the published file. It takes the writer lock (one refresh at a time),
copies the published file to `<file>.building` (incremental models need the previous state),
runs dbt against the copy, and on success swaps it in with `os.replace`, which is atomic on
POSIX. A dashboard or notebook that has the published file open read-only keeps reading the
old version until it reconnects; it never sees a half-built state and never blocks the refresh.
A failed build leaves the published file untouched.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

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
def build_then_publish(published: Path, *, full_refresh: bool = False, log=None) -> Iterator[Path]:
    """Yield a private copy of the warehouse to build into; publish it atomically on success."""
    with writer_lock(published, log=log):
        building = published.with_name(published.name + ".building")
        for stale in (building, building.with_name(building.name + ".wal")):
            stale.unlink(missing_ok=True)
        if published.exists() and not full_refresh:
            shutil.copy2(published, building)
        try:
            yield building
        except BaseException:
            building.unlink(missing_ok=True)
            raise
        wal = building.with_name(building.name + ".wal")
        if wal.exists():
            raise dg.Failure(f"{building} still has a write-ahead log; not publishing it")
        os.replace(building, published)
        if log:
            log.info(f"published {published}")


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
