"""Run the dbt project against a landing folder and a DuckDB file.

One place that knows how a build is pointed at data (spec/contract.md): `CHAT_RAW_DIR`,
`CHAT_WAREHOUSE_PATH` and `as_of`. Tests, the benchmark and the demo use it, so they all build
exactly as an analytics engineer's `dbt build` does. `as_of` goes as `CHAT_AS_OF`, the
environment variable the project reads when the var `as_of` is not given: a new var value makes
dbt parse the whole project again, a new CHAT_AS_OF does not (macros/portable/time.sql).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]


class DbtFailed(RuntimeError):
    """A dbt invocation exited non-zero; the message carries dbt's own output."""

    def __init__(self, args: list[str], returncode: int, output: str) -> None:
        self.args_ = args
        self.returncode = returncode
        self.output = output
        super().__init__(f"dbt {' '.join(args)} exited {returncode}:\n{output[-6000:]}")


def dbt_executable() -> str:
    """The dbt of the interpreter running this code (the project's .venv)."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(
    raw_dir: Path | str, warehouse_path: Path | str, extra_env: dict[str, str] | None = None
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra_env or {})
    env["CHAT_RAW_DIR"] = str(Path(raw_dir).resolve())
    env["CHAT_WAREHOUSE_PATH"] = str(Path(warehouse_path).resolve())
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


# Run dbt inside this interpreter (tests/conftest.py turns it on): one import of dbt and one
# parse per target and working-file name per process, instead of about 15 s of both per build.
IN_PROCESS = False
_MANIFESTS: dict[str, Any] = {}


def _target(args: list[str]) -> str:
    for index, arg in enumerate(args):
        if arg == "--target" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
    return "duckdb"


_SPARK_WAREHOUSE: list[str] = []


def _spark_fits(target: str, env: dict[str, str]) -> bool:
    """Spark's warehouse folder and metastore are fixed when its session starts: a process
    runs Spark in-process for one `CHAT_SPARK_WAREHOUSE` only (others run as a new process)."""
    if target != "spark":
        return True
    folder = str(Path(env.get("CHAT_SPARK_WAREHOUSE", "warehouse/spark")).resolve())
    if not _SPARK_WAREHOUSE:
        _SPARK_WAREHOUSE.append(folder)
    return _SPARK_WAREHOUSE[0] == folder


def _run_in_process(
    args: list[str], env: dict[str, str], target: str
) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` through dbtRunner, reusing a parsed manifest; the output is dbt's own
    non-debug log lines, as a subprocess would print them.

    A manifest depends on the project files, the target and the profile's database, which
    dbt-duckdb names after the working file; no model reads an environment variable at parse
    time (the parse records none), so the manifest is cached by target and that name. The DuckDB
    connection dbt-duckdb keeps for the process is closed after each invocation, releasing the
    file for readers. On Spark the session (one JVM) stays for the next invocation.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    lines: list[str] = []

    def collect(event: Any) -> None:
        if event.info.name == "PrintEvent":  # a macro's print(): dbt prints it bare
            lines.append(event.info.msg)
        elif event.info.level != "debug" and event.info.msg:
            lines.append(f"{event.info.ts.ToDatetime():%H:%M:%S}  {event.info.msg}")

    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(PROJECT_DIR)
    try:
        work_file = Path(env.get("CHAT_WORK_PATH") or f"{env['CHAT_WAREHOUSE_PATH']}.work")
        key = f"{target}:{work_file.name.split('.')[0]}"
        if key not in _MANIFESTS:
            parse_dir = Path(tempfile.mkdtemp(prefix="dbt-parse-"))
            parsed = dbtRunner(callbacks=[collect]).invoke(
                ["parse", "--quiet", "--target", target]
                + ["--target-path", str(parse_dir), "--log-path", str(parse_dir)]
            )
            if not parsed.success:
                return subprocess.CompletedProcess(
                    args, 2, "\n".join(lines) + str(parsed.exception)
                )
            _MANIFESTS[key] = parsed.result
        quiet = [] if {"-q", "--quiet"} & set(args) else ["--quiet"]
        # no debug log file: the caller gets dbt's non-debug lines; writing every statement to
        # dbt.log took a tenth of a small build's CPU (a shell build, CHAT_TESTS_DBT_SUBPROCESS=1,
        # writes it)
        quiet += ["--log-level-file", "none"]
        result = dbtRunner(manifest=_MANIFESTS[key], callbacks=[collect]).invoke([*args, *quiet])
    finally:
        with DuckDBConnectionManager._LOCK:
            if DuckDBConnectionManager._ENV is not None:
                DuckDBConnectionManager._ENV.close()
                DuckDBConnectionManager._ENV = None
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    if result.exception is not None:
        lines.append(f"Encountered an error:\n{result.exception}")
    returncode = 0 if result.success else (2 if result.exception is not None else 1)
    return subprocess.CompletedProcess(args, returncode, "\n".join(lines) + "\n")


def run_dbt(
    args: list[str],
    *,
    raw_dir: Path | str,
    warehouse_path: Path | str,
    as_of: str | None = None,
    extra_vars: dict[str, Any] | None = None,
    check: bool = True,
    stream: bool = False,
    target_path: Path | str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` from the project root with its own target and log folders.

    Separate target/log folders let several builds (pytest-xdist workers) run at once.
    `extra_env` adds environment variables (e.g. CHAT_SPARK_WAREHOUSE for `--target spark`).
    """
    vars_: dict[str, Any] = dict(extra_vars or {})
    # as_of goes as CHAT_AS_OF, read when the build runs: a new `--vars` value would make dbt
    # parse the whole project again (macros/portable/time.sql, as_of_setting)
    extra_env = {**(extra_env or {}), **({"CHAT_AS_OF": as_of} if as_of is not None else {})}
    work = Path(tempfile.mkdtemp(prefix="dbt-run-"))
    target = Path(target_path) if target_path else work / "target"
    options = ["--target-path", str(target), "--log-path", str(work / "logs")]
    if vars_:
        options += ["--vars", json.dumps(vars_)]
    env = dbt_env(raw_dir, warehouse_path, extra_env)
    profile_target = _target(args)
    if (
        IN_PROCESS
        and not stream
        and profile_target in ("duckdb", "spark")
        and _spark_fits(profile_target, env)
    ):
        proc = _run_in_process([*args, *options], env, profile_target)
    else:
        proc = subprocess.run(  # the return code is checked below, with dbt's output
            [dbt_executable(), *args, *options],
            check=False,
            cwd=PROJECT_DIR,
            env=env,
            text=True,
            stdout=None if stream else subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    if check and proc.returncode != 0:
        raise DbtFailed(args, proc.returncode, proc.stdout or "")
    return proc


def build_warehouse(
    raw_dir: Path | str,
    warehouse_path: Path | str,
    as_of: str | None = None,
    *,
    select: str | None = None,
    with_tests: bool = True,
    extra_vars: dict[str, Any] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Build the warehouse: `dbt build` (models + data tests, or models only without tests),
    which publishes the marts to `warehouse_path` when it passes (macros/publish.sql).

    dbt unit tests run in their own suite (tests/test_dbt_unit_tests.py), so they are left out
    here to keep end-to-end builds quick.
    """
    args = ["build", "--exclude-resource-type", "unit_test"]
    if not with_tests:
        args += ["--exclude-resource-type", "test"]
    if select:
        args += ["--select", select]
    return run_dbt(
        args,
        raw_dir=raw_dir,
        warehouse_path=warehouse_path,
        as_of=as_of,
        extra_vars=extra_vars,
        check=check,
    )
