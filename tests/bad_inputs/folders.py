"""Write the landing folders of the catalogue: the one folder holding every row-level case, and
the small valid folder each stop-the-build case starts from."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.bad_inputs.common import Case, Raw, Row, good_rows
from tests.landing import CONTRACT_COLUMNS

# Where the catalogue folder keeps each table's shared rows (the others: `<table>.csv`):
# messages and agents are folders (cases add parts of their own), session_ratings is gzip.
CATALOGUE_FILES = {
    "messages": "messages/messages.csv",
    "agents": "agents/part-1.csv",
    "session_ratings": "session_ratings.csv.gz",
}


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Row | Raw]) -> dict[int, int]:
    """Write a CSV file (gzip-compressed when its name ends .gz): the header, the rows (dicts
    through the csv module, Raw verbatim), the `last` Raw lines at the end. Returns {index of a Raw in `rows`: its line number}, counting
    records as DuckDB does (the header is line 1; a quoted value spanning lines is one)."""
    ordered = [(i, r) for i, r in enumerate(rows) if not (isinstance(r, Raw) and r.last)]
    ordered += [(i, r) for i, r in enumerate(rows) if isinstance(r, Raw) and r.last]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    lines: dict[int, int] = {}
    for line, (i, row) in enumerate(ordered, start=2):
        if isinstance(row, Raw):
            out.write(row.text + "\n")
            lines[i] = line
        else:
            writer.writerow([_cell(row.get(c)) for c in columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    data = out.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return lines


def write_catalogue_landing(raw_dir: Path, cases: Sequence[Case]) -> dict[tuple[str, str], str]:
    """Write the one landing folder that holds the good rows and every `Case`: each table's
    rows in one file (see CATALOGUE_FILES), and the files of the cases that write their own.
    `agents` is a folder of three parts: the rows, a header-only part, and a part with its
    columns reordered plus an extra column (holding agent a1, "Ani"). Returns {(case id,
    table): row key of the case's malformed line} for the `LINE` placeholders."""
    tables: dict[str, list[Row | Raw]] = {t: list(rows) for t, rows in good_rows().items()}
    owner: dict[tuple[str, int], str] = {}
    for case in cases:
        for table, rows in case.rows.items():
            for row in rows:
                if isinstance(row, Raw):
                    owner[(table, len(tables[table]))] = case.id
                tables[table].append(row)
    keys: dict[tuple[str, str], str] = {}
    for table, rows in tables.items():
        path = raw_dir / CATALOGUE_FILES.get(table, f"{table}.csv")
        for index, line in write_csv(path, CONTRACT_COLUMNS[table], rows).items():
            keys[(owner[(table, index)], table)] = f"{path.name}:{line}"
    for case in cases:
        for file in case.files:
            (raw_dir / file.path).parent.mkdir(parents=True, exist_ok=True)
            (raw_dir / file.path).write_bytes(file.content)
    write_csv(raw_dir / "agents" / "part-2.csv", CONTRACT_COLUMNS["agents"], [])
    write_csv(
        raw_dir / "agents" / "part-3.csv",
        ["nickname", "team", "agent_id", "max_concurrent_sessions", "role", "shop_id"],
        [
            {
                "nickname": "Ani",
                "team": "blue",
                "agent_id": "a1",
                "max_concurrent_sessions": "3",
                "role": "AGENT",
                "shop_id": "S1",
            }
        ],
    )
    return keys


def write_small_landing(raw_dir: Path) -> Path:
    """A small valid landing folder (the good rows, every table as `<table>.csv`)."""
    for table, rows in good_rows().items():
        write_csv(raw_dir / f"{table}.csv", CONTRACT_COLUMNS[table], rows)
    return raw_dir
