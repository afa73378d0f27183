"""Plan a chunk of conversations: when each session starts and how it unfolds.

A plan is a dict of numpy arrays over the chunk's sessions (2-D arrays hold one row per
session), so ~50k sessions are planned in a few vectorised steps. Times are int64 milliseconds,
UTC. A session's story: the buyer may enter from a product or order page, may tap FAQ questions
(answered by the robot within seconds, sometimes followed by a question for a human), writes one
to three messages, the system allocates an on-shift agent (or the first agent of the next
shift), and a human answers within minutes, after the deadline, or never. Rounds of questions
and answers, a thanks, a close by the agent or the system, a rating and an order may follow.
"""

from __future__ import annotations

import numpy as np

from chat_warehouse.generator.config import DAY, HOUR, MIN, SEC
from chat_warehouse.generator.schema import MT
from chat_warehouse.generator.world import World

Plan = dict[str, np.ndarray]

# Session outcomes and how sessions close.
FAQ_ONLY, NORMAL, LATE, NEVER = 0, 1, 2, 3
CLOSE_NONE, CLOSE_AGENT, CLOSE_SYSTEM = 0, 1, 2
MAX_ROUNDS = 8
EXPIRY = 7 * DAY  # the platform closes a session a buyer waits in for 7 days
IDLE = DAY  # ... and a session nobody waits in after 24 h without activity

# Message type mixes: (type name, probability).
BUYER_OPEN_MIX = (("TEXT", 0.70), ("PRODUCT_CARD", 0.10), ("IMAGE", 0.08), ("ORDER_CARD", 0.07),
                  ("EMOTICONS", 0.02), ("RETURN_REFUND_CARD", 0.02), ("VIDEO", 0.01))  # fmt: skip
BUYER_ROUND_MIX = (("TEXT", 0.80), ("IMAGE", 0.08), ("EMOTICONS", 0.06), ("ORDER_CARD", 0.03),
                   ("VIDEO", 0.02), ("OTHER", 0.01))  # fmt: skip
CS_MIX = (("TEXT", 0.88), ("PRODUCT_CARD", 0.05), ("IMAGE", 0.03), ("COUPON_CARD", 0.02),
          ("EMOTICONS", 0.02))  # fmt: skip
# Rating score distributions (1..5) by experience: fast answer, answer, late, none.
SCORE_CDF = np.cumsum(
    [[0.03, 0.02, 0.05, 0.20, 0.70], [0.06, 0.04, 0.10, 0.25, 0.55],
     [0.22, 0.15, 0.20, 0.20, 0.23], [0.40, 0.15, 0.15, 0.12, 0.18]], axis=1,
)  # fmt: skip


def sample_types(rng: np.random.Generator, mix: tuple[tuple[str, float], ...], shape) -> np.ndarray:
    """Message type codes drawn from a mix."""
    codes = np.array([MT[name] for name, _ in mix], np.int64)
    cdf = np.cumsum([p for _, p in mix])
    idx = np.minimum(np.searchsorted(cdf / cdf[-1], rng.random(shape), side="right"), len(mix) - 1)
    return codes[idx]


