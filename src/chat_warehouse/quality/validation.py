"""Validate landing tables and marts against their suites, with GX's pandas datasource.

`validate_landing` / `validate_mart` read the slice with DuckDB (readers.py), validate it in an
ephemeral GX context (nothing written to disk) and return a QualityResult: `success` is False
only when a critical expectation fails (or the table cannot be read at all); failed
non-critical expectations are `warnings`.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from chat_warehouse.quality.readers import (
    LandingTableError,
    read_landing_table,
    read_mart,
)
from chat_warehouse.quality.suites import (
    derived_columns,
    describe_expectation,
    is_critical,
    load_suite,
    quiet_gx,
)

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.data_context import AbstractDataContext

DATASOURCE = "chat_warehouse_quality"
BATCH_DEFINITION = "whole_dataframe"
RESULT_FORMAT: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 5}


@dataclass(frozen=True)
class QualityResult:
    """The outcome of one suite on one slice.

    `critical_failures` and `warnings` describe the failed expectations (what was expected,
    what was seen, and why it matters); `gx_result` is GX's own result (None when the data
    could not be read).
    """

    suite: str
    success: bool
    critical_failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    statistics: dict[str, Any] = field(default_factory=dict)
    gx_result: ExpectationSuiteValidationResult | None = None

    def summary(self) -> str:
        """One line: suite, verdict, rows, expectations met, failures."""
        stats = self.statistics
        verdict = "OK" if self.success else "FAILED"
        if self.gx_result is None:
            return (
                f"{self.suite:<32} {verdict:<6} not validated: {'; '.join(self.critical_failures)}"
            )
        return (
            f"{self.suite:<32} {verdict:<6} {stats.get('rows', 0):>9} rows  "
            f"{stats.get('successful_expectations', 0)}/{stats.get('evaluated_expectations', 0)}"
            f" expectations met  {len(self.critical_failures)} critical failure(s), "
            f"{len(self.warnings)} warning(s)"
        )


def unreadable(suite: str, problem: str) -> QualityResult:
    """The result of a suite whose data cannot be read: a critical failure."""
    return QualityResult(
        suite=suite,
        success=False,
        critical_failures=[f"data readable: {problem}"],
        statistics={"rows": 0},
    )


def _exception_message(info: Mapping[str, Any] | None) -> str | None:
    """The first error message of a result's exception_info (flat, or keyed by metric)."""
    if not info:
        return None
    candidates = [info, *(v for v in info.values() if isinstance(v, Mapping))]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            lines = str(candidate.get("exception_message") or "error").splitlines()
            return lines[0] if lines else "error"
    return None


def _observed(result: Any) -> str:
    """What a failed expectation saw, in a few words."""
    error = _exception_message(result.exception_info)
    if error:
        return f"could not be evaluated: {error}"
    res = result.result or {}
    if res.get("unexpected_count") is not None:
        values = (res.get("partial_unexpected_list") or [])[:3]
        sample = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values)
        pct = res.get("unexpected_percent") or 0.0
        return (
            f"{res['unexpected_count']} of {res.get('element_count', '?')} rows unexpected "
            f"({pct:.2f}%){f', e.g. {sample}' if sample else ''}"
        )
    details = res.get("details") or {}
    if details.get("mismatched"):
        return f"mismatched columns {details['mismatched']}"
    return f"observed {res.get('observed_value')!r}"


