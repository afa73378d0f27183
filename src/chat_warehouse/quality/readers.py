"""Read the slices that the quality suites validate into pandas, with DuckDB.

GX 1.x cannot validate DuckDB through its SQL datasource, so every suite runs on a pandas
DataFrame read here: a landing table from CHAT_RAW_DIR (in-memory DuckDB) or a mart from the
warehouse file (read-only connection).

A landing table is read exactly as the build's landing hook reads it
(macros/portable/landing_duckdb.sql): the same files, each CSV file by its own header
row, CSV as text with the same strict reader, and the lines the build quarantines as `csv_*`
skipped (and nothing else). The frame therefore holds the rows of `landing.<table>` in the
built warehouse; tests/test_bad_inputs_catalogue.py checks it on the bad-input catalogue.

Both readers can add *derived columns*: SQL expressions evaluated per row beside the table's
own columns. The suites declare them in `meta.derived_columns` (parsed timestamps, numbers,
cross-mart recounts), so what an expectation checks is visible in the reviewed suite file.
Landing expressions may use the macros `landing_timestamp(x)`, `landing_text(x)`,
`landing_integer(x)` and `landing_number(x)`, which parse a value as staging does.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from chat_warehouse import contract
from chat_warehouse.quality import landing_csv

# The landing contract (models/staging/__sources.yml, through chat_warehouse.contract):
# table -> column -> must the file have it, in the contract's column order.
LANDING_COLUMNS: dict[str, dict[str, bool]] = {
    table.name: {c.name: c.required_in_file for c in table.columns}
    for table in contract.TABLES.values()
}
REQUIRED_TABLES = contract.REQUIRED_TABLES
# The UTC instant that places a row of a time-stamped table in a day (`day=` slices).
DAY_COLUMNS = contract.DAY_COLUMNS
MARTS = ("fct_chat_sessions", "fct_agent_daily", "fct_shop_daily")

_MACROS = (
    "create or replace macro landing_text(x) as nullif(trim(cast(x as varchar)), '')",
    # Text, TIMESTAMP or TIMESTAMPTZ -> UTC TIMESTAMP, null when unparseable (TimeZone = UTC,
    # so a TIMESTAMP or offset-less text is read as UTC, as staging does).
    (
        "create or replace macro landing_timestamp(x) as "
        "cast(timezone('UTC', try_cast(landing_text(x) as timestamptz)) as timestamp)"
    ),
    # A whole number (4, -4, 4.0) as staging's integer_value reads it; 4.5 is null, not 4.
    (
        "create or replace macro landing_integer(x) as case "
        "when regexp_full_match(landing_text(x), '[+-]?[0-9]+(\\.0+)?') "
        "then try_cast(try_cast(landing_text(x) as decimal(38, 1)) as integer) end"
    ),
    # An amount as staging reads it (decimal(18, 2)), as a double for pandas.
    (
        "create or replace macro landing_number(x) as "
        "cast(try_cast(landing_text(x) as decimal(18, 2)) as double)"
    ),
)


class LandingTableError(RuntimeError):
    """A landing table cannot be read: a required table is missing, ambiguous or unreadable."""


def landing_files(raw_dir: Path | str, table: str) -> tuple[str, list[Path]] | None:
    """The form (`csv` or `parquet`) and files of a landing table, as the landing hook finds
    them: `<table>.parquet`, `<table>.csv`, `<table>.csv.gz`, or a folder `<table>/` of
    .parquet files or of .csv/.csv.gz files; None when absent.

    Raises LandingTableError when the table exists in more than one form, as the build does.
    """
    base = Path(raw_dir) / table
    forms: list[tuple[str, list[Path]]] = []
    for kind, name in (("parquet", f"{table}.parquet"), ("csv", f"{table}.csv"),
                       ("csv", f"{table}.csv.gz")):  # fmt: skip
        single = base.with_name(name)
        if single.is_file():
            forms.append((kind, [single]))
    if base.is_dir():
        for kind, suffixes in (("parquet", (".parquet",)), ("csv", (".csv", ".csv.gz"))):
            files = sorted(p for p in base.rglob("*") if p.is_file() and p.name.endswith(suffixes))
            if files:
                forms.append((kind, files))
    if len(forms) > 1:
        found = ", ".join(f"{kind} ({len(files)} file(s))" for kind, files in forms)
        raise LandingTableError(
            f"Landing table '{table}' in {raw_dir} is ambiguous: found {found}. Keep exactly "
            f"one of {table}.csv, {table}.csv.gz, {table}.parquet or a folder {table}/."
        )
    return forms[0] if forms else None


def _landing_source(
    con: duckdb.DuckDBPyConnection, table: str, kind: str, files: list[Path], copy_dir: Path
) -> tuple[str, set[str]]:
    """SQL for the rows of a landing table as the build's landing view reads them, and the
    required columns some file lacks (the build stops on those; the frame leaves them out).
    `copy_dir` holds the copies of CSV files read with LF line endings."""
    empty = [p for p in files if p.stat().st_size == 0]
    if empty:
        raise LandingTableError(
            f"Landing file {', '.join(map(str, empty))} (table '{table}') is empty (0 bytes)."
        )
    missing: set[str] = set()
    if kind == "csv":
        try:
            landing_csv.check_gzip(table, files)
            selects = [
                landing_csv.csv_select(
                    con, table, path, index, LANDING_COLUMNS[table], copy_dir, missing
                )
                for index, path in enumerate(files, start=1)
            ]
        except landing_csv.CsvFileError as exc:
            raise LandingTableError(str(exc)) from exc
        return "(" + " union all ".join(selects) + ")", missing
    paths = "[" + ", ".join(landing_csv.sql_str(str(p)) for p in files) + "]"
    con.execute(
        f"create view landing_file as select * from read_parquet({paths}, union_by_name = true)"
    )
    present = {
        str(row[0]).lower(): str(row[0]) for row in con.execute("describe landing_file").fetchall()
    }
    columns = [
        f'"{present[c]}" as {c}' if c in present else f"cast(null as varchar) as {c}"
        for c in LANDING_COLUMNS[table]
    ]
    missing = {c for c, must in LANDING_COLUMNS[table].items() if must and c not in present}
    return f"(select {', '.join(columns)} from landing_file)", missing


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(day.year, day.month, day.day)
    return start, start + dt.timedelta(days=1)


def read_landing_table(
    raw_dir: Path | str,
    table: str,
    *,
    day: dt.date | None = None,
    derived: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read one landing table of `raw_dir` (CHAT_RAW_DIR) as landed, in any contract form.

    The frame has the contract's columns (CSV as text, Parquet typed); an optional column the
    file lacks is null, a required one it lacks is left out (so the suite's column check
    names it). An absent optional table is an empty frame. With `day`, a time-stamped table
    keeps the rows whose timestamp (see DAY_COLUMNS) falls on that UTC day; rows whose
    timestamp does not parse fall on no day. `derived` adds named SQL expressions as columns.
    Raises LandingTableError when a required table is absent or a file cannot be read.
    """
    if table not in LANDING_COLUMNS:
        raise ValueError(f"Unknown landing table {table!r}; one of {sorted(LANDING_COLUMNS)}")
    names = list(LANDING_COLUMNS[table])
    found = landing_files(raw_dir, table)
    if found is None and table in REQUIRED_TABLES:
        raise LandingTableError(
            f"Required landing table '{table}' is missing in {raw_dir}: expected {table}.csv, "
            f"{table}.csv.gz, {table}.parquet or a folder {table}/ of .parquet or .csv/.csv.gz "
            "files."
        )
    with tempfile.TemporaryDirectory(prefix="landing-csv-") as copy_dir:
        con = duckdb.connect()
        try:
            return _read(con, table, names, found, Path(copy_dir), day, derived)
        finally:
            con.close()


