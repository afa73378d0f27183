"""Read a landing CSV file exactly as the build's landing hook reads it.

The hook is macros/portable/landing_duckdb.sql; every step here mirrors one of its
macros, with the same DuckDB reader options, so that the quality suites validate the rows the
build reads (tests/test_bad_inputs_catalogue.py compares both on every bad input):

- the whole file must be UTF-8 (`_csv_header`);
- the header row names the columns of that file: split on the commas outside quotes, each
  name without byte-order mark, surrounding spaces and quotes, lower-case (`split_csv_header`);
- a file that mixes line endings is read through a copy with LF line endings
  (`_csv_read_path`; the same lines, so the same line numbers);
- the strict reader skips exactly the lines the build quarantines as `csv_*`;
- a NUL byte is removed from a value; a line that repeats the header row is not a row, and one
  that repeats it in another column order is an error (the build stops).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

# RFC 4180 fields of a header line: quoted (commas inside allowed) or up to the next comma.
_HEADER_FIELD = re.compile(r'(?:^|,)("(?:[^"]|"")*"|[^,]*)')
# DuckDB SQL: a field as a header name (no BOM, no NUL, trimmed, lower-case, '' when null).
_FIELD_NAME = (
    "lower(trim(replace(replace(coalesce({column}, ''), chr(65279), ''), chr(0), ''), "
    "' ' || chr(9) || chr(13) || chr(10)))"
)


class CsvFileError(RuntimeError):
    """A CSV file the build would stop on (the message names the file and the problem)."""


def sql_str(value: str) -> str:
    """A text value as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def split_csv_header(line: str) -> list[str]:
    """The column names of a header line, as the landing hook's _csv_header reads them."""
    names = []
    for raw in _HEADER_FIELD.findall(line):
        name = raw.replace("\ufeff", "").strip()
        if name.startswith('"') and name.endswith('"') and len(name) > 1:
            name = name[1:-1].replace('""', '"').strip()
        names.append(name.lower())
    return names


def csv_reader_sql(path: Path | str, n_columns: int, options: str) -> str:
    """The DuckDB reader of one landing CSV file, as the hook's landing_csv_reader: RFC 4180,
    header row, UTF-8, `n_columns` text columns c1, c2, ... by position, no sniffing. Lines the
    reader rejects are skipped (and recorded in the rejects tables of `options`), never
    dropped silently with ignore_errors."""
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, n_columns + 1))
    return (
        f"read_csv({sql_str(str(path))}, header = true, auto_detect = false, "
        f"columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"', {options})"
    )


def _rejects(prefix: str) -> str:
    return (
        f"store_rejects = true, rejects_table = '{prefix}_errors', rejects_scan = '{prefix}_scans'"
    )


def _drop_rejects(con: duckdb.DuckDBPyConnection, prefix: str) -> None:
    con.execute(f"drop table if exists {prefix}_errors")
    con.execute(f"drop table if exists {prefix}_scans")


def _csv_header(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> list[str]:
    """The header names of a CSV file, after checking that every line is UTF-8."""
    lines = (
        f"read_csv({sql_str(str(path))}, header = false, auto_detect = false, "
        "columns = {'line': 'VARCHAR'}, delim = chr(31), quote = '', escape = '', "
        "strict_mode = false"
    )
    _drop_rejects(con, "reader_probe")
    con.execute(f"select count(*) from {lines}, {_rejects('reader_probe')})").fetchall()
    bad = con.execute(
        "select min(line) from reader_probe_errors where error_type like 'INVALID%'"
    ).fetchone()
    _drop_rejects(con, "reader_probe")
    if bad is not None and bad[0] is not None:
        raise CsvFileError(
            f"Landing file {path} (table '{table}') is not UTF-8 text (invalid byte sequence at "
            f"line {bad[0]}): the contract's CSV is UTF-8. Re-export the file as UTF-8."
        )
    first = con.execute(f"select line from {lines}) limit 1").fetchone()
    return split_csv_header(first[0]) if first is not None and first[0] is not None else []


def mixes_line_endings(data: bytes) -> bool:
    """Does the text use more than one of CRLF, LF and CR as line endings?"""
    crlf = data.count(b"\r\n")
    kinds = (crlf > 0) + (data.count(b"\n") > crlf) + (data.count(b"\r") > crlf)
    return kinds >= 2


# Larger files are not checked for mixed line endings (the hook holds a file in memory).
MIXED_LINE_ENDINGS_CHECKED_UP_TO = 1024 * 1024 * 1024


def _csv_read_path(path: Path, copy_dir: Path, index: int) -> Path:
    """The file DuckDB reads: `path`, or, when a plain .csv (up to 1 GiB) mixes line endings,
    a copy in `copy_dir` with every line ending LF (and a final one), as the hook writes it."""
    if path.name.endswith(".gz") or path.stat().st_size > MIXED_LINE_ENDINGS_CHECKED_UP_TO:
        return path
    data = path.read_bytes()
    if not mixes_line_endings(data):
        return path
    copy = copy_dir / f"{index}.csv"
    copy.write_bytes(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + b"\n")
    return copy


def check_gzip(table: str, files: list[Path]) -> None:
    """A .csv.gz file must be gzip (the hook checks files up to 256 MB)."""
    for path in files:
        if path.name.endswith(".gz") and path.stat().st_size <= 268435456:
            with path.open("rb") as fh:
                if fh.read(2) != b"\x1f\x8b":
                    raise CsvFileError(
                        f"Landing file {path} (table '{table}') is not a readable gzip file "
                        "(no gzip magic bytes at its start)."
                    )


def csv_select(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    index: int,
    columns: dict[str, bool],
    copy_dir: Path,
    missing: set[str],
) -> str:
    """A select of one CSV file with the contract `columns` (name -> must the file have it) by
    its own header row, as the hook's landing view reads it; a required column the file lacks
    is null in the select and added to `missing`."""
    header = _csv_header(con, table, path)
    if not header:  # no header row: the build stops on its missing columns
        missing.update(c for c, must in columns.items() if must)
        nulls = ", ".join(f"cast(null as varchar) as {c}" for c in columns)
        return f"select {nulls} where false"
    present: dict[str, str] = {}
    for i, name in enumerate(header, start=1):
        present.setdefault(name, f"replace(c{i}, chr(0), '')")
    selected = []
    for column, must in columns.items():
        if column in present:
            selected.append(f"{present[column]} as {column}")
        else:
            selected.append(f"cast(null as varchar) as {column}")
            if must:
                missing.add(column)
    read_path = _csv_read_path(path, copy_dir, index)
    fields = [_FIELD_NAME.format(column=f"c{i}") for i in range(1, len(header) + 1)]
    header_row = " and ".join(f"{f} = {sql_str(n)}" for f, n in zip(fields, header, strict=True))
    data_row = f"not ({header_row})"
    if len(header) > 1:
        names = "[" + ", ".join(sql_str(n) for n in header) + "]"
        reordered = con.execute(
            f"select count(*) from {csv_reader_sql(read_path, len(header), _rejects('reader_order'))}"
            f" where {data_row} and list_sort([{', '.join(fields)}]) = list_sort({names})"
        ).fetchone()
        _drop_rejects(con, "reader_order")
        if reordered is not None and reordered[0] > 0:
            raise CsvFileError(
                f"Landing file {path} (table '{table}') repeats its header row with the columns "
                "in another order: the rows after that line would land in the wrong columns."
            )
    reader = csv_reader_sql(read_path, len(header), _rejects("reader_view"))
    return f"select {', '.join(selected)} from {reader} where {data_row}"
