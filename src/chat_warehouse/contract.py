"""The landing contract (spec/contract.md), read from its one definition.

The seven landing tables and their columns are defined once, in the dbt source `landing` of
`models/staging/__sources.yml`: per table whether it is required and which column places a row
in a day, per column (in the contract's order) its contract type and whether a file must have
it. The dbt landing hook reads that YAML through dbt's `graph` (macros/landing/
landing_contract.sql); Python reads it here, and every Python reader, writer and generator
takes its columns from this module. tests/test_landing_contract.py fails when they drift.

    from chat_warehouse import contract
    contract.COLUMNS["orders"]          # ['order_id', 'shop_id', ..., 'currency']
    contract.TABLES["orders"].required  # False
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chat_warehouse.dbt_invoke import PROJECT_DIR

SOURCES_YML = PROJECT_DIR / "models" / "staging" / "__sources.yml"
SOURCE_NAME = "landing"
# The contract's column types (spec/contract.md).
DATA_TYPES = ("text", "timestamp", "boolean", "integer", "decimal")


class ContractError(ValueError):
    """The landing contract's YAML is missing or malformed."""


@dataclass(frozen=True)
class Column:
    """A landing column: its name, contract type, and whether a file must have it."""

    name: str
    data_type: str
    required_in_file: bool
    description: str


@dataclass(frozen=True)
class Table:
    """A landing table: whether it must exist, its day column, its columns in order."""

    name: str
    required: bool
    day_column: str | None
    columns: tuple[Column, ...]
    description: str

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _meta(entry: dict[str, Any]) -> dict[str, Any]:
    return ((entry.get("config") or {}).get("meta")) or {}


def _flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise ContractError(f"{SOURCES_YML}: {what} must be true or false, not {value!r}")
    return value


def load(path: Path = SOURCES_YML) -> dict[str, Table]:
    """The landing tables of the contract YAML, in its order."""
    if not path.is_file():
        raise ContractError(f"The landing contract {path} does not exist.")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    sources = [s for s in data.get("sources") or [] if s.get("name") == SOURCE_NAME]
    if len(sources) != 1:
        raise ContractError(f"{path}: expected one source named {SOURCE_NAME!r}")
    tables: dict[str, Table] = {}
    for entry in sources[0].get("tables") or []:
        name = entry["name"]
        meta = _meta(entry)
        columns = []
        for col in entry.get("columns") or []:
            data_type = col.get("data_type")
            if data_type not in DATA_TYPES:
                raise ContractError(
                    f"{path}: {name}.{col['name']} has data_type {data_type!r}; one of {DATA_TYPES}"
                )
            columns.append(
                Column(
                    name=col["name"],
                    data_type=data_type,
                    required_in_file=_flag(
                        _meta(col).get("required_in_file"), f"{name}.{col['name']} required_in_file"
                    ),
                    description=col.get("description") or "",
                )
            )
        if not columns:
            raise ContractError(f"{path}: landing table {name!r} lists no columns")
        day_column = meta.get("day_column")
        if day_column is not None and day_column not in [c.name for c in columns]:
            raise ContractError(f"{path}: {name} day_column {day_column!r} is not a column")
        tables[name] = Table(
            name=name,
            required=_flag(meta.get("required"), f"{name} required"),
            day_column=day_column,
            columns=tuple(columns),
            description=entry.get("description") or "",
        )
    if not tables:
        raise ContractError(f"{path}: source {SOURCE_NAME!r} lists no tables")
    return tables


TABLES: dict[str, Table] = load()
# table -> its column names, in the contract's order
COLUMNS: dict[str, list[str]] = {t.name: t.column_names for t in TABLES.values()}
# tables that must exist in the landing folder
REQUIRED_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES.values() if t.required)
# table -> the UTC instant that places a row in a day (tables that have one)
DAY_COLUMNS: dict[str, str] = {
    t.name: t.day_column for t in TABLES.values() if t.day_column is not None
}
