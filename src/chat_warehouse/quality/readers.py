"""Read the slices that the quality suites validate into pandas, with DuckDB.

GX 1.x cannot validate DuckDB through its SQL datasource, so every suite runs on a pandas
DataFrame read here: a landing table from CHAT_RAW_DIR (in-memory DuckDB, the same readers as
the dbt landing hook, CSV as text) or a mart from the warehouse file (read-only connection).

Both readers can add *derived columns*: SQL expressions evaluated per row beside the table's
own columns. The suites declare them in `meta.derived_columns` (parsed timestamps, numbers,
cross-mart recounts), so what an expectation checks is visible in the reviewed suite file.
Landing expressions may use the macros `landing_timestamp(x)`, `landing_text(x)`,
`landing_integer(x)` and `landing_number(x)`, which parse a value as staging does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from chat_warehouse import contract

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


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def landing_files(raw_dir: Path | str, table: str) -> tuple[str, list[Path]] | None:
    """The form (`csv` or `parquet`) and files of a landing table; None when absent.

    Raises LandingTableError when the table exists in more than one form, as the build does.
    """
    base = Path(raw_dir) / table
    forms: list[tuple[str, list[Path]]] = []
    for kind in ("parquet", "csv"):
        single = base.with_name(f"{table}.{kind}")
        if single.is_file():
            forms.append((kind, [single]))
    if base.is_dir():
        for kind in ("parquet", "csv"):
            files = sorted(p for p in base.rglob(f"*.{kind}") if p.is_file())
            if files:
                forms.append((kind, files))
    if len(forms) > 1:
        found = ", ".join(f"{kind} ({len(files)} file(s))" for kind, files in forms)
        raise LandingTableError(
            f"Landing table '{table}' in {raw_dir} is ambiguous: found {found}. Keep exactly "
            f"one of {table}.csv, {table}.parquet or a folder {table}/."
        )
    return forms[0] if forms else None


def _reader_sql(kind: str, files: list[Path]) -> str:
    paths = "[" + ", ".join(_sql_str(str(p)) for p in files) + "]"
    if kind == "csv":
        return (
            f"read_csv({paths}, header = true, all_varchar = true, delim = ',', quote = '\"', "
            "escape = '\"', union_by_name = true, ignore_errors = true)"
        )
    return f"read_parquet({paths}, union_by_name = true)"


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
    contract = LANDING_COLUMNS[table]
    found = landing_files(raw_dir, table)
    if found is None and table in REQUIRED_TABLES:
        raise LandingTableError(
            f"Required landing table '{table}' is missing in {raw_dir}: expected {table}.csv, "
            f"{table}.parquet or a folder {table}/ of .parquet/.csv files."
        )
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        for macro in _MACROS:
            con.execute(macro)
        present: dict[str, str] = {}
        if found is not None:
            kind, files = found
            try:
                con.execute(f"create view landing_file as select * from {_reader_sql(kind, files)}")
                described = con.execute("describe landing_file").fetchall()
            except duckdb.Error as exc:
                names = ", ".join(str(f) for f in files[:3])
                raise LandingTableError(
                    f"Landing table '{table}' ({names}) cannot be read: {exc}"
                ) from exc
            present = {str(row[0]).lower(): str(row[0]) for row in described}
            source = "landing_file"
        else:
            source = "(select 1 as _none where false) as nothing"
        columns = [
            f'"{present[c]}" as {c}' if c in present else f"cast(null as varchar) as {c}"
            for c in contract
        ]
        kept = [c for c, must in contract.items() if found is None or c in present or not must]
        extra = [f"{expr} as {name}" for name, expr in (derived or {}).items()]
        sql = (
            f"with src as (select {', '.join(columns)} from {source}) "
            f"select {', '.join(kept + extra)} from src"
        )
        params: list[object] = []
        if day is not None and table in DAY_COLUMNS:
            sql += f" where landing_timestamp({DAY_COLUMNS[table]}) >= ? and "
            sql += f"landing_timestamp({DAY_COLUMNS[table]}) < ?"
            params = list(_day_bounds(day))
        try:
            return con.execute(sql, params).df()
        except duckdb.Error as exc:
            raise LandingTableError(f"Landing table '{table}' cannot be read: {exc}") from exc
    finally:
        con.close()


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
