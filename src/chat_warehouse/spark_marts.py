"""Spark's marts for DuckDB readers.

On the spark target (README, "Running on Spark") every mart is a Parquet table folder under
`$CHAT_SPARK_WAREHOUSE/<schema>.db/<table>/`. Readers written for the published DuckDB file
(the Great Expectations mart checks, the dashboard) open instead a small DuckDB file of views
over those folders, which this module writes; the data stays in Spark's Parquet files.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

SCHEMAS = ("marts", "audit")


def spark_warehouse_dir() -> Path:
    """`$CHAT_SPARK_WAREHOUSE` (default `warehouse/spark`), as profiles.yml reads it."""
    return Path(os.environ.get("CHAT_SPARK_WAREHOUSE", "").strip() or "warehouse/spark")


def spark_views_file(spark_warehouse: Path | str | None = None) -> Path:
    """Write (again) `<spark warehouse>/views.duckdb`: a view `<schema>.<table>` over each table
    folder of the reader-facing schemas; return its path."""
    root = Path(spark_warehouse or spark_warehouse_dir()).resolve()
    path = root / "views.duckdb"
    con = duckdb.connect(str(path))
    try:
        for schema in SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
            folder = root / f"{schema}.db"
            tables = sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
            for table in tables:
                if not any(table.glob("*.parquet")):
                    continue
                files = str(table / "*.parquet").replace("'", "''")
                con.execute(
                    f'create or replace view {schema}."{table.name}" as '
                    f"select * from read_parquet('{files}')"
                )
    finally:
        con.close()
    return path
