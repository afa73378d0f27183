"""One landing contract: models/staging/__sources.yml, and everything that must agree with it.

The seven landing tables and their columns are defined once, in the dbt source `landing`. The
dbt landing hook reads it through `graph` (macros/landing/landing_contract.sql), Python through
chat_warehouse.contract. These tests fail when any reader, writer, generator, suite or staging
model drifts from it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chat_warehouse import contract
from chat_warehouse.dbt_invoke import PROJECT_DIR, run_dbt
from chat_warehouse.generator import schema as generator_schema
from chat_warehouse.quality import readers
from chat_warehouse.quality.suites import LANDING_SUITES, read_suite_json
from tests import landing as test_landing
from tests.test_bad_inputs_catalogue import BASE

# spec/contract.md lives in `shared/spec/` beside the repository (or beside its worktrees).
SPEC = next(
    (p / "shared" / "spec" / "contract.md" for p in PROJECT_DIR.parents
     if (p / "shared" / "spec" / "contract.md").is_file()),
    PROJECT_DIR / "spec" / "contract.md",
)  # fmt: skip
CONTRACT_TYPES = {"text", "timestamp", "boolean", "integer", "decimal"}


def _expected() -> dict[str, dict[str, Any]]:
    """The contract as the dbt macro returns it, computed from the Python module."""
    return {
        t.name: {
            "required": t.required,
            "day_column": t.day_column,
            "columns": [[c.name, c.required_in_file] for c in t.columns],
        }
        for t in contract.TABLES.values()
    }


@pytest.fixture(scope="module")
def dbt_view(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What dbt sees: `dbt run-operation print_landing_contract` with the landing views of a
    small landing folder registered by the hook's own macro."""
    root = tmp_path_factory.mktemp("contract")
    raw = test_landing.write_landing(root / "raw", {}, optional_empty=True)
    proc = run_dbt(
        ["--quiet", "run-operation", "print_landing_contract", "--args", "{register: true}"],
        raw_dir=raw,
        warehouse_path=root / "wh.duckdb",
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith('{"contract"')]
    assert len(lines) == 1, proc.stdout[-3000:]
    return json.loads(lines[0])


def test_the_contract_yaml_is_complete() -> None:
    """Seven tables, each with columns in order, a type, and the hook's flags."""
    assert list(contract.TABLES) == [
        "messages",
        "conversation_actions",
        "shop_holiday_periods",
        "shops",
        "agents",
        "session_ratings",
        "orders",
    ]
    assert contract.REQUIRED_TABLES == ("messages", "shop_holiday_periods", "shops")
    for table in contract.TABLES.values():
        names = table.column_names
        assert len(names) == len(set(names)), table.name
        assert all(re.fullmatch(r"[a-z_]+", n) for n in names), table.name
        assert {c.data_type for c in table.columns} <= CONTRACT_TYPES, table.name
        assert all(c.description for c in table.columns), table.name
        assert table.columns[0].required_in_file, f"{table.name}: its key must be required"
        if table.day_column is not None:
            day = next(c for c in table.columns if c.name == table.day_column)
            assert day.data_type == "timestamp" and day.required_in_file, table.name


@pytest.mark.skipif(not SPEC.is_file(), reason="spec/contract.md is not beside the repository")
def test_the_contract_yaml_follows_spec_contract_md() -> None:
    """Tables, columns (in order) and types as spec/contract.md lists them."""
    spec: dict[str, list[tuple[str, str]]] = {}
    table = None
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### `(\w+)` \(", line)
        if heading:
            table = heading.group(1)
            spec[table] = []
        elif line.startswith("## "):
            table = None
        elif table is not None:
            row = re.match(r"\| `(\w+)` \| (\w+) \|", line)
            if row:
                spec[table].append((row.group(1), row.group(2)))
    assert {t: [(c.name, c.data_type) for c in v.columns] for t, v in contract.TABLES.items()} == (
        spec
    )


def test_the_dbt_hook_reads_the_same_contract(dbt_view: dict[str, Any]) -> None:
    """landing_contract() (read through dbt's graph) equals the YAML as Python reads it, and
    landing_tables() names the same tables."""
    assert dbt_view["contract"] == _expected()
    assert sorted(t["table"] for t in dbt_view["landing_tables"]) == sorted(contract.TABLES)
    assert {t["table"]: (t["base"], t["key"]) for t in dbt_view["landing_tables"]} == BASE, (
        "tests/test_bad_inputs_catalogue.BASE differs from landing_tables()"
    )


