"""Shared pytest setup: the `src/` import path, the `slow` marker and Hypothesis profiles.

Select a Hypothesis profile with the environment variable HYPOTHESIS_PROFILE:
`ci` (default; few examples, derandomized), `dev` or `thorough`. Each example of the warehouse
property test runs a full dbt build (about 10 s), so the profiles differ mainly in count.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

SRC = Path(__file__).resolve().parents[1] / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("ci", max_examples=6, derandomize=True, **_COMMON)
settings.register_profile("dev", max_examples=25, **_COMMON)
settings.register_profile("thorough", max_examples=200, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# dbt runs inside each pytest worker (src/chat_warehouse/dbt_invoke.py): the same dbt commands,
# without importing and parsing the project again for every build (Spark: one session).
from chat_warehouse import dbt_invoke

dbt_invoke.IN_PROCESS = os.environ.get("CHAT_TESTS_DBT_SUBPROCESS", "") != "1"

# One dbt thread per DuckDB build: on the tests' tiny folders a build is dbt's own Python work
# (compiling and logging each node), which a second thread only contends for, and `make test`
# already runs two builds at once (two workers on two cores). A build of the end-to-end folder
# took the same 21 s either way, and 10% less CPU with one thread. Spark builds pass their own.
os.environ.setdefault("CHAT_DBT_THREADS", "1")


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers the suite uses."""
    config.addinivalue_line(
        "markers", "slow: runs dbt builds (deselect with -m 'not slow'); part of the default run"
    )


# The longest modules first: with `pytest -n 2 --dist loadfile --no-loadscope-reorder` (make
# test) a module runs on one worker and modules start in collection order, so the Spark module
# (6 to 9 minutes) starts at once beside the rest instead of running alone at the end.
FIRST = ("test_spark.py", "test_incremental.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return FIRST.index(name) if name in FIRST else len(FIRST)

    items.sort(key=rank)  # stable: the order within a module is kept
