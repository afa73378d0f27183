"""Published marts that readers can hold: where the working file is, and the atomic swap.

`CHAT_WAREHOUSE_PATH` is the *published* DuckDB file: what dashboards, notebooks and BI tools
open, read-only. No build ever writes it in place. dbt works in a private *working file* beside
it (`<published>.work`, or `CHAT_WORK_PATH`), which holds every layer and the incremental
state. When a `dbt build` ends with no error and no failed test, its on-run-end hook
(`macros/publish.sql`) copies the reader-facing schemas (marts, audit, reference) into a new
file `<published>.publishing` and swaps it in with `replace_file` (an atomic `os.replace`). A
reader that holds the published file keeps the version it opened (the old inode) and sees the
new build when it reconnects; a failed build publishes nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

DEFAULT_PUBLISHED = "warehouse/chat.duckdb"
# The schemas a published file holds: what readers need, never the incremental state.
PUBLISHED_SCHEMAS = ("marts", "audit", "reference")


def published_path(env: dict[str, str] | None = None) -> Path:
    """The published warehouse file (`CHAT_WAREHOUSE_PATH`)."""
    source = os.environ if env is None else env
    return Path(source.get("CHAT_WAREHOUSE_PATH") or DEFAULT_PUBLISHED)


def working_path(published: Path | str, env: dict[str, str] | None = None) -> Path:
    """The private working file dbt builds in (as profiles.yml derives it)."""
    source = os.environ if env is None else env
    explicit = source.get("CHAT_WORK_PATH")
    return Path(explicit) if explicit else Path(str(published) + ".work")


def publishing_path(published: Path | str) -> Path:
    """The file a build writes its publication to before the swap."""
    return Path(str(published) + ".publishing")


def remove_file(path: str) -> str:
    """Remove a stale publication (and its write-ahead log); returns the path."""
    for stale in (Path(path), Path(path + ".wal")):
        stale.unlink(missing_ok=True)
    return path


def copy_file(source: str, destination: str) -> str:
    """Copy the published file to start an incremental publication from it (the kernel copies:
    copy_file_range, or a reflink on filesystems that have them); returns the destination."""
    remove_file(destination)
    shutil.copyfile(source, destination)
    return destination


def replace_file(source: str, destination: str) -> str:
    """Atomically put `source` in place of `destination` (fsync first, so a crash leaves the old
    or the new file, never a torn one); returns the destination."""
    src, dst = Path(source), Path(destination)
    if Path(source + ".wal").exists():
        raise RuntimeError(f"{src} still has a write-ahead log; not publishing it")
    with open(src, "rb") as handle:
        os.fsync(handle.fileno())
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)
    directory = os.open(dst.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return str(dst)
