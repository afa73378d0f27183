"""Property tests: the dbt warehouse agrees with the pure-Python reference model.

Hypothesis builds random but adversarial landing folders (spec/contract.md): shops in several
time zones (one with daylight saving), conversations whose rows sit on a coarse 30-minute grid
with same-instant ties and rows exactly 24 h / 168 h after an earlier row, every kind of message
row, versioned actions and holiday periods (some versions only known after `as_of`), ratings,
orders, redelivered messages, and an `as_of` that is sometimes inside the data. Each example is
built once with dbt and the three marts are compared with tests/reference_model.py.

Profiles (tests/conftest.py, env HYPOTHESIS_PROFILE): `ci` 6 examples, `dev` 25, `thorough` 200.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from chat_warehouse.dbt_invoke import DbtFailed, build_warehouse
from tests.landing import CONTRACT_COLUMNS, write_landing
from tests.reference_model import (
    AGENT_DAILY_COLUMNS,
    SESSION_COLUMNS,
    SHOP_DAILY_COLUMNS,
    Marts,
    compute_marts,
    to_utc,
)

HALF_HOUR = timedelta(minutes=30)
SHOP_ZONES = {
    "S_UTC": "UTC",
    "S_JKT": "Asia/Jakarta",
    "S_KOL": "Asia/Kolkata",
    "S_LA": "America/Los_Angeles",
}
# Starting days: around Los Angeles' DST start (9 Mar 2025) and end (2 Nov 2025), and a plain week.
BASE_DAYS = (datetime(2025, 3, 7), datetime(2025, 10, 31), datetime(2025, 1, 6))
AGENTS = ("a1", "a2", "a3")
BUYERS = ("b1", "b2", "b3")

# (sender_role, message_type), repeated for weight. Flags overlap on purpose (metrics.md §1).
ROW_KINDS: tuple[tuple[str, str], ...] = (
    *[("BUYER", "TEXT")] * 6,
    ("BUYER", "IMAGE"),
    ("BUYER", "EMOTICONS"),
    ("BUYER", "ORDER_CARD"),
    ("BUYER", "OTHER"),
    *[("BUYER", "FAQ_QUESTION")] * 3,
    ("BUYER", "BUYER_ENTER_FROM_PRODUCT"),
    ("BUYER", "BUYER_ENTER_FROM_ORDER"),
    ("BUYER", "BUYER_ENTER_FROM_TRANSFER"),
    *[("ROBOT", "TEXT")] * 2,
    ("ROBOT", "FAQ_QUESTION"),
    *[("CUSTOMER_SERVICE", "TEXT")] * 5,
    ("CUSTOMER_SERVICE", "IMAGE"),
    *[("SHOP", "TEXT")] * 2,
    ("CUSTOMER_SERVICE", "NOTIFICATION"),
    ("SHOP", "BUYER_ENTER_FROM_TRANSFER"),
    *[("SYSTEM", "ALLOCATED_SERVICE")] * 3,
    ("CUSTOMER_SERVICE", "ALLOCATED_SERVICE"),
    ("ROBOT", "ALLOCATED_SERVICE"),
    ("SYSTEM", "NOTIFICATION"),
    ("SYSTEM", "OTHER"),
)


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------


@dataclass
class Example:
    """One generated landing folder and the instant it is built for."""

    tables: dict[str, list[dict[str, Any]]]
    as_of: datetime

    @property
    def as_of_text(self) -> str:
        """The dbt var value."""
        return self.as_of.strftime("%Y-%m-%d %H:%M:%S")

    def __repr__(self) -> str:
        """The landing tables as the CSV lines they are written as (Hypothesis prints this)."""
        lines = [f"Example(as_of={self.as_of_text!r}, tables="]
        for table, rows in self.tables.items():
            lines.append(f"  {table}: {','.join(CONTRACT_COLUMNS[table])}")
            for row in rows:
                cells = [_csv_cell(row.get(c)) for c in CONTRACT_COLUMNS[table]]
                lines.append("    " + ",".join(cells))
        return "\n".join(lines) + ")"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).lower() if isinstance(value, bool) else str(value)


class _Ids:
    """Unique ids whose text order is unrelated to creation order ("m12_3" < "m9_1")."""

    def __init__(self) -> None:
        self.counter = 0

    def next(self, draw: st.DrawFn, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{draw(st.integers(0, 99))}_{self.counter}"


def _pick(draw: st.DrawFn, options: Sequence[Any]) -> Any:
    return draw(st.sampled_from(options))


def _row_time(draw: st.DrawFn, previous: list[datetime], start: datetime) -> datetime:
    """A row time: the grid after the previous row, a tie with it, or 24 h / 168 h after
    an earlier row (exactly, or 30 minutes past), to hit the close instants."""
    if not previous:
        return start
    step = draw(st.integers(0, 9))
    last = previous[-1]
    if step <= 1:
        return last  # same instant
    if step <= 5:
        return last + HALF_HOUR * draw(st.integers(1, 6))
    if step == 6:
        return last + HALF_HOUR * draw(st.integers(7, 96))
    anchor = _pick(draw, previous)
    hours = _pick(draw, (24, 24, 168, 168, 23))
    return anchor + timedelta(hours=hours) + HALF_HOUR * _pick(draw, (0, 0, 1, -1))


def _message(
    draw: st.DrawFn, ids: _Ids, conversation_id: str, shop_id: str, buyer_id: str, at: datetime
) -> dict[str, Any]:
    role, message_type = _pick(draw, ROW_KINDS)
    agent = _pick(draw, AGENTS)
    sender = {
        "BUYER": buyer_id,
        "CUSTOMER_SERVICE": agent,
        # the contract requires sender_id only of BUYER rows: a human reply may come without one
        "SHOP": _pick(draw, (f"acct_{shop_id}", f"acct_{shop_id}", None)),
        "ROBOT": "bot",
        "SYSTEM": None,
    }[role]
    if message_type == "ALLOCATED_SERVICE":
        content: str | None = json.dumps({"agent_id": _pick(draw, AGENTS)})
    else:
        content = _pick(draw, (None, None, '{"text": "hi, \\"you\\"\\nthere"}'))
    if role in ("CUSTOMER_SERVICE", "SHOP"):
        visible = _pick(draw, (True, True, True, False, None))
    else:
        visible = _pick(draw, (True, None))
    return {
        "message_id": ids.next(draw, "m"),
        "conversation_id": conversation_id,
        "shop_id": shop_id,
        "sender_role": role,
        "sender_id": sender,
        "message_type": message_type,
        "content": content,
        "created_at": at,
        "is_visible": visible,
    }


def _actions(
    draw: st.DrawFn, ids: _Ids, conversation_id: str, shop_id: str, times: list[datetime]
) -> list[dict[str, Any]]:
    """0–3 actions, each with 1–3 versions (later versions may change status, time, agent)."""
    rows: list[dict[str, Any]] = []
    for _ in range(_pick(draw, (0, 0, 1, 1, 2, 3))):
        action_type = _pick(
            draw, ("CLOSE_SESSION", "CLOSE_SESSION", "MARK_NO_REPLY_NEEDED", "REPORT_BUYER")
        )
        action_id = ids.next(draw, "x")
        acted_at = _pick(draw, times) + HALF_HOUR * _pick(draw, (0, 0, 1, 2, -1, 48, 336))
        agent = _pick(draw, (None, "a1", "a2"))
        # usually stamped at or after the act; now and then before it (D5: acted_at > as_of
        # makes a version known at as_of still not count)
        updated_at = acted_at + HALF_HOUR * draw(st.integers(-2, 4))
        for version in range(draw(st.integers(1, 3))):
            if version > 0:
                updated_at += HALF_HOUR * _pick(draw, (1, 2, 48))
                if draw(st.integers(0, 5)) == 0:
                    acted_at += HALF_HOUR
                if draw(st.integers(0, 5)) == 0:
                    agent = _pick(draw, (None, "a3"))
            status = (
                _pick(draw, ("PENDING", "UPHELD", "UPHELD", "REJECTED"))
                if action_type == "REPORT_BUYER"
                else None
            )
            rows.append(
                {
                    "action_id": action_id,
                    "conversation_id": conversation_id,
                    "shop_id": shop_id,
                    "action_type": action_type,
                    "agent_id": agent,
                    "acted_at": acted_at,
                    "report_status": status,
                    "updated_at": updated_at,
                }
            )
    return rows


def _ratings(
    draw: st.DrawFn, ids: _Ids, conversation_id: str, shop_id: str, times: list[datetime]
) -> list[dict[str, Any]]:
    """0–2 ratings near the conversation's rows; a second one may tie the first's instant."""
    rows: list[dict[str, Any]] = []
    for _ in range(_pick(draw, (0, 0, 1, 2))):
        rated_at = _pick(draw, times) + HALF_HOUR * _pick(draw, (0, 1, 2, 48, -1))
        if rows and draw(st.booleans()):
            rated_at = rows[-1]["rated_at"]
        rows.append(
            {
                "rating_id": ids.next(draw, "r"),
                "conversation_id": conversation_id,
                "shop_id": shop_id,
                "rated_at": rated_at,
                "score": draw(st.integers(1, 5)),
            }
        )
    return rows


def _opening_times(
    messages: list[dict[str, Any]], *, skip_faq: bool = False
) -> dict[str, list[datetime]]:
    """Per shop, each conversation's first buyer-row instant: nearly always a session start
    (with `skip_faq`, the first non-FAQ one: nearly always a clock start)."""
    first: dict[str, dict[str, Any]] = {}
    for m in messages:
        if (
            m["sender_role"] == "BUYER"
            and not m["message_type"].startswith("BUYER_ENTER")
            and not (skip_faq and m["message_type"] == "FAQ_QUESTION")
        ):
            current = first.get(m["conversation_id"])
            if current is None or m["created_at"] < current["created_at"]:
                first[m["conversation_id"]] = m
    by_shop: dict[str, list[datetime]] = {}
    for m in first.values():
        by_shop.setdefault(m["shop_id"], []).append(m["created_at"])
    return by_shop


def _holidays(draw: st.DrawFn, ids: _Ids, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """0–3 holiday periods of 1–2 versions, mostly for a shop with chats, with bounds often
    exactly on a session start of that shop (half-open interval: starts in, ends out)."""
    openings = _opening_times(messages)
    rows: list[dict[str, Any]] = []
    for _ in range(_pick(draw, (0, 1, 2, 3))):
        period_id = ids.next(draw, "p")
        shop_id = _pick(draw, sorted(openings) if draw(st.integers(0, 3)) else list(SHOP_ZONES))
        times = openings.get(shop_id) or [messages[0]["created_at"]]
        starts_at = _pick(draw, times) + HALF_HOUR * _pick(draw, (0, 0, 1, -1, -48))
        later = [t for t in times if t >= starts_at] or [starts_at]
        updated_at = starts_at + HALF_HOUR * draw(st.integers(-96, 4))
        for _version in range(draw(st.integers(1, 2))):
            ends_at = _pick(
                draw,
                (None, starts_at + HALF_HOUR * draw(st.integers(0, 200)), _pick(draw, later)),
            )
            rows.append(
                {
                    "period_id": period_id,
                    "shop_id": shop_id,
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "updated_at": updated_at,
                }
            )
            updated_at += HALF_HOUR * _pick(draw, (1, 48, 200))
    return rows


def _orders(draw: st.DrawFn, ids: _Ids, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """0–15 orders, mostly by a conversation's buyer at its shop, at or near 0 / 7 days after
    one of its rows (often a human reply), to hit the ends of the conversion window."""
    replies = [
        m
        for m in messages
        if m["sender_role"] in ("CUSTOMER_SERVICE", "SHOP")
        and m["is_visible"] is not False
        and m["message_type"] in ("TEXT", "IMAGE")
    ]
    buyer_of = {
        m["conversation_id"]: m["sender_id"] for m in messages if m["sender_role"] == "BUYER"
    }
    rows: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 15))):
        anchor = _pick(draw, replies if replies and draw(st.booleans()) else messages)
        shop_id, buyer_id = anchor["shop_id"], buyer_of.get(anchor["conversation_id"], "b1")
        if draw(st.integers(0, 3)) == 0:
            shop_id, buyer_id = _pick(draw, list(SHOP_ZONES)), _pick(draw, BUYERS)
        offset = _pick(
            draw, (timedelta(0), HALF_HOUR, timedelta(days=1), timedelta(days=7), timedelta(days=7))
        )
        rows.append(
            {
                "order_id": ids.next(draw, "o"),
                "shop_id": shop_id,
                "buyer_id": buyer_id,
                "created_at": anchor["created_at"]
                + offset
                + HALF_HOUR * _pick(draw, (0, 0, 0, 1, -1)),
                "amount": Decimal(draw(st.integers(0, 500_000))) / 100,
                "currency": "IDR",
            }
        )
    return rows


def _as_of(draw: st.DrawFn, tables: dict[str, list[dict[str, Any]]]) -> datetime:
    """After all the data, or inside it, often exactly on an instant where a rule turns:
    a deadline (buyer row + 24 h), an idle close (a conversation's last row + 24 h), an expiry
    (buyer row + 168 h), a version's `updated_at` (also one stamped before its act, D5), a row."""
    messages = tables["messages"]
    stamps = [m["created_at"] for m in messages]
    for table, columns in (
        ("conversation_actions", ("acted_at", "updated_at")),
        ("shop_holiday_periods", ("starts_at", "ends_at", "updated_at")),
        ("session_ratings", ("rated_at",)),
        ("orders", ("created_at",)),
    ):
        stamps += [r[c] for r in tables[table] for c in columns if r[c] is not None]
    last_of: dict[str, datetime] = {}
    for m in messages:
        conversation_id = m["conversation_id"]
        last_of[conversation_id] = max(
            m["created_at"], last_of.get(conversation_id, m["created_at"])
        )
    actions = tables["conversation_actions"]
    buyer_times = [m["created_at"] for m in messages if m["sender_role"] == "BUYER"]
    clock_starts = [t for ts in _opening_times(messages, skip_faq=True).values() for t in ts]
    # (anchors, offsets in half hours) per kind of instant
    kinds: dict[str, tuple[list[datetime], tuple[int, ...]]] = {
        "after all data": ([max(stamps)], tuple(range(0, 101, 5))),
        "deadline": (clock_starts, (48,)),
        "expiry": (buyer_times, (336,)),
        "idle close": (list(last_of.values()), (48,)),
        "version stamp": (
            [r["updated_at"] for r in actions]
            + [r["updated_at"] for r in tables["shop_holiday_periods"]],
            (0, 0, -1),
        ),
        "version before its act": (
            [r["updated_at"] for r in actions if r["updated_at"] < r["acted_at"]],
            (0,),
        ),
        "near a row": (stamps, (0, 1, -1, 48)),
    }
    anchors, offsets = kinds[_pick(draw, ["after all data", *kinds])]
    return _pick(draw, anchors or stamps) + HALF_HOUR * _pick(draw, offsets)


@st.composite
def examples(draw: st.DrawFn) -> Example:
    """A whole landing folder plus `as_of`."""
    ids = _Ids()
    base = _pick(draw, BASE_DAYS) + HALF_HOUR * draw(st.integers(0, 47))
    shops = [
        {
            "shop_id": shop_id,
            "platform": _pick(draw, ("TIKTOK_SHOP", "TOKOPEDIA")),
            "shop_name": f"Shop {shop_id}",
            "timezone": zone,
        }
        for shop_id, zone in SHOP_ZONES.items()
    ]
    messages: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    for k in range(draw(st.integers(10, 30))):
        conversation_id = f"c{k}"
        shop_id = _pick(draw, list(SHOP_ZONES))
        buyer_id = _pick(draw, BUYERS)
        start = base + HALF_HOUR * draw(st.integers(0, 96))
        times: list[datetime] = []
        for _ in range(draw(st.integers(1, 25))):
            at = _row_time(draw, times, start)
            times.append(at)
            row = _message(draw, ids, conversation_id, shop_id, buyer_id, at)
            messages.append(row)
            if draw(st.integers(0, 14)) == 0:  # a redelivery of the same message_id
                shift = HALF_HOUR * _pick(draw, (0, 1, 4, -1))
                messages.append({**row, "created_at": at + shift})
        actions.extend(_actions(draw, ids, conversation_id, shop_id, times))
        ratings.extend(_ratings(draw, ids, conversation_id, shop_id, times))
    tables = {
        "shops": shops,
        "messages": messages,
        "conversation_actions": actions,
        "shop_holiday_periods": _holidays(draw, ids, messages),
        "session_ratings": ratings,
        "orders": _orders(draw, ids, messages),
    }
    as_of = _as_of(draw, tables)

    if draw(st.integers(0, 4)) == 0:
        # Some timestamps written with the shop's local offset (contract: honoured).
        for row in messages:
            zone = ZoneInfo(SHOP_ZONES[row["shop_id"]])
            row["created_at"] = row["created_at"].replace(tzinfo=UTC).astimezone(zone)

    return Example(tables=tables, as_of=as_of)


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------


def same_value(warehouse: Any, reference: Any) -> bool:
    """Equal, with numbers within 1e-6; booleans, timestamps and dates must match in type."""
    if warehouse is None or reference is None:
        return warehouse is None and reference is None
    if isinstance(reference, bool) or isinstance(warehouse, bool):
        return isinstance(warehouse, bool) and warehouse == reference
    if isinstance(reference, int | float | Decimal) and isinstance(
        warehouse, int | float | Decimal
    ):
        return abs(float(warehouse) - float(reference)) <= 1e-6
    if isinstance(reference, datetime):
        return (
            isinstance(warehouse, datetime) and warehouse.tzinfo is None and warehouse == reference
        )
    if isinstance(reference, date):
        return type(warehouse) is date and warehouse == reference
    return warehouse == reference


def diff_rows(
    name: str,
    warehouse: list[dict[str, Any]],
    reference: list[dict[str, Any]],
    key: Sequence[str],
    columns: Sequence[str],
) -> tuple[list[str], set[tuple[Any, ...]]]:
    """Readable differences between two row sets keyed by `key`, and the keys involved."""
    lines: list[str] = []
    bad_keys: set[tuple[Any, ...]] = set()
    if warehouse:
        missing = [c for c in columns if c not in warehouse[0]]
        if missing:
            return [f"{name}: missing column(s) {missing}"], bad_keys
    wh = {tuple(r[k] for k in key): r for r in warehouse}
    ref = {tuple(r[k] for k in key): r for r in reference}
    if len(wh) != len(warehouse):
        lines.append(f"{name}: {len(warehouse) - len(wh)} duplicate row(s) at grain {key}")
    for k in sorted(set(ref) - set(wh), key=repr):
        lines.append(f"{name}: only in reference {dict(zip(key, k, strict=True))}")
        bad_keys.add(k)
    for k in sorted(set(wh) - set(ref), key=repr):
        lines.append(f"{name}: only in warehouse {dict(zip(key, k, strict=True))}")
        bad_keys.add(k)
    for k in sorted(set(wh) & set(ref), key=repr):
        for c in columns:
            if not same_value(wh[k][c], ref[k][c]):
                lines.append(
                    f"{name} {dict(zip(key, k, strict=True))}: {c}: "
                    f"warehouse={wh[k][c]!r} reference={ref[k][c]!r}"
                )
                bad_keys.add(k)
    return lines, bad_keys


def _message_text(m: dict[str, Any]) -> str:
    return (
        f"{m['sender_role']:<16} {m['message_type']:<24} sender={m['sender_id']} "
        f"visible={m['is_visible']} content={m['content']}"
    )


def _action_text(a: dict[str, Any]) -> str:
    return (
        f"ACTION {a['action_type']} agent={a['agent_id']} status={a['report_status']} "
        f"updated_at={a['updated_at']}"
    )


def describe_conversation(example: Example, conversation_id: str) -> str:
    """The conversation's rows in walk order, with its actions, ratings and shop context."""
    msgs = [m for m in example.tables["messages"] if m["conversation_id"] == conversation_id]
    acts = [
        a for a in example.tables["conversation_actions"] if a["conversation_id"] == conversation_id
    ]
    steps = [(to_utc(m["created_at"]), 0, m["message_id"], _message_text(m)) for m in msgs] + [
        (to_utc(a["acted_at"]), 1, a["action_id"], _action_text(a)) for a in acts
    ]
    shop_id = msgs[0]["shop_id"] if msgs else "?"
    out = [f"conversation {conversation_id} (shop {shop_id}), as_of {example.as_of_text}:"]
    out += [f"  {at} {row_id:<8} {text}" for at, _, row_id, text in sorted(steps)]
    for r in example.tables["session_ratings"]:
        if r["conversation_id"] == conversation_id:
            out.append(f"  rating {r['rating_id']} at {r['rated_at']} score {r['score']}")
    for p in example.tables["shop_holiday_periods"]:
        if p["shop_id"] == shop_id:
            out.append(
                f"  holiday {p['period_id']} [{p['starts_at']}, {p['ends_at']}) "
                f"updated_at={p['updated_at']}"
            )
    return "\n".join(out)


def compare(example: Example, warehouse: Marts, reference: Marts) -> str | None:
    """A readable diff when the warehouse's marts differ from the reference, else None."""
    lines: list[str] = []
    session_lines, bad_sessions = diff_rows(
        "fct_chat_sessions",
        warehouse.sessions,
        reference.sessions,
        ("session_id",),
        SESSION_COLUMNS,
    )
    lines += session_lines
    agent_lines, _ = diff_rows(
        "fct_agent_daily",
        warehouse.agent_daily,
        reference.agent_daily,
        ("shop_id", "agent_id", "session_date"),
        AGENT_DAILY_COLUMNS,
    )
    lines += agent_lines
    shop_lines, _ = diff_rows(
        "fct_shop_daily",
        warehouse.shop_daily,
        reference.shop_daily,
        ("shop_id", "session_date"),
        SHOP_DAILY_COLUMNS,
    )
    lines += shop_lines
    if not lines:
        return None
    conversation_of = {s["session_id"]: s["conversation_id"] for s in reference.sessions}
    conversation_of.update({s["session_id"]: s["conversation_id"] for s in warehouse.sessions})
    conversations = sorted({conversation_of[k[0]] for k in bad_sessions if k[0] in conversation_of})
    shown = lines[:40] + ([f"... and {len(lines) - 40} more"] if len(lines) > 40 else [])
    context = [describe_conversation(example, c) for c in conversations[:3]]
    return "warehouse differs from the reference model:\n" + "\n".join(shown + context)


# --------------------------------------------------------------------------------------------
# Building and reading the warehouse
# --------------------------------------------------------------------------------------------


def read_marts(warehouse_path: Path) -> Marts:
    """The three marts as lists of dicts."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:

        def rows(table: str) -> list[dict[str, Any]]:
            cursor = con.execute(f"select * from marts.{table}")
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

        return Marts(
            sessions=rows("fct_chat_sessions"),
            agent_daily=rows("fct_agent_daily"),
            shop_daily=rows("fct_shop_daily"),
        )


def build_and_read(example: Example, work: Path) -> Marts:
    """Write the landing folder, build the warehouse for `as_of` and read its marts."""
    raw_dir = write_landing(work / "raw", example.tables, optional_empty=True)
    warehouse_path = work / "warehouse.duckdb"
    build_warehouse(raw_dir, warehouse_path, example.as_of_text, with_tests=False)
    return read_marts(warehouse_path)


FAILURE_DIR = Path(tempfile.gettempdir()) / "chat-warehouse-property-failure"


def keep_failing_landing(raw_dir: Path, example: Example) -> str:
    """Copy a failing example's landing folder to FAILURE_DIR (each failure overwrites it, so
    after shrinking it holds the minimal example) and say how to rebuild it by hand."""
    shutil.rmtree(FAILURE_DIR, ignore_errors=True)
    shutil.copytree(raw_dir, FAILURE_DIR)
    vars_ = json.dumps({"as_of": example.as_of_text})
    return (
        f"landing folder kept in {FAILURE_DIR}; rebuild with:\n"
        f"  CHAT_RAW_DIR={FAILURE_DIR} CHAT_WAREHOUSE_PATH=/tmp/failure.duckdb "
        f".venv/bin/dbt run --vars '{vars_}'"
    )


def smoke_example() -> Example:
    """A tiny fixed landing folder, to check once that the warehouse builds at all."""
    t0 = datetime(2025, 3, 8, 9, 0)
    tables: dict[str, list[dict[str, Any]]] = {
        "shops": [
            {"shop_id": "S_UTC", "platform": "TIKTOK_SHOP", "shop_name": "x", "timezone": "UTC"}
        ],
        "messages": [
            {
                "message_id": "m1",
                "conversation_id": "c1",
                "shop_id": "S_UTC",
                "sender_role": "BUYER",
                "sender_id": "b1",
                "message_type": "TEXT",
                "content": None,
                "created_at": t0,
                "is_visible": None,
            },
            {
                "message_id": "m2",
                "conversation_id": "c1",
                "shop_id": "S_UTC",
                "sender_role": "CUSTOMER_SERVICE",
                "sender_id": "a1",
                "message_type": "TEXT",
                "content": None,
                "created_at": t0 + HALF_HOUR,
                "is_visible": True,
            },
        ],
        "shop_holiday_periods": [],
    }
    return Example(tables=tables, as_of=t0 + timedelta(days=2))


@pytest.fixture(scope="session")
def warehouse_builds() -> None:
    """Build the smoke example once: a broken build fails here, fast, instead of making
    Hypothesis shrink a failure that every example shares."""
    with tempfile.TemporaryDirectory(prefix="prop-smoke-") as tmp:
        try:
            build_and_read(smoke_example(), Path(tmp))
        except DbtFailed as exc:
            pytest.fail(f"the warehouse does not build on a two-message landing:\n{exc}")
        except duckdb.Error as exc:
            pytest.fail(f"the warehouse built but its marts cannot be read: {exc}")


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def _record_events(reference: Marts) -> None:
    """Label what an example exercised (shown by pytest --hypothesis-show-statistics)."""
    for s in reference.sessions:
        event(f"status {s['response_status']}")
        event(f"close {s['close_reason']}")
        event(f"exclusion {s['exclusion_reason']}")


@pytest.mark.slow
@given(example=examples())
def test_warehouse_matches_reference(warehouse_builds: None, example: Example) -> None:
    """Every mart row of the dbt build equals the reference model's, column by column."""
    reference = compute_marts(example.tables, example.as_of)
    _record_events(reference)
    with tempfile.TemporaryDirectory(prefix="prop-wh-") as tmp:
        try:
            diff = compare(example, build_and_read(example, Path(tmp)), reference)
        except (DbtFailed, duckdb.Error) as exc:
            exc.add_note(keep_failing_landing(Path(tmp) / "raw", example))
            raise
        if diff:
            pytest.fail(diff + "\n" + keep_failing_landing(Path(tmp) / "raw", example))


