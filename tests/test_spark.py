"""The same dbt project on Apache Spark (`--target spark`): every mart and audit relation equals
the DuckDB build of the same landing folder, row for row; the dbt unit tests pass on Spark (the
walk's with CHAT_SPARK_ALL=1, below); a bad landing folder stops the Spark build with the
DuckDB build's message.

Each landing folder is built once per engine; Spark's tables are read back as Parquet from
`$CHAT_SPARK_WAREHOUSE/<schema>.db/<table>/` with DuckDB's read_parquet. The module shares one
Spark warehouse and one Spark session: its Spark builds run in the pytest worker
(src/chat_warehouse/dbt_invoke.py), so the JVM starts once. Skipped, saying why, where Java or
pyspark is missing (`make install` says what to install). 5 to 7 minutes on 2 cores,
most of it Spark's fixed cost per statement.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import yaml

from chat_warehouse.dbt_invoke import PROJECT_DIR, build_warehouse, run_dbt
from tests.landing import csv_cell, drop_column, write_landing
from tests.test_end_to_end import AS_OF, TABLES


def _java_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip extra `spark`; make install installs it)"
    if shutil.which("java") is None:
        return "no Java runtime: apt-get install openjdk-17-jre-headless"
    probe = subprocess.run(["java", "-version"], capture_output=True, check=False)
    if probe.returncode != 0:
        return "`java -version` fails: install openjdk-17-jre-headless"
    return None


NEEDS_SPARK = pytest.mark.skipif(
    _java_missing() is not None, reason=f"Spark parity: {_java_missing()}"
)

# The schemas whose relations are compared (the reader-facing ones).
SCHEMAS = ("marts", "audit")
# Columns that differ between any two builds (which build, when it ran), not between engines.
BUILD_COLUMNS = {"built_invocation_id"}
BUILD_TIME_COLUMNS = {("audit", "quarantined_rows"): {"detected_at"}}
# Relations only the DuckDB publish step writes.
DUCKDB_ONLY = {("audit", "published_build")}
GENERATED_AS_OF = "2026-01-15 00:00:00"


@pytest.fixture(scope="module")
def spark_warehouse(tmp_path_factory) -> Path:
    """The module's one Spark warehouse: every Spark build here runs in this process
    (src/chat_warehouse/dbt_invoke.py), so one Spark session serves them all, and Spark fixes
    its warehouse folder when the session starts."""
    return tmp_path_factory.mktemp("spark") / "warehouse"


# dbt's built-in generic tests: their SQL is the adapter's own (dbt-spark's), run here on DuckDB
DBT_BUILT_IN_TESTS = ("not_null", "unique", "relationships", "accepted_values")


def _build_spark(raw: Path, spark_warehouse: Path, as_of: str, *, with_tests: bool) -> str:
    """One `dbt build --target spark --full-refresh`: models only, or models and the project's
    own data tests (generic tests in data-tests/generic/ and the singular ones, whose SQL is
    ours). Each data test costs Spark a second or more, so dbt's built-in generic tests, whose
    SQL dbt-spark provides, are left to the DuckDB build of the same folder."""
    skip = ["unit_test"] if with_tests else ["unit_test", "test"]
    args = ["build", "--target", "spark", "--full-refresh"]
    args += [f"--exclude-resource-type={t}" for t in skip]
    if with_tests:
        args += ["--exclude", *(f"test_name:{name}" for name in DBT_BUILT_IN_TESTS)]
    return _spark_dbt(args, raw, spark_warehouse, as_of).stdout


def _spark_dbt(
    args: list[str], raw: Path, spark_warehouse: Path, as_of: str = AS_OF, *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` on the module's Spark warehouse (no DuckDB file is written)."""
    return run_dbt(
        args,
        raw_dir=raw,
        warehouse_path=spark_warehouse.parent / "unused.duckdb",
        as_of=as_of,
        # two statements at once on the JVM (the tests' DuckDB builds run one thread)
        extra_env={"CHAT_SPARK_WAREHOUSE": str(spark_warehouse), "CHAT_DBT_THREADS": "2"},
        check=check,
    )


