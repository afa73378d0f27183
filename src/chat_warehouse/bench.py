"""`python -m chat_warehouse.bench` (`make bench`): what a build costs, from 1M to 100M messages.

For each size (default 1M and 10M messages over 30 days; 100M over 90 days, "3 months of a
large seller group", on request), in this order, one step at a time:

1. data       Generate an N-day landing folder (timed; reused when one of the same size, days,
              seed and generator code is there). The big tables are one Parquet file per day
              (messages/2026-01-30.parquet, ...), so the folder as of any day's end is just the
              files up to that day.
2. landing    The build's landing folder <case>/raw holds days 1..N-1 (hard links into the
              generated folder; the small tables whole): only rows stamped before as_of.
3. floor      One DuckDB pass in its own process: read those messages, sort them by
              (conversation_id, created_at, message_id), write them to a table of a fresh
              DuckDB file, with the build's DuckDB settings (profiles.yml). No build can be
              faster than reading, sorting and writing its input once.
4. full       `dbt build --exclude-resource-type unit_test` (models and data tests, as Dagster
              runs it) on a fresh working file with as_of = the end of day N-1.
5. refresh    Day N's files are added to the landing folder as new files and the same
              `dbt build` runs on the same working file with as_of = the end of day N, as
              Dagster's daily refresh does. Reported as a share of the full build.
6. section 9  At 10M (--section9-at): the full build again without the two metrics.md §9 marts
              (--exclude fct_shop_hourly fct_agent_workload_daily) on a fresh working file; the
              difference is what §9 adds to the full build.

Measured for each dbt step: wall seconds from process start to exit (dbt's start-up and
parsing included: what a scheduler waits for), dbt's own run time (run_results.json), peak RSS
of the process tree (sampled every 0.2 s, with each process's high-water mark), the peak size of
DuckDB's temp_directory (sampled: what spilled to disk), the publishing time (the on-run-end
hook), the five slowest models; messages per second = messages / full-build seconds. The
load average is recorded before and after each step: on a shared machine, compare figures only at
similar load. dbt runs with bytecode caching in <data-dir>/.pycache (this machine's
PYTHONDONTWRITEBYTECODE would make every dbt start recompile dbt).

Prints a side-by-side table, the slowest models, the §9 cost and the targets, and writes
<data-dir>/results.json (sizes not run this time keep their latest earlier result there, marked).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing as mp
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chat_warehouse.dbt_invoke import PROJECT_DIR

DEFAULT_SIZES = "1M,10M"
SECTION9_AT = "10M"
SECTION9_MODELS = ("fct_shop_hourly", "fct_agent_workload_daily")
# Every table that arrives all day is one file per day, so the next day lands as new files.
DAILY = ("messages", "conversation_actions", "session_ratings", "orders")
BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")
LONG_PERIOD_FROM = 50_000_000  # sizes from here get 90 days, smaller ones 30
TAIL_LINES = 40
SAMPLE_SECONDS = 0.2
HEARTBEAT_SECONDS = 60.0
MIB = 1024**2
GIB = 1024**3
START_LINE = re.compile(r"START (sql \w+ model|test|hook|seed \w*) ?([\w.]+)")
BATCH_LINE = re.compile(r"(\w+): conversation batch (\d+ of \d+)")

# Targets (scale and service-levels issues): (size label, what, limit, unit).
TARGETS = (
    ("10M", "refresh_share", 0.15, "share of the full build"),
    ("10M", "full_over_floor", 5.0, "x the floor"),
    ("10M", "peak_rss_gib", 8.0, "GiB"),
    ("100M", "refresh_share", 0.05, "share of the full build"),
    ("100M", "full_seconds", 15 * 60.0, "s"),
    ("100M", "peak_rss_gib", 16.0, "GiB"),
    ("100M", "peak_temp_gib", 30.0, "GiB"),
    ("100M", "scaling_exponent_from_10M", 1.0, "(1 = linear)"),
    ("10M", "section9_share", 0.25, "share of the full build"),
)


# --- pure helpers ----------------------------------------------------------------------------


def parse_size(text: str) -> int:
    """`10M` -> 10_000_000; `200k`, `1.5M`, `1G`, `1_000_000` and plain numbers too."""
    part = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}.get(part[-1:], 1)
    number = part[:-1] if scale > 1 else part
    try:
        value = int(float(number) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1M, 10M, 100M)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"size must be positive: {text!r}")
    return value


def parse_sizes(text: str) -> list[int]:
    """`1M,10M` -> [1_000_000, 10_000_000] (k, M and G suffixes)."""
    return [parse_size(part) for part in text.split(",") if part.strip()]


def label(size: int) -> str:
    """10_000_000 -> `10M`."""
    for unit, name in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{name}"
    return str(size)


def default_days(size: int) -> int:
    """30 days below 50M messages (1M, 10M), 90 from there (100M: about 3 months)."""
    return 90 if size >= LONG_PERIOD_FROM else 30


@dataclass(frozen=True)
class DaySplit:
    """A generated N-day landing folder cut for the benchmark: the full build sees days 1..N-1
    (as of the end of day N-1), the refresh adds day N (as of its end)."""

    before: tuple[str, ...]  # the dates of days 1..N-1
    last: str  # the date of day N
    full_as_of: str
    refresh_as_of: str


def split_days(days: list[str]) -> DaySplit:
    """The split of a period's dates (ISO, in order): all but the last, and the last."""
    if len(days) < 2:
        raise ValueError("the benchmark needs at least 2 days (a full build and a next day)")
    last = dt.date.fromisoformat(days[-1])
    return DaySplit(tuple(days[:-1]), days[-1], f"{last} 00:00:00",
                    f"{last + dt.timedelta(days=1)} 00:00:00")  # fmt: skip


