"""Dagster code location: definitions load, partitions give the right vars, the schedule and
the sensor ask for the right runs, a partition materializes end to end, and a reader holding
the published warehouse open neither blocks a refresh nor sees a half-built state."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from chat_warehouse.dbt_invoke import PROJECT_DIR, run_dbt
from chat_warehouse.publish import publishing_path, working_path
from tests.landing import write_landing
from tests.readers import holding_open
from tests.test_end_to_end import TABLES

RAW_FOR_PARSE = PROJECT_DIR / "data" / "demo"


@pytest.fixture(scope="module")
def definitions(tmp_path_factory):
    """Parse the dbt project into target/ (what `make test` does first), then load defs."""
    manifest = PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        tmp = tmp_path_factory.mktemp("parse")
        run_dbt(
            ["parse"],
            raw_dir=tmp,
            warehouse_path=tmp / "p.duckdb",
            target_path=PROJECT_DIR / "target",
        )
    from orchestration.definitions import defs

    return defs


def test_definitions_load_with_every_model_as_an_asset(definitions) -> None:
    repo = definitions.get_repository_def()
    keys = {key.to_user_string() for key in repo.assets_defs_by_key}
    assert {
        "marts/fct_chat_sessions",
        "marts/fct_agent_daily",
        "marts/fct_shop_daily",
        "marts/fct_sessions_at_risk",
        "intermediate/int_conversation_events_sessionized",
        "staging/stg_chat__messages",
        "audit/quarantined_rows",
    } <= keys
    assets_def = repo.assets_defs_by_key[dg.AssetKey(["marts", "fct_shop_daily"])]
    assert assets_def.group_names_by_key[dg.AssetKey(["marts", "fct_shop_daily"])] == "marts"
    assert (
        "seller center"
        in (assets_def.descriptions_by_key[dg.AssetKey(["marts", "fct_shop_daily"])])
    )
    deps = {
        d.to_user_string()
        for d in assets_def.asset_deps[dg.AssetKey(["staging", "base_chat__messages_landed"])]
    }
    assert "landing/messages" in deps
    check_names = {c.name for c in assets_def.check_specs}
    assert any("is_empty" in name for name in check_names)  # the at-risk warning check
    assert len(check_names) > 100  # every dbt test is an asset check
    assert assets_def.backfill_policy == dg.BackfillPolicy.single_run()
    assert {"daily_refresh", "full_refresh"} <= set(repo.job_names)


def test_partition_as_of() -> None:
    from orchestration.defs.dbt.partitions import as_of_for_window

    window = dg.TimeWindow(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC))
    assert as_of_for_window(window.end) == "2026-03-04 00:00:00"


def test_dbt_target_comes_from_chat_dbt_target(monkeypatch, definitions) -> None:
    from orchestration.defs.dbt.project import dbt_target

    monkeypatch.delenv("CHAT_DBT_TARGET", raising=False)
    assert dbt_target() == "duckdb"
    assert definitions.resources["dbt"].target == "duckdb"
    monkeypatch.setenv("CHAT_DBT_TARGET", "spark")
    assert dbt_target() == "spark"


def test_schedule_refreshes_the_day_that_just_ended(definitions) -> None:
    from orchestration.defs.dbt.schedules import daily_refresh_schedule

    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 3, 10, 0, 15, tzinfo=UTC)
    )
    requests = list(daily_refresh_schedule.evaluate_tick(context).run_requests or [])
    assert [r.partition_key for r in requests] == ["2026-03-09"]
    assert daily_refresh_schedule.cron_schedule == "15 0 * * *"


def test_sensor_requests_a_refresh_only_when_landing_files_change(tmp_path: Path) -> None:
    from orchestration.defs.dbt.sensors import landing_files_sensor
    from orchestration.defs.dbt.warehouse import WarehouseResource

    raw = write_landing(tmp_path / "raw", TABLES)
    resources = {
        "warehouse": WarehouseResource(raw_dir=str(raw), warehouse_path=str(tmp_path / "w.duckdb"))
    }
    with dg.build_sensor_context(resources=resources) as context:
        first = landing_files_sensor(context)
        assert isinstance(first, dg.RunRequest)
        cursor = context.cursor
    with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
        assert isinstance(landing_files_sensor(context), dg.SkipReason)
    (raw / "messages.csv").write_text(
        (raw / "messages.csv").read_text() + "n1,c9,S1,BUYER,b9,TEXT,,2026-03-09T10:00:00Z,\n"
    )
    with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
        again = landing_files_sensor(context)
        assert isinstance(again, dg.RunRequest)
        assert again.run_key != first.run_key
        assert "messages.csv" in again.tags["chat_warehouse/changed_files"]


def _materialize(
    definitions, raw: Path, warehouse: Path, partition: str
) -> dg.ExecuteInProcessResult:
    from orchestration.defs.dbt.assets import chat_warehouse_dbt_assets
    from orchestration.defs.dbt.warehouse import WarehouseResource
    from orchestration.defs.quality.checks import mart_quality_checks

    dbt = definitions.get_repository_def().get_top_level_resources()["dbt"]
    return dg.materialize(
        [chat_warehouse_dbt_assets, mart_quality_checks],
        partition_key=partition,
        resources={
            "dbt": dbt,
            "warehouse": WarehouseResource(raw_dir=str(raw), warehouse_path=str(warehouse)),
        },
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def published(definitions, tmp_path_factory) -> tuple[Path, Path, dg.ExecuteInProcessResult]:
    """One day's partition materialized through Dagster into a published warehouse."""
    root = tmp_path_factory.mktemp("published")
    raw = write_landing(root / "raw", TABLES)
    warehouse = root / "wh" / "chat.duckdb"
    return raw, warehouse, _materialize(definitions, raw, warehouse, "2026-03-05")