def _condition_text(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """kwargs with a serialized row_condition turned back into a readable Condition."""
    condition = kwargs.get("row_condition")
    if isinstance(condition, Mapping):
        from great_expectations.expectations.row_conditions import deserialize_row_condition

        return {**kwargs, "row_condition": deserialize_row_condition(dict(condition))}
    return dict(kwargs)


def classify(
    suite_name: str, gx_result: ExpectationSuiteValidationResult, rows: int
) -> QualityResult:
    """Split GX's result into critical failures and warnings by each expectation's meta."""
    critical: list[str] = []
    warned: list[str] = []
    for result in gx_result.results:
        if result.success:
            continue
        config = result.expectation_config
        meta = config.meta or {}
        text = (
            f"{describe_expectation(config.type, _condition_text(config.kwargs))}: "
            f"{_observed(result)} -- {meta.get('why', '')}"
        )
        (critical if is_critical(meta) else warned).append(text)
    stats = dict(gx_result.statistics)
    stats["rows"] = rows
    stats["critical_failures"] = len(critical)
    stats["warnings"] = len(warned)
    return QualityResult(
        suite=suite_name,
        success=not critical,
        critical_failures=critical,
        warnings=warned,
        statistics=stats,
        gx_result=gx_result,
    )


@functools.cache
def _ephemeral_context() -> AbstractDataContext:
    """An in-memory GX context: offline, no progress bars, nothing written to disk."""
    quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def batch_definition(context: AbstractDataContext, asset_name: str) -> Any:
    """The whole-dataframe batch definition of `asset_name`, created on first use."""
    try:
        datasource = context.data_sources.get(DATASOURCE)
    except KeyError:
        datasource = context.data_sources.add_pandas(DATASOURCE)
    if asset_name in datasource.get_asset_names():
        asset = datasource.get_asset(asset_name)
    else:
        asset = datasource.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition(BATCH_DEFINITION)
    except KeyError:
        return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)


def validate_frame(frame: pd.DataFrame, suite: ExpectationSuite) -> QualityResult:
    """Validate a DataFrame against a suite (in the ephemeral context)."""
    context = _ephemeral_context()
    batch = batch_definition(context, suite.name).get_batch(batch_parameters={"dataframe": frame})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=DeprecationWarning)
        gx_result = batch.validate(suite, result_format=RESULT_FORMAT)
    return classify(suite.name, gx_result, len(frame))


def landing_frame(
    raw_dir: Path | str, table: str, suite: ExpectationSuite, *, day: dt.date | None
) -> pd.DataFrame:
    """The landing slice with the suite's derived columns."""
    return read_landing_table(raw_dir, table, day=day, derived=derived_columns(suite))


def mart_frame(
    warehouse_path: Path | str, mart: str, suite: ExpectationSuite, *, day: dt.date | None
) -> pd.DataFrame:
    """The mart slice with the suite's derived columns."""
    return read_mart(warehouse_path, mart, day=day, derived=derived_columns(suite))


def validate_landing(
    raw_dir: Path | str, table: str, *, day: dt.date | None = None
) -> QualityResult:
    """Validate landing table `table` of `raw_dir` (all of it, or one UTC `day`)."""
    return _validate_slice(
        f"landing.{table}",
        lambda suite: landing_frame(raw_dir, table, suite, day=day),
        LandingTableError,
    )


def validate_mart(
    warehouse_path: Path | str, mart: str, *, day: dt.date | None = None
) -> QualityResult:
    """Validate `marts.<mart>` of the warehouse file (all of it, or one `session_date`)."""
    import duckdb

    return _validate_slice(
        f"marts.{mart}",
        lambda suite: mart_frame(warehouse_path, mart, suite, day=day),
        (FileNotFoundError, duckdb.Error),
    )


def _validate_slice(
    suite_name: str,
    read: Callable[[ExpectationSuite], pd.DataFrame],
    unreadable_errors: type[Exception] | tuple[type[Exception], ...],
) -> QualityResult:
    """Run suite `suite_name` on the slice `read` returns; a slice that cannot be read fails."""
    suite = load_suite(suite_name)
    try:
        frame = read(suite)
    except unreadable_errors as exc:
        return unreadable(suite.name, str(exc))
    return validate_frame(frame, suite)


def validate_suite(
    name: str, raw_dir: Path | str, warehouse_path: Path | str, *, day: dt.date | None = None
) -> QualityResult:
    """Validate one suite by name: `landing.<table>` on raw_dir, `marts.<mart>` on the warehouse."""
    layer, table = name.split(".", 1)
    if layer == "landing":
        return validate_landing(raw_dir, table, day=day)
    return validate_mart(warehouse_path, table, day=day)
