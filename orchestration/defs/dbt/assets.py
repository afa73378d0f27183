"""Every dbt model as a Dagster asset, refreshed per daily partition (as_of = the day's end)."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt.partitions import as_of_for_window, daily_partitions
from orchestration.defs.dbt.project import dbt_project, dbt_target
from orchestration.defs.dbt.translator import ChatWarehouseTranslator
from orchestration.defs.dbt.warehouse import WarehouseResource, exclusive_build


class RefreshConfig(dg.Config):
    """Run configuration of a refresh."""

    full_refresh: bool = False
    # Critical Great Expectations on the day's landing slice run before dbt and stop a bad
    # export from reaching the published warehouse; switch off only to force a rebuild.
    check_landing: bool = True


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=ChatWarehouseTranslator(),
    partitions_def=daily_partitions,
    # a range of days is one dbt invocation with as_of at the range's end
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL),
    pool="chat_warehouse_writer",
)
def chat_warehouse_dbt_assets(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: RefreshConfig,
):
    """`dbt build` of the selected models for the partition (range), in the private working
    file; dbt publishes the marts atomically when the build and its tests pass."""
    start, end = context.partition_time_window
    # as_of is the window's end (a range of days is one build at its end). It reaches dbt as
    # CHAT_AS_OF, not `--vars`: a new var value makes dbt parse the whole project again
    # (macros/portable/time.sql, as_of_setting).
    as_of = as_of_for_window(end)
    # dbt unit tests are code tests (`make test`), not data checks: not part of a refresh
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    context.log.info(f"refresh {context.partition_key_range} with as_of {as_of}")
    if config.check_landing:
        from orchestration.defs.quality.checks import critical_landing_failures

        day = start.date() if (end - start).days == 1 else None
        failures = critical_landing_failures(warehouse.raw_path, day)
        if failures:
            raise dg.Failure(
                description=f"critical landing expectations failed in {warehouse.raw_path}; "
                "the warehouse was not refreshed. Fix the landing files (README, 'When the "
                "data is wrong') and re-run.",
                metadata={"failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in failures))},
                allow_retries=False,
            )
    if dbt_target() == "spark":
        # Spark's tables are the published state: no working file, writer lock or publish step
        # (the spark target's hooks publish nothing; DECISIONS.md, "Spark")
        with _environment(CHAT_RAW_DIR=str(warehouse.raw_path), CHAT_AS_OF=as_of):
            yield from dbt.cli(args, context=context).stream()
        context.log.info("built on Spark (CHAT_DBT_TARGET=spark): the tables are published")
        return
    published = warehouse.published_path
    with (
        exclusive_build(published, log=context.log) as work,
        _environment(
            CHAT_RAW_DIR=str(warehouse.raw_path),
            CHAT_WAREHOUSE_PATH=str(published),
            CHAT_WORK_PATH=str(work),
            CHAT_AS_OF=as_of,
        ),
    ):
        yield from dbt.cli(args, context=context).stream()
    context.log.info(f"published {published} (built in {work})")
