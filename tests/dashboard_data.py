"""A small landing folder for the dashboard tests, built and published by dbt.

Two shops in two time zones over ten days: answers in time and late, unanswered sessions (some
expired, some still open and at risk at as_of), FAQ-only sessions, a holiday period, an upheld
report, a "no reply needed" mark, ratings, orders, transfers between agents (one of them at
its capacity) and a few contract-breaking rows, so every page has something to show and every
figure something to be checked against.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from chat_warehouse.dbt_invoke import build_warehouse
from tests.landing import message_row as msg
from tests.landing import write_landing

AS_OF = "2026-03-10 12:00:00"
DAYS = range(1, 10)  # 2026-03-01 .. 03-09 (UTC)

SHOPS = [
    {
        "shop_id": "S1",
        "platform": "TIKTOK_SHOP",
        "shop_name": "Batik One",
        "timezone": "Asia/Jakarta",
    },
    {
        "shop_id": "S2",
        "platform": "TOKOPEDIA",
        "shop_name": "Toko Two",
        "timezone": "America/Los_Angeles",
    },
]
AGENTS = [
    {
        "agent_id": "a1",
        "shop_id": "S1",
        "nickname": "Ani",
        "role": "AGENT",
        "max_concurrent_sessions": 10,
    },
    {
        "agent_id": "a2",
        "shop_id": "S1",
        "nickname": "Budi",
        "role": "ADMIN",
        "max_concurrent_sessions": 2,
    },
    {
        "agent_id": "b1",
        "shop_id": "S2",
        "nickname": "Cici",
        "role": "OWNER",
        "max_concurrent_sessions": 8,
    },
]


def _t(day: int, hour: int, minutes: float = 0) -> datetime:
    return datetime(2026, 3, day, hour) + timedelta(minutes=minutes)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


class _Chat:
    """Collects the rows of the landing tables."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.actions: list[dict[str, Any]] = []
        self.ratings: list[dict[str, Any]] = []
        self.orders: list[dict[str, Any]] = []

    def say(
        self,
        conv: str,
        shop: str,
        role: str,
        sender: str | None,
        kind: str,
        t: datetime,
        content: str | None = None,
    ) -> None:
        mid = f"{conv}-m{len(self.messages):04d}"
        self.messages.append(msg(mid, conv, shop, role, sender, kind, _iso(t), content, True))

    def allocate(self, conv: str, shop: str, agent: str, t: datetime) -> None:
        self.say(conv, shop, "SYSTEM", None, "ALLOCATED_SERVICE", t, f'{{"agent_id": "{agent}"}}')

    def act(
        self,
        conv: str,
        shop: str,
        kind: str,
        agent: str | None,
        t: datetime,
        status: str | None = None,
    ) -> None:
        self.actions.append(
            {
                "action_id": f"{conv}-x{len(self.actions):03d}",
                "conversation_id": conv,
                "shop_id": shop,
                "action_type": kind,
                "agent_id": agent,
                "acted_at": _iso(t),
                "report_status": status,
                "updated_at": _iso(t),
            }
        )


