"""The daily refresh: shortly after midnight UTC, for the day that has just ended."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.dbt.jobs import daily_refresh_job

daily_refresh_schedule = dg.build_schedule_from_partitioned_job(
    daily_refresh_job,
    name="daily_refresh_schedule",
    description="Refresh yesterday's partition at 00:15 UTC (as_of = midnight).",
    hour_of_day=0,
    minute_of_hour=15,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