def landing_files(manifest: dict[str, Any], days: tuple[str, ...] | list[str]) -> list[str]:
    """The files (relative paths) of a generated folder that make its landing folder as of the
    end of the last of `days`: every small table whole, the daily tables' files of those days."""
    daily = manifest["day_files"]
    files = [pattern.format(day=day) for pattern in daily.values() for day in days]
    small = [f"{table}.parquet" for table in manifest["rows"] if table not in daily]
    return sorted(small) + files


def link_files(source: Path, target: Path, files: list[str]) -> int:
    """Hard-link `files` of `source` into `target` (copy across file systems); files already
    there are kept, never rewritten (a refresh adds new files only). Returns how many were new."""
    added = 0
    for rel in files:
        dst = target / rel
        if dst.exists():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / rel, dst)
        except OSError:
            shutil.copy2(source / rel, dst)
        added += 1
    return added


def top_nodes(run_results: dict[str, Any], prefix: str = "model.", n: int = 5) -> list[list]:
    """The `n` slowest nodes whose unique_id starts with `prefix`: [[name, seconds], ...]."""
    nodes = [
        (r["unique_id"].split(".")[-1], float(r.get("execution_time") or 0.0))
        for r in run_results.get("results", [])
        if r["unique_id"].startswith(prefix)
    ]
    return [[name, round(sec, 2)] for name, sec in sorted(nodes, key=lambda x: -x[1])[:n]]


def node_seconds(run_results: dict[str, Any], names: tuple[str, ...], tests: bool = True) -> float:
    """Seconds of the models `names` (and, with `tests`, of the data tests on them)."""
    total = 0.0
    for r in run_results.get("results", []):
        uid = r["unique_id"]
        name = uid.split(".")[2] if uid.count(".") >= 2 else uid  # test ids end in a hash
        model = uid.startswith("model.") and name in names
        test = tests and uid.startswith("test.") and any(m in name for m in names)
        if model or test:
            total += float(r.get("execution_time") or 0.0)
    return round(total, 2)


def hook_seconds(run_results: dict[str, Any], hook: str = "on-run-end") -> float | None:
    """Seconds of a project hook (publishing is the on-run-end hook)."""
    found = [
        float(r.get("execution_time") or 0.0)
        for r in run_results.get("results", [])
        if r["unique_id"].startswith("operation.") and hook in r["unique_id"]
    ]
    return round(sum(found), 2) if found else None


def scaling_exponent(small: tuple[int, float], big: tuple[int, float]) -> float | None:
    """log(time ratio) / log(size ratio): 1 = linear, below = sub-linear."""
    (n1, t1), (n2, t2) = small, big
    if n1 <= 0 or n2 <= n1 or not t1 or not t2:
        return None
    return round(math.log(t2 / t1) / math.log(n2 / n1), 2)


# --- results ---------------------------------------------------------------------------------


@dataclass
class Step:
    """One measured step."""

    ok: bool = False
    seconds: float | None = None  # wall, process start to exit
    dbt_seconds: float | None = None  # dbt's own run time (run_results.json elapsed_time)
    peak_rss_mib: float | None = None
    peak_temp_mib: float | None = None
    publish_seconds: float | None = None
    load_before: list[float] | None = None
    load_after: list[float] | None = None
    top_models: list[list] = field(default_factory=list)
    tests_seconds: float | None = None
    error: str | None = None


