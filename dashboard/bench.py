"""`python -m dashboard.bench` (`make dashboard-bench`): each page's query time on a large
published warehouse.

Reuses (or generates) the landing folder `make bench` uses (`bench/<size>-seed<seed>/raw`),
builds and publishes it once into `bench/<size>-seed<seed>/dashboard/chat.duckdb` (reused
while it is newer than the data and has its as_of; `--rebuild` forces a build), then runs every statement each page
runs, as the app runs them (queries.py), with the app's default filters (the last 30 days, all
shops and agents) and with one shop and one agent. Per page it prints:

- cold: a new read-only connection (empty DuckDB buffers), then every statement of the page;
- warm: the same statements again on that connection (the median of 3 runs).

The app caches results per published version (`st.cache_data`), so a page viewed again with the
same filters costs no query at all. Exits 1 when a page's cold time exceeds `--limit`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import duckdb

from chat_warehouse.bench import _label, parse_sizes
from chat_warehouse.dbt_invoke import PROJECT_DIR, build_warehouse
from chat_warehouse.publish import working_path
from dashboard import queries
from dashboard.filters import DEFAULT_DAYS, Filters
from dashboard.warehouse import Sql, open_read_only, run

Bundle = dict[str, Sql]
PAGES = ("Shops", "Agents", "Staffing", "At risk now", "Sessions", "Data health")


def ensure_landing(case: Path, size: int, seed: int) -> str:
    """The landing folder of `make bench` for this size and seed (generated when missing or
    stale); returns its as_of."""
    from chat_warehouse.generator import GeneratorConfig, generate, read_manifest
    from chat_warehouse.generator.engine import code_fingerprint, prepare_out

    raw = case / "raw"
    expected = GeneratorConfig(out=raw, messages=size, seed=seed)
    manifest = read_manifest(raw)
    if not (
        manifest
        and manifest["options"] == expected.options()
        and manifest.get("code") == code_fingerprint()
    ):
        print(f"generating {size:,} messages into {raw} ...", flush=True)
        prepare_out(raw, force=True)
        generate(expected)
        manifest = read_manifest(raw)
    return manifest["as_of"]


def published_as_of(warehouse: Path) -> str | None:
    """The as_of of a published warehouse, None when there is none."""
    if not warehouse.is_file():
        return None
    with open_read_only(warehouse) as con:
        row = con.execute("select strftime(as_of, '%Y-%m-%d %H:%M:%S') from audit.published_build")
        found = row.fetchone()
    return found[0] if found else None


def ensure_warehouse(case: Path, as_of: str, rebuild: bool) -> Path:
    """Build and publish the case's landing folder once (models and seeds, no tests: the figure
    measured is the dashboard's, not dbt's)."""
    warehouse = case / "dashboard" / "chat.duckdb"
    landed = max(p.stat().st_mtime for p in (case / "raw").iterdir())
    stale = not warehouse.is_file() or warehouse.stat().st_mtime < landed
    if rebuild or stale or published_as_of(warehouse) != as_of:
        print(f"building and publishing {warehouse} (dbt build, as_of {as_of}) ...", flush=True)
        started = time.perf_counter()
        # a full build: the working file of a previous build may have an older schema
        for stale in (working_path(warehouse), Path(f"{working_path(warehouse)}.wal")):
            stale.unlink(missing_ok=True)
        build_warehouse(case / "raw", warehouse, as_of=as_of, with_tests=False)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return warehouse


def page_bundles(con: duckdb.DuckDBPyConnection, f: Filters) -> dict[str, Callable[[], Bundle]]:
    """Per page, a function giving the statements the page runs (what the app runs for it)."""

    def common() -> Bundle:
        return queries.filter_options()

    def sessions() -> Bundle:
        bundle = {**common(), **queries.legends(), **queries.sessions_page(f)}
        first = run(con, bundle["sessions"])
        if first.empty:
            return bundle
        s = first.iloc[0]
        bundle |= queries.session_detail(s["session_id"])
        bundle["events_columns"] = queries.columns_of("marts", "fct_conversation_events")
        if not run(con, bundle["events_columns"]).empty:
            bundle |= queries.session_timeline(s["conversation_id"], s["session_id"])
        return bundle

    def data_health() -> Bundle:
        bundle = {**common(), **queries.data_health_page()}
        pairs = run(con, bundle["quarantine"])
        if not pairs.empty:
            bundle["samples"] = queries.quarantine_samples(*pairs.iloc[0][["source_table", "rule"]])
        return bundle

    return {
        "Shops": lambda: {**common(), **queries.shops_page(f)},
        "Agents": lambda: {**common(), **queries.agents_page(f)},
        "Staffing": lambda: {**common(), **queries.staffing_page(f)},
        "At risk now": lambda: {**common(), **queries.at_risk_page(f)},
        "Sessions": sessions,
        "Data health": data_health,
    }


def time_bundle(con: duckdb.DuckDBPyConnection, bundle: Bundle) -> float:
    """Seconds to run every statement of a bundle and fetch its rows."""
    started = time.perf_counter()
    for sql in bundle.values():
        run(con, sql)
    return time.perf_counter() - started


def measure(warehouse: Path, f: Filters, label: str, limit: float) -> list[str]:
    """Time each page on the warehouse; print one line per page; return the pages over limit.

    Cold counts the connection and, for the Sessions page, the look-ups that pick the session
    to open (so its list query runs twice: a conservative figure)."""
    slow = []
    for page in PAGES:
        started = time.perf_counter()
        con = open_read_only(warehouse)
        bundle = page_bundles(con, f)[page]()
        time_bundle(con, bundle)
        cold = time.perf_counter() - started
        warm = statistics.median(time_bundle(con, bundle) for _ in range(3))
        con.close()
        verdict = "ok" if cold <= limit else f"SLOW (> {limit:g} s)"
        print(f"{page:<13} {label:<22} {len(bundle):>3}  {cold:7.3f}  {warm:7.3f}  {verdict}")
        if cold > limit:
            slow.append(f"{page} ({label})")
    return slow


def default_filters(warehouse: Path) -> tuple[Filters, Filters]:
    """The app's default filters, and the same narrowed to the busiest shop and its busiest
    agent."""
    with open_read_only(warehouse) as con:
        (last,) = con.execute("select max(session_date) from marts.fct_shop_daily").fetchone()
        wide = Filters(start=last - timedelta(days=DEFAULT_DAYS - 1), end=last)
        shop, agent = con.execute(
            "select shop_id, agent_id from marts.fct_agent_daily "
            "group by all order by sum(sessions) desc limit 1"
        ).fetchone()
    return wide, Filters(wide.start, wide.end, shops=(shop,), agents=((shop, agent),))


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="python -m dashboard.bench",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--messages",
        type=parse_sizes,
        default=parse_sizes("10M"),
        help="generated messages (k/M suffixes; default: 10M)",
    )
    p.add_argument("--seed", type=int, default=7, help="generator seed (default: 7)")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=PROJECT_DIR / "bench",
        help="where `make bench` keeps its data (default: bench/)",
    )
    p.add_argument(
        "--warehouse",
        type=Path,
        help="time this published warehouse instead (no generation, no build)",
    )
    p.add_argument("--rebuild", action="store_true", help="rebuild even when up to date")
    p.add_argument("--limit", type=float, default=2.0, help="seconds a page may take (2)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every page answers within the limit."""
    args = build_parser().parse_args(argv)
    if args.warehouse:
        warehouse = args.warehouse
        if not warehouse.is_file():
            print(f"error: no published warehouse at {warehouse}", file=sys.stderr)
            return 2
    else:
        size = args.messages[0]
        case = args.data_dir.resolve() / f"{_label(size)}-seed{args.seed}"
        warehouse = ensure_warehouse(case, ensure_landing(case, size, args.seed), args.rebuild)
    with open_read_only(warehouse) as con:
        (sessions,) = con.execute("select count(*) from marts.fct_chat_sessions").fetchone()
    wide, narrow = default_filters(warehouse)
    print(f"\n{warehouse}: {sessions:,} sessions; default range {wide.start} to {wide.end}\n")
    print(f"{'page':<13} {'filters':<22} {'sql':>3}  {'cold s':>7}  {'warm s':>7}")
    slow = measure(warehouse, wide, "default (30 days)", args.limit)
    slow += measure(warehouse, narrow, "one shop, one agent", args.limit)
    if slow:
        print(f"\nover {args.limit:g} s: {', '.join(slow)}", file=sys.stderr)
        return 1
    print(f"\nevery page answers within {args.limit:g} s (cold).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
