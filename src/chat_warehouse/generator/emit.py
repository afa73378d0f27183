"""Turn a planned chunk into rows: messages, conversation actions, ratings and orders.

Rows are held as frames: dicts of equally long numpy arrays in integer codes (see `Frame`), which
the fault injector can break and `tables.py` turns into Arrow tables. Rows stamped outside the
period are dropped: the landing folder is an extract taken at the period's end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chat_warehouse.generator.content import FAQ_SIZE, ContentPool
from chat_warehouse.generator.plan import (
    BUYER_OPEN_MIX,
    BUYER_ROUND_MIX,
    CLOSE_NONE,
    CS_MIX,
    MAX_ROUNDS,
    Plan,
    sample_types,
)
from chat_warehouse.generator.schema import ACT, MT, STATUS, R
from chat_warehouse.generator.world import CURRENCIES, World

# A frame: column name -> numpy array. Nulls: -1 in id and code columns (`sender`: see below),
# NULL_TIME in time columns, BAD_TIME for an unparseable timestamp, NULL_INT in `score`, NaN in
# `amount`.
Frame = dict[str, np.ndarray]
NULL_TIME = np.iinfo(np.int64).min
BAD_TIME = NULL_TIME + 1
NULL_INT = np.iinfo(np.int32).min
# `sender` of a message: an index into World.agent_ids followed by the shop accounts, or:
SENDER_BUYER, SENDER_NULL = -1, -2
# Message ids look like the platform's: milliseconds since 2020 in the high bits, a sequence low.
SNOWFLAKE_EPOCH_MS = 1_577_836_800_000
SNOWFLAKE_SEQ_BITS = 24

# Order amounts: (median, rounding step) by currency.
PRICE = {"IDR": (175_000, 500), "SGD": (45, 0.01), "THB": (650, 1), "VND": (420_000, 1000),
         "USD": (38, 0.01)}  # fmt: skip


@dataclass
class Counters:
    """Running numbers that make ids unique across chunks."""

    conversations: int = 0
    messages: int = 0
    actions: int = 0
    ratings: int = 0
    orders: int = 0


class _Rows:
    """Collects message rows segment by segment; `sess` indexes the plan's sessions."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, sess, t, role, mtype, sender, content, visible=True) -> None:
        n = len(sess)
        cols = (sess, t, role, mtype, sender, content, visible)
        self.parts.append(tuple(np.broadcast_to(c, n) for c in cols))

    def columns(self) -> list[np.ndarray]:
        return [np.concatenate(col) for col in zip(*self.parts, strict=True)]


def emit_chunk(
    world: World, pool: ContentPool, plan: Plan, rng: np.random.Generator, counters: Counters
) -> dict[str, Frame]:
    """All rows of a planned chunk, ids numbered from `counters` (which advance)."""
    return {
        "messages": _messages(world, pool, plan, rng, counters),
        "conversation_actions": _actions(world, plan, counters),
        "session_ratings": _ratings(world, plan, counters),
        "orders": _orders(world, plan, rng, counters),
    }