@dataclass
class Run:
    """The figures of one size."""

    size: int
    days: int = 0
    messages: int = 0
    full_messages: int = 0  # messages in the full build's landing folder (days 1..N-1)
    last_day_messages: int = 0
    full_as_of: str | None = None
    refresh_as_of: str | None = None
    generate_seconds: float | None = None
    generate_peak_rss_mib: float | None = None
    generate_reused: bool = False
    floor: Step | None = None
    full: Step | None = None
    refresh: Step | None = None
    without_section9: Step | None = None
    section9_model_seconds: float | None = None
    error: str | None = None
    measured_at: str | None = None
    earlier: bool = False  # carried over from an earlier results.json

    # derived figures
    @property
    def full_over_floor(self) -> float | None:
        if self.full and self.full.ok and self.floor and self.floor.ok and self.floor.seconds:
            return self.full.seconds / self.floor.seconds
        return None

    @property
    def refresh_share(self) -> float | None:
        if self.full and self.full.ok and self.refresh and self.refresh.ok:
            return self.refresh.seconds / self.full.seconds
        return None

    @property
    def refresh_share_dbt(self) -> float | None:
        full, ref = self.full, self.refresh
        if full and ref and full.ok and ref.ok and full.dbt_seconds and ref.dbt_seconds:
            return ref.dbt_seconds / full.dbt_seconds
        return None

    @property
    def messages_per_second(self) -> float | None:
        if self.full and self.full.ok and self.full.seconds:
            return self.full_messages / self.full.seconds
        return None

    @property
    def peak_rss_mib(self) -> float | None:
        peaks = [s.peak_rss_mib for s in (self.full, self.refresh) if s and s.peak_rss_mib]
        return max(peaks) if peaks else None

    @property
    def peak_temp_mib(self) -> float | None:
        peaks = [s.peak_temp_mib for s in (self.full, self.refresh) if s and s.peak_temp_mib]
        return max(peaks) if peaks else (0.0 if self.full and self.full.ok else None)

    @property
    def section9_added(self) -> float | None:
        full, without = self.full, self.without_section9
        if full and without and full.ok and without.ok:
            return full.seconds - without.seconds
        return None

    @property
    def section9_share(self) -> float | None:
        added = self.section9_added
        return None if added is None else added / self.without_section9.seconds

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("full_over_floor", "refresh_share", "refresh_share_dbt",
                     "messages_per_second", "peak_rss_mib", "peak_temp_mib", "section9_added",
                     "section9_share"):  # fmt: skip
            value = getattr(self, name)
            data[name] = None if value is None else round(value, 4)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Run:
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in data.items() if k in known}
        for name in ("floor", "full", "refresh", "without_section9"):
            if kwargs.get(name):
                kwargs[name] = Step(**kwargs[name])
        return cls(**kwargs)


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "-" if value is None else format(value, spec) + suffix


def _load(step: Step | None) -> str:
    if not step or not step.load_before:
        return "-"
    return f"{step.load_before[0]:.1f}"


def targets(runs: list[Run]) -> list[dict[str, Any]]:
    """Each target of the issues that the runs measure: value, limit, met or not."""
    by_label = {label(r.size): r for r in runs}
    checks = []
    for size, what, limit, unit in TARGETS:
        run = by_label.get(size)
        if run is None:
            continue
        if what == "scaling_exponent_from_10M":
            base = by_label.get("10M")
            value = None
            if base and base.full and base.full.ok and run.full and run.full.ok:
                value = scaling_exponent((base.full_messages, base.full.seconds),
                                         (run.full_messages, run.full.seconds))  # fmt: skip
        elif what == "peak_rss_gib":
            value = None if run.peak_rss_mib is None else run.peak_rss_mib / 1024
        elif what == "peak_temp_gib":
            value = None if run.peak_temp_mib is None else run.peak_temp_mib / 1024
        elif what == "full_seconds":
            value = run.full.seconds if run.full and run.full.ok else None
        else:
            value = getattr(run, what)
        checks.append({
            "size": size, "target": what, "limit": limit, "unit": unit,
            "value": None if value is None else round(value, 4),
            "met": None if value is None else bool(value <= limit),
        })  # fmt: skip
    return checks


