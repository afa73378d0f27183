"""The Definitions of the chat-warehouse code location (`dagster dev` from the repo root)."""

from __future__ import annotations

import os

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.assets import chat_warehouse_dbt_assets
from orchestration.defs.dbt.jobs import daily_refresh_job, full_refresh_job
from orchestration.defs.dbt.project import dbt_executable, dbt_project, dbt_target
from orchestration.defs.dbt.schedules import daily_refresh_schedule
from orchestration.defs.dbt.sensors import landing_files_sensor
from orchestration.defs.dbt.warehouse import WarehouseResource
from orchestration.defs.quality.checks import (
    landing_quality_checks,
    landing_specs,
    mart_quality_checks,
)

defs = dg.Definitions(
    assets=[*landing_specs, chat_warehouse_dbt_assets],
    asset_checks=[landing_quality_checks, mart_quality_checks],
    jobs=[
        daily_refresh_job,
        full_refresh_job,
        dg.define_asset_job(
            "landing_quality",
            description="Great Expectations on the landing folder (all tables, or the day).",
            selection=dg.AssetSelection.checks(landing_quality_checks),
        ),
    ],
    schedules=[daily_refresh_schedule],
    sensors=[landing_files_sensor],
    resources={
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.project_dir),
            # the dbt of this interpreter's environment (.venv), whether or not it is on PATH
            dbt_executable=dbt_executable(),
            # CHAT_DBT_TARGET=spark: the same assets built on Spark (no file to publish there)
            target=dbt_target(),
        ),
        "warehouse": WarehouseResource(
            raw_dir=os.environ.get("CHAT_RAW_DIR", "data/demo"),
            warehouse_path=os.environ.get("CHAT_WAREHOUSE_PATH", "warehouse/chat.duckdb"),
        ),
    },
)