def _normal(value: Any) -> Any:
    """A value as both engines' Parquet/DuckDB readers can agree on it."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, float):  # sums and percentiles may differ in the last bits
        return round(value, 6) if math.isfinite(value) else value
    if isinstance(value, str) and value.startswith("{"):
        try:  # JSON text (raw_row): the same object, whatever the spacing
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    return value


def _rows(con: duckdb.DuckDBPyConnection, relation: str, drop: set[str]) -> tuple[list, list]:
    columns = [row[0] for row in con.execute(f"describe select * from {relation}").fetchall()]
    kept = [c for c in columns if c not in drop]
    rows = con.execute(f"select {', '.join(kept)} from {relation}").fetchall()
    normal = sorted(
        (tuple(_normal(v) for v in row) for row in rows),
        key=lambda r: tuple((v is None, str(v)) for v in r),
    )
    return kept, normal


def _assert_same_relations(duckdb_file: Path, spark_warehouse: Path) -> None:
    with duckdb.connect(str(duckdb_file), read_only=True) as con:
        relations = [
            (schema, name)
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables "
                f"where table_schema in {SCHEMAS} order by 1, 2"
            ).fetchall()
            if (schema, name) not in DUCKDB_ONLY
        ]
        assert len(relations) > 10
        for schema, name in relations:
            folder = spark_warehouse / f"{schema}.db" / name
            assert folder.is_dir(), f"Spark did not write {schema}.{name} ({folder})"
            drop = BUILD_COLUMNS | BUILD_TIME_COLUMNS.get((schema, name), set())
            duck_cols, duck_rows = _rows(con, f"{schema}.{name}", drop)
            spark_cols, spark_rows = _rows(con, f"read_parquet('{folder}/*.parquet')", drop)
            assert spark_cols == duck_cols, f"{schema}.{name}: columns differ"
            assert len(spark_rows) == len(duck_rows), f"{schema}.{name}: row counts differ"
            for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True):
                assert spark_row == duck_row, f"{schema}.{name}: rows differ"


def _parquet_copy(csv_dir: Path, raw: Path) -> Path:
    """The e2e landing folder as Parquet, messages as a folder of parts (as the e2e test)."""
    raw.mkdir(parents=True)
    for csv_file in csv_dir.glob("*.csv"):
        names = pacsv.read_csv(csv_file).column_names
        table = pacsv.read_csv(
            csv_file,
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}),
        )
        if csv_file.stem == "messages":
            (raw / "messages").mkdir()
            pq.write_table(table.slice(0, 7), raw / "messages" / "part-0.parquet")
            pq.write_table(table.slice(7), raw / "messages" / "part-1.parquet")
        else:
            pq.write_table(table, raw / f"{csv_file.stem}.parquet")
    return raw


def _generated(raw: Path, *, start: str = "2026-01-01", fmt: str = "parquet") -> Path:
    subprocess.run(
        [
            *(sys.executable, "-m", "chat_warehouse.generator", "--out", str(raw)),
            *("--messages", "3000", "--days", "14", "--start", start, "--shops", "4"),
            *("--bad-row-share", "0.02", "--format", fmt, "--quiet"),
        ],
        check=True,
    )
    return raw


# The tables the combined folder lands as Parquet: one as a folder of parts, one as a file.
PARQUET_PARTS, PARQUET_FILE = "conversation_actions", "orders"


def _to_parquet(csv_file: Path, target: Path, parts: int) -> None:
    names = pacsv.read_csv(csv_file).column_names
    table = pacsv.read_csv(
        csv_file,
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
    )
    if parts == 1:
        pq.write_table(table, target.with_suffix(".parquet"))
    else:
        target.mkdir()
        step = math.ceil(table.num_rows / parts)
        for part in range(parts):
            pq.write_table(table.slice(part * step, step), target / f"part-{part}.parquet")
    csv_file.unlink()


def _combined(root: Path) -> Path:
    """One folder for one Spark build (each Spark build costs minutes of fixed cost): the
    generator's 14 days (3,000 messages, 4 shops, 2% contract-breaking rows) ending at the e2e
    folder's as_of, with the e2e folder's hand-made conversations (every rule's edge) appended
    to its CSV files. Two tables then land as Parquet, one as a folder of parts, so both of
    Spark's landing readers run."""
    raw = _generated(root / "combined", start="2026-02-24", fmt="csv")
    for table, rows in TABLES.items():
        path = raw / f"{table}.csv"
        text = path.read_text(encoding="utf-8")
        header = next(csv.reader([text.splitlines()[0]]))
        newline = "\r\n" if "\r\n" in text else "\n"
        with path.open("a", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator=newline)
            for row in rows:
                writer.writerow([csv_cell(row.get(column)) for column in header])
    _to_parquet(raw / f"{PARQUET_PARTS}.csv", raw / PARQUET_PARTS, parts=2)
    _to_parquet(raw / f"{PARQUET_FILE}.csv", raw / PARQUET_FILE, parts=1)
    return raw


# In CI one folder runs on Spark, `combined` (the generated days with the e2e conversations,
# CSV and Parquet tables), models only, and the unit tests of every model but the walk's.
# CHAT_SPARK_ALL=1 adds the project's own data tests to the combined build, the walk's 24 unit
# tests, and the e2e folder as CSV, as Parquet (messages a folder of parts) and the generated
# folder alone (Parquet): each Spark build costs about two minutes of fixed cost, a walk unit
# test 5-30 s, and CI's 20 minutes are spent on the critical path this module is
# (DECISIONS.md, "Tests run dbt inside the pytest worker").
SPARK_ALL = bool(os.environ.get("CHAT_SPARK_ALL"))
ALL_CASES = pytest.mark.skipif(not SPARK_ALL, reason="set CHAT_SPARK_ALL=1 to run every Spark case")
# the walk's model: its unit tests run on DuckDB always, on Spark with CHAT_SPARK_ALL=1 (the
# combined folder, hand-made edge cases included, still walks on Spark in every run)
WALK = "int_conversation_events_sessionized"


@pytest.mark.slow
@NEEDS_SPARK
@pytest.mark.parametrize(
    "case",
    [
        "combined",
        pytest.param("e2e_csv", marks=ALL_CASES),
        pytest.param("e2e_parquet", marks=ALL_CASES),
        pytest.param("generated", marks=ALL_CASES),
    ],
)
def test_spark_marts_equal_duckdb_marts(case: str, tmp_path: Path, spark_warehouse: Path) -> None:
    as_of = GENERATED_AS_OF if case == "generated" else AS_OF
    if case == "combined":
        raw = _combined(tmp_path)
    elif case == "generated":
        raw = _generated(tmp_path / "generated")
    else:
        raw = write_landing(tmp_path / "csv", TABLES)
        if case == "e2e_parquet":
            raw = _parquet_copy(raw, tmp_path / "parquet")
    # the DuckDB side of the comparison: models only (the marts are what is compared; the data
    # tests run on the e2e folder in tests/test_end_to_end.py)
    build_warehouse(raw, tmp_path / "wh.duckdb", as_of, with_tests=False)
    if case == "combined":  # both sources made it into the marts
        with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
            rows = con.execute("select distinct shop_id from marts.fct_chat_sessions").fetchall()
        shops = {row[0] for row in rows}
        assert {"S1", "S2", "shop_01", "shop_04"} <= shops, shops
    _build_spark(
        raw, spark_warehouse, as_of, with_tests=SPARK_ALL and case in ("combined", "e2e_csv")
    )
    _assert_same_relations(tmp_path / "wh.duckdb", spark_warehouse)


def test_spark_views_file_reads_the_parquet_marts(tmp_path: Path) -> None:
    """The DuckDB file of views the mart checks open on the spark target (no Java needed)."""
    from chat_warehouse.spark_marts import spark_views_file

    folder = tmp_path / "marts.db" / "fct_shop_daily"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"shop_id": ["S1", "S2"]}), folder / "part-0.parquet")
    (tmp_path / "marts.db" / "empty_table").mkdir()
    path = spark_views_file(tmp_path)
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select shop_id from marts.fct_shop_daily order by 1").fetchall()
    assert rows == [("S1",), ("S2",)]