def report(runs: list[Run], checks: list[dict[str, Any]]) -> str:
    """The results as text: the side-by-side table, dbt's own times, slowest models, §9, targets."""
    head = (f"{'size':>5} {'days':>4} {'messages':>12} {'floor s':>8} {'full s':>8} "
            f"{'x floor':>7} {'refresh s':>9} {'refresh %':>9} {'peak RSS':>9} "
            f"{'peak temp':>9} {'msgs/s':>9} {'load':>5}")  # fmt: skip
    lines = [head, "-" * len(head)]
    for r in runs:
        full, ref = r.full, r.refresh
        lines.append(
            f"{label(r.size) + ('*' if r.earlier else ''):>5} {r.days:>4} {r.full_messages:>12,} "
            f"{_fmt(r.floor.seconds if r.floor and r.floor.ok else None, '.1f'):>8} "
            f"{_fmt(full.seconds if full and full.ok else None, '.1f'):>8} "
            f"{_fmt(r.full_over_floor, '.1f', 'x'):>7} "
            f"{_fmt(ref.seconds if ref and ref.ok else None, '.1f'):>9} "
            f"{_fmt(None if r.refresh_share is None else 100 * r.refresh_share, '.1f', '%'):>9} "
            f"{_fmt(None if r.peak_rss_mib is None else r.peak_rss_mib / 1024, '.2f', 'G'):>9} "
            f"{_fmt(None if r.peak_temp_mib is None else r.peak_temp_mib / 1024, '.2f', 'G'):>9} "
            f"{_fmt(r.messages_per_second, ',.0f'):>9} {_load(full):>5}"
            + ("" if r.error is None else "  FAILED")
        )
    lines.append(
        "messages: in the full build (days 1..N-1); refresh: day N added, same working file; "
        "peak RSS/temp: of the dbt process tree / DuckDB's temp_directory, GiB; load: 1-min load "
        "average at the full build's start (2 cores)"
    )
    if any(r.earlier for r in runs):
        lines.append("* from an earlier run (results.json), not measured now")
    lines.append("")
    lines.append(f"{'size':>5} {'gen s':>7} {'gen msgs/s':>10} {'floor RSS':>9} "
                 f"{'full dbt s':>10} {'refresh dbt s':>13} {'refresh dbt %':>13} "
                 f"{'publish s':>9} {'tests s':>7}")  # fmt: skip
    for r in runs:
        full, ref = r.full, r.refresh
        gen_rate = r.messages / r.generate_seconds if r.generate_seconds else None
        share = None if r.refresh_share_dbt is None else 100 * r.refresh_share_dbt
        floor_rss = r.floor.peak_rss_mib / 1024 if r.floor and r.floor.peak_rss_mib else None
        publish = "/".join(_fmt(s.publish_seconds if s else None, ".1f") for s in (full, ref))
        lines.append(
            f"{label(r.size):>5} "
            f"{_fmt(r.generate_seconds, '.1f') + ('r' if r.generate_reused else ''):>7} "
            f"{_fmt(gen_rate, ',.0f'):>10} "
            f"{_fmt(floor_rss, '.2f', 'G'):>9} "
            f"{_fmt(full.dbt_seconds if full else None, '.1f'):>10} "
            f"{_fmt(ref.dbt_seconds if ref else None, '.1f'):>13} {_fmt(share, '.1f', '%'):>13} "
            f"{publish:>9} {_fmt(full.tests_seconds if full else None, '.1f'):>7}"
        )
    lines.append(
        "gen s: r = generated by an earlier run and reused; dbt s: dbt's own run time, without "
        "start-up and parsing; publish s: full/refresh on-run-end hook; tests s: sum over data tests"
    )
    for r in runs:
        for name, step in (("full build", r.full), ("refresh", r.refresh)):
            if step and step.top_models:
                top = ", ".join(f"{m} {s:.1f}s" for m, s in step.top_models)
                lines.append(f"{label(r.size)} {name}, slowest models: {top}")
    for r in runs:
        if r.without_section9 is not None:
            w = r.without_section9
            if r.section9_added is not None:
                lines.append(
                    f"\n§9 cost at {label(r.size)}: full build {r.full.seconds:.1f} s with the §9 "
                    f"marts, {w.seconds:.1f} s without ({' '.join(SECTION9_MODELS)} excluded): "
                    f"+{r.section9_added:.1f} s = {100 * r.section9_share:.1f}% (target <= 25%); "
                    f"the two marts and their tests ran "
                    f"{_fmt(r.section9_model_seconds, '.1f')} s (run_results.json)"
                )
            else:
                lines.append(f"\n§9 cost at {label(r.size)}: not measured ({w.error or 'failed'})")
    if checks:
        lines.append("\ntargets:")
        for c in checks:
            verdict = {True: "met", False: "NOT MET", None: "not measured"}[c["met"]]
            value = "-" if c["value"] is None else f"{c['value']:g}"
            lines.append(f"  {c['size']:>5} {c['target']:<26} {value:>10}  limit {c['limit']:g} "
                         f"{c['unit']}: {verdict}")  # fmt: skip
    return "\n".join(lines)


# --- measuring -------------------------------------------------------------------------------


def _proc_table() -> dict[int, int]:
    """pid -> parent pid of every process."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
            table[int(entry.name)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return table


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, ppid in _proc_table().items():
        children.setdefault(ppid, []).append(pid)
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB; zeros when it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, hwm


def dir_bytes(path: Path) -> int:
    """Bytes a folder's files take on disk (allocated blocks; DuckDB's spill files are sparse)."""
    total = 0
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                try:
                    if entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
                    elif entry.is_dir(follow_symlinks=False):
                        total += dir_bytes(Path(entry.path))
                except OSError:
                    continue
    except OSError:
        pass
    return total


class Sampler(threading.Thread):
    """Samples a process tree's memory and a folder's size until stopped."""

    def __init__(self, root: int, temp_dir: Path | None) -> None:
        super().__init__(daemon=True)
        self.root, self.temp_dir = root, temp_dir
        self.peak_rss_kib = 0
        self.current_rss_kib = 0
        self.hwm_kib: dict[int, int] = {}
        self.peak_temp = 0
        self.current_temp = 0
        self._halt = threading.Event()

    def sample(self) -> None:
        total = 0
        for pid in _tree(self.root):
            rss, hwm = _memory_kib(pid)
            total += rss
            self.hwm_kib[pid] = max(self.hwm_kib.get(pid, 0), hwm)
        self.current_rss_kib = total
        self.peak_rss_kib = max(self.peak_rss_kib, total)
        if self.temp_dir is not None:
            self.current_temp = dir_bytes(self.temp_dir)
            self.peak_temp = max(self.peak_temp, self.current_temp)

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    @property
    def peak_rss_mib(self) -> float:
        """The larger of the sampled tree total and any one process's high-water mark."""
        return max(self.peak_rss_kib, max(self.hwm_kib.values(), default=0)) / 1024