def _messages(world: World, pool: ContentPool, p: Plan, rng, counters: Counters) -> Frame:
    lang = world.shop_lang[p["shop"]]
    rows = _Rows()

    def pick(cat: str, s: np.ndarray) -> np.ndarray:
        return pool.pick(cat, lang[s], rng.random(len(s)))

    def typed(s: np.ndarray, mix, text_cat: str) -> tuple[np.ndarray, np.ndarray]:
        types = sample_types(rng, mix, len(s))
        return types, pool.for_types(types, lang[s], rng.random(len(s)), text_cat)

    buyer, robot, system, cs = R["BUYER"], R["ROBOT"], R["SYSTEM"], R["CUSTOMER_SERVICE"]
    reply_role = np.where(p["by_account"], R["SHOP"], cs)
    reply_sender = np.where(p["by_account"], world.n_agents + p["shop"], p["cs_agent"])

    s = np.flatnonzero(p["enter"])
    types = p["enter_type"][s]
    rows.add(s, p["enter_t"][s], buyer, types, SENDER_BUYER,
             pool.for_types(types, lang[s], rng.random(len(s)), "buyer_open"))  # fmt: skip
    for k in range(2):
        s = np.flatnonzero(p["n_faq"] > k)
        q = rng.integers(0, FAQ_SIZE, len(s))
        rows.add(s, p["faq_t"][s, k], buyer, MT["FAQ_QUESTION"], SENDER_BUYER,
                 pool.nth("faq_question", lang[s], q))  # fmt: skip
        rows.add(s, p["robot_t"][s, k], robot, MT["TEXT"], SENDER_NULL,
                 pool.nth("faq_answer", lang[s], q))  # fmt: skip
    for k in range(3):
        s = np.flatnonzero(p["n_open"] > k)
        types, content = typed(s, BUYER_OPEN_MIX, "buyer_open" if k == 0 else "buyer_follow")
        rows.add(s, p["open_t"][s, k], buyer, types, SENDER_BUYER, content)
    s = np.flatnonzero(p["greet"])
    content = np.where(p["hol"][s], pick("robot_holiday", s), pick("robot_greeting", s))
    rows.add(s, p["greet_t"][s], robot, MT["TEXT"], SENDER_NULL, content)
    s = np.flatnonzero(p["has_alloc"])
    rows.add(s, p["alloc_t"][s], system, MT["ALLOCATED_SERVICE"], SENDER_NULL,
             pool.alloc(p["alloc_agent"][s]))  # fmt: skip
    s = np.flatnonzero(p["transfer"])
    rows.add(s, p["transfer_t"][s], system, MT["ALLOCATED_SERVICE"], SENDER_NULL,
             pool.alloc(p["other"][s]))  # fmt: skip
    s = np.flatnonzero(p["invisible"])
    rows.add(s, p["invisible_t"][s], cs, MT["TEXT"], p["alloc_agent"][s],
             pick("invisible_note", s), visible=False)  # fmt: skip

    s = np.flatnonzero(p["replied"])
    types, content = typed(s, CS_MIX, "cs_first")
    rows.add(s, p["r1"][s], reply_role[s], types, reply_sender[s], content)
    active = np.arange(MAX_ROUNDS)[None, :] < p["n_rounds"][:, None]
    s, k = np.nonzero(active)
    types, content = typed(s, BUYER_ROUND_MIX, "buyer_follow")
    rows.add(s, p["round_buyer_t"][s, k], buyer, types, SENDER_BUYER, content)
    types, content = typed(s, CS_MIX, "cs_reply")
    rows.add(s, p["round_end"][s, k], reply_role[s], types, reply_sender[s], content)
    s, k = np.nonzero(active & p["extra"])
    rows.add(s, p["round_buyer_t"][s, k] + p["egap"][s, k], buyer, MT["TEXT"], SENDER_BUYER,
             pick("buyer_follow", s))  # fmt: skip

    s = np.flatnonzero(p["thanks"])
    rows.add(s, p["thanks_t"][s], buyer, MT["TEXT"], SENDER_BUYER, pick("buyer_thanks", s))
    s = np.flatnonzero(p["thanks_reply"])
    emoji = rng.random(len(s)) < 0.4
    rows.add(s, p["thanks_reply_t"][s], reply_role[s],
             np.where(emoji, MT["EMOTICONS"], MT["TEXT"]), reply_sender[s],
             np.where(emoji, pick("emoticon", s), pick("cs_thanks", s)))  # fmt: skip
    s = np.flatnonzero(p["nudge"])
    rows.add(s, p["nudge_t"][s], buyer, MT["TEXT"], SENDER_BUYER, pick("buyer_nudge", s))
    s = np.flatnonzero(p["notify"])
    rows.add(s, p["notify_t"][s], system, MT["NOTIFICATION"], SENDER_NULL, pick("notification", s))

    sess, t, role, mtype, sender, content, visible = rows.columns()
    keep = (t >= world.start_ms) & (t < world.end_ms)
    sess, t = sess[keep], t[keep]
    order = _order(p["conv_local"][sess], t)
    sess, t = sess[order], t[order]
    seq = counters.messages + np.arange(len(t), dtype=np.int64)
    counters.messages += len(t)
    since = np.maximum(t - SNOWFLAKE_EPOCH_MS, 0)
    mask = (1 << SNOWFLAKE_SEQ_BITS) - 1
    return {
        "message_id": (since << SNOWFLAKE_SEQ_BITS) | (seq & mask),
        "conv": p["conv"][sess],
        "shop": p["shop"][sess],
        "role": role[keep][order],
        "sender": sender[keep][order],
        "buyer": p["buyer"][sess],
        "mtype": mtype[keep][order],
        "content": content[keep][order],
        "t": t,
        "visible": visible[keep][order],
    }