@pytest.mark.slow
@NEEDS_SPARK
def test_dbt_unit_tests_pass_on_spark(tmp_path: Path, spark_warehouse: Path) -> None:
    """`dbt test --select test_type:unit --target spark`: every rule's unit test on Spark (the
    walk's with CHAT_SPARK_ALL=1). dbt takes the unit tests' column types from built relations,
    so the models are built first (models only; on the module's warehouse they are already there
    after the parity cases)."""
    raw = write_landing(tmp_path / "csv", TABLES)
    if not (spark_warehouse / "marts.db" / "fct_chat_sessions").is_dir():
        _build_spark(raw, spark_warehouse, AS_OF, with_tests=False)
    args = ["test", "--target", "spark", "--select", "test_type:unit"]
    if not SPARK_ALL:
        args += ["--exclude", WALK]
    out = _spark_dbt(args, raw, spark_warehouse).stdout
    defined = {
        f"{test['model']}::{test['name']}"
        for path in PROJECT_DIR.glob("models/**/*.yml")
        for test in yaml.safe_load(path.read_text()).get("unit_tests") or []
        if SPARK_ALL or test["model"] != WALK
    }
    passed = set(re.findall(r"PASS (\S+::\S+)", out))
    assert len(defined) > 50
    assert passed == defined, (sorted(defined - passed), out[-3000:])


