"""A reader in another process holding a DuckDB file open (as a notebook or BI tool would).

DuckDB's locks are per process: a connection opened by the test process itself does not block
the test's own in-process writers, so a reader that must block (or must not block) a build
has to live in another process.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("ready", flush=True)
for line in sys.stdin:
    query = line.strip()
    if not query:
        continue
    try:
        print(repr(con.execute(query).fetchall()), flush=True)
    except Exception as exc:  # report, keep holding
        print("error: " + str(exc).replace("\\n", " "), flush=True)
"""


class Holder:
    """A process holding a DuckDB file open; `query` runs SQL on its (old) connection."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.pid = proc.pid

    def query(self, sql: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(sql.replace("\n", " ") + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()


@contextmanager
def holding_open(path: Path, *, read_only: bool = True) -> Iterator[Holder]:
    """Hold `path` open in another process for the duration of the block."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path), "ro" if read_only else "rw"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline().strip()
        assert ready == "ready", f"the reader could not open {path}: {ready!r}"
        yield Holder(proc)
    finally:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=30)