class Progress:
    """`bench [+mm:ss] ...` lines on stderr."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()

    def __call__(self, text: str) -> None:
        if self.quiet:
            return
        elapsed = int(time.perf_counter() - self.started)
        stamp = f"{elapsed // 3600}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}"
        print(f"bench [{stamp}] {text}", file=sys.stderr, flush=True)


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _tail(text: str, lines: int = TAIL_LINES) -> str:
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return "\n".join(plain.rstrip().splitlines()[-lines:])


def _last_start(log: Path) -> str | None:
    """What dbt started last, from the end of its log."""
    try:
        with open(log, "rb") as handle:
            handle.seek(max(handle.seek(0, 2) - 65536, 0))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return None
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    found = [(m.start(), m.group(2)) for m in START_LINE.finditer(text)]
    # a model computed in conversation batches logs each batch (macros/batches.sql)
    found += [(m.start(), f"{m.group(1)} (batch {m.group(2)})") for m in BATCH_LINE.finditer(text)]
    return max(found)[1] if found else None


def _dbt_env(raw: Path, warehouse: Path, pycache: Path) -> dict[str, str]:
    from chat_warehouse.dbt_invoke import dbt_env

    env = dbt_env(raw, warehouse)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def run_dbt_step(
    args: list[str],
    *,
    raw: Path,
    warehouse: Path,
    as_of: str,
    folder: Path,
    temp_dir: Path,
    pycache: Path,
    say: Progress,
    name: str,
) -> tuple[Step, dict[str, Any]]:
    """Run one dbt command, sampling its memory and the temp folder; its Step and run_results."""
    from chat_warehouse.dbt_invoke import dbt_executable

    target, logs = folder / "target", folder / f"logs-{name}"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    (target / "run_results.json").unlink(missing_ok=True)
    # as_of as CHAT_AS_OF, as Dagster passes it: a new `--vars` value would make dbt parse the
    # whole project again
    cmd = [dbt_executable(), *args, "--target-path", str(target), "--log-path", str(logs)]
    env = {**_dbt_env(raw, warehouse, pycache), "CHAT_AS_OF": as_of}
    step = Step(load_before=_loadavg())
    started = time.perf_counter()
    with open(logs / "output.txt", "w") as out:
        proc = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=env,
                                stdout=out, stderr=subprocess.STDOUT, text=True)  # fmt: skip
        sampler = Sampler(proc.pid, temp_dir)
        sampler.start()
        beat = started
        try:
            while proc.poll() is None:
                time.sleep(0.5)
                if time.perf_counter() - beat >= HEARTBEAT_SECONDS:
                    beat = time.perf_counter()
                    say(f"  ... {name}: {beat - started:.0f} s, RSS "
                        f"{sampler.current_rss_kib / MIB:.1f} GiB, temp "
                        f"{sampler.current_temp / GIB:.1f} GiB, running "
                        f"{_last_start(logs / 'dbt.log') or '?'}")  # fmt: skip
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            proc.wait()
            raise
        finally:
            sampler.stop()
    step.seconds = round(time.perf_counter() - started, 2)
    step.load_after = _loadavg()
    step.peak_rss_mib = round(sampler.peak_rss_mib, 1)
    step.peak_temp_mib = round(sampler.peak_temp / MIB, 1)
    results: dict[str, Any] = {}
    if (target / "run_results.json").is_file():
        results = json.loads((target / "run_results.json").read_text())
        shutil.copy2(target / "run_results.json", folder / f"run_results-{name}.json")
        step.dbt_seconds = round(float(results.get("elapsed_time") or 0.0), 2)
        step.publish_seconds = hook_seconds(results)
        step.top_models = top_nodes(results)
        step.tests_seconds = round(
            sum(float(r.get("execution_time") or 0.0) for r in results.get("results", [])
                if r["unique_id"].startswith("test.")), 2)  # fmt: skip
    step.ok = proc.returncode == 0
    if not step.ok:
        output = (logs / "output.txt").read_text(errors="replace")
        ending = f"dbt exited with status {proc.returncode}"
        if proc.returncode < 0:
            ending = f"dbt was killed by signal {-proc.returncode}" + (
                " (often the kernel's out-of-memory killer)"
                if -proc.returncode == signal.SIGKILL
                else ""
            )
        step.error = f"{_tail(output)}\n{ending}"
    return step, results


def _child(step, args: tuple, conn) -> None:
    started = time.perf_counter()
    result: dict[str, Any] = {"ok": True}
    try:
        result.update(step(*args))
    except Exception as exc:  # noqa: BLE001 - any failure is reported to the parent
        result = {"ok": False, "output": f"{type(exc).__name__}: {exc}"}
    result["seconds"] = time.perf_counter() - started
    result["self_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send(result)
    conn.close()


def measure(step, *args: Any) -> dict[str, Any]:
    """Run `step(*args)` in a fresh process: its result, wall seconds and peak memory."""
    ctx = mp.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(step, args, send))
    proc.start()
    send.close()
    result = None
    while result is None:
        if receive.poll(1.0):
            result = receive.recv()
        elif not proc.is_alive():
            result = {"ok": False, "output": f"step process died (exit {proc.exitcode})"}
    proc.join()
    receive.close()
    return result


# --- steps run in child processes ------------------------------------------------------------


def _generate_step(out: str, size: int, seed: int, days: int) -> dict[str, Any]:
    from chat_warehouse.generator import GeneratorConfig, generate, prepare_out

    last = [time.perf_counter()]

    def progress(p) -> None:
        if p.done or time.perf_counter() - last[0] >= 30:
            last[0] = time.perf_counter()
            print(f"bench:   generating: {p.messages:,} of {p.target:,} messages, "
                  f"{p.rate:,.0f}/s, {p.seconds:.0f} s", file=sys.stderr, flush=True)  # fmt: skip

    prepare_out(Path(out), force=True)
    cfg = GeneratorConfig(out=Path(out), messages=size, seed=seed, days=days,
                          daily_tables=DAILY)  # fmt: skip
    summary = generate(cfg, progress)
    return {"messages": summary.rows["messages"]}


def duckdb_settings(database: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The DuckDB settings a build gets from profiles.yml, for another database file (the floor
    runs with them): (what is given at connect: the profile's `config_options`, such as the
    storage format, and the plugin's resources; what is SET once connected: the profile's
    `settings`, as dbt-duckdb does, and the plugin's max_temp_directory_size)."""
    import yaml

    from chat_warehouse.duckdb_plugin import resources

    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    output = profile["chat_warehouse"]["outputs"]["duckdb"]
    plugin = next(p for p in output.get("plugins", []) if p["module"].endswith("duckdb_plugin"))
    res = resources(plugin.get("config") or {}, database)
    config = {**(output.get("config_options") or {}), **res.duckdb_config()}
    return config, {**(output.get("settings") or {}), **res.after_connect()}


