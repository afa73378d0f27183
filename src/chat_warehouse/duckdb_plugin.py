"""The project's dbt-duckdb plugin (profiles.yml `plugins:`), run inside every dbt invocation.

- `update_connection_config` runs just before dbt-duckdb opens the working file. When another
  process holds it, DuckDB's error would surface as a Python traceback through dbt-duckdb; the
  plugin checks first and stops dbt with one line naming the file, the process holding it and
  what to do (`chat_warehouse.locks`). It then sets DuckDB's resources from the machine's size
  (`resources`): `memory_limit`, `temp_directory` (where a larger input spills instead of
  failing), `max_temp_directory_size` (how much it may spill, so a build that would fill the
  disk stops with a clear message) and, when asked, `threads`.
- `configure_connection` registers the file operations the publishing hook needs
  (`macros/publish.sql`; SQL cannot rename files): `chat_remove_file(path)` and
  `chat_replace_file(source, destination)`, `chat_copy_file(source, destination)`
  (`chat_warehouse.publish`); and `chat_code_fingerprint()`, a hash of the project's SQL and
  seeds, which tells the refresh hook that the rules changed (`macros/refresh.sql`).
- A DuckDB error that a resource limit caused (out of memory, temp directory full) reaches the
  dbt log with one line first saying which setting stopped the build and how to change it.

Settings, in profiles.yml (`plugins: - module: chat_warehouse.duckdb_plugin, config: {...}`),
each overridden by an environment variable:

| config                    | env                     | default                                     |
|---------------------------|-------------------------|---------------------------------------------|
| `memory_limit`            | CHAT_DUCKDB_MEMORY_LIMIT | `memory_fraction` of the machine's memory  |
| `memory_fraction`         | CHAT_DUCKDB_MEMORY_FRACTION | 0.25                                    |
| `temp_directory`          | CHAT_DUCKDB_TEMP_DIR    | `<working file>.tmp` (DuckDB's own default) |
| `max_temp_directory_size` | CHAT_DUCKDB_MAX_TEMP    | 30GB, less when the disk has less free      |
| `threads`                 | CHAT_DUCKDB_THREADS     | DuckDB's (the number of cores)              |

The machine's memory is the smaller of the physical memory and the cgroup limit (a container).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
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


GIB = 1024**3
DEFAULT_MEMORY_FRACTION = 0.25
DEFAULT_MAX_TEMP = "30GB"
# Free disk space the temp directory leaves to everything else (the warehouse files grow too).
DISK_RESERVE = 0.1
ENV = {
    "memory_limit": "CHAT_DUCKDB_MEMORY_LIMIT",
    "memory_fraction": "CHAT_DUCKDB_MEMORY_FRACTION",
    "temp_directory": "CHAT_DUCKDB_TEMP_DIR",
    "max_temp_directory_size": "CHAT_DUCKDB_MAX_TEMP",
    "threads": "CHAT_DUCKDB_THREADS",
}
_UNITS = {"": 1, "b": 1, "k": 1e3, "kb": 1e3, "kib": 1024, "m": 1e6, "mb": 1e6, "mib": 1024**2,
          "g": 1e9, "gb": 1e9, "gib": GIB, "t": 1e12, "tb": 1e12, "tib": 1024**4}  # fmt: skip


def parse_bytes(text: str | float) -> int:
    """`'6GB'`, `'6 GiB'`, `'512MB'`, 6e9 -> bytes (DuckDB's units: GB = 1000^3, GiB = 1024^3)."""
    if isinstance(text, int | float):
        return int(text)
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", str(text))
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {text!r} (e.g. 6GB, 512MB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def human_bytes(size: float) -> str:
    """`6.0 GiB`, `512 MiB`: sizes for people."""
    return f"{size / GIB:.1f} GiB" if size >= GIB else f"{size / 1024**2:.0f} MiB"


def format_bytes(size: int) -> str:
    """Bytes as DuckDB accepts them, in MiB (e.g. `6144MiB`)."""
    return f"{max(size // 1024**2, 1)}MiB"


def _cgroup_limits() -> list[int]:
    """Memory limits of this process's cgroup (v2 memory.max, v1 memory.limit_in_bytes)."""
    paths = [Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")]
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, group = line.split(":", 2)
            group = group.lstrip("/")
            if controllers == "" and group:
                paths.append(Path("/sys/fs/cgroup") / group / "memory.max")
            elif "memory" in controllers.split(",") and group:
                paths.append(Path("/sys/fs/cgroup/memory") / group / "memory.limit_in_bytes")
    limits = []
    for path in paths:
        with contextlib.suppress(OSError, ValueError):
            limits.append(int(path.read_text().strip()))  # "max" (no limit) is a ValueError
    return limits


def machine_memory() -> int:
    """Bytes of memory this process may use: physical memory, or a smaller cgroup limit."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return min([total, *(limit for limit in _cgroup_limits() if 0 < limit < total)])


def _existing_parent(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


@dataclass(frozen=True)
class Resources:
    """The DuckDB settings of a build, and where each came from (for the log line)."""

    memory_limit: int
    temp_directory: str
    max_temp_directory_size: int
    threads: int | None
    notes: tuple[str, ...] = ()

    def duckdb_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "memory_limit": format_bytes(self.memory_limit),
            "temp_directory": self.temp_directory,
            "max_temp_directory_size": format_bytes(self.max_temp_directory_size),
        }
        if self.threads:
            config["threads"] = self.threads
        return config

    def after_connect(self) -> dict[str, Any]:
        """The settings to SET once connected (see Plugin.configure_connection)."""
        return {"max_temp_directory_size": format_bytes(self.max_temp_directory_size)}

    def describe(self) -> str:
        text = (
            f"memory_limit {human_bytes(self.memory_limit)}, temp_directory "
            f"{self.temp_directory} (at most {human_bytes(self.max_temp_directory_size)})"
        )
        if self.threads:
            text += f", threads {self.threads}"
        return text + "".join(f"; {note}" for note in self.notes)


def resources(
    config: dict[str, Any], working_file: str, env: dict[str, str] | None = None
) -> Resources:
    """DuckDB's memory limit, temp directory, temp size limit and threads for a working file,
    from the plugin config and the environment (which wins)."""
    source = os.environ if env is None else env

    def get(key: str) -> Any:
        value = source.get(ENV[key])
        return value if value not in (None, "") else config.get(key)

    notes = []
    limit = get("memory_limit")
    if limit:
        memory = parse_bytes(limit)
    else:
        fraction = float(get("memory_fraction") or DEFAULT_MEMORY_FRACTION)
        if not 0 < fraction <= 1:
            raise ValueError(f"memory_fraction must be in (0, 1], not {fraction}")
        memory = int(machine_memory() * fraction)
        notes.append(f"{fraction:g} of {machine_memory() / GIB:.1f} GiB")
    temp = str(get("temp_directory") or (working_file + ".tmp"))
    max_temp = parse_bytes(get("max_temp_directory_size") or DEFAULT_MAX_TEMP)
    free = shutil.disk_usage(_existing_parent(Path(temp).resolve())).free
    # What is already in the temp directory counts as free: DuckDB reuses it.
    with contextlib.suppress(OSError):
        free += sum(p.stat().st_size for p in Path(temp).iterdir() if p.is_file())
    room = int(free * (1 - DISK_RESERVE))
    if room < max_temp:
        notes.append(
            f"temp limit lowered from {human_bytes(max_temp)}: {human_bytes(free)} free on disk"
        )
        max_temp = max(room, 0)
    threads = get("threads")
    return Resources(memory, temp, max_temp, int(threads) if threads else None, tuple(notes))


RESOURCE_HINTS = (
    (
        "max_temp_directory_size",
        (
            "The build spilled more than max_temp_directory_size ({max_temp}) into {temp}: free disk "
            "space there, or raise CHAT_DUCKDB_MAX_TEMP, or point CHAT_DUCKDB_TEMP_DIR at a larger "
            "disk (profiles.yml, plugin chat_warehouse.duckdb_plugin)."
        ),
    ),
    (
        "Out of Memory",
        (
            "DuckDB ran out of its memory_limit ({memory}): raise CHAT_DUCKDB_MEMORY_LIMIT (or "
            "memory_fraction in profiles.yml), or lower CHAT_DBT_THREADS/CHAT_DUCKDB_THREADS so fewer "
            "operators hold memory at once."
        ),
    ),
    (
        "No space left on device",
        (
            "The disk of {temp} or of the working file is full: free disk space, or point "
            "CHAT_DUCKDB_TEMP_DIR elsewhere."
        ),
    ),
)


def explain_resource_error(message: str, res: Resources | None) -> str | None:
    """One line saying which resource setting a DuckDB error hit and what to do, or None."""
    for needle, hint in RESOURCE_HINTS:
        if needle.lower() in message.lower():
            if res is None:
                return hint.format(max_temp="its limit", temp="the temp directory",
                                   memory="its limit")  # fmt: skip
            return hint.format(
                max_temp=human_bytes(res.max_temp_directory_size),
                temp=res.temp_directory,
                memory=human_bytes(res.memory_limit),
            )
    return None


_ACTIVE: Resources | None = None


def remove_leftover_temp_files(temp: Path) -> int:
    """Remove DuckDB's spill files left in a working file's own temp directory by a build that
    was killed (DuckDB removes them itself when it closes); returns the bytes freed. Called
    only once the working file is known to be free, so no running build owns them."""
    freed = 0
    if temp.is_dir():
        for leftover in temp.glob("duckdb_temp_*"):
            with contextlib.suppress(OSError):
                freed += leftover.stat().st_size
                leftover.unlink()
        with contextlib.suppress(OSError):
            temp.rmdir()  # only when empty
    return freed


def _install_error_hint() -> None:
    """Make dbt-duckdb's error handler put the hint line first on a resource error."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    original = DuckDBConnectionManager.exception_handler
    if getattr(original, "_chat_resource_hint", False):
        return

    @functools.wraps(original)
    @contextlib.contextmanager
    def exception_handler(self, sql: str, connection_name: str = "master") -> Iterator[None]:
        try:
            with original(self, sql, connection_name):
                yield
        except DbtRuntimeError as exc:
            hint = explain_resource_error(str(exc), _ACTIVE)
            if hint is None or str(exc).startswith(hint):
                raise
            raise DbtRuntimeError(f"{hint}\n{exc}") from exc

    exception_handler._chat_resource_hint = True  # type: ignore[attr-defined]
    DuckDBConnectionManager.exception_handler = exception_handler  # type: ignore[method-assign]


class Plugin(BasePlugin):
    """Clear errors for a locked working file; DuckDB's resources; file operations."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.plugin_config = dict(plugin_config or {})

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        global _ACTIVE
        path = getattr(creds, "path", None)
        if not path or path == ":memory:" or "://" in path or path.startswith("md:"):
            return
        Path(path).parent.mkdir(parents=True, exist_ok=True)  # "created when missing"
        try:
            check_writable(path, role="warehouse working file")
        except WarehouseLocked as exc:
            raise DbtRuntimeError(str(exc)) from None
        try:
            res = resources(self.plugin_config, str(Path(path).resolve()))
        except ValueError as exc:
            raise DbtRuntimeError(f"DuckDB resource settings (profiles.yml, plugin "
                                  f"chat_warehouse.duckdb_plugin): {exc}") from None  # fmt: skip
        if res.temp_directory == str(Path(path).resolve()) + ".tmp":
            remove_leftover_temp_files(Path(res.temp_directory))
        Path(res.temp_directory).parent.mkdir(parents=True, exist_ok=True)
        config.update(res.duckdb_config())
        _ACTIVE = res
        _install_error_hint()
        _log(f"DuckDB resources: {res.describe()}")

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        if _ACTIVE is not None:
            # DuckDB 1.5 reports a max_temp_directory_size given at connect but does not enforce
            # it (the temp directory keeps its default, 90% of the disk); a SET does.
            for key, value in _ACTIVE.after_connect().items():
                conn.execute(f"set {key} = '{value}'")
        conn.create_function("chat_remove_file", remove_file, [VARCHAR], VARCHAR, side_effects=True)
        conn.create_function(
            "chat_replace_file", replace_file, [VARCHAR, VARCHAR], VARCHAR, side_effects=True
        )
        conn.create_function(
            "chat_copy_file", copy_file, [VARCHAR, VARCHAR], VARCHAR, side_effects=True
        )
        conn.create_function("chat_code_fingerprint", code_fingerprint, [], VARCHAR)


def _log(text: str) -> None:
    """A line in dbt's log file (debug level: the console stays as it was)."""
    with contextlib.suppress(Exception):
        from dbt.adapters.events.logging import AdapterLogger

        AdapterLogger("chat_warehouse").debug(text)
