"""Daily partitions of the refresh and the as_of a partition (or a range) is built for."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import dagster as dg

# First day of data; override with CHAT_PARTITIONS_START (YYYY-MM-DD) for other landing data.
PARTITIONS_START = os.environ.get("CHAT_PARTITIONS_START", "2026-01-01")

daily_partitions = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC")


def as_of_for_window(end: datetime) -> str:
    """`as_of` of a partition (or of a backfilled range): the end of its time window, in UTC.
    The start needs nothing: the models recompute whatever the rows that arrived can change,
    so a range is one build at its end."""
    if end.tzinfo is not None:
        end = end.astimezone(UTC).replace(tzinfo=None)
    return end.strftime("%Y-%m-%d %H:%M:%S")


def partition_key_for_instant(instant: datetime) -> str:
    """The partition whose day has just ended at `instant` (the day before its date, UTC)."""
    return (instant.astimezone(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
