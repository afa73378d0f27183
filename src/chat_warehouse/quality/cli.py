"""`python -m chat_warehouse.quality`: validate the landing folder and the marts, build Data Docs."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence

from chat_warehouse.quality.suites import ALL_SUITES, EXPECTATIONS_DIR

DESCRIPTION = """\
Great Expectations checks of the chat warehouse: one suite per landing table
(landing.<table>, on the files of CHAT_RAW_DIR) and per mart (marts.<mart>, on the
DuckDB warehouse, opened read-only). Suites are JSON files under expectations/suites/.

Every expectation is critical or a warning (its meta). A critical failure means the
build is not meaningful: a required column missing, a table unreadable, too many rows
broken, or a mart whose grain, rates or counts do not add up. Warnings are row-level
problems that the build quarantines (audit.quarantined_rows) or secondary oddities.

commands:
  validate  validate and print one line per suite, then every failure; exits 1 when
            a critical expectation fails (or data cannot be read), else 0
  docs      validate and build the GX Data Docs site under
            expectations/uncommitted/data_docs/ (git-ignored); prints the index.html
            path and one line per suite; exits 0 (the site shows the failures)
"""

EPILOG = """\
examples:
  python -m chat_warehouse.quality validate
  python -m chat_warehouse.quality validate --suite landing --day 2026-01-15
  python -m chat_warehouse.quality docs --raw-dir data/demo --warehouse warehouse/chat.duckdb
"""


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _suites(parser: argparse.ArgumentParser, selected: Sequence[str] | None) -> list[str]:
    """The suites named by --suite (a suite or a layer), in their usual order."""
    if not selected:
        return list(ALL_SUITES)
    chosen: list[str] = []
    for item in selected:
        matches = [s for s in ALL_SUITES if s == item or s.split(".", 1)[0] == item]
        if not matches:
            parser.error(
                f"unknown suite {item!r}; use landing, marts or one of: {', '.join(ALL_SUITES)}"
            )
        chosen += [m for m in matches if m not in chosen]
    return [s for s in ALL_SUITES if s in chosen]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of both commands."""
    parser = argparse.ArgumentParser(
        prog="python -m chat_warehouse.quality",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{validate,docs}")
    for name, help_ in [
        ("validate", "validate; exit 1 when a critical expectation fails"),
        ("docs", f"validate and build Data Docs under {EXPECTATIONS_DIR.name}/uncommitted/"),
    ]:
        sub = commands.add_parser(name, help=help_, description=help_)
        sub.add_argument(
            "--raw-dir",
            default=os.environ.get("CHAT_RAW_DIR", "data/demo"),
            help="landing folder (default: env CHAT_RAW_DIR, else data/demo)",
        )
        sub.add_argument(
            "--warehouse",
            default=os.environ.get("CHAT_WAREHOUSE_PATH", "warehouse/chat.duckdb"),
            help="DuckDB warehouse file (default: env CHAT_WAREHOUSE_PATH, else "
            "warehouse/chat.duckdb)",
        )
        sub.add_argument(
            "--day",
            type=_day,
            help="validate one day only: landing rows stamped that UTC day, mart rows of that "
            "session_date (shops and agents are validated whole)",
        )
        sub.add_argument(
            "--suite",
            action="append",
            metavar="NAME",
            help="a suite (e.g. landing.messages) or a layer (landing, marts); repeatable; "
            "default: every suite",
        )
        sub.add_argument("-q", "--quiet", action="store_true", help="print the summary lines only")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    suites = _suites(parser, args.suite)
    if args.command == "docs":
        from chat_warehouse.quality.docs import run_data_docs

        report = run_data_docs(args.raw_dir, args.warehouse, day=args.day, suites=suites)
        print(report.index)
        results = report.results
    else:
        from chat_warehouse.quality.validation import validate_suite

        results = [validate_suite(s, args.raw_dir, args.warehouse, day=args.day) for s in suites]
    for result in results:
        print(result.summary())
    if not args.quiet:
        for result in results:
            for text in result.critical_failures:
                print(f"CRITICAL {result.suite}: {text}")
            for text in result.warnings:
                print(f"warning  {result.suite}: {text}")
    if args.command == "validate" and not all(r.success for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
