"""The project's dbt-duckdb plugin (profiles.yml `plugins:`), run inside every dbt invocation.

dbt-duckdb calls `update_connection_config` just before it opens the warehouse file. When
another process holds the file, DuckDB's error surfaces as a Python traceback through
dbt-duckdb; the plugin checks first and stops dbt with one line naming the file, the process
holding it and what to do (`chat_warehouse.locks`).
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from chat_warehouse.locks import WarehouseLocked, check_writable


class Plugin(BasePlugin):
    """Clear errors for a locked warehouse file."""

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        path = getattr(creds, "path", None)
        if not path or path == ":memory:":
            return
        try:
            check_writable(path)
        except WarehouseLocked as exc:
            raise DbtRuntimeError(str(exc)) from None
