"""Inputs with no sensible result: the build must stop before any model runs, with a message
naming the file or table and the problem. Each gets its own small landing folder (a valid base
folder, then `mutate`)."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.bad_inputs.common import T0, good_rows, msg
from tests.bad_inputs.folders import _cell, write_csv
from tests.landing import CONTRACT_COLUMNS


@dataclass(frozen=True)
class StopCase:
    """An input with no sensible result: the build stops with a message containing `expect`."""

    id: str
    about: str
    mutate: Callable[[Path], None]
    expect: Sequence[str]


def _to_parquet(raw_dir: Path, table: str, drop: Sequence[str] = ()) -> Path:
    """Replace `<table>.csv` by `<table>.parquet` (text columns), without the `drop` columns."""
    rows = good_rows()[table]
    columns = [c for c in CONTRACT_COLUMNS[table] if c not in drop]
    data = pa.table(
        {c: pa.array([_cell(r.get(c)) or None for r in rows], pa.string()) for c in columns}
    )
    (raw_dir / f"{table}.csv").unlink()
    path = raw_dir / f"{table}.parquet"
    pq.write_table(data, path)
    return path


def _drop_column(path: Path, column: str) -> None:
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    columns = [c for c in (text.splitlines()[0].split(",")) if c != column]
    write_csv(path, columns, rows)


def _empty(name: str) -> Callable[[Path], None]:
    return lambda raw: (raw / name).write_bytes(b"")


def _latin1_shops(raw: Path) -> None:
    text = (raw / "shops.csv").read_text(encoding="utf-8").replace(",S1,", ",Café S1,")
    (raw / "shops.csv").write_bytes(text.encode("latin-1"))


def _utf16_messages(raw: Path) -> None:
    (raw / "messages.csv").write_bytes((raw / "messages.csv").read_text().encode("utf-16"))


def _csv_named_parquet(raw: Path) -> None:
    (raw / "orders.csv").rename(raw / "orders.parquet")


def _truncated_parquet_part(raw: Path) -> None:
    path = _to_parquet(raw, "messages")
    (raw / "messages").mkdir()
    data = path.read_bytes()
    (raw / "messages" / "part-0.parquet").write_bytes(data[: len(data) // 2])
    path.unlink()


def _parquet_without_created_at(raw: Path) -> None:
    _to_parquet(raw, "messages", drop=["created_at"])


def _folder_part_without_column(raw: Path) -> None:
    (raw / "messages").mkdir()
    (raw / "messages.csv").rename(raw / "messages" / "part-1.csv")
    write_csv(
        raw / "messages" / "part-2.csv",
        [c for c in CONTRACT_COLUMNS["messages"] if c != "created_at"],
        [msg("late.m1", "late.c", T0, "BUYER", "late.b")],
    )


def _not_gzip(raw: Path) -> None:
    """orders.csv renamed orders.csv.gz: CSV text under a gzip name."""
    (raw / "orders.csv").rename(raw / "orders.csv.gz")


def _csv_and_csv_gz(raw: Path) -> None:
    """messages.csv and a gzip copy of it, messages.csv.gz."""
    (raw / "messages.csv.gz").write_bytes(gzip.compress((raw / "messages.csv").read_bytes()))


def _appended_header_in_other_order(raw: Path) -> None:
    """messages.csv appended to from an export whose columns come in another order."""
    columns = list(reversed(CONTRACT_COLUMNS["messages"]))
    row = msg("late.m1", "late.c", T0, "BUYER", "late.b")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerow([_cell(row.get(c)) for c in columns])
    with (raw / "messages.csv").open("a", encoding="utf-8") as fh:
        fh.write(out.getvalue())


def _headerless_shops(raw: Path) -> None:
    text = (raw / "shops.csv").read_text(encoding="utf-8")
    (raw / "shops.csv").write_text(text.split("\n", 1)[1], encoding="utf-8")


STOP_CASES: list[StopCase] = [
    StopCase(
        "empty_required_file",
        "messages.csv of 0 bytes (a failed export)",
        _empty("messages.csv"),
        ["messages.csv", "is empty (0 bytes)"],
    ),
    StopCase(
        "empty_optional_file",
        "orders.csv of 0 bytes: an optional table, still an error",
        _empty("orders.csv"),
        ["orders.csv", "is empty (0 bytes)"],
    ),
    StopCase(
        "missing_required_table",
        "no shop_holiday_periods in any form",
        lambda raw: (raw / "shop_holiday_periods.csv").unlink(),
        ["Required landing table 'shop_holiday_periods' is missing"],
    ),
    StopCase(
        "missing_required_column",
        "shops.csv without its timezone column",
        lambda raw: _drop_column(raw / "shops.csv", "timezone"),
        ["'shops'", "shops.csv", "missing required column(s) timezone"],
    ),
    StopCase(
        "missing_column_in_one_part",
        "one part of a messages/ folder lacks created_at",
        _folder_part_without_column,
        ["part-2.csv", "missing required column(s) created_at"],
    ),
    StopCase(
        "headerless_csv",
        "shops.csv without its header row: its first row is read as one",
        _headerless_shops,
        ["shops.csv", "missing required column(s) shop_id, timezone"],
    ),
    StopCase(
        "parquet_missing_required_column",
        "messages.parquet without created_at",
        _parquet_without_created_at,
        ["messages.parquet", "missing required column(s) created_at"],
    ),
    StopCase(
        "not_utf8_latin1",
        "shops.csv saved as Latin-1 (an é)",
        _latin1_shops,
        ["shops.csv", "is not UTF-8", "line 2"],
    ),
    StopCase(
        "not_utf8_utf16",
        "messages.csv saved as UTF-16",
        _utf16_messages,
        ["messages.csv", "is not UTF-8", "line 1"],
    ),
    StopCase(
        "csv_named_parquet",
        "a CSV file under a .parquet name",
        _csv_named_parquet,
        ["orders.parquet", "is not a readable Parquet file"],
    ),
    StopCase(
        "truncated_parquet",
        "half of a Parquet part (an interrupted upload)",
        _truncated_parquet_part,
        ["part-0.parquet", "is not a readable Parquet file"],
    ),
    StopCase(
        "not_gzip",
        "a CSV file under a .csv.gz name",
        _not_gzip,
        ["orders.csv.gz", "is not a readable gzip file"],
    ),
    StopCase(
        "csv_and_csv_gz",
        "messages.csv and messages.csv.gz: two forms of one table",
        _csv_and_csv_gz,
        ["'messages'", "is ambiguous", "messages.csv and", "messages.csv.gz"],
    ),
    StopCase(
        "appended_header_in_other_order",
        "messages.csv appended to from an export with the columns in another order: the rows "
        "after its header row would land in the wrong columns",
        _appended_header_in_other_order,
        ["messages.csv", "repeats its header row with the columns in another order"],
    ),
]
