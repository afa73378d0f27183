"""Start a refresh when new or changed landing files appear in CHAT_RAW_DIR."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.defs.dbt.jobs import daily_refresh_job
from orchestration.defs.dbt.partitions import daily_partitions
from orchestration.defs.dbt.warehouse import WarehouseResource

LANDING_SUFFIXES = (".csv", ".csv.gz", ".parquet")


def landing_snapshot(raw_dir: Path) -> dict[str, list[int]]:
    """{relative path: [size, mtime_ns]} of every landing file (csv/parquet, folders too)."""
    if not raw_dir.exists():
        return {}
    return {
        str(path.relative_to(raw_dir)): [path.stat().st_size, path.stat().st_mtime_ns]
        for path in sorted(raw_dir.rglob("*"))
        if path.is_file() and path.name.endswith(LANDING_SUFFIXES)
    }


def changed_files(before: dict[str, list[int]], after: dict[str, list[int]]) -> list[str]:
    """Files new or changed since `before` (removed files are not a reason to refresh)."""
    return sorted(name for name, stat in after.items() if before.get(name) != stat)


def latest_complete_partition(now: datetime) -> str | None:
    """The last daily partition whose day has ended by `now`."""
    keys = daily_partitions.get_partition_keys(current_time=now)
    return keys[-1] if keys else None


@dg.sensor(
    job=daily_refresh_job,
    minimum_interval_seconds=60,
    description="Refreshes the latest complete day when landing files are added or changed.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def landing_files_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    before = json.loads(context.cursor) if context.cursor else {}
    after = landing_snapshot(warehouse.raw_path)
    changes = changed_files(before, after)
    if not changes:
        return dg.SkipReason(f"no new landing files in {warehouse.raw_path}")
    partition_key = latest_complete_partition(datetime.now(UTC))
    context.update_cursor(json.dumps(after))
    if partition_key is None:
        return dg.SkipReason("no complete partition yet")
    run_key = hashlib.sha256(json.dumps({k: after[k] for k in changes}).encode()).hexdigest()[:16]
    return dg.RunRequest(
        run_key=f"landing-{run_key}",
        partition_key=partition_key,
        tags={"chat_warehouse/changed_files": ",".join(changes)[:900]},
    )