def _floor_step(raw: str, database: str) -> dict[str, Any]:
    import duckdb

    config, settings = duckdb_settings(database)
    started = time.perf_counter()
    con = duckdb.connect(database, config=config)
    for key, value in settings.items():
        con.execute(f"set {key} = '{value}'")
    con.execute(
        "create table messages as select * from read_parquet(?) "
        "order by conversation_id, created_at, message_id",
        [f"{raw}/messages/**/*.parquet"],
    )
    rows = con.execute("select count(*) from messages").fetchone()[0]
    con.close()
    return {"rows": rows, "query_seconds": time.perf_counter() - started}


# --- the benchmark ---------------------------------------------------------------------------


@dataclass
class Options:
    seed: int
    days: int | None
    data_dir: Path
    keep: bool
    section9_at: int | None
    say: Progress


def _ensure_data(case: Path, run: Run, opts: Options) -> dict[str, Any] | None:
    """Generate (or reuse) the landing folder of a case; its manifest, None on failure."""
    from chat_warehouse.generator import GeneratorConfig, read_manifest
    from chat_warehouse.generator.engine import code_fingerprint

    generated = case / "generated"
    expected = GeneratorConfig(out=generated, messages=run.size, seed=opts.seed, days=run.days,
                               daily_tables=DAILY).options()  # fmt: skip
    manifest = read_manifest(generated)
    record = case / "generation.json"
    if (
        manifest
        and manifest["options"] == expected
        and manifest.get("code") == code_fingerprint()
        and "day_files" in manifest
    ):
        run.generate_reused = True
        if record.is_file():
            previous = json.loads(record.read_text())
            run.generate_seconds = previous.get("seconds")
            run.generate_peak_rss_mib = previous.get("peak_rss_mib")
        opts.say(f"{label(run.size)}: reusing the generated data in {generated}")
    else:
        shutil.rmtree(case / "raw", ignore_errors=True)
        opts.say(f"{label(run.size)}: generating {run.size:,} messages over {run.days} days "
                 f"into {generated} ...")  # fmt: skip
        result = measure(_generate_step, str(generated), run.size, opts.seed, run.days)
        if not result["ok"]:
            run.error = f"generation failed: {result['output']}"
            return None
        run.generate_seconds = round(result["seconds"], 2)
        run.generate_peak_rss_mib = round(result["self_rss_mib"], 1)
        record.write_text(json.dumps({"seconds": run.generate_seconds,
                                      "peak_rss_mib": run.generate_peak_rss_mib}))  # fmt: skip
        opts.say(f"{label(run.size)}: generated in {run.generate_seconds:.0f} s "
                 f"({run.size / run.generate_seconds:,.0f} messages/s)")  # fmt: skip
        manifest = read_manifest(generated)
    run.messages = manifest["rows"]["messages"]
    return manifest