def _read(
    con: duckdb.DuckDBPyConnection,
    table: str,
    names: list[str],
    found: tuple[str, list[Path]] | None,
    copy_dir: Path,
    day: dt.date | None,
    derived: Mapping[str, str] | None,
) -> pd.DataFrame:
    """read_landing_table on an open in-memory connection (`found`: the table's form and
    files, or None when absent)."""
    con.execute("set TimeZone = 'UTC'")
    for macro in _MACROS:
        con.execute(macro)
    missing: set[str] = set()
    if found is not None:
        kind, files = found
        try:
            source, missing = _landing_source(con, table, kind, files, copy_dir)
        except duckdb.Error as exc:
            listed = ", ".join(str(f) for f in files[:3])
            raise LandingTableError(
                f"Landing table '{table}' ({listed}) cannot be read: {exc}"
            ) from exc
    else:
        columns = ", ".join(f"cast(null as varchar) as {c}" for c in names)
        source = f"(select {columns} where false)"
    kept = [c for c in names if c not in missing]
    extra = [f"{expr} as {name}" for name, expr in (derived or {}).items()]
    sql = f"with src as (select * from {source} as landed) "
    sql += f"select {', '.join(kept + extra)} from src"
    params: list[object] = []
    if day is not None and table in DAY_COLUMNS:
        sql += f" where landing_timestamp({DAY_COLUMNS[table]}) >= ? and "
        sql += f"landing_timestamp({DAY_COLUMNS[table]}) < ?"
        params = list(_day_bounds(day))
    try:
        return con.execute(sql, params).df()
    except duckdb.Error as exc:
        raise LandingTableError(f"Landing table '{table}' cannot be read: {exc}") from exc


def read_mart(
    warehouse_path: Path | str,
    mart: str,
    *,
    day: dt.date | None = None,
    derived: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read `marts.<mart>` from the warehouse file through a read-only DuckDB connection.

    With `day`, only rows whose session_date is that day. `derived` adds named SQL
    expressions as columns; they see the mart row as `m` and may query other marts.
    """
    if mart not in MARTS:
        raise ValueError(f"Unknown mart {mart!r}; one of {list(MARTS)}")
    path = Path(warehouse_path)
    if not path.is_file():
        raise FileNotFoundError(f"Warehouse file {path} does not exist (build it first).")
    extra = "".join(f", {expr} as {name}" for name, expr in (derived or {}).items())
    sql = f"select m.*{extra} from marts.{mart} as m"
    params: list[object] = []
    if day is not None:
        sql += " where m.session_date = ?"
        params = [day]
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params).df()
    finally:
        con.close()