def _total(rows: list[dict[str, Any]], column: str) -> int:
    return sum(r[column] for r in rows)


# The reference alone is cheap: many more examples than the dbt-backed test, within reason.
@settings(max_examples=min(settings.default.max_examples * 25, 1000))
@given(example=examples())
def test_reference_invariants(example: Example) -> None:
    """Cheap checks of the reference on generated data (no dbt): the rules hang together."""
    reference = compute_marts(example.tables, example.as_of)
    _record_events(reference)
    for s in reference.sessions:
        assert s["started_at"] <= example.as_of
        assert s["is_counted_in_rate"] == (
            not s["is_excluded"] and s["response_status"] != "PENDING"
        )
        if s["closed_at"] is not None:
            assert s["started_at"] <= s["closed_at"] <= example.as_of
            assert s["response_status"] != "PENDING"
        if s["first_human_reply_at"] is not None:
            assert s["first_response_seconds"] >= 0
            assert s["closed_at"] is None or s["first_human_reply_at"] <= s["closed_at"]
    assert _total(reference.shop_daily, "sessions") == len(reference.sessions)
    for day in reference.shop_daily:
        assert day["counted_sessions"] == (
            day["auto_resolved_sessions"]
            + day["responded_in_time_sessions"]
            + day["responded_late_sessions"]
            + day["unresponded_sessions"]
        )
        assert day["sessions"] == (
            day["excluded_sessions"] + day["pending_sessions"] + day["counted_sessions"]
        )
    assigned = [s for s in reference.sessions if s["responsible_agent_id"] is not None]
    assert _total(reference.agent_daily, "sessions") == len(assigned)