def _remove_warehouse(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def bench_size(size: int, opts: Options) -> Run:
    """Every step of one size."""
    from chat_warehouse.duckdb_plugin import remove_leftover_temp_files

    days = opts.days or default_days(size)
    run = Run(size=size, days=days)
    run.measured_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    say = opts.say
    case = opts.data_dir / f"{label(size)}-{days}d-seed{opts.seed}"
    case.mkdir(parents=True, exist_ok=True)
    manifest = _ensure_data(case, run, opts)
    if manifest is None:
        return run
    split = split_days(manifest["days"])
    run.full_as_of, run.refresh_as_of = split.full_as_of, split.refresh_as_of
    day_messages = manifest["day_rows"]["messages"]
    run.full_messages, run.last_day_messages = sum(day_messages[:-1]), day_messages[-1]

    raw = case / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    link_files(case / "generated", raw, landing_files(manifest, split.before))
    pycache = opts.data_dir / ".pycache"

    # floor
    floor_db = case / "floor.duckdb"
    for leftover in (floor_db, Path(f"{floor_db}.wal")):
        leftover.unlink(missing_ok=True)
    say(f"{label(size)}: floor (read, sort, write {run.full_messages:,} messages) ...")
    load = _loadavg()
    result = measure(_floor_step, str(raw), str(floor_db))
    # Timed from connect to close: DuckDB's work, not the child's Python start-up.
    seconds = result.get("query_seconds", result["seconds"])
    run.floor = Step(ok=result["ok"], seconds=round(seconds, 2), load_before=load,
                     load_after=_loadavg(), peak_rss_mib=round(result["self_rss_mib"], 1),
                     error=None if result["ok"] else result.get("output"))  # fmt: skip
    for leftover in (floor_db, Path(f"{floor_db}.wal")):
        leftover.unlink(missing_ok=True)
    remove_leftover_temp_files(Path(f"{floor_db}.tmp"))
    say(f"{label(size)}: floor {run.floor.seconds:.1f} s" + ("" if result["ok"] else " FAILED"))

    # full build, then the next day's refresh on the same working file
    folder = case / "warehouse"
    _remove_warehouse(folder)
    warehouse = folder / "chat.duckdb"
    work_tmp = Path(f"{warehouse.resolve()}.work.tmp")
    common = {"folder": folder, "temp_dir": work_tmp, "pycache": pycache, "say": say}
    say(f"{label(size)}: full build (dbt build, as_of {split.full_as_of}) ...")
    run.full, full_results = run_dbt_step(list(BUILD_ARGS), raw=raw, warehouse=warehouse,
                               as_of=split.full_as_of, name="full", **common)  # fmt: skip
    _said(say, size, "full build", run.full)
    if run.full.ok:
        added = link_files(case / "generated", raw, landing_files(manifest, [split.last]))
        say(f"{label(size)}: next-day refresh ({added} new files, {run.last_day_messages:,} "
            f"messages; as_of {split.refresh_as_of}) ...")  # fmt: skip
        run.refresh, _ = run_dbt_step(list(BUILD_ARGS), raw=raw, warehouse=warehouse,
                                      as_of=split.refresh_as_of, name="refresh",
                                      **common)  # fmt: skip
        _said(say, size, "refresh", run.refresh)
    remove_leftover_temp_files(work_tmp)
    if not opts.keep:
        _remove_warehouse(folder)

    # §9 cost: the full build without the two §9 marts
    if run.full.ok and opts.section9_at == size:
        shutil.rmtree(raw, ignore_errors=True)
        link_files(case / "generated", raw, landing_files(manifest, split.before))
        folder9 = case / "warehouse-without-s9"
        _remove_warehouse(folder9)
        warehouse9 = folder9 / "chat.duckdb"
        say(f"{label(size)}: full build without the §9 marts ({', '.join(SECTION9_MODELS)}) ...")
        run.without_section9, _ = run_dbt_step(
            [*BUILD_ARGS, "--exclude", *SECTION9_MODELS], raw=raw, warehouse=warehouse9,
            as_of=split.full_as_of, name="without-s9", folder=folder9,
            temp_dir=Path(f"{warehouse9.resolve()}.work.tmp"), pycache=pycache, say=say,
        )  # fmt: skip
        if full_results:
            run.section9_model_seconds = node_seconds(full_results, SECTION9_MODELS)
        _said(say, size, "without §9", run.without_section9)
        remove_leftover_temp_files(Path(f"{warehouse9.resolve()}.work.tmp"))
        _remove_warehouse(folder9)
    errors = [f"{name}: {s.error}" for name, s in (("floor", run.floor), ("full build", run.full),
              ("refresh", run.refresh), ("without §9", run.without_section9))
              if s is not None and not s.ok]  # fmt: skip
    run.error = "\n".join(errors) or None
    return run


def _said(say: Progress, size: int, name: str, step: Step) -> None:
    if step.ok:
        say(f"{label(size)}: {name} {step.seconds:.1f} s (dbt {step.dbt_seconds or 0:.1f} s), "
            f"peak RSS {step.peak_rss_mib / 1024:.2f} GiB, peak temp "
            f"{step.peak_temp_mib / 1024:.2f} GiB, load {step.load_before[0]:.1f}")  # fmt: skip
    else:
        say(f"{label(size)}: {name} FAILED after {step.seconds:.1f} s")


def _earlier_runs(path: Path, now: list[int], seed: int) -> list[Run]:
    """The latest earlier result of each size not run now (same seed), from results.json."""
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text())
        if data.get("seed") != seed:
            return []
        earlier = [Run.from_json(r) for r in data.get("runs", [])]
    except (ValueError, TypeError, KeyError):
        return []
    kept = []
    for r in earlier:
        if r.size not in now and r.error is None:
            r.earlier = True
            kept.append(r)
    return kept


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="chat-bench",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="DuckDB's memory limit, temp directory and temp size limit come from profiles.yml "
        "and CHAT_DUCKDB_* (chat_warehouse.duckdb_plugin). Exit status: 0 when every step "
        "passed (targets not met do not fail it), 1 otherwise (dbt's error tail is printed). "
        "Examples: make bench; make bench BENCH_SIZES=100M; python -m chat_warehouse.bench "
        "--sizes 200k --no-section9",
    )
    p.add_argument(
        "--sizes",
        type=parse_sizes,
        default=parse_sizes(DEFAULT_SIZES),
        help=f"comma-separated message counts, k/M/G suffixes (default: {DEFAULT_SIZES}; "
        "100M on request)",
    )
    p.add_argument("--days", type=int, default=None,
                   help="days of every size's landing folder (default: 30 below 50M messages, "
                   "90 from there)")  # fmt: skip
    p.add_argument("--seed", type=int, default=7, help="generator seed (default: %(default)s)")
    p.add_argument(
        "--section9-at",
        type=parse_size,
        default=parse_size(SECTION9_AT),
        metavar="SIZE",
        help="the size at which the full build is also run without the §9 marts "
        f"(default: {SECTION9_AT}; only when that size is run)",
    )
    p.add_argument("--no-section9", action="store_true", help="skip the §9 cost build")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=PROJECT_DIR / "bench",
        help="where generated data, warehouses and results.json go; data of the same size, "
        "days, seed and generator code is reused (default: bench/ at the repository root)",
    )
    p.add_argument("--keep-warehouse", action="store_true",
                   help="keep each built warehouse (<data-dir>/<case>/warehouse/)")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="print only the results")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    args = build_parser().parse_args(argv)
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    say = Progress(args.quiet)
    opts = Options(
        seed=args.seed,
        days=args.days,
        data_dir=data_dir,
        keep=args.keep_warehouse,
        section9_at=None if args.no_section9 else args.section9_at,
        say=say,
    )
    from chat_warehouse.duckdb_plugin import machine_memory

    settings, _ = duckdb_settings(str(data_dir / "example.duckdb"))
    say(f"machine: {os.cpu_count()} cores, {machine_memory() / GIB:.1f} GiB; DuckDB: "
        f"memory_limit {settings['memory_limit']}, max_temp_directory_size "
        f"{settings['max_temp_directory_size']}, threads {settings.get('threads', 'default')}; "
        f"load {_loadavg()}")  # fmt: skip
    path = data_dir / "results.json"
    earlier = _earlier_runs(path, args.sizes, args.seed)
    runs: list[Run] = []
    for size in args.sizes:
        run = bench_size(size, opts)
        runs.append(run)
        if run.error:
            print(f"bench: {label(size)}: {run.error}", file=sys.stderr)
        _write_results(path, args, settings, sorted(runs + earlier, key=lambda r: r.size))
    shown = sorted(runs + earlier, key=lambda r: r.size)
    checks = targets(shown)
    print(report(shown, checks))
    _write_results(path, args, settings, shown)
    print(f"results written to {path}")
    return 0 if all(r.error is None for r in runs) else 1


def _write_results(path: Path, args, settings: dict[str, Any], runs: list[Run]) -> None:
    from chat_warehouse.duckdb_plugin import machine_memory

    results = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": args.seed,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "memory_gib": round(machine_memory() / GIB, 1),
        },
        "duckdb": {k: settings[k] for k in sorted(settings) if k != "temp_directory"},
        "method": __doc__.split("\n\n", 1)[1],
        "runs": [r.to_json() for r in runs],
        "targets": targets(runs),
    }
    path.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
