"""Where the dashboard reads from, without importing Streamlit (the launcher and the benchmark
use it too)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_WAREHOUSE = "warehouse/chat.duckdb"
MISSING_HINT = "run `make demo` or `dbt build` first"


def warehouse_path() -> Path:
    """The published warehouse the dashboard reads (`CHAT_WAREHOUSE_PATH`)."""
    return Path(os.environ.get("CHAT_WAREHOUSE_PATH") or DEFAULT_WAREHOUSE)


def missing_message(path: Path) -> str:
    """The one line shown when there is nothing published to read."""
    return f"No published warehouse at {path}: {MISSING_HINT}."
