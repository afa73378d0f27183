"""Validate every suite and build GX Data Docs in the file context of `expectations/`.

The file context reads the suites from `expectations/suites/`, stores each run's validation
results under `expectations/uncommitted/validations/` and renders the site into
`expectations/uncommitted/data_docs/local_site/` (git-ignored). Its pandas datasource and
one dataframe asset per suite are declared in `great_expectations.yml`, so a run does not
rewrite the committed files.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from chat_warehouse.quality.readers import LandingTableError
from chat_warehouse.quality.suites import ALL_SUITES, EXPECTATIONS_DIR, quiet_gx
from chat_warehouse.quality.validation import (
    RESULT_FORMAT,
    QualityResult,
    batch_definition,
    classify,
    landing_frame,
    mart_frame,
    unreadable,
)

if TYPE_CHECKING:
    from great_expectations.data_context import FileDataContext

SITE = "local_site"


@dataclass(frozen=True)
class DocsReport:
    """The Data Docs index page and the result of every suite validated for it."""

    index: Path
    results: list[QualityResult]

    @property
    def success(self) -> bool:
        """True when no suite has a critical failure."""
        return all(result.success for result in self.results)


def file_context(root_dir: Path | None = None) -> FileDataContext:
    """The GX file context rooted at `expectations/` (its great_expectations.yml)."""
    quiet_gx()
    import great_expectations as gx

    context = gx.get_context(mode="file", context_root_dir=str(root_dir or EXPECTATIONS_DIR))
    return context  # type: ignore[return-value]


def _validate_into_store(
    context: FileDataContext,
    name: str,
    raw_dir: Path | str,
    warehouse_path: Path | str,
    day: dt.date | None,
) -> QualityResult:
    """Validate one suite through a ValidationDefinition, so the result is stored."""
    import great_expectations as gx
    from great_expectations.exceptions import DataContextError

    suite = context.suites.get(name)
    layer, table = name.split(".", 1)
    try:
        if layer == "landing":
            frame = landing_frame(raw_dir, table, suite, day=day)
        else:
            frame = mart_frame(warehouse_path, table, suite, day=day)
    except (LandingTableError, FileNotFoundError, duckdb.Error) as exc:
        return unreadable(name, str(exc))
    # delete + add, not add_or_update: that one re-saves the suite, rewriting the reviewed file.
    try:
        context.validation_definitions.delete(name)
    except DataContextError:
        pass
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch_definition(context, name), suite=suite)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=DeprecationWarning)
        gx_result = definition.run(
            batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT
        )
    return classify(name, gx_result, len(frame))


def run_data_docs(
    raw_dir: Path | str,
    warehouse_path: Path | str,
    *,
    day: dt.date | None = None,
    suites: tuple[str, ...] | list[str] = ALL_SUITES,
    root_dir: Path | None = None,
) -> DocsReport:
    """Validate `suites` (default: all) and build the Data Docs site; returns the report."""
    root = Path(root_dir or EXPECTATIONS_DIR)
    context = file_context(root)
    results = [_validate_into_store(context, n, raw_dir, warehouse_path, day) for n in suites]
    context.build_data_docs(site_names=[SITE])
    index = root / "uncommitted" / "data_docs" / SITE / "index.html"
    return DocsReport(index=index, results=results)


def build_data_docs(
    raw_dir: Path | str,
    warehouse_path: Path | str,
    *,
    day: dt.date | None = None,
    root_dir: Path | None = None,
) -> Path:
    """Validate every suite and build the Data Docs site; returns the path of index.html."""
    return run_data_docs(raw_dir, warehouse_path, day=day, root_dir=root_dir).index