# Spark stops a recursive CTE at 100 levels and at 1,000,000 rows unless told otherwise; the
# walk's anchor chain outgrows both on real data (a 10M-message build stopped with
# RECURSION_ROW_LIMIT_EXCEEDED). This recursion needs 120 levels and makes 1,201,190 rows.
DEEP_AND_LARGE_RECURSION = """
with recursive r as (
    select id, 0 as level from range(600000)
    union all
    select id, level + 1 from r where level = 0 or (id < 10 and level < 120)
)
select count(*) as walked_rows, max(level) as levels from r
"""


@pytest.mark.slow
@NEEDS_SPARK
def test_the_spark_target_runs_recursions_past_sparks_default_limits(
    tmp_path: Path, spark_warehouse: Path
) -> None:
    """The spark profile lifts spark.sql.cteRecursionLevelLimit and cteRecursionRowLimit, so
    the walk (a recursive CTE) runs on any history."""
    raw = write_landing(tmp_path / "csv", TABLES)
    args = ["show", "--target", "spark", "--inline", DEEP_AND_LARGE_RECURSION]
    proc = _spark_dbt(args, raw, spark_warehouse, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    # 600,000 anchor rows, all of them at level 1, then ten rows on each level up to 120
    table = proc.stdout.replace(",", "")
    assert re.search(r"\|\s*1201190\s*\|\s*120\s*\|", table), proc.stdout[-3000:]


def _spark_landing_case(case: str, raw: Path) -> str:
    """Break a copy of the e2e landing folder as `case` says; return what the build must say."""
    if case == "missing_table":
        (raw / "shop_holiday_periods.csv").unlink()
        return "Required landing table 'shop_holiday_periods' is missing"
    if case == "missing_column":
        drop_column(raw / "messages.csv", "created_at")
        return "missing required column(s) created_at"
    # ambiguous: the same table as a CSV file and as a Parquet file
    pq.write_table(pacsv.read_csv(raw / "shops.csv"), raw / "shops.parquet")
    return "Landing table 'shops' in CHAT_RAW_DIR="


@pytest.mark.slow
@NEEDS_SPARK
@pytest.mark.parametrize("case", ["missing_table", "missing_column", "ambiguous"])
def test_a_bad_landing_folder_stops_the_spark_build_naming_it(
    case: str, tmp_path: Path, spark_warehouse: Path
) -> None:
    """The Spark landing hook (macros/portable/landing_spark.sql) stops the build before any
    model, with the message the DuckDB hook gives for the same folder."""
    raw = write_landing(tmp_path / "csv", TABLES)
    message = _spark_landing_case(case, raw)
    args = ["run", "--target", "spark", "--select", "stg_chat__shops"]
    proc = _spark_dbt(args, raw, spark_warehouse, check=False)
    assert proc.returncode != 0
    assert message in proc.stdout, proc.stdout[-3000:]
    if case == "missing_column":
        assert "messages.csv" in proc.stdout
    duck = build_warehouse(
        raw, tmp_path / "wh.duckdb", AS_OF, select="stg_chat__shops", check=False
    )
    assert duck.returncode != 0 and message in duck.stdout, duck.stdout[-3000:]
