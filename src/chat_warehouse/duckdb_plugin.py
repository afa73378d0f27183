"""The project's dbt-duckdb plugin (profiles.yml `plugins:`), run inside every dbt invocation.

- `update_connection_config` runs just before dbt-duckdb opens the working file. When another
  process holds it, DuckDB's error would surface as a Python traceback through dbt-duckdb; the
  plugin checks first and stops dbt with one line naming the file, the process holding it and
  what to do (`chat_warehouse.locks`).
- `configure_connection` registers the file operations the publishing hook needs
  (`macros/publish.sql`; SQL cannot rename files): `chat_remove_file(path)` and
  `chat_replace_file(source, destination)` (`chat_warehouse.publish`); and
  `chat_code_fingerprint()`, a hash of the project's SQL and seeds, which tells the refresh
  hook that the rules changed (`macros/refresh.sql`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError
from duckdb import DuckDBPyConnection
from duckdb.sqltypes import VARCHAR

from chat_warehouse.locks import WarehouseLocked, check_writable
from chat_warehouse.publish import copy_file, remove_file, replace_file

# What a project's results depend on besides the data and the vars: a change to any of these
# files makes the next build a full recompute (macros/refresh.sql, rules_fingerprint).
_CODE_GLOBS = ("models/**/*.sql", "macros/**/*.sql", "seeds/**/*.csv")


def code_fingerprint() -> str:
    """sha256 over the SQL of the models and macros and the seeds of the project in the
    working directory (dbt runs from the project root)."""
    digest = hashlib.sha256()
    root = Path.cwd()
    for pattern in _CODE_GLOBS:
        for path in sorted(root.glob(pattern)):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class Plugin(BasePlugin):
    """Clear errors for a locked working file; file operations for publishing."""

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        path = getattr(creds, "path", None)
        if not path or path == ":memory:" or "://" in path or path.startswith("md:"):
            return
        Path(path).parent.mkdir(parents=True, exist_ok=True)  # "created when missing"
        try:
            check_writable(path, role="warehouse working file")
        except WarehouseLocked as exc:
            raise DbtRuntimeError(str(exc)) from None

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function("chat_remove_file", remove_file, [VARCHAR], VARCHAR, side_effects=True)
        conn.create_function(
            "chat_replace_file", replace_file, [VARCHAR, VARCHAR], VARCHAR, side_effects=True
        )
        conn.create_function(
            "chat_copy_file", copy_file, [VARCHAR, VARCHAR], VARCHAR, side_effects=True
        )
        conn.create_function("chat_code_fingerprint", code_fingerprint, [], VARCHAR)
