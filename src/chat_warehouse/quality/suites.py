"""The Great Expectations suites kept as files under `expectations/suites/`.

A suite named `<layer>.<table>` lives in `expectations/suites/<layer>/<table>.json` (GX's own
file layout, so the file context of `expectations/` reads the same files). Every expectation
carries `meta: {"critical": bool, "why": str}` and a matching GX `severity`; a suite's
`meta.derived_columns` names the SQL expressions the readers add as columns (readers.py).

Nothing here imports great_expectations at module import time: it is slow to import, and
Dagster definitions import this package.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chat_warehouse.dbt_invoke import PROJECT_DIR
from chat_warehouse.quality.readers import LANDING_COLUMNS, MARTS

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
LANDING_SUITES = tuple(f"landing.{table}" for table in LANDING_COLUMNS)
MART_SUITES = tuple(f"marts.{mart}" for mart in MARTS)
ALL_SUITES = LANDING_SUITES + MART_SUITES
# kwargs that identify what an expectation checks, in the order a description shows them.
_KEY_KWARGS = ("column", "column_A", "column_B", "column_list", "column_set")
_HIDDEN_KWARGS = {"batch_id", "result_format", "catch_exceptions", "include_config"}


def quiet_gx() -> None:
    """Keep GX offline and quiet: no usage statistics (set before GX is imported)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def suite_path(name: str, root_dir: Path | None = None) -> Path:
    """The JSON file of suite `name` (e.g. `landing.messages`)."""
    if name not in ALL_SUITES:
        raise ValueError(f"Unknown suite {name!r}; one of {list(ALL_SUITES)}")
    layer, table = name.split(".", 1)
    return (root_dir or EXPECTATIONS_DIR) / "suites" / layer / f"{table}.json"


def read_suite_json(name: str, root_dir: Path | None = None) -> dict[str, Any]:
    """The suite file as plain JSON (no GX import)."""
    data: dict[str, Any] = json.loads(suite_path(name, root_dir).read_text(encoding="utf-8"))
    return data


def load_suite(name: str, root_dir: Path | None = None) -> ExpectationSuite:
    """Load suite `name` (`landing.<table>` or `marts.<mart>`) from its JSON file."""
    quiet_gx()
    import great_expectations as gx

    return gx.ExpectationSuite(**read_suite_json(name, root_dir))


def derived_columns(suite: ExpectationSuite | Mapping[str, Any]) -> dict[str, str]:
    """The suite's `meta.derived_columns`: column name -> SQL expression."""
    meta = suite.get("meta") if isinstance(suite, Mapping) else suite.meta
    return dict((meta or {}).get("derived_columns") or {})


def is_critical(meta: Mapping[str, Any] | None) -> bool:
    """Whether an expectation's meta marks it critical (absent meta: not critical)."""
    return bool((meta or {}).get("critical", False))


def _fmt(value: Any) -> str:
    if isinstance(value, list | tuple):
        shown = ", ".join(repr(v) for v in value[:6])
        return f"[{shown}{', ...' if len(value) > 6 else ''}]"
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


def describe_expectation(type_: str, kwargs: Mapping[str, Any]) -> str:
    """A one-line name of an expectation: `expect_x(column='a', mostly=0.99) where b == 1`."""
    args = {k: v for k, v in kwargs.items() if k not in _HIDDEN_KWARGS and v is not None}
    condition = args.pop("row_condition", None)
    args.pop("condition_parser", None)
    order = [k for k in _KEY_KWARGS if k in args] + sorted(k for k in args if k not in _KEY_KWARGS)
    text = f"{type_}({', '.join(f'{k}={_fmt(args[k])}' for k in order)})"
    if condition:
        text += f" where {condition!r}" if not isinstance(condition, str) else f" where {condition}"
    return text