def landing_tables() -> dict[str, list[dict[str, Any]]]:
    """The landing tables (spec/contract.md) of the dashboard's test warehouse."""
    c = _Chat()
    for d in DAYS:
        # S1, 02:00 UTC: allocated to a1, answered in 10 minutes; rated 5 on odd days; the
        # buyer orders the next day
        conv = f"c1-{d}-0"
        c.say(conv, "S1", "BUYER", f"u-{conv}", "TEXT", _t(d, 2))
        c.allocate(conv, "S1", "a1", _t(d, 2, 0.1))
        c.say(conv, "S1", "CUSTOMER_SERVICE", "a1", "TEXT", _t(d, 2, 10))
        if d % 2:
            c.ratings.append(
                {
                    "rating_id": f"r-{conv}",
                    "conversation_id": conv,
                    "shop_id": "S1",
                    "rated_at": _iso(_t(d, 3)),
                    "score": 5,
                }
            )
        c.orders.append(
            {
                "order_id": f"o-{conv}",
                "shop_id": "S1",
                "buyer_id": f"u-{conv}",
                "created_at": _iso(_t(d, 2) + timedelta(days=1)),
                "amount": "100000",
                "currency": "IDR",
            }
        )
        # S1, 04:00 UTC: a2 answers in 2 h, or late (30 h) every third day; rated 2 on even days
        conv = f"c1-{d}-1"
        c.say(conv, "S1", "BUYER", f"u-{conv}", "TEXT", _t(d, 4))
        c.allocate(conv, "S1", "a2", _t(d, 4, 0.1))
        c.say(
            conv, "S1", "CUSTOMER_SERVICE", "a2", "TEXT", _t(d, 4, 30 * 60 if d % 3 == 0 else 120)
        )
        if d % 2 == 0:
            c.ratings.append(
                {
                    "rating_id": f"r-{conv}",
                    "conversation_id": conv,
                    "shop_id": "S1",
                    "rated_at": _iso(_t(d, 23)),
                    "score": 2,
                }
            )
        # S1, 06:00 UTC on even days: allocated to a1, never answered (expired, or still
        # waiting at as_of: at risk)
        if d % 2 == 0:
            conv = f"c1-{d}-2"
            c.say(conv, "S1", "BUYER", f"u-{conv}", "TEXT", _t(d, 6))
            c.allocate(conv, "S1", "a1", _t(d, 6, 1))
        # S1: FAQ clicks answered by the robot only (auto-resolved)
        if d % 4 == 1:
            conv = f"c1-{d}-3"
            c.say(conv, "S1", "BUYER", f"u-{conv}", "FAQ_QUESTION", _t(d, 8))
            c.say(conv, "S1", "ROBOT", "bot", "TEXT", _t(d, 8, 0.05))
        # S2, 18:00 UTC: b1 answers in an hour; every third day a second buyer is never answered
        conv = f"c2-{d}-0"
        c.say(conv, "S2", "BUYER", f"u-{conv}", "TEXT", _t(d, 18))
        c.say(conv, "S2", "CUSTOMER_SERVICE", "b1", "TEXT", _t(d, 19))
        if d % 3 == 0:
            conv = f"c2-{d}-1"
            c.say(conv, "S2", "BUYER", f"u-{conv}", "TEXT", _t(d, 20))
            c.allocate(conv, "S2", "b1", _t(d, 20, 1))
    # transfers (metrics.md §9.4): allocated to a1, moved to a2 five minutes later, answered
    # by a2; a second one moved from a2 back to a1 (a2's capacity is 2: a2 is saturated then)
    c.say("c1-8-5", "S1", "BUYER", "u-c1-8-5", "TEXT", _t(8, 10))
    c.allocate("c1-8-5", "S1", "a1", _t(8, 10, 0.1))
    c.allocate("c1-8-5", "S1", "a2", _t(8, 10, 5))
    c.say("c1-8-5", "S1", "CUSTOMER_SERVICE", "a2", "TEXT", _t(8, 10, 20))
    c.say("c1-8-6", "S1", "BUYER", "u-c1-8-6", "TEXT", _t(8, 11))
    c.allocate("c1-8-6", "S1", "a2", _t(8, 11, 0.1))
    c.allocate("c1-8-6", "S1", "a1", _t(8, 11, 30))
    c.say("c1-8-6", "S1", "CUSTOMER_SERVICE", "a1", "TEXT", _t(8, 11, 45))
    # waiting 22 h at as_of: at risk, deadline still ahead
    c.say("c1-9-4", "S1", "BUYER", "u-c1-9-4", "TEXT", _t(9, 14))
    c.allocate("c1-9-4", "S1", "a2", _t(9, 14, 1))
    # exclusions: no reply needed, an upheld report, a pending report (excludes nothing)
    c.act("c1-3-1", "S1", "MARK_NO_REPLY_NEEDED", "a2", _t(3, 5))
    c.act("c1-5-0", "S1", "REPORT_BUYER", "a1", _t(5, 3), "UPHELD")
    c.act("c1-6-0", "S1", "REPORT_BUYER", "a1", _t(6, 3), "PENDING")
    c.act("c1-7-1", "S1", "CLOSE_SESSION", "a2", _t(7, 7))
    # contract-breaking rows: an unparseable time, an unknown shop, a redelivered duplicate
    c.messages.append(msg("bad-1", "c1-1-0", "S1", "BUYER", "u", "TEXT", "yesterday-ish"))
    c.messages.append(msg("bad-2", "c9", "S9", "BUYER", "u9", "TEXT", _iso(_t(2, 2))))
    c.messages.append({**c.messages[0], "created_at": _iso(_t(1, 2, 1))})
    holidays = [
        {
            "period_id": "h1",
            "shop_id": "S2",
            "starts_at": "2026-03-05T00:00:00Z",
            "ends_at": "2026-03-06T00:00:00Z",
            "updated_at": "2026-03-01T00:00:00Z",
        }
    ]
    return {
        "shops": SHOPS,
        "agents": AGENTS,
        "messages": c.messages,
        "conversation_actions": c.actions,
        "shop_holiday_periods": holidays,
        "session_ratings": c.ratings,
        "orders": c.orders,
    }


def build(root: Path) -> Path:
    """Write the landing folder under `root`, build and publish it; the published file."""
    write_landing(root / "raw", landing_tables())
    warehouse = root / "warehouse" / "chat.duckdb"
    # models only: the tests check each page against the marts it reads
    build_warehouse(root / "raw", warehouse, AS_OF, with_tests=False)
    return warehouse


def published_warehouse(tmp_path_factory: Any, worker_id: str) -> Path:
    """Build the test warehouse once per test session, shared by pytest-xdist workers (the
    first one builds it under a file lock; the others wait and reuse it)."""
    from filelock import FileLock

    if worker_id == "master":
        return build(tmp_path_factory.mktemp("dashboard"))
    root = tmp_path_factory.getbasetemp().parent / "dashboard-warehouse"
    with FileLock(str(root) + ".lock"):
        warehouse = root / "warehouse" / "chat.duckdb"
        if not warehouse.is_file():
            build(root)
    return warehouse
