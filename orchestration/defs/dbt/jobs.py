"""Jobs: the daily refresh of every dbt asset, and the full refresh that rebuilds from scratch."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.dbt.assets import chat_warehouse_dbt_assets
from orchestration.defs.dbt.partitions import daily_partitions

REFRESH_TAGS = {"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"}

daily_refresh_job = dg.define_asset_job(
    name="daily_refresh",
    description="Build every model and run every test for one day's partition (as_of = its end).",
    selection=dg.AssetSelection.assets(chat_warehouse_dbt_assets),
    partitions_def=daily_partitions,
    tags=REFRESH_TAGS,
)

full_refresh_job = dg.define_asset_job(
    name="full_refresh",
    description="Rebuild the warehouse from the whole landing folder (dbt build --full-refresh): "
    "never needed for late rows or rule changes (a refresh detects those and recomputes "
    "everything itself); use it to rebuild from scratch on demand.",
    selection=dg.AssetSelection.assets(chat_warehouse_dbt_assets),
    partitions_def=daily_partitions,
    config={"ops": {"chat_warehouse_dbt_assets": {"config": {"full_refresh": True}}}},
    tags=REFRESH_TAGS,
)
