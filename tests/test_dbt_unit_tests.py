"""The dbt unit tests (YAML `unit_tests:`) of the metric rules, run from pytest.

Each rule of spec/metrics.md §2–§7 has one or more dbt unit tests on tiny hand-made inputs, in
models/intermediate/_unit_tests__*.yml and models/marts/_unit_tests__daily_facts.yml. dbt unit
tests need their input relations to exist for column types, so the suite first builds the
project on an (almost) empty landing folder with `dbt build --empty` (seeds and models), then runs
`dbt test --select test_type:unit` against the same DuckDB file.

The static checks below need no dbt: every unit-test file is present, every test names a
metrics.md section in its description and pins `as_of` (every model reads it), and every
section §2–§7 is covered by at least one test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from chat_warehouse.dbt_invoke import PROJECT_DIR, run_dbt
from tests.landing import write_landing

UNIT_TEST_FILES = (
    "models/intermediate/_unit_tests__session_walk.yml",
    "models/intermediate/_unit_tests__response_flags.yml",
    "models/intermediate/_unit_tests__exclusions.yml",
    "models/intermediate/_unit_tests__attribution.yml",
    "models/marts/_unit_tests__daily_facts.yml",
    "models/marts/_unit_tests__at_risk.yml",
    "models/marts/_unit_tests__verdict.yml",
    "models/intermediate/_unit_tests__service_levels.yml",
    "models/marts/_unit_tests__service_levels.yml",
)
# A floor, not the exact count: a lost or emptied YAML file drops the count below it.
MIN_UNIT_TESTS = 55
SECTIONS = ("2", "3", "4", "5", "6", "7", "9")

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SECTION_REF = re.compile(r"§\s*(\d+)")


def _unit_tests_by_file() -> dict[str, list[dict[str, Any]]]:
    tests: dict[str, list[dict[str, Any]]] = {}
    for rel in UNIT_TEST_FILES:
        path = PROJECT_DIR / rel
        assert path.exists(), f"unit-test file missing: {rel}"
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        tests[rel] = list(doc.get("unit_tests") or [])
    return tests


def _all_unit_tests() -> list[dict[str, Any]]:
    return [t for tests in _unit_tests_by_file().values() for t in tests]


# --------------------------------------------------------------------------- static checks


def test_every_unit_test_file_has_tests() -> None:
    for rel, tests in _unit_tests_by_file().items():
        assert tests, f"{rel} defines no unit tests"


def test_unit_test_count_floor() -> None:
    tests = _all_unit_tests()
    assert len(tests) >= MIN_UNIT_TESTS, f"only {len(tests)} unit tests defined"
    names = [t["name"] for t in tests]
    assert len(names) == len(set(names)), "duplicate unit-test names"


def test_every_unit_test_names_a_section_and_pins_as_of() -> None:
    for test in _all_unit_tests():
        name = test["name"]
        description = str(test.get("description") or "")
        assert SECTION_REF.search(description), f"{name}: description names no metrics.md section"
        as_of = ((test.get("overrides") or {}).get("vars") or {}).get("as_of")
        assert as_of, f"{name}: overrides.vars.as_of is not set"


def test_every_metrics_section_is_covered() -> None:
    named: set[str] = set()
    for test in _all_unit_tests():
        named.update(SECTION_REF.findall(str(test.get("description") or "")))
    missing = [f"§{s}" for s in SECTIONS if s not in named]
    assert not missing, f"no unit test description names {', '.join(missing)}"


# --------------------------------------------------------------------------- the dbt run


@pytest.mark.slow
def test_dbt_unit_tests_pass(tmp_path: Path) -> None:
    raw_dir = write_landing(
        tmp_path / "landing",
        {
            "shops": [
                {
                    "shop_id": "s1",
                    "platform": "TIKTOK_SHOP",
                    "shop_name": "Shop",
                    "timezone": "Asia/Jakarta",
                }
            ]
        },
        optional_empty=True,
    )
    warehouse = tmp_path / "unit.duckdb"

    # seeds and models, empty: the relations the unit tests' inputs take their types from
    built = run_dbt(
        [
            "build",
            "--empty",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
        ],
        raw_dir=raw_dir,
        warehouse_path=warehouse,
        check=False,
    )
    assert built.returncode == 0, f"dbt build --empty failed:\n{ANSI.sub('', built.stdout or '')}"

    proc = run_dbt(
        ["test", "--select", "test_type:unit"],
        raw_dir=raw_dir,
        warehouse_path=warehouse,
        check=False,
    )
    output = ANSI.sub("", proc.stdout or "")
    assert proc.returncode == 0, f"dbt unit tests failed:\n{output}"

    summary = re.search(r"PASS=(\d+)\s+WARN=(\d+)\s+ERROR=(\d+)", output)
    assert summary, f"no dbt summary line in the output:\n{output[-3000:]}"
    passed_nodes, errors = int(summary.group(1)), int(summary.group(3))
    assert errors == 0, output
    # PASS= also counts the on-run-start hook; count the unit tests by name as well.
    passed_unit_tests = set(re.findall(r"\bPASS\s+[\w.]+::(\w+)", output))
    defined = {t["name"] for t in _all_unit_tests()}
    assert passed_nodes >= MIN_UNIT_TESTS, f"only PASS={passed_nodes}:\n{output[-3000:]}"
    assert len(passed_unit_tests) >= MIN_UNIT_TESTS, output[-3000:]
    assert defined <= passed_unit_tests, (
        f"unit tests defined but not passed: {sorted(defined - passed_unit_tests)}"
    )