def _order(group: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Stable order by (group, t): a conversation's rows together, in time."""
    return np.lexsort((t, group))


def _actions(world: World, p: Plan, counters: Counters) -> Frame:
    handler = np.where(p["replied"], p["cs_agent"], p["handler"])
    logical = [  # (sessions, type, agent, acted_at)
        (p["close"] != CLOSE_NONE, ACT["CLOSE_SESSION"], p["close_agent"], p["close_t"]),
        (p["mark"], ACT["MARK_NO_REPLY_NEEDED"], handler, p["mark_t"]),
        (p["report"], ACT["REPORT_BUYER"], handler, p["report_t"]),
    ]
    parts = []
    for mask, atype, agent, acted in logical:
        s = np.flatnonzero(mask & (acted < world.end_ms))
        ids = counters.actions + np.arange(len(s), dtype=np.int64)
        counters.actions += len(s)
        report = atype == ACT["REPORT_BUYER"]
        status = STATUS["PENDING"] if report else -1
        parts.append((ids, s, atype, agent[s], acted[s], status, acted[s]))
        if report:  # the verdict: a later version of the same action
            v = p["verdict_t"][s] < world.end_ms
            verdict = np.where(p["upheld"][s], STATUS["UPHELD"], STATUS["REJECTED"])
            parts.append((ids[v], s[v], atype, agent[s][v], acted[s][v], verdict[v],
                          p["verdict_t"][s][v]))  # fmt: skip
    ids, s, atype, agent, acted, status, updated = (
        np.concatenate([np.broadcast_to(part[j], len(part[0])) for part in parts]) for j in range(7)
    )
    order = _order(p["conv_local"][s], updated)
    s = s[order]
    return {
        "action_id": ids[order],
        "conv": p["conv"][s],
        "shop": p["shop"][s],
        "atype": atype[order],
        "agent": agent[order],
        "acted": acted[order],
        "status": status[order],
        "updated": updated[order],
    }


def _ratings(world: World, p: Plan, counters: Counters) -> Frame:
    s = np.flatnonzero(p["rated"] & (p["rated_t"] < world.end_ms))
    ids = counters.ratings + np.arange(len(s), dtype=np.int64)
    counters.ratings += len(s)
    return {
        "rating_id": ids,
        "conv": p["conv"][s],
        "shop": p["shop"][s],
        "rated": p["rated_t"][s],
        "score": p["score"][s].astype(np.int32),
    }


def _orders(world: World, p: Plan, rng: np.random.Generator, counters: Counters) -> Frame:
    s = np.concatenate([np.flatnonzero(p[m]) for m in ("buys", "buys_again", "bought_before")])
    t = np.concatenate([p[c][p[m]] for m, c in (("buys", "order_t"), ("buys_again", "order2_t"),
                                                ("bought_before", "order0_t"))])  # fmt: skip
    keep = (t >= world.start_ms) & (t < world.end_ms)
    s, t = s[keep], t[keep]
    order = _order(p["conv_local"][s], t)
    s, t = s[order], t[order]
    currency = world.shop_currency[p["shop"][s]]
    median = np.array([PRICE[c][0] for c in CURRENCIES], float)[currency]
    step = np.array([PRICE[c][1] for c in CURRENCIES], float)[currency]
    raw = median * rng.lognormal(0.0, 0.8, len(s))
    amount = np.maximum(np.round(raw / step), 1) * step
    ids = counters.orders + np.arange(len(s), dtype=np.int64)
    counters.orders += len(s)
    return {
        "order_id": ids,
        "shop": p["shop"][s],
        "buyer": p["buyer"][s],
        "created": t,
        "amount": np.round(amount, 2),
        "currency": currency,
    }
