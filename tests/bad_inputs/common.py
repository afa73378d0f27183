"""What every case of the bad-input catalogue shares: the case types, the times and ids they
use, the row builders, and the good rows every catalogue folder starts from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.landing import message_row

AS_OF = "2026-03-10 12:00:00"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Every case conversation opens its session at T0 (UTC) with a buyer message answered by
# agent a1 one hour later, unless the case says otherwise.
T0 = datetime(2026, 3, 2, 2, 0)
ANSWERED = {
    "started_at": T0,
    "response_status": "RESPONDED_IN_TIME",
    "first_response_seconds": 3600,
}

# The known good conversation every case also checks (metrics.md §3, §5, §6).
GOOD_CONVERSATION = "good.c"
GOOD_SESSION = {
    "shop_id": "S1",
    "buyer_id": "good.b",
    "started_at": datetime(2026, 3, 1, 10, 0),
    "response_status": "RESPONDED_IN_TIME",
    "first_response_seconds": 3600,
    "responsible_agent_id": "a1",
    "closed_at": datetime(2026, 3, 2, 11, 0),
    "close_reason": "IDLE",
    "rating_score": 5,
    "attributed_order_count": 1,
    "is_counted_in_rate": True,
}

# The rejected CSV line of a case in a table: resolved to `<file name>:<line>` by the writer.
LINE = "<line>"

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Raw:
    """A CSV line written verbatim (a malformed line). `last`: write it as the file's last line
    (an unterminated quote runs to the end of the file)."""

    text: str
    last: bool = False


@dataclass(frozen=True)
class CsvFile:
    """A landing file a case writes byte for byte (a shape of CSV file that real tools write),
    at `path` in the landing folder (e.g. `messages/<case id>.csv`, a part of the messages
    folder), and how many raw rows it holds (what landing.landing_files counts: the rows plus
    the lines the reader rejects; not the header, blank lines or repeated header rows)."""

    path: str
    content: bytes
    raw_rows: int

    @property
    def table(self) -> str:
        return self.path.split("/")[0].split(".")[0]


@dataclass(frozen=True)
class Case:
    """Rows of one bad (or unusual) input and what the build must make of them."""

    id: str
    about: str
    # rows added to the catalogue's shared file of each table
    rows: Mapping[str, Sequence[Row | Raw]]
    # (source_table, rule, row_key) of every row quarantined because of this case
    quarantined: Sequence[tuple[str, str, str | None]] = ()
    # conversation_id -> its sessions in marts.fct_chat_sessions (by started_at), as fields
    sessions: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    # (source_table, key) of rows that collapse as duplicates (counted, not quarantined)
    collapsed: Sequence[tuple[str, str]] = ()
    # (sql, expected rows) checked on the built warehouse
    checks: Sequence[tuple[str, list[tuple[Any, ...]]]] = ()
    # files of its own the case writes into the landing folder
    files: Sequence[CsvFile] = ()


def iso(at: datetime) -> str:
    """ISO-8601 UTC text with a `Z`."""
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def msg(
    mid, conv, at, role="BUYER", sender=None, mtype="TEXT", shop="S1", content=None, visible=None
) -> dict[str, Any]:
    """A messages row (a buyer's text by default)."""
    created_at = iso(at) if isinstance(at, datetime) else at
    return message_row(mid, conv, shop, role, sender, mtype, created_at, content, visible)


def session_rows(cid: str, shop: str = "S1", at: datetime = T0) -> list[dict[str, Any]]:
    """A case conversation `<cid>.c`: buyer `<cid>.b` asks at `at`, agent a1 answers 1 h later."""
    return [
        msg(f"{cid}.m1", f"{cid}.c", at, "BUYER", f"{cid}.b", shop=shop),
        msg(f"{cid}.m2", f"{cid}.c", at + HOUR, "CUSTOMER_SERVICE", "a1", shop=shop),
    ]


def shop_message(cid: str) -> dict[str, Any]:
    """A conversation `<cid>.c` with only a proactive SHOP message: it can have no session."""
    return msg(f"{cid}.m1", f"{cid}.c", T0, "SHOP", "acct.S1")


def shop(shop_id, timezone="Asia/Jakarta", platform="TIKTOK_SHOP", name=None) -> dict[str, Any]:
    """A shops row."""
    return {
        "shop_id": shop_id,
        "platform": platform,
        "shop_name": name or shop_id,
        "timezone": timezone,
    }


def agent(agent_id: str, **fields) -> dict[str, Any]:
    """An agents row of shop S1."""
    row = {
        "agent_id": agent_id,
        "shop_id": "S1",
        "nickname": agent_id,
        "role": "AGENT",
        "max_concurrent_sessions": "5",
    }
    row.update(fields)
    return row


def good_rows() -> dict[str, list[dict[str, Any]]]:
    """The rows every catalogue folder starts from: two good shops and the good conversation
    (answered in 1 h by a1, rated 5, one attributed order)."""
    g = GOOD_CONVERSATION
    return {
        "shops": [shop("S1", "Asia/Jakarta"), shop("S2", "America/Los_Angeles", "TOKOPEDIA")],
        "messages": [
            msg("good.m1", g, datetime(2026, 3, 1, 10, 0), "BUYER", "good.b"),
            msg(
                "good.m2",
                g,
                datetime(2026, 3, 1, 10, 0, 5),
                "SYSTEM",
                None,
                "ALLOCATED_SERVICE",
                content='{"agent_id": "a1"}',
            ),
            msg("good.m3", g, datetime(2026, 3, 1, 11, 0), "CUSTOMER_SERVICE", "a1"),
        ],
        "conversation_actions": [],
        "shop_holiday_periods": [],
        "agents": [agent("a2", nickname="Budi")],
        "session_ratings": [
            {
                "rating_id": "good.r",
                "conversation_id": g,
                "shop_id": "S1",
                "rated_at": "2026-03-01T12:00:00Z",
                "score": "5",
            }
        ],
        "orders": [
            {
                "order_id": "good.o",
                "shop_id": "S1",
                "buyer_id": "good.b",
                "created_at": "2026-03-02T09:00:00Z",
                "amount": "150000",
                "currency": "IDR",
            }
        ],
    }
