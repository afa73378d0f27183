"""Options of one generator run, and the time units every module counts in."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chat_warehouse.generator.schema import DAILY_TABLES, FORMATS

# All simulated times are int64 milliseconds since the Unix epoch, UTC.
SEC = 1_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate. Equal configs give byte-identical landing folders."""

    out: Path
    messages: int = 200_000
    seed: int = 7
    start: dt.date = dt.date(2026, 1, 1)
    days: int = 60
    shops: int = 8
    fmt: str = "parquet"
    bad_row_share: float = 0.001
    # Parquet: the tables written as one file per day (`<table>/YYYY-MM-DD.parquet`); the
    # other streamed tables are one `<table>.parquet`. Any of DAILY_TABLES.
    daily_tables: tuple[str, ...] = ("messages", "conversation_actions")

    def __post_init__(self) -> None:
        if self.messages < 1:
            raise ValueError("--messages must be at least 1")
        if not 1 <= self.days <= 3660:
            raise ValueError("--days must be between 1 and 3660")
        if not 1 <= self.shops <= 500:
            raise ValueError("--shops must be between 1 and 500")
        if self.fmt not in FORMATS:
            raise ValueError(f"--format must be one of {', '.join(FORMATS)}")
        if not 0.0 <= self.bad_row_share <= 0.5:
            raise ValueError("--bad-row-share must be between 0 and 0.5")
        unknown = set(self.daily_tables) - set(DAILY_TABLES)
        if unknown:
            raise ValueError(
                f"--daily: not a table written by day: {', '.join(sorted(unknown))} "
                f"(choose from {', '.join(DAILY_TABLES)})"
            )

    @property
    def start_ms(self) -> int:
        """First instant of the period (00:00 UTC of `start`)."""
        start = dt.datetime(self.start.year, self.start.month, self.start.day, tzinfo=dt.UTC)
        return int(start.timestamp()) * SEC

    @property
    def end_ms(self) -> int:
        """End of the period, exclusive: no row is stamped at or after it."""
        return self.start_ms + self.days * DAY

    @property
    def period_end(self) -> dt.datetime:
        """End of the period as a naive UTC datetime: the natural `as_of` of a build."""
        return dt.datetime(self.start.year, self.start.month, self.start.day) + dt.timedelta(
            days=self.days
        )

    @property
    def dates(self) -> list[dt.date]:
        """The days of the period, in order."""
        return [self.start + dt.timedelta(days=d) for d in range(self.days)]

    def options(self) -> dict[str, Any]:
        """The options that determine the output (for the manifest), JSON-ready."""
        opts = asdict(self)
        opts.pop("out")
        opts["start"] = self.start.isoformat()
        opts["daily_tables"] = [t for t in DAILY_TABLES if t in self.daily_tables]
        return opts
