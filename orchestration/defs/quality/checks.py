"""Great Expectations suites as Dagster asset checks, at both ends of the warehouse.

Landing checks validate the day's slice of every landing table; the refresh itself also runs
the critical landing expectations first and stops before dbt when one fails (so a bad export
never reaches the published warehouse). Mart checks validate the published marts for the day.
Each check reads its slice with DuckDB (read-only) into pandas; see chat_warehouse.quality.
"""

import datetime as dt

import dagster as dg

from chat_warehouse.quality import LANDING_COLUMNS, MARTS, QualityResult
from orchestration.defs.dbt.project import dbt_target
from orchestration.defs.dbt.warehouse import WarehouseResource

CHECK_NAME = "great_expectations"
LANDING_TABLES = tuple(LANDING_COLUMNS)

landing_specs = [
    dg.AssetSpec(
        key=dg.AssetKey(["landing", table]),
        group_name="landing",
        description=f"Landing table `{table}` in CHAT_RAW_DIR (spec/contract.md): "
        f"`{table}.csv`, `{table}.csv.gz`, `{table}.parquet` or a folder `{table}/`.",
    )
    for table in LANDING_TABLES
]


def partition_day(context) -> dt.date | None:
    """The UTC day of the run's partition, when the run has one."""
    key = context.run.tags.get("dagster/partition") if context.run else None
    return dt.date.fromisoformat(key) if key else None


def check_result(asset_key: dg.AssetKey, result: QualityResult) -> dg.AssetCheckResult:
    """A GX result as a Dagster check: ERROR on a critical failure, WARN on warnings only."""
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=CHECK_NAME,
        passed=result.success and not result.warnings,
        severity=dg.AssetCheckSeverity.ERROR
        if result.critical_failures
        else dg.AssetCheckSeverity.WARN,
        metadata={
            "suite": result.suite,
            "rows": result.statistics.get("rows", 0),
            "critical_failures": dg.MetadataValue.md(
                "\n".join(f"- {f}" for f in result.critical_failures) or "none"
            ),
            "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in result.warnings) or "none"),
        },
    )


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=spec.key,
            blocking=True,
            description="Great Expectations suite of the landing table (day slice)",
        )
        for spec in landing_specs
    ],
    can_subset=True,
)
def landing_quality_checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    from chat_warehouse.quality import validate_landing

    day = partition_day(context)
    for key in context.selected_asset_check_keys:
        table = key.asset_key.path[-1]
        yield check_result(key.asset_key, validate_landing(warehouse.raw_path, table, day=day))


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=dg.AssetKey(["marts", mart]),
            description="Great Expectations suite of the mart (the day's rows)",
        )
        for mart in MARTS
    ],
    can_subset=True,
)
def mart_quality_checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    from chat_warehouse.quality import validate_mart

    day = partition_day(context)
    marts_file = warehouse.published_path
    if dbt_target() == "spark":  # Spark's Parquet marts, through DuckDB views
        from chat_warehouse.spark_marts import spark_views_file

        marts_file = spark_views_file()
    for key in context.selected_asset_check_keys:
        mart = key.asset_key.path[-1]
        yield check_result(key.asset_key, validate_mart(marts_file, mart, day=day))


def critical_landing_failures(raw_dir, day: dt.date | None) -> list[str]:
    """Critical landing expectations that fail for the day: a refresh must not go on."""
    from chat_warehouse.quality import validate_landing

    failures = []
    for table in LANDING_TABLES:
        result = validate_landing(raw_dir, table, day=day)
        failures += [f"{table}: {failure}" for failure in result.critical_failures]
    return failures
