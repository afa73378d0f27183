"""Contract-breaking rows: a small, deterministic share of every landing table.

Real landing data is never clean, and the warehouse must quarantine what breaks
spec/contract.md rather than drop it or fail. Per chunk, about `share` of the rows of each
streamed table are broken in place (one fault each) or redelivered; each small table gets
`max(1, round(share * rows))` extra bad rows. With share 0 nothing is touched.

Parquet cannot hold an unparseable timestamp (the column is typed), so there the fault is the
classic zero-epoch instant 1970-01-01T00:00:00, which the warehouse rejects as implausible; CSV
gets real garbage text (schema.BAD_TIMESTAMP_TEXTS).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from chat_warehouse.generator.config import DAY, HOUR, SEC
from chat_warehouse.generator.emit import BAD_TIME, NULL_INT, NULL_TIME, SENDER_NULL, Frame
from chat_warehouse.generator.schema import (
    ACT,
    BAD_AGENT_ROLE,
    BAD_PLATFORM,
    BAD_TIMEZONE,
    MT,
    STATUS,
    R,
)

# Shop code of a message whose shop_id is not in `shops` (written as schema.UNKNOWN_SHOP_ID).
SHOP_UNKNOWN = -2

Fault = Callable[[Frame, np.ndarray, np.random.Generator], None]


def _set(column: str, value) -> Fault:
    def fault(frame: Frame, rows: np.ndarray, rng: np.random.Generator) -> None:
        frame[column][rows] = value

    return fault


def _buyer_without_sender(frame: Frame, rows: np.ndarray, rng: np.random.Generator) -> None:
    frame["role"][rows] = R["BUYER"]
    frame["mtype"][rows] = MT["TEXT"]
    frame["sender"][rows] = SENDER_NULL


def _report_without_status(frame: Frame, rows: np.ndarray, rng: np.random.Generator) -> None:
    frame["atype"][rows] = ACT["REPORT_BUYER"]
    frame["status"][rows] = -1


def _score_out_of_range(frame: Frame, rows: np.ndarray, rng: np.random.Generator) -> None:
    frame["score"][rows] = rng.choice(np.array([0, 6, 10, -1], np.int32), len(rows))


def _negative_amount(frame: Frame, rows: np.ndarray, rng: np.random.Generator) -> None:
    frame["amount"][rows] = -frame["amount"][rows]


# Faults applied in place, by table. "duplicate" (messages) appends redelivered copies instead.
IN_PLACE: dict[str, dict[str, Fault]] = {
    "messages": {
        "unknown_sender_role": _set("role", R["MODERATOR"]),
        "unknown_message_type": _set("mtype", MT["STICKER"]),
        "null_message_id": _set("message_id", -1),
        "null_conversation_id": _set("conv", -1),
        "null_shop_id": _set("shop", -1),
        "unknown_shop_id": _set("shop", SHOP_UNKNOWN),
        "buyer_without_sender": _buyer_without_sender,
        "null_created_at": _set("t", NULL_TIME),
        "unparseable_created_at": _set("t", BAD_TIME),
    },
    "conversation_actions": {
        "unknown_action_type": _set("atype", ACT["ARCHIVE_CHAT"]),
        "null_action_id": _set("action_id", -1),
        "null_conversation_id": _set("conv", -1),
        "report_without_status": _report_without_status,
        "unknown_report_status": _set("status", STATUS["APPROVED"]),
        "null_acted_at": _set("acted", NULL_TIME),
        "unparseable_updated_at": _set("updated", BAD_TIME),
    },
    "session_ratings": {
        "score_out_of_range": _score_out_of_range,
        "null_score": _set("score", NULL_INT),
        "null_rating_id": _set("rating_id", -1),
        "null_conversation_id": _set("conv", -1),
        "unparseable_rated_at": _set("rated", BAD_TIME),
    },
    "orders": {
        "negative_amount": _negative_amount,
        "null_amount": _set("amount", np.nan),
        "null_buyer_id": _set("buyer", -1),
        "null_order_id": _set("order_id", -1),
        "unparseable_created_at": _set("created", BAD_TIME),
    },
}
DUPLICATE_SHARE = 0.3  # of the bad message rows: redelivered copies


def break_frame(
    table: str, frame: Frame, rng: np.random.Generator, share: float, at_least_one: bool
) -> tuple[Frame, int]:
    """Break about `share` of a chunk's rows; returns the frame and how many rows are bad."""
    n = len(next(iter(frame.values())))
    if share <= 0 or n == 0:
        return frame, 0
    n_bad = min(n, max(int(rng.binomial(n, share)), int(at_least_one)))
    if n_bad == 0:
        return frame, 0
    rows = rng.choice(n, n_bad, replace=False)
    n_dup = int((rng.random(n_bad) < DUPLICATE_SHARE).sum()) if table == "messages" else 0
    dup_rows, rows = np.sort(rows[:n_dup]), rows[n_dup:]
    faults = list(IN_PLACE[table].values())
    kinds = rng.integers(0, len(faults), len(rows))
    for k, fault in enumerate(faults):
        fault(frame, rows[kinds == k], rng)
    if n_dup:
        frame = _redeliver(frame, dup_rows, rng)
    return frame, n_bad


def _redeliver(frame: Frame, rows: np.ndarray, rng: np.random.Generator) -> Frame:
    """Append copies of message rows: same message_id, same or a later created_at."""
    copies = {name: values[rows] for name, values in frame.items()}
    valid = copies["t"] > BAD_TIME
    later = rng.random(len(rows)) < 0.5
    delay = (rng.random(len(rows)) * 6 * HOUR + SEC).astype(np.int64)
    copies["t"] = np.where(valid & later, copies["t"] + delay, copies["t"])
    return {name: np.concatenate([frame[name], copies[name]]) for name in frame}


def bad_small_rows(table: str, count: int, shop_ids: list[str], start_ms: int) -> list[dict]:
    """`count` contract-breaking rows for a small table (shops, agents, holiday periods)."""
    rows: list[dict] = []
    for i in range(count):
        if table == "shops":
            rows.append({"shop_id": f"shop_{98 - i:02d}", "platform": BAD_PLATFORM,
                         "shop_name": "Toko Tanpa Zona", "timezone": BAD_TIMEZONE})  # fmt: skip
        elif table == "agents":
            shop = shop_ids[i % len(shop_ids)] if i % 2 == 0 else None
            rows.append({"agent_id": f"agt_99{i + 1:02d}", "shop_id": shop, "nickname": "Temp",
                         "role": BAD_AGENT_ROLE, "max_concurrent_sessions": 10})  # fmt: skip
        elif table == "shop_holiday_periods":
            starts = start_ms + (10 + i) * DAY
            rows.append({"period_id": f"hol_bad_{i + 1:02d}",
                         "shop_id": shop_ids[i % len(shop_ids)], "starts_at": starts,
                         "ends_at": starts - 2 * DAY, "updated_at": starts - 3 * DAY})  # fmt: skip
    return rows
