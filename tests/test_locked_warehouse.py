"""A build that cannot open the warehouse says why in one line (no traceback): the file, the
process holding it (DuckDB's error names its PID) and what to do."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from chat_warehouse import dbt_invoke
from chat_warehouse.dbt_invoke import PROJECT_DIR, run_dbt
from chat_warehouse.locks import lock_message
from chat_warehouse.publish import working_path
from tests.landing import write_landing

pytestmark = pytest.mark.slow


def test_dbt_build_on_a_locked_warehouse_prints_one_clear_line(tmp_path, monkeypatch) -> None:
    # the lock is another process's: dbt runs in its own process here, as from the shell
    monkeypatch.setattr(dbt_invoke, "IN_PROCESS", False)
    raw = write_landing(tmp_path / "raw", {})
    warehouse = tmp_path / "chat.duckdb"
    work = working_path(warehouse, env={})
    # another build (or a notebook that opened the working file) holds it
    with duckdb.connect(str(work)):
        proc = run_dbt(
            ["build", "--exclude-resource-type", "unit_test"],
            raw_dir=raw,
            warehouse_path=warehouse,
            as_of="2026-03-10 12:00:00",
            check=False,
        )
    out = proc.stdout
    assert proc.returncode != 0
    assert f"Cannot open the warehouse working file {work.resolve()}" in out, out[-3000:]
    assert f"it is held by PID {os.getpid()}" in out, out[-3000:]
    assert "wait for the build to finish, or close that connection" in out
    assert "Traceback" not in out and "_duckdb.IOException" not in out, out[-3000:]


def test_summary_on_a_locked_warehouse_prints_one_clear_line(tmp_path) -> None:
    warehouse = tmp_path / "chat.duckdb"
    with duckdb.connect(str(warehouse)):
        proc = subprocess.run(
            [sys.executable, "-m", "chat_warehouse.summary", "--warehouse", str(warehouse)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: Cannot open the warehouse file {warehouse.resolve()}")
    assert f"PID {os.getpid()}" in lines[0]


def test_lock_message_names_file_holder_and_remedy(tmp_path) -> None:
    error = duckdb.IOException(
        'IO Error: Could not set lock on file "/x/chat.duckdb": Conflicting lock is held in '
        "/usr/bin/python3.11 (PID 999999999). See also https://duckdb.org/docs"
    )
    message = lock_message(tmp_path / "chat.duckdb", error)
    assert "\n" not in message
    assert "held by PID 999999999 (/usr/bin/python3.11)" in message
    assert "kill 999999999" in message
