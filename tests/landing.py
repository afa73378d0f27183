"""Write hand-made landing folders (spec/contract.md) for end-to-end and property tests."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from chat_warehouse import contract

# Column order of each landing table and the required tables: the landing contract
# (models/staging/__sources.yml, read by chat_warehouse.contract).
CONTRACT_COLUMNS: dict[str, list[str]] = contract.COLUMNS
REQUIRED_TABLES = contract.REQUIRED_TABLES


def message_row(
    message_id: str,
    conversation_id: str,
    shop_id: str,
    sender_role: str,
    sender_id: str | None,
    message_type: str,
    created_at: str,
    content: str | None = None,
    visible: Any = None,
) -> dict[str, Any]:
    """A `messages` landing row (contract.md), the arguments in the order people read a chat."""
    return {
        "message_id": message_id,
        "conversation_id": conversation_id,
        "shop_id": shop_id,
        "sender_role": sender_role,
        "sender_id": sender_id,
        "message_type": message_type,
        "content": content,
        "created_at": created_at,
        "is_visible": visible,
    }


def csv_cell(value: Any) -> str:
    """A value as a landing CSV cell: None empty, booleans lower-case, dates ISO-8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def write_table(raw_dir: Path, table: str, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write one landing table as `<table>.csv` with the contract's header."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    path = raw_dir / f"{table}.csv"
    columns = CONTRACT_COLUMNS[table]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row.get(c)) for c in columns])
    return path


def write_landing(
    raw_dir: Path,
    tables: Mapping[str, Iterable[Mapping[str, Any]]],
    *,
    optional_empty: bool = False,
) -> Path:
    """Write a landing folder. Required tables not given are written header-only; optional
    tables not given are absent (or header-only with `optional_empty`)."""
    for table in CONTRACT_COLUMNS:
        if table in tables:
            write_table(raw_dir, table, tables[table])
        elif table in REQUIRED_TABLES or optional_empty:
            write_table(raw_dir, table, [])
    return raw_dir


def drop_column(csv_file: Path, column: str) -> None:
    """Rewrite a landing CSV file (written by write_table, no quoted commas) without `column`."""
    lines = csv_file.read_text().splitlines()
    index = lines[0].split(",").index(column)
    csv_file.write_text(
        "\n".join(",".join(c for i, c in enumerate(ln.split(",")) if i != index) for ln in lines)
        + "\n"
    )
