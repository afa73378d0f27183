"""Write landing tables as they stream in, in bounded memory.

Parquet: the daily tables (`GeneratorConfig.daily_tables`: by default messages and conversation
actions; ratings and orders too on request, as the benchmark asks) become folders of one file
per UTC day of their day column, `<table>/<YYYY-MM-DD>.parquet`, every day of the period written
(an empty day as a file with no rows), so that a landing folder "as of the end of day d" is
simply the files up to d, and the next day arrives as new files. A row whose day column is null or before the period
(a broken timestamp) goes into the first day's file; one stamped after the period (a late
redelivery) into the last. Every other table is one `<table>.parquet`. CSV: one `<table>.csv`
per table, appended batch by batch. A table that ends up with no rows is still written (header
or schema only).

Daily files are written row group by row group: rows gather per day, and when `flush_rows` rows
of a table have gathered, every day's rows go to its file as one row group, in a background
thread (pyarrow releases the GIL), so that writing overlaps with simulating the next chunk.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from chat_warehouse.generator.schema import COLUMNS, arrow_schema

COMPRESSION = "zstd"
ROW_GROUP_ROWS = 256_000
# Rows of one daily table held before they are written out (about 100 bytes each in Arrow).
FLUSH_ROWS = 3_000_000


def parquet_options(table: str) -> dict:
    """Writer options: dictionary pages only for the low-cardinality text columns (trying them
    on unique ids costs a third of the writing time for nothing), min/max statistics only where
    a reader filters (timestamps, which let DuckDB skip row groups by `as_of`)."""
    kinds = dict(COLUMNS[table])
    return {
        "compression": COMPRESSION,
        "use_dictionary": [name for name, kind in kinds.items() if kind == "cat"],
        "write_statistics": [name for name, kind in kinds.items() if kind == "ts"],
    }


def day_file(table: str, day: dt.date | str) -> str:
    """The path of a day's file of a daily table, relative to the landing folder."""
    return f"{table}/{day}.parquet"


class Background:
    """One writer thread; at most one batch of writes pending, so memory stays bounded."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-gen-writer")
        self._pending: Future | None = None

    def submit(self, fn, *args) -> None:
        self.wait()
        self._pending = self._pool.submit(fn, *args)

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # re-raises a failed write here

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)


class DailySink:
    """A daily table being written: `append(batch, day)`, `close()` at the end."""

    def __init__(
        self,
        out: Path,
        table: str,
        start: dt.date,
        days: int,
        background: Background,
        flush_rows: int | None = None,
    ) -> None:
        self.out, self.table, self.start, self.days = out, table, start, days
        self.schema = arrow_schema(table, "parquet")
        self.options = parquet_options(table)
        self.background = background
        self.flush_rows = flush_rows or FLUSH_ROWS
        self.rows = 0
        self.day_rows = [0] * days
        self._buffers: list[list[pa.Table]] = [[] for _ in range(days)]
        self._buffered = 0
        self._writers: list[pq.ParquetWriter | None] = [None] * days
        (out / table).mkdir(exist_ok=True)

    def append(self, batch: pa.Table, day: np.ndarray) -> None:
        """Add rows, `day[i]` (0-based, within the period) being row i's day; `batch` must be
        sorted by day (then each day's rows are one slice)."""
        counts = np.bincount(day, minlength=self.days)
        offset = 0
        for d in np.flatnonzero(counts):
            n = int(counts[d])
            self._buffers[d].append(batch.slice(offset, n))
            self.day_rows[d] += n
            offset += n
        self.rows += batch.num_rows
        self._buffered += batch.num_rows
        if self._buffered >= self.flush_rows:
            self._flush()

    def close(self) -> None:
        """Write what is left and close every day's file (creating the empty ones)."""
        self._flush()
        self.background.submit(self._close_all)

    def _flush(self) -> None:
        groups = [(d, parts) for d, parts in enumerate(self._buffers) if parts]
        self._buffers = [[] for _ in range(self.days)]
        self._buffered = 0
        if groups:
            self.background.submit(self._write, groups)

    def _writer(self, d: int) -> pq.ParquetWriter:
        if self._writers[d] is None:
            path = self.out / day_file(self.table, self.start + dt.timedelta(days=d))
            self._writers[d] = pq.ParquetWriter(path, self.schema, **self.options)
        return self._writers[d]

    def _write(self, groups: list[tuple[int, list[pa.Table]]]) -> None:
        for d, parts in groups:
            self._writer(d).write_table(pa.concat_tables(parts), row_group_size=ROW_GROUP_ROWS)

    def _close_all(self) -> None:
        for d in range(self.days):
            self._writer(d).close()
            self._writers[d] = None


class TableSink:
    """A table written as one file: `append` batches, `close` at the end."""

    def __init__(self, out: Path, table: str, fmt: str) -> None:
        self.out, self.table, self.fmt = out, table, fmt
        self.schema = arrow_schema(table, fmt)
        self.rows = 0
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._writer: pq.ParquetWriter | pacsv.CSVWriter | None = None

    def append(self, batch: pa.Table) -> None:
        """Add rows (in Parquet, written in row groups of ROW_GROUP_ROWS as they gather)."""
        self.rows += batch.num_rows
        if self.fmt == "csv":
            self._csv_writer().write_table(batch)
            return
        self._buffer.append(batch)
        self._buffered += batch.num_rows
        if self._buffered >= ROW_GROUP_ROWS:
            self._flush()

    def close(self) -> None:
        """Close the file; make sure it exists even when empty."""
        if self.fmt == "csv":
            self._csv_writer().close()
            return
        self._flush()
        self._parquet_writer().close()

    def _flush(self) -> None:
        if self._buffer:
            data = pa.concat_tables(self._buffer)
            self._parquet_writer().write_table(data, row_group_size=ROW_GROUP_ROWS)
        self._buffer, self._buffered = [], 0

    def _parquet_writer(self) -> pq.ParquetWriter:
        if self._writer is None:
            path = self.out / f"{self.table}.parquet"
            self._writer = pq.ParquetWriter(path, self.schema, **parquet_options(self.table))
        return self._writer

    def _csv_writer(self) -> pacsv.CSVWriter:
        if self._writer is None:
            self._writer = pacsv.CSVWriter(self.out / f"{self.table}.csv", self.schema)
        return self._writer


def write_table(out: Path, table: str, fmt: str, data: pa.Table) -> None:
    """Write a small table in one go."""
    sink = TableSink(out, table, fmt)
    sink.append(data)
    sink.close()
