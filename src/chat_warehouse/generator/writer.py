"""Write landing tables as they stream in, in bounded memory.

Parquet: `messages/` and `conversation_actions/` become folders of part files
(`part-00000.parquet`, ...) of `part_rows` rows (the last one up to 1.5 times that); every
other table is one `<table>.parquet`, written row group by row group. CSV: one `<table>.csv`
per table, appended batch by batch. A table that ends up with no rows is still written
(header or schema only).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from chat_warehouse.generator.schema import PARTITIONED_TABLES, arrow_schema

COMPRESSION = "zstd"
ROW_GROUP_ROWS = 256_000


class TableSink:
    """One landing table being written; `append` batches, `close` at the end."""

    def __init__(self, out: Path, table: str, fmt: str, part_rows: int) -> None:
        self.out, self.table, self.fmt = out, table, fmt
        self.schema = arrow_schema(table, fmt)
        self.partitioned = fmt == "parquet" and table in PARTITIONED_TABLES
        self.flush_rows = part_rows if self.partitioned else ROW_GROUP_ROWS
        self.rows = 0
        self.parts = 0
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._writer: pq.ParquetWriter | pacsv.CSVWriter | None = None

    def append(self, batch: pa.Table) -> None:
        """Add rows; they are written once enough have gathered."""
        if self.fmt == "csv":
            self._csv_writer().write_table(batch)
            self.rows += batch.num_rows
            return
        self._buffer.append(batch)
        self._buffered += batch.num_rows
        # Hold up to 1.5 parts so that the last part is never a small remainder.
        while self._buffered >= self.flush_rows + self.flush_rows // 2:
            self._flush(self.flush_rows)

    def close(self) -> None:
        """Write what is left; make sure the table exists even when empty."""
        if self.fmt == "csv":
            self._csv_writer().close()
            return
        if self._buffered or (self.partitioned and self.parts == 0):
            self._flush(self._buffered)
        if self._writer is None and not self.partitioned:
            self._parquet_writer()
        if self._writer is not None:
            self._writer.close()

    def _flush(self, n: int) -> None:
        """Write the first `n` buffered rows as a part file or a row group."""
        data = pa.concat_tables(self._buffer) if self._buffer else self.schema.empty_table()
        head, rest = data.slice(0, n), data.slice(n)
        self._buffer = [rest] if rest.num_rows else []
        self._buffered = rest.num_rows
        if self.partitioned:
            folder = self.out / self.table
            folder.mkdir(exist_ok=True)
            pq.write_table(
                head,
                folder / f"part-{self.parts:05d}.parquet",
                compression=COMPRESSION,
                row_group_size=ROW_GROUP_ROWS,
            )
        else:
            self._parquet_writer().write_table(head, row_group_size=ROW_GROUP_ROWS)
        self.parts += 1
        self.rows += head.num_rows

    def _parquet_writer(self) -> pq.ParquetWriter:
        if self._writer is None:
            path = self.out / f"{self.table}.parquet"
            self._writer = pq.ParquetWriter(path, self.schema, compression=COMPRESSION)
        return self._writer

    def _csv_writer(self) -> pacsv.CSVWriter:
        if self._writer is None:
            self._writer = pacsv.CSVWriter(self.out / f"{self.table}.csv", self.schema)
        return self._writer


def write_table(out: Path, table: str, fmt: str, data: pa.Table) -> None:
    """Write a small table in one go."""
    sink = TableSink(out, table, fmt, part_rows=max(data.num_rows, 1_000))
    sink.append(data)
    sink.close()