def _copy(published, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the materialized fixture: landing folder, published file and working file."""
    raw, warehouse, _ = published
    shutil.copytree(raw, tmp_path / "raw")
    (tmp_path / "wh").mkdir()
    copy = tmp_path / "wh" / "chat.duckdb"
    shutil.copy2(warehouse, copy)
    shutil.copy2(working_path(warehouse, env={}), working_path(copy, env={}))
    return tmp_path / "raw", copy


def _check_evaluations(result: dg.ExecuteInProcessResult) -> list:
    return [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]


def test_a_partition_materializes_with_dbt_tests_and_expectations_as_checks(published) -> None:
    _raw, warehouse, result = published
    assert result.success
    assert warehouse.exists() and not publishing_path(warehouse).exists()
    assert working_path(warehouse, env={}).exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schemas = {
            r[0] for r in con.sql("select distinct schema_name from duckdb_tables()").fetchall()
        }
        as_of = con.execute("select as_of from audit.published_build").fetchone()[0]
    assert schemas == {"marts", "audit", "reference"}  # never the staging or incremental state
    assert str(as_of) == "2026-03-06 00:00:00"
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {
        "marts/fct_shop_daily",
        "marts/fct_chat_sessions",
        "audit/quarantined_rows",
    } <= materialized
    checks = _check_evaluations(result)
    assert all(c.passed for c in checks if c.severity == dg.AssetCheckSeverity.ERROR)
    gx = {c.asset_key.to_user_string() for c in checks if c.check_name == "great_expectations"}
    assert gx == {"marts/fct_chat_sessions", "marts/fct_agent_daily", "marts/fct_shop_daily"}
    at_risk = [c for c in checks if "is_empty" in c.check_name]
    assert at_risk and all(
        c.severity == dg.AssetCheckSeverity.WARN for c in at_risk if not c.passed
    )


def test_a_reader_holding_the_warehouse_never_blocks_a_refresh(
    definitions, published, tmp_path: Path
) -> None:
    raw, warehouse = _copy(published, tmp_path)
    query = "select max(session_date), count(*) from marts.fct_shop_daily"
    # A dashboard (another process) holds the published warehouse open during the refresh.
    with holding_open(warehouse) as reader:
        before = reader.query(query)
        # as_of = 2026-03-06 00:00 UTC, already the 6th in Jakarta (shop S1)
        assert "2026, 3, 6" in before
        done = threading.Event()
        results = {}

        def refresh() -> None:
            results["second"] = _materialize(definitions, raw, warehouse, "2026-03-10")
            done.set()

        worker = threading.Thread(target=refresh)
        worker.start()
        # while it runs, the reader keeps answering from the version it opened
        while not done.wait(0.5):
            assert reader.query(query) == before
        worker.join()
        assert results["second"].success
        assert reader.query(query) == before
    with duckdb.connect(str(warehouse), read_only=True) as fresh:
        assert (
            str(fresh.execute("select max(session_date) from marts.fct_shop_daily").fetchone()[0])
            == "2026-03-11"
        )


def test_a_bad_landing_export_stops_the_refresh_and_publishes_nothing(
    definitions, published, tmp_path: Path
) -> None:
    raw, warehouse = _copy(published, tmp_path)
    before = warehouse.read_bytes()
    (raw / "shops.csv").unlink()  # a required table goes missing: critical, the run must stop
    result = _materialize(definitions, raw, warehouse, "2026-03-09")
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "critical landing expectations failed" in failure.event_specific_data.error.message
    assert warehouse.read_bytes() == before
    assert not publishing_path(warehouse).exists()


def test_a_refresh_on_a_working_file_held_elsewhere_fails_in_one_line(
    definitions, published, tmp_path: Path
) -> None:
    raw, warehouse = _copy(published, tmp_path)
    before = warehouse.read_bytes()
    work = working_path(warehouse, env={})
    # a notebook (another process) opened the working file instead of the published one
    with holding_open(work, read_only=False) as holder:
        result = _materialize(definitions, raw, warehouse, "2026-03-10")
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error.message
    assert f"Cannot open the warehouse working file {work.resolve()}" in message
    assert f"PID {holder.pid}" in message
    assert warehouse.read_bytes() == before


_LOCATION_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries { name
  locationOrLoadError { __typename
    ... on RepositoryLocation { repositories { name assetNodes { assetKey { path } } } }
    ... on PythonError { message } } } } } }
"""


def _path_without_dbt() -> str:
    """The PATH of a login shell without the virtual environment: no directory with a dbt."""
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    kept = [d for d in dirs if not (Path(d) / "dbt").exists()]
    return os.pathsep.join(kept or ["/usr/bin", "/bin"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _code_location(port: int) -> dict | None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": _LOCATION_QUERY}).encode(),
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.load(response)
    except (OSError, ValueError):
        return None
    entries = body["data"]["workspaceOrError"]["locationEntries"]
    located = entries[0]["locationOrLoadError"] if entries else None
    return located


def test_dagster_dev_loads_the_code_location_without_dbt_on_path(tmp_path) -> None:
    """`.venv/bin/dagster dev` as the README says, from a shell whose PATH has no dbt: the code
    location loads with its assets (it parses the project with the environment's own dbt)."""
    path = _path_without_dbt()
    assert shutil.which("dbt", path=path) is None
    empty_raw = tmp_path / "raw"  # no landing files: the sensor has nothing to start
    empty_raw.mkdir()
    env = {
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PATH": path,
        "DAGSTER_HOME": str(tmp_path),
        "CHAT_RAW_DIR": str(empty_raw),
        "CHAT_WAREHOUSE_PATH": str(tmp_path / "chat.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    port = _free_port()
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.Popen(
        [str(dagster), "dev", "-p", str(port)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=(tmp_path / "dagster-dev.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    located = None
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            located = _code_location(port)
            if located and located["__typename"] != "PythonError" and located.get("repositories"):
                break
            if located and located["__typename"] == "PythonError":
                break
            time.sleep(2)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    log = (tmp_path / "dagster-dev.log").read_text()
    assert "not found on PATH" not in log, log[-3000:]
    assert located is not None, f"dagster dev never answered on port {port}:\n{log[-3000:]}"
    assert located["__typename"] == "RepositoryLocation", located.get("message", located)
    keys = {
        "/".join(node["assetKey"]["path"])
        for repo in located["repositories"]
        for node in repo["assetNodes"]
    }
    assert {"marts/fct_chat_sessions", "marts/fct_shop_daily", "landing/messages"} <= keys