def test_the_landing_views_have_the_contract_columns(dbt_view: dict[str, Any]) -> None:
    """The hook's views expose exactly the contract's columns, in order, plus _source_file."""
    assert dbt_view["landing_views"] == {
        table: [*columns, "_source_file"] for table, columns in contract.COLUMNS.items()
    }


def test_python_readers_and_writers_take_the_contract_columns() -> None:
    """The GX readers and the test landing writers use the contract's tables and columns."""
    assert readers.LANDING_COLUMNS == {
        t.name: {c.name: c.required_in_file for c in t.columns} for t in contract.TABLES.values()
    }
    assert all(list(cols) == contract.COLUMNS[t] for t, cols in readers.LANDING_COLUMNS.items())
    assert readers.REQUIRED_TABLES == contract.REQUIRED_TABLES
    assert readers.DAY_COLUMNS == contract.DAY_COLUMNS
    assert LANDING_SUITES == tuple(f"landing.{t}" for t in contract.TABLES)
    assert test_landing.CONTRACT_COLUMNS == contract.COLUMNS
    assert test_landing.REQUIRED_TABLES == contract.REQUIRED_TABLES


def test_the_generator_writes_the_contract_columns() -> None:
    """Every table the generator writes has the contract's columns in order, each generated
    as a kind that can hold its contract type."""
    assert generator_schema.TABLES == tuple(contract.TABLES)
    for table in contract.TABLES.values():
        for fmt in generator_schema.FORMATS:
            assert generator_schema.arrow_schema(table.name, fmt).names == table.column_names
        for column in table.columns:
            kind = generator_schema.KINDS[table.name][column.name]
            assert kind in generator_schema.KINDS_OF_TYPE[column.data_type], (
                f"{table.name}.{column.name}"
            )


def test_landing_suites_check_the_required_columns() -> None:
    """Each landing suite's column check lists the columns a file must have, and every column
    an expectation reads is a contract column or a derived column the suite declares."""
    for table in contract.TABLES.values():
        data = read_suite_json(f"landing.{table.name}")
        derived = set((data.get("meta") or {}).get("derived_columns") or {})
        checks = [
            e["kwargs"]["column_set"]
            for e in data["expectations"]
            if e["type"] == "expect_table_columns_to_match_set"
        ]
        required = [c.name for c in table.columns if c.required_in_file]
        assert checks == [required], table.name
        for exp in data["expectations"]:
            column = exp["kwargs"].get("column")
            if column is not None:
                assert column in table.column_names or column in derived, (table.name, column)


def _typed_cte(sql: str) -> str:
    match = re.search(r"\btyped as \((.*?)\n\)", sql, re.DOTALL)
    assert match, "no `typed` CTE"
    return match.group(1)


@pytest.mark.parametrize("table", list(contract.TABLES))
def test_staging_base_models_read_every_contract_column(table: str) -> None:
    """The model that types a landing table's rows (`base_chat__<table>_landed` where a refresh
    appends new files' rows, else `base_chat__<table>`) reads every contract column."""
    base = PROJECT_DIR / "models" / "staging" / "base"
    model = next(
        path
        for path in (base / f"base_chat__{table}_landed.sql", base / f"base_chat__{table}.sql")
        if path.exists()
    )
    typed = _typed_cte(model.read_text())
    missing = [c for c in contract.COLUMNS[table] if not re.search(rf"\b{c}\b", typed)]
    assert missing == [], f"{model.stem} does not read {missing}"


def test_contract_rejects_a_malformed_yaml(tmp_path: Path) -> None:
    """A column without a contract type, or a flag that is not a boolean, is an error."""
    text = contract.SOURCES_YML.read_text(encoding="utf-8")
    broken = tmp_path / "no_type.yml"
    broken.write_text(text.replace("data_type: decimal", "data_type: money"), encoding="utf-8")
    with pytest.raises(contract.ContractError, match="money"):
        contract.load(broken)
    broken.write_text(
        text.replace("required_in_file: false}", "required_in_file: maybe}", 1), encoding="utf-8"
    )
    with pytest.raises(contract.ContractError, match="required_in_file"):
        contract.load(broken)