class _Draw:
    """Random draws in milliseconds for a fixed number of sessions."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng, self.n = rng, n

    def p(self, shape=None) -> np.ndarray:
        return self.rng.random(self.n if shape is None else shape)

    def uniform(self, lo: float, hi: float, shape=None) -> np.ndarray:
        return (lo + self.p(shape) * (hi - lo)).astype(np.int64)

    def lognormal(self, median, sigma: float, cap: float, shape=None) -> np.ndarray:
        noise = self.rng.lognormal(0.0, sigma, self.n if shape is None else shape)
        return np.minimum(median * noise, cap).astype(np.int64)


def plan_chunk(world: World, rng: np.random.Generator, first_conv: int, n_conv: int) -> Plan:
    """Plan `n_conv` conversations (global numbers from `first_conv`) and their sessions."""
    conv = first_conv + np.arange(n_conv, dtype=np.int64)
    conv_shop = rng.choice(len(world.shop_ids), size=n_conv, p=world.shop_weight)
    buyer = conv.copy()  # most buyers chat with one shop; some also with another
    again = rng.random(n_conv) < 0.12
    buyer[again] = (rng.random(int(again.sum())) * np.maximum(conv[again], 1)).astype(np.int64)
    n_sessions = np.minimum(rng.geometric(0.45, n_conv), 8)

    local = np.repeat(np.arange(n_conv), n_sessions)
    shop = conv_shop[local]
    t0 = world.sample_times(rng, shop)
    order = np.lexsort((t0, local))
    local, shop, t0 = local[order], shop[order], t0[order]

    plan = _script(world, rng, shop, t0)
    plan["conv_local"] = local
    plan["conv"] = conv[local]
    plan["buyer"] = buyer[local]
    keep = _non_overlapping(local, t0, plan["busy_end"])
    return {name: values[keep] for name, values in plan.items()}


def _non_overlapping(group: np.ndarray, start: np.ndarray, busy_end: np.ndarray) -> np.ndarray:
    """Keep sessions (sorted by group, start) that start after the previous kept one closed."""
    keep = np.ones(len(start), bool)
    while True:
        idx = np.flatnonzero(keep)
        prev, cur = idx[:-1], idx[1:]
        clash = (group[prev] == group[cur]) & (start[cur] < busy_end[prev])
        if not clash.any():
            return keep
        # Drop a clashing session only when its predecessor is itself safe; repeat.
        prev_clash = np.concatenate([[False], clash[:-1]])
        keep[cur[clash & ~prev_clash]] = False


def _script(world: World, rng: np.random.Generator, shop: np.ndarray, t0: np.ndarray) -> Plan:
    n = len(t0)
    d = _Draw(rng, n)
    rows = np.arange(n)
    hol = world.in_holiday(shop, t0)
    owner = world.shop_agent_start[shop]

    # Entering from a product or order page, FAQ clicks answered by the robot.
    enter = d.p() < 0.3
    enter_type = np.where(
        d.p() < 0.65, MT["BUYER_ENTER_FROM_PRODUCT"], MT["BUYER_ENTER_FROM_ORDER"]
    )
    enter_t = t0 - d.uniform(2 * SEC, 40 * SEC)
    n_faq = np.where(d.p() < 0.22, 1 + (d.p() < 0.3), 0)
    faq_t = np.empty((n, 2), np.int64)
    robot_t = np.empty((n, 2), np.int64)
    faq_t[:, 0] = t0
    robot_t[:, 0] = t0 + d.uniform(1 * SEC, 4 * SEC)
    faq_t[:, 1] = robot_t[:, 0] + d.uniform(15 * SEC, 90 * SEC)
    robot_t[:, 1] = faq_t[:, 1] + d.uniform(1 * SEC, 4 * SEC)
    faq_end = robot_t[rows, np.maximum(n_faq - 1, 0)]
    faq_only = (n_faq > 0) & (d.p() < 0.55)
    clock = ~faq_only
    tc = np.where(n_faq > 0, faq_end + d.uniform(10 * SEC, 180 * SEC), t0)

    # Opening buyer messages; the chatbot's greeting or holiday auto-reply.
    n_open = clock * (1 + (d.p() < 0.45) + (d.p() < 0.2))
    open_t = tc[:, None] + np.cumsum(d.uniform(3 * SEC, 50 * SEC, (n, 3)), axis=1)
    open_t[:, 0] = tc
    last_open = np.where(clock, open_t[rows, np.maximum(n_open - 1, 0)], faq_end)
    greet = clock & ((world.has_greeting[shop] & (d.p() < 0.8)) | hol)
    greet_t = tc + d.uniform(1 * SEC, 3 * SEC)

    # Allocation: to an agent on shift now, else to one of the next shift when it starts.
    hc = world.hour_index(tc)
    on = world.onshift_count[shop, hc] > 0
    nh = world.next_on[shop, hc]
    later = world.hour_start(np.maximum(nh, 0)) + d.uniform(1 * MIN, 15 * MIN)
    alloc_t = np.where(
        on, tc + d.uniform(2 * SEC, 20 * SEC), np.where(nh >= 0, later, tc + 30 * DAY)
    )
    next_agent = np.where(nh >= 0, world.pick_agent(shop, np.maximum(nh, 0), d.p()), -1)
    alloc_agent = np.where(on, world.pick_agent(shop, hc, d.p()), next_agent)
    has_alloc = clock & (alloc_agent >= 0) & ~(hol & (d.p() < 0.7))

    # Outcome and first human reply.
    u = d.p()
    p_never = np.minimum(world.p_never[shop] + 0.6 * hol, 0.95)
    p_late = world.p_late[shop]
    outcome = np.select(
        [faq_only, u < p_never, u < p_never + p_late], [FAQ_ONLY, NEVER, LATE], NORMAL
    )
    replied = (outcome == NORMAL) | (outcome == LATE)
    quick = d.lognormal(world.reply_median_ms[shop], 1.1, 6 * HOUR)
    after_shift = (alloc_t - tc) + d.lognormal(15 * MIN, 0.9, 4 * HOUR)
    delay = np.where(on, quick, after_shift)
    delay = np.where(outcome == LATE, DAY + MIN + d.lognormal(6 * HOUR, 0.8, 5 * DAY), delay)
    r1 = np.maximum(tc + delay, last_open + d.uniform(5 * SEC, 60 * SEC))
    r1 = np.where(has_alloc, np.maximum(r1, alloc_t + d.uniform(3 * SEC, 30 * SEC)), r1)

    # A transfer to a colleague before the answer; who answers (an agent or the shop account).
    n_ag = world.shop_agent_count[shop]
    transfer = replied & has_alloc & (n_ag >= 2) & (d.p() < 0.07) & (r1 - alloc_t > 10 * SEC)
    transfer_t = alloc_t + ((r1 - alloc_t) * (0.2 + 0.6 * d.p())).astype(np.int64)
    other = owner + (alloc_agent - owner + 1 + (d.p() * (n_ag - 1)).astype(np.int64)) % n_ag
    cs_agent = np.where(transfer, other, alloc_agent)
    late_pick = world.pick_agent(shop, world.hour_index(r1), d.p())
    cs_agent = np.where((outcome == LATE) & ~transfer & (late_pick >= 0), late_pick, cs_agent)
    cs_agent = np.where(cs_agent < 0, owner, cs_agent)
    by_account = d.p() < 0.08
    invisible = has_alloc & (outcome != FAQ_ONLY) & (d.p() < 0.05)
    invisible_t = np.where(
        replied,
        tc + ((r1 - tc) * (0.1 + 0.8 * d.p())).astype(np.int64),
        tc + d.uniform(MIN, 3 * HOUR),
    )

    # Rounds of buyer question and human answer after the first reply.
    n_rounds = np.where(replied, np.minimum(rng.poisson(1.5, n), MAX_ROUNDS), 0)
    shape = (n, MAX_ROUNDS)
    bgap = d.lognormal(100 * SEC, 1.2, 4 * HOUR, shape)
    extra = d.p(shape) < 0.3
    egap = d.uniform(5 * SEC, 40 * SEC, shape)
    cgap = d.lognormal(60 * SEC, 0.9, 2 * HOUR, shape)
    step = bgap + extra * egap + cgap
    round_end = r1[:, None] + np.cumsum(step, axis=1)
    round_buyer_t = round_end - step + bgap
    last_human = np.where(n_rounds > 0, round_end[rows, np.maximum(n_rounds - 1, 0)], r1)

    # A closing thanks (answered, marked "no reply needed", or left); nudges of ignored buyers.
    thanks = replied & (d.p() < 0.3)
    thanks_t = last_human + d.lognormal(60 * SEC, 0.8, HOUR)
    v = d.p()
    thanks_reply = thanks & (v < 0.4)
    thanks_reply_t = thanks_t + d.uniform(20 * SEC, 3 * MIN)
    spam = (outcome == NEVER) & (d.p() < 0.1)
    mark = (thanks & (v >= 0.4) & (v < 0.55)) | spam
    mark_t = np.where(spam, tc + d.uniform(5 * MIN, 5 * HOUR), thanks_t + d.uniform(MIN, 30 * MIN))
    nudge = (outcome == NEVER) & (d.p() < 0.35)
    nudge_t = last_open + d.uniform(HOUR, 30 * HOUR)

    # Last activity (buyer, human or robot message) and whether a buyer is left waiting.
    act = np.where(n_faq > 0, faq_end, t0)
    act = np.maximum(act, np.where(clock, last_open, act))
    act = np.maximum(act, np.where(greet, greet_t, act))
    act = np.where(replied, np.maximum(act, last_human), act)
    act = np.where(thanks, np.maximum(act, thanks_t), act)
    act = np.where(thanks_reply, np.maximum(act, thanks_reply_t), act)
    act = np.where(nudge, np.maximum(act, nudge_t), act)
    waiting = (outcome == NEVER) | (thanks & ~thanks_reply)
    waiting_since = np.where(outcome == NEVER, tc, thanks_t)

    # Closing: by an agent, by the system, or left to idle close / expiry.
    c = d.p()
    never = outcome == NEVER
    conds = [replied & (c < 0.45), replied & (c < 0.57), never & (c < 0.30), never & (c < 0.40),
             faq_only & (c < 0.2)]  # fmt: skip
    close = np.select(conds, [CLOSE_AGENT, CLOSE_SYSTEM, CLOSE_SYSTEM, CLOSE_AGENT, CLOSE_SYSTEM])
    after = np.select(conds, [
        d.lognormal(4 * MIN, 1.0, 12 * HOUR), d.uniform(HOUR, 20 * HOUR),
        d.uniform(2 * HOUR, 72 * HOUR), d.uniform(5 * MIN, 10 * HOUR),
        d.uniform(10 * MIN, 2 * HOUR),
    ])  # fmt: skip
    close_t = act + after
    close_t = np.where(mark, np.maximum(close_t, mark_t + d.uniform(SEC, MIN)), close_t)
    handler = np.where(alloc_agent >= 0, alloc_agent, owner)
    close_agent = np.where(close == CLOSE_AGENT, np.where(replied, cs_agent, handler), -1)
    implicit_end = np.where(waiting, waiting_since + EXPIRY, act + IDLE)
    busy_end = np.where(close != CLOSE_NONE, close_t, implicit_end) + MIN

    # Reports of abusive buyers (a later verdict), notifications, ratings, orders.
    report = clock & (d.p() < 0.006 + 0.02 * never)
    report_t = tc + d.uniform(MIN, 6 * HOUR)
    verdict_t = report_t + d.uniform(6 * HOUR, 4 * DAY)
    upheld = d.p() < 0.6
    notify = clock & (d.p() < 0.12)
    notify_t = act + d.uniform(MIN, 2 * HOUR)
    end_t = np.where(close != CLOSE_NONE, close_t, act)
    fast = (outcome == NORMAL) & (r1 - tc < 30 * MIN)
    experience = np.select([fast, outcome == NORMAL, outcome == LATE], [0, 1, 2], 3)
    rated = d.p() < np.select([outcome == NORMAL, outcome == LATE, never], [0.3, 0.2, 0.04], 0.05)
    rated_t = end_t + d.lognormal(3 * MIN, 1.0, 12 * HOUR)
    score = 1 + (d.p()[:, None] > SCORE_CDF[experience]).sum(axis=1)
    buys = replied & (d.p() < 0.2)
    order_t = r1 + d.lognormal(4 * HOUR, 1.6, 20 * DAY)
    buys_again = buys & (d.p() < 0.1)
    order2_t = order_t + d.lognormal(DAY, 1.0, 10 * DAY)
    bought_before = d.p() < 0.02
    order0_t = t0 - d.uniform(HOUR, 10 * DAY)

    # The plan is every per-session array above.
    return {name: value for name, value in locals().items() if isinstance(value, np.ndarray)}
