"""`chat-gen` / `python -m chat_warehouse.generator`: write a synthetic landing folder."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from chat_warehouse.generator.config import GeneratorConfig
from chat_warehouse.generator.engine import MANIFEST, Progress, generate, prepare_out
from chat_warehouse.generator.schema import DAILY_TABLES, FORMATS, TABLES

DESCRIPTION = """\
Write a synthetic landing folder for the chat warehouse, following spec/contract.md exactly:
marketplace shops on TikTok Shop and Tokopedia in several time zones, their agents working
shifts, and buyers chatting with them over a period, with realistic rhythms, response times
(minutes on shift, hours overnight, some after 24 h, some never), FAQ clicks answered by the
robot, allocations and transfers, closes, reports, holidays, ratings and orders. The output
is byte-for-byte the same for the same options, and is written in bounded memory whatever
its size."""

EPILOG = f"""\
what is written into --out:
  {", ".join(TABLES)}
  parquet: messages/ and conversation_actions/ (and the tables of --daily) as folders of one
           file per UTC day of the period, <table>/YYYY-MM-DD.parquet, by the contract's day
           column (created_at, updated_at; rated_at, created_at; a broken or missing stamp goes
           to the first day, one after the period to the last), every day written, so the
           folder as of a day's end is the files up to that day and the next day arrives as
           new files; every other table as <table>.parquet. Timestamps are TIMESTAMP (UTC).
  csv:     <table>.csv for every table; timestamps as ISO-8601 text, e.g. 2026-01-05T19:04:11.250Z.
  {MANIFEST}: the options, the period, the suggested as_of (the period's end) and row counts.

contract-breaking rows (--bad-row-share): unknown enum values, null required keys,
unparseable timestamps (in Parquet, which cannot hold one: 1970-01-01T00:00:00), messages of
a shop not in shops, redelivered duplicate messages (same message_id, same or later
created_at), scores out of 1-5, negative amounts, holiday periods ending before they start,
a shop with an unknown time zone. With a share above 0 every table gets at least one.

examples:
  python -m chat_warehouse.generator --out data/demo
  chat-gen --out bench/10m --messages 10000000 --seed 1 --force
  chat-gen --out /tmp/raw --messages 5000 --format csv --bad-row-share 0
"""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 0.5:
        raise argparse.ArgumentTypeError("must be between 0 and 0.5")
    return value


def _tables(text: str) -> tuple[str, ...]:
    tables = tuple(t.strip() for t in text.split(",") if t.strip())
    unknown = [t for t in tables if t not in DAILY_TABLES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"not written by day: {', '.join(unknown)} (choose from {','.join(DAILY_TABLES)})"
        )
    return tables


def _positive(text: str) -> int:
    value = int(text.replace("_", ""))
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="chat-gen",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="landing folder to write (created; must be empty unless --force)",
    )
    p.add_argument(
        "--messages",
        type=_positive,
        default=200_000,
        metavar="N",
        help="approximate number of message rows to write (default: %(default)s)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=7,
        metavar="S",
        help="random seed; the same seed and options give identical files (default: %(default)s)",
    )
    p.add_argument(
        "--start",
        type=_date,
        default=dt.date(2026, 1, 1),
        metavar="YYYY-MM-DD",
        help="first day of the period, 00:00 UTC (default: %(default)s)",
    )
    p.add_argument(
        "--days",
        type=_positive,
        default=60,
        metavar="D",
        help="length of the period in days; no row is stamped after its end (default: %(default)s)",
    )
    p.add_argument(
        "--shops",
        type=_positive,
        default=8,
        metavar="K",
        help="number of shops (default: %(default)s; the first 8 cover both "
        "platforms and seven time zones, one with daylight saving)",
    )
    p.add_argument(
        "--format",
        dest="fmt",
        choices=FORMATS,
        default="parquet",
        help="file format (default: %(default)s)",
    )
    p.add_argument(
        "--bad-row-share",
        type=_share,
        default=0.001,
        metavar="F",
        help="share of rows that break the contract, 0 to 0.5 (default: %(default)s)",
    )
    p.add_argument(
        "--daily",
        type=_tables,
        default=("messages", "conversation_actions"),
        metavar="TABLES",
        help="Parquet: comma-separated tables written as one file per day (default: "
        f"messages,conversation_actions; any of {','.join(DAILY_TABLES)})",
    )
    p.add_argument(
        "--force", action="store_true", help="replace --out if it exists and is not empty"
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return p  # fmt: skip


class _Reporter:
    """Progress lines on stderr, at most one every `every` seconds, and a last one."""

    def __init__(self, every: float = 2.0) -> None:
        self.every = every
        self.last = time.perf_counter()

    def __call__(self, p: Progress) -> None:
        now = time.perf_counter()
        if not p.done and now - self.last < self.every:
            return
        self.last = now
        share = min(p.messages / p.target, 1.0) if p.target else 1.0
        print(
            f"chat-gen: {p.messages:>12,} messages ({share:4.0%}) "
            f"{p.conversations:>10,} conversations  {p.rate:>9,.0f} messages/s  "
            f"{p.seconds:6.1f} s{'  done' if p.done else ''}",
            file=sys.stderr,
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Run the generator; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        cfg = GeneratorConfig(
            out=args.out,
            messages=args.messages,
            seed=args.seed,
            start=args.start,
            days=args.days,
            shops=args.shops,
            fmt=args.fmt,
            bad_row_share=args.bad_row_share,
            daily_tables=args.daily,
        )
        prepare_out(args.out, args.force)
    except (ValueError, FileExistsError, OSError) as exc:
        print(f"chat-gen: error: {exc}", file=sys.stderr)
        return 2
    try:
        summary = generate(cfg, None if args.quiet else _Reporter())
    except OSError as exc:
        print(f"chat-gen: error while writing {args.out}: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        counts = ", ".join(f"{t} {n:,}" for t, n in summary.rows.items())
        bad = sum(summary.bad_rows.values())
        print(
            f"chat-gen: wrote {args.out} in {summary.seconds:.1f} s: {counts} "
            f"({bad:,} contract-breaking rows); build it with as_of '{cfg.period_end}'",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
