"""Hand-computed cases for the reference model (tests/reference_model.py).

Every expected value here was worked out by hand from spec/metrics.md and the decisions in
DECISIONS.md, not by running the reference. Times are UTC; `T0` is Monday 2025-01-06 10:00.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.reference_model import Marts, compute_marts

T0 = datetime(2025, 1, 6, 10, 0, 0)
SHOPS = [
    {"shop_id": "S1", "platform": "TIKTOK_SHOP", "shop_name": "Utc", "timezone": "UTC"},
    {"shop_id": "SJ", "platform": "TOKOPEDIA", "shop_name": "Jkt", "timezone": "Asia/Jakarta"},
    {
        "shop_id": "SL",
        "platform": "TIKTOK_SHOP",
        "shop_name": "La",
        "timezone": "America/Los_Angeles",
    },
]


# --------------------------------------------------------------------------------------------
# Tiny row builders
# --------------------------------------------------------------------------------------------


def h(hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
    """T0 plus an offset."""
    return T0 + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def msg(
    message_id: str,
    at: datetime,
    role: str,
    message_type: str = "TEXT",
    sender: str | None = None,
    *,
    conv: str = "c1",
    shop: str = "S1",
    content: str | None = None,
    visible: bool | None = True,
) -> dict[str, Any]:
    """One messages row."""
    return {
        "message_id": message_id,
        "conversation_id": conv,
        "shop_id": shop,
        "sender_role": role,
        "sender_id": sender,
        "message_type": message_type,
        "content": content,
        "created_at": at,
        "is_visible": visible,
    }


def buyer(message_id: str, at: datetime, message_type: str = "TEXT", **kw: Any) -> dict[str, Any]:
    """A buyer row (sender b1 unless given)."""
    sender = kw.pop("sender", "b1")
    return msg(message_id, at, "BUYER", message_type, sender, **kw)


def cs(message_id: str, at: datetime, agent: str = "a1", **kw: Any) -> dict[str, Any]:
    """A customer-service agent row."""
    message_type = kw.pop("message_type", "TEXT")
    return msg(message_id, at, "CUSTOMER_SERVICE", message_type, agent, **kw)


def robot(message_id: str, at: datetime, **kw: Any) -> dict[str, Any]:
    """An automated reply."""
    return msg(message_id, at, "ROBOT", "TEXT", "bot", **kw)


def alloc(message_id: str, at: datetime, agent: str, **kw: Any) -> dict[str, Any]:
    """An allocation (or transfer) of the session to `agent`."""
    content = '{"agent_id": "' + agent + '"}'
    return msg(message_id, at, "SYSTEM", "ALLOCATED_SERVICE", None, content=content, **kw)


def action(
    action_id: str,
    at: datetime,
    action_type: str,
    agent: str | None = None,
    *,
    status: str | None = None,
    updated_at: datetime | None = None,
    conv: str = "c1",
    shop: str = "S1",
) -> dict[str, Any]:
    """One conversation_actions version."""
    return {
        "action_id": action_id,
        "conversation_id": conv,
        "shop_id": shop,
        "action_type": action_type,
        "agent_id": agent,
        "acted_at": at,
        "report_status": status,
        "updated_at": updated_at or at,
    }


def run(
    messages: Iterable[dict[str, Any]],
    as_of: datetime,
    *,
    actions: Iterable[dict[str, Any]] = (),
    holidays: Iterable[dict[str, Any]] = (),
    ratings: Iterable[dict[str, Any]] = (),
    orders: Iterable[dict[str, Any]] = (),
) -> Marts:
    """Run the reference on the given rows."""
    return compute_marts(
        {
            "shops": SHOPS,
            "messages": list(messages),
            "conversation_actions": list(actions),
            "shop_holiday_periods": list(holidays),
            "session_ratings": list(ratings),
            "orders": list(orders),
        },
        as_of,
    )


def sessions_of(marts: Marts) -> list[dict[str, Any]]:
    """The sessions ordered by started_at."""
    return sorted(marts.sessions, key=lambda s: (s["conversation_id"], s["started_at"]))


def only(marts: Marts) -> dict[str, Any]:
    """The single session."""
    assert len(marts.sessions) == 1, marts.sessions
    return marts.sessions[0]


def md5(text: str) -> str:
    """md5 hex."""
    return hashlib.md5(text.encode()).hexdigest()


FAR = h(24 * 30)  # an as_of long after everything


# --------------------------------------------------------------------------------------------
# The 24-hour flag
# --------------------------------------------------------------------------------------------


def test_reply_exactly_at_deadline_is_in_time() -> None:
    s = only(run([buyer("m1", T0), cs("m2", h(24))], FAR))
    assert s["session_id"] == md5("c1|m1")
    assert s["buyer_id"] == "b1"
    assert s["platform"] == "TIKTOK_SHOP"
    assert s["clock_started_at"] == T0
    assert s["response_deadline_at"] == h(24)
    assert s["first_human_reply_at"] == h(24)
    assert s["first_response_seconds"] == 86400
    assert s["response_status"] == "RESPONDED_IN_TIME"
    assert s["responsible_agent_id"] == "a1"
    # after the reply nobody waits: idle close 24 h after the last activity (the reply)
    assert (s["closed_at"], s["close_reason"]) == (h(48), "IDLE")
    assert (s["buyer_message_count"], s["human_reply_count"]) == (1, 1)
    assert s["is_counted_in_rate"] is True and s["is_excluded"] is False


def test_reply_one_second_late() -> None:
    s = only(run([buyer("m1", T0), cs("m2", h(24, seconds=1))], FAR))
    assert s["response_status"] == "RESPONDED_LATE"
    assert s["first_response_seconds"] == 86401
    assert s["is_counted_in_rate"] is True


def test_faq_only_session_is_auto_resolved() -> None:
    marts = run(
        [
            buyer("m1", T0, "FAQ_QUESTION"),
            robot("m2", h(minutes=1)),
            alloc("m3", h(minutes=2), "a2"),
        ],
        FAR,
    )
    s = only(marts)
    assert s["clock_started_at"] is None
    assert s["response_deadline_at"] is None
    assert s["first_human_reply_at"] is None and s["first_response_seconds"] is None
    assert s["response_status"] == "AUTO_RESOLVED"
    assert s["is_counted_in_rate"] is True
    # the robot reply is the last activity; the allocation is not activity
    assert (s["closed_at"], s["close_reason"]) == (h(24, minutes=1), "IDLE")
    # no deadline: the cut-off is closed_at, the allocation at +2 min is before it
    assert s["responsible_agent_id"] == "a2"
    assert s["buyer_message_count"] == 1 and s["human_reply_count"] == 0


def test_faq_click_then_follow_up_unanswered() -> None:
    rows = [buyer("m1", T0, "FAQ_QUESTION"), robot("m2", h(minutes=1)), buyer("m3", h(1))]
    s = only(run(rows, h(72)))
    assert s["clock_started_at"] == h(1)
    assert s["response_deadline_at"] == h(25)
    assert s["response_status"] == "UNRESPONDED"
    # waiting since +1 h: expiry at +169 h is after as_of, so still open
    assert s["closed_at"] is None and s["close_reason"] is None
    assert s["buyer_message_count"] == 2
    pending = only(run(rows, h(20)))
    assert pending["response_status"] == "PENDING"
    assert pending["is_counted_in_rate"] is False


def test_human_reply_before_clock_start_does_not_answer_follow_up() -> None:
    rows = [buyer("m1", T0, "FAQ_QUESTION"), cs("m2", h(minutes=10)), buyer("m3", h(1))]
    s = only(run(rows, h(72)))
    assert s["first_human_reply_at"] is None
    assert s["response_status"] == "UNRESPONDED"
    assert s["human_reply_count"] == 1
    assert s["responsible_agent_id"] is None  # no first reply, no allocation
    s = only(run([*rows, cs("m4", h(2), agent="a7")], h(72)))
    assert s["first_human_reply_at"] == h(2)
    assert s["first_response_seconds"] == 3600
    assert s["response_status"] == "RESPONDED_IN_TIME"
    assert s["responsible_agent_id"] == "a7"
    assert s["human_reply_count"] == 2


def test_same_instant_ordered_by_message_id_as_text() -> None:
    # "m10" < "m9" as text: the reply comes first, outside any session
    s = only(run([buyer("m9", T0), cs("m10", T0)], h(48)))
    assert s["session_id"] == md5("c1|m9")
    assert s["human_reply_count"] == 0
    assert s["response_status"] == "UNRESPONDED"
    # swapped ids: the buyer message comes first and the reply answers it in 0 s
    s = only(run([buyer("m10", T0), cs("m9", T0)], h(48)))
    assert s["session_id"] == md5("c1|m10")
    assert s["first_response_seconds"] == 0
    assert s["response_status"] == "RESPONDED_IN_TIME"


def test_action_at_same_instant_as_message_comes_after_it() -> None:
    # action id "a0" sorts before message id "z" as text, but messages go first anyway
    rows = [buyer("m1", T0), cs("z", h(1)), buyer("m2", h(1))]
    s = only(run(rows, FAR, actions=[action("a0", h(1), "CLOSE_SESSION", "a1")]))
    assert s["first_human_reply_at"] == h(1)
    assert s["response_status"] == "RESPONDED_IN_TIME"
    assert s["buyer_message_count"] == 2  # m2 at the close instant is still inside
    assert (s["closed_at"], s["close_reason"]) == (h(1), "AGENT")


def test_close_then_reopen() -> None:
    rows = [buyer("m1", T0), cs("m2", h(1)), buyer("m3", h(3))]
    first, second = sessions_of(
        run(rows, h(5), actions=[action("x1", h(2), "CLOSE_SESSION", None)])
    )
    assert (first["closed_at"], first["close_reason"]) == (h(2), "SYSTEM")
    assert first["response_status"] == "RESPONDED_IN_TIME"
    assert second["session_id"] == md5("c1|m3")
    assert second["started_at"] == h(3)
    assert second["response_status"] == "PENDING"
    assert second["closed_at"] is None
    # a close with no open session does nothing
    s = only(run([buyer("m1", h(10))], h(11), actions=[action("x1", h(2), "CLOSE_SESSION")]))
    assert s["closed_at"] is None


def test_expiry_then_reopen_row_at_expiry_instant_stays_inside() -> None:
    rows = [buyer("m1", T0), buyer("m2", h(168)), buyer("m3", h(168, minutes=30))]
    first, second = sessions_of(run(rows, h(169)))
    assert (first["closed_at"], first["close_reason"]) == (h(168), "EXPIRED")
    assert first["buyer_message_count"] == 2
    assert first["response_status"] == "UNRESPONDED"
    assert second["started_at"] == h(168, minutes=30)
    assert second["response_status"] == "PENDING"
    assert second["closed_at"] is None
    # a reply exactly at the expiry instant is still inside: answered, late
    s = only(run([buyer("m1", T0), cs("m2", h(168))], FAR))
    assert s["response_status"] == "RESPONDED_LATE"
    assert s["first_response_seconds"] == 168 * 3600


def test_idle_close_ignores_non_activity_rows() -> None:
    rows = [
        buyer("m1", T0),
        cs("m2", h(1)),
        robot("m3", h(2)),
        msg("m4", h(25), "SYSTEM", "NOTIFICATION"),
        alloc("m5", h(25, minutes=30), "a3"),
        buyer("m6", h(26, minutes=30)),
    ]
    first, second = sessions_of(run(rows, FAR))
    assert (first["closed_at"], first["close_reason"]) == (h(26), "IDLE")
    assert first["responsible_agent_id"] == "a1"
    assert second["started_at"] == h(26, minutes=30)


def test_new_buyer_message_after_reply_restarts_waiting_for_expiry() -> None:
    rows = [buyer("m1", T0), cs("m2", h(1)), buyer("m3", h(2))]
    s = only(run(rows, h(200)))
    assert (s["closed_at"], s["close_reason"]) == (h(170), "EXPIRED")
    assert s["response_status"] == "RESPONDED_IN_TIME"


def test_idle_close_only_once_as_of_reaches_the_instant() -> None:
    rows = [buyer("m1", T0), cs("m2", h(1))]
    s = only(run(rows, h(24)))
    assert s["closed_at"] is None and s["close_reason"] is None
    s = only(run(rows, h(25)))
    assert (s["closed_at"], s["close_reason"]) == (h(25), "IDLE")


def test_pending_vs_unresponded_around_as_of() -> None:
    rows = [buyer("m1", T0)]
    assert only(run(rows, h(24, seconds=-1)))["response_status"] == "PENDING"
    assert only(run(rows, h(24)))["response_status"] == "UNRESPONDED"
    closed = only(run(rows, h(2), actions=[action("x", h(1), "CLOSE_SESSION", "a1")]))
    assert closed["response_status"] == "UNRESPONDED"
    assert closed["is_counted_in_rate"] is True


def test_rows_after_as_of_are_ignored_and_duplicates_keep_earliest() -> None:
    rows = [buyer("m1", T0), cs("m2", h(2)), cs("m2", h(0, minutes=30))]
    s = only(run(rows, h(1)))
    # the redelivered m2 at +30 min is the earliest copy and counts
    assert s["first_human_reply_at"] == h(0, minutes=30)
    s = only(run([buyer("m1", T0), cs("m2", h(2))], h(1)))
    assert s["human_reply_count"] == 0 and s["response_status"] == "PENDING"


def test_which_rows_are_human_replies() -> None:
    rows = [
        buyer("m1", T0),
        msg("m2", h(1), "BUYER", "BUYER_ENTER_FROM_PRODUCT", "b1"),
        cs("m3", h(2), visible=False),
        cs("m4", h(3), message_type="NOTIFICATION"),
        cs("m5", h(4), message_type="ALLOCATED_SERVICE", content='{"agent_id": "a5"}'),
        robot("m6", h(5)),
        msg("m7", h(6), "SHOP", "TEXT", "shopacct", visible=None),
    ]
    s = only(run(rows, FAR))
    assert s["buyer_message_count"] == 1
    assert s["human_reply_count"] == 1
    assert s["first_human_reply_at"] == h(6)
    assert s["responsible_agent_id"] == "shopacct"


def test_buyer_enter_row_does_not_open_a_session() -> None:
    rows = [msg("m1", T0, "BUYER", "BUYER_ENTER_FROM_ORDER", "b1"), cs("m2", h(1))]
    assert run(rows, FAR).sessions == []


# --------------------------------------------------------------------------------------------
# Exclusions
# --------------------------------------------------------------------------------------------


def holiday(
    period_id: str, starts: datetime, ends: datetime | None, updated: datetime, shop: str = "S1"
) -> dict[str, Any]:
    """One shop_holiday_periods version."""
    return {
        "period_id": period_id,
        "shop_id": shop,
        "starts_at": starts,
        "ends_at": ends,
        "updated_at": updated,
    }


def test_holiday_period_version_after_as_of_is_ignored() -> None:
    periods = [
        holiday("p1", h(-48), h(-1), updated=h(-24)),  # ends before the session
        holiday("p1", h(-48), None, updated=h(72)),  # extended, but only known at +72 h
    ]
    rows = [buyer("m1", T0)]
    assert only(run(rows, h(48), holidays=periods))["exclusion_reason"] is None
    s = only(run(rows, h(96), holidays=periods))
    assert s["exclusion_reason"] == "HOLIDAY_MODE" and s["is_excluded"] is True
    assert s["is_counted_in_rate"] is False


def test_holiday_period_bounds_are_half_open() -> None:
    rows = [buyer("m1", T0)]
    starts_here = [holiday("p1", T0, h(1), updated=h(-1))]
    ends_here = [holiday("p1", h(-1), T0, updated=h(-1))]
    assert only(run(rows, h(2), holidays=starts_here))["exclusion_reason"] == "HOLIDAY_MODE"
    assert only(run(rows, h(2), holidays=ends_here))["exclusion_reason"] is None


def test_report_verdict_version_after_as_of_is_ignored() -> None:
    reports = [
        action("r1", h(1), "REPORT_BUYER", "a1", status="PENDING", updated_at=h(1)),
        action("r1", h(1), "REPORT_BUYER", "a1", status="UPHELD", updated_at=h(72)),
    ]
    rows = [buyer("m1", T0)]
    assert only(run(rows, h(48), actions=reports))["exclusion_reason"] is None
    assert only(run(rows, h(96), actions=reports))["exclusion_reason"] == "REPORTED"
    rejected_later = [
        *reports,
        action("r1", h(1), "REPORT_BUYER", "a1", status="REJECTED", updated_at=h(100)),
    ]
    assert only(run(rows, h(120), actions=rejected_later))["exclusion_reason"] is None


def test_action_whose_acted_at_is_after_as_of_is_ignored() -> None:
    rows = [buyer("m1", T0)]
    acts = [action("n1", h(30), "MARK_NO_REPLY_NEEDED", "a1", updated_at=h(1))]
    s = only(run(rows, h(10), actions=acts))
    assert s["exclusion_reason"] is None and s["response_status"] == "PENDING"


def test_exclusion_precedence_holiday_then_report_then_no_reply() -> None:
    rows = [
        buyer("h1", T0, conv="c1"),
        buyer("r1", T0, conv="c2"),
        buyer("n1", T0, conv="c3"),
    ]
    acts = []
    for conv in ("c1", "c2", "c3"):
        acts.append(action(f"{conv}n", h(1), "MARK_NO_REPLY_NEEDED", "a1", conv=conv))
        if conv != "c3":
            acts.append(action(f"{conv}r", h(1), "REPORT_BUYER", "a1", status="UPHELD", conv=conv))
    marts = run(
        rows,
        h(48),
        actions=acts,
        holidays=[holiday("p", h(-1), h(1), h(-1))],  # covers all three starts
    )
    reasons = {s["conversation_id"]: s["exclusion_reason"] for s in marts.sessions}
    assert reasons == {"c1": "HOLIDAY_MODE", "c2": "HOLIDAY_MODE", "c3": "HOLIDAY_MODE"}
    marts = run(rows, h(48), actions=acts)
    reasons = {s["conversation_id"]: s["exclusion_reason"] for s in marts.sessions}
    assert reasons == {"c1": "REPORTED", "c2": "REPORTED", "c3": "NO_REPLY_NEEDED"}
    [day] = marts.shop_daily[:1]
    assert day["sessions"] == 3 and day["excluded_sessions"] == 3
    assert (day["reported_sessions"], day["no_reply_needed_sessions"]) == (2, 1)
    assert day["holiday_mode_sessions"] == 0
    assert day["counted_sessions"] == 0 and day["response_rate_24h"] is None


def test_no_reply_needed_after_close_applies_to_latest_earlier_session() -> None:
    rows = [buyer("m1", T0), buyer("m2", h(2))]
    acts = [
        action("k0", h(-1), "MARK_NO_REPLY_NEEDED", "a1"),  # before any session: nothing
        action("k1", h(1), "CLOSE_SESSION", "a1"),
        action("k2", h(3), "CLOSE_SESSION", "a1"),
        action("k3", h(4), "MARK_NO_REPLY_NEEDED", "a1"),
    ]
    first, second = sessions_of(run(rows, h(48), actions=acts))
    assert first["exclusion_reason"] is None
    assert second["exclusion_reason"] == "NO_REPLY_NEEDED"


# --------------------------------------------------------------------------------------------
# The responsible agent
# --------------------------------------------------------------------------------------------


def test_transfer_before_deadline_moves_responsibility() -> None:
    rows = [buyer("m1", T0), alloc("m2", h(1), "a1"), alloc("m3", h(23), "a2")]
    assert only(run(rows, h(72)))["responsible_agent_id"] == "a2"


def test_transfer_at_and_after_deadline() -> None:
    at_deadline = [buyer("m1", T0), alloc("m2", h(1), "a1"), alloc("m3", h(24), "a2")]
    assert only(run(at_deadline, h(72)))["responsible_agent_id"] == "a2"
    after = [buyer("m1", T0), alloc("m2", h(1), "a1"), alloc("m3", h(25), "a2")]
    assert only(run(after, h(72)))["responsible_agent_id"] == "a1"
    # before the deadline but after as_of: not yet known
    assert only(run(after, h(12)))["responsible_agent_id"] == "a1"


def test_allocation_at_close_instant_counts_after_close_does_not() -> None:
    rows = [buyer("m1", T0), alloc("m2", h(1), "a1"), alloc("m3", h(2), "a2")]
    closing = [action("a0", h(2), "CLOSE_SESSION", "a1")]
    assert only(run(rows, h(72), actions=closing))["responsible_agent_id"] == "a2"
    closing_early = [action("a0", h(1, minutes=30), "CLOSE_SESSION", "a1")]
    assert only(run(rows, h(72), actions=closing_early))["responsible_agent_id"] == "a1"


def test_first_reply_sender_beats_allocation() -> None:
    rows = [buyer("m1", T0), alloc("m2", h(1), "a1"), cs("m3", h(2), agent="a9")]
    assert only(run(rows, h(72)))["responsible_agent_id"] == "a9"


# --------------------------------------------------------------------------------------------
# Ratings and orders
# --------------------------------------------------------------------------------------------


def rating(rating_id: str, at: datetime, score: int, conv: str = "c1") -> dict[str, Any]:
    """One session_ratings row."""
    return {
        "rating_id": rating_id,
        "conversation_id": conv,
        "shop_id": "S1",
        "rated_at": at,
        "score": score,
    }


def test_ratings_with_two_sessions_competing() -> None:
    rows = [buyer("m1", T0), cs("m2", h(1)), buyer("m3", h(72)), cs("m4", h(73))]
    ratings = [
        rating("r0", h(-1), 1),  # before any session: dropped
        rating("r1", h(48), 5),  # session 1 (closed at +25 h, still the latest started)
        rating("r2", h(72), 2),  # exactly at session 2's start: session 2
        rating("r3", h(96), 4),  # session 2 again, later: wins
        rating("r4", h(500), 1),  # after as_of: ignored
    ]
    first, second = sessions_of(run(rows, h(120), ratings=ratings))
    assert (first["rating_score"], first["is_satisfied"]) == (5, True)
    assert (second["rating_score"], second["is_satisfied"]) == (4, True)
    tie = [rating("r5", h(96), 3), rating("r6", h(96), 1)]  # same instant: greatest id
    _, second = sessions_of(run(rows, h(120), ratings=tie))
    assert (second["rating_score"], second["is_satisfied"]) == (1, False)
    unrated = only(run([buyer("m1", T0)], h(5)))
    assert unrated["rating_score"] is None and unrated["is_satisfied"] is None


def order(order_id: str, at: datetime, amount: str, buyer_id: str = "b1") -> dict[str, Any]:
    """One orders row at shop S1."""
    return {
        "order_id": order_id,
        "shop_id": "S1",
        "buyer_id": buyer_id,
        "created_at": at,
        "amount": Decimal(amount),
        "currency": "IDR",
    }


def test_order_attribution_with_two_sessions_competing() -> None:
    rows = [
        buyer("m1", T0, conv="c1"),
        cs("m2", h(1), conv="c1"),
        buyer("m3", h(47), conv="c2"),
        cs("m4", h(48), conv="c2"),
    ]
    orders = [
        order("o1", h(1), "1.00"),  # exactly at c1's reply: not after it
        order("o2", h(1, minutes=30), "2.00"),  # only c1 qualifies
        order("o3", h(72), "4.00"),  # both qualify: c2 has the later reply
        order("o4", h(48 + 168), "8.00"),  # c2, exactly 7 days after its reply
        order("o5", h(48 + 168, seconds=1), "16.00"),  # too late for both
        order("o6", h(5), "32.00", buyer_id="b2"),  # another buyer
        order("o7", h(60), "64.00"),  # both qualify: c2
    ]
    marts = run(rows, h(24 * 12), orders=orders)
    by_conv = {s["conversation_id"]: s for s in marts.sessions}
    assert by_conv["c1"]["attributed_order_count"] == 1
    assert by_conv["c1"]["attributed_order_amount"] == Decimal("2.00")
    assert by_conv["c2"]["attributed_order_count"] == 3
    assert by_conv["c2"]["attributed_order_amount"] == Decimal("76.00")
    # with as_of at +61 h, o3/o4 do not exist yet
    marts = run(rows, h(61), orders=orders)
    by_conv = {s["conversation_id"]: s for s in marts.sessions}
    assert by_conv["c2"]["attributed_order_count"] == 1
    assert by_conv["c2"]["attributed_order_amount"] == Decimal("64.00")


# --------------------------------------------------------------------------------------------
# Daily facts
# --------------------------------------------------------------------------------------------


def test_session_date_in_jakarta() -> None:
    # Jakarta is UTC+7 all year: local midnight of 7 Jan is 6 Jan 17:00 UTC
    rows = [
        buyer("m1", datetime(2025, 1, 6, 16, 59, 59), conv="c1", shop="SJ"),
        buyer("m2", datetime(2025, 1, 6, 17, 0, 0), conv="c2", shop="SJ"),
    ]
    marts = run(rows, datetime(2025, 1, 7, 0, 0))
    dates = {s["conversation_id"]: s["session_date"] for s in marts.sessions}
    assert dates == {"c1": date(2025, 1, 6), "c2": date(2025, 1, 7)}
    assert [(d["session_date"], d["sessions"]) for d in marts.shop_daily] == [
        (date(2025, 1, 6), 1),
        (date(2025, 1, 7), 1),
    ]


def test_session_date_in_los_angeles_around_dst_start() -> None:
    # DST starts 2025-03-09 02:00 local: before it UTC-8, after it UTC-7
    rows = [
        buyer("m1", datetime(2025, 3, 9, 7, 59), conv="c1", shop="SL"),  # 8 Mar 23:59 PST
        buyer("m2", datetime(2025, 3, 9, 8, 0), conv="c2", shop="SL"),  # 9 Mar 00:00 PST
        buyer("m3", datetime(2025, 3, 10, 6, 59), conv="c3", shop="SL"),  # 9 Mar 23:59 PDT
        buyer("m4", datetime(2025, 3, 10, 7, 0), conv="c4", shop="SL"),  # 10 Mar 00:00 PDT
    ]
    marts = run(rows, datetime(2025, 3, 11, 6, 0))  # 10 Mar 23:00 PDT
    dates = {s["conversation_id"]: s["session_date"] for s in marts.sessions}
    assert dates == {
        "c1": date(2025, 3, 8),
        "c2": date(2025, 3, 9),
        "c3": date(2025, 3, 9),
        "c4": date(2025, 3, 10),
    }
    assert [(d["session_date"], d["sessions"]) for d in marts.shop_daily] == [
        (date(2025, 3, 8), 1),
        (date(2025, 3, 9), 2),
        (date(2025, 3, 10), 1),
    ]


def test_shop_daily_quiet_days_and_rolling_7d_rate() -> None:
    d1 = datetime(2025, 1, 1, 12, 0)
    rows = [
        buyer("m1", d1, conv="c1"),
        cs("m2", d1 + timedelta(hours=1), conv="c1"),  # day 1: in time
        buyer("m3", d1 + timedelta(days=2), conv="c2"),  # day 3: unresponded
    ]
    marts = run(rows, datetime(2025, 1, 10, 12, 0))
    days = {d["session_date"]: d for d in marts.shop_daily}
    assert sorted(days) == [date(2025, 1, k) for k in range(1, 11)]
    quiet = days[date(2025, 1, 2)]
    assert quiet["sessions"] == 0 and quiet["counted_sessions"] == 0
    assert quiet["attributed_order_count"] == 0 and quiet["attributed_order_amount"] == 0
    assert quiet["response_rate_24h"] is None
    assert quiet["avg_first_response_seconds"] is None
    assert quiet["median_first_response_seconds"] is None
    assert quiet["satisfaction_rate"] is None
    assert days[date(2025, 1, 1)]["response_rate_24h"] == 1.0
    assert days[date(2025, 1, 3)]["response_rate_24h"] == 0.0
    rolling = {d.day: days[d]["rolling_7d_response_rate_24h"] for d in days}
    assert rolling == {
        1: 1.0,
        2: 1.0,
        3: 0.5,
        4: 0.5,
        5: 0.5,
        6: 0.5,
        7: 0.5,
        8: 0.0,  # 2..8 Jan: only the unresponded day-3 session
        9: 0.0,
        10: None,  # 4..10 Jan: nothing counted
    }


def test_agent_daily_metrics_and_percentiles() -> None:
    rows = [
        buyer("m1", T0, conv="c1"),
        cs("m2", h(minutes=1), conv="c1"),  # 60 s
        buyer("m3", h(1), conv="c2"),
        cs("m4", h(1, minutes=2), conv="c2"),  # 120 s
        buyer("m5", h(2), conv="c3"),
        cs("m6", h(2, minutes=10), conv="c3"),  # 600 s
        buyer("m7", h(3), conv="c4"),
        cs("m8", h(30), agent="a2", conv="c4"),  # a2: late
        buyer("m9", h(4), conv="c5"),  # nobody: unresponded, unassigned
    ]
    ratings = [rating("r1", h(5), 5, conv="c1"), rating("r2", h(5), 2, conv="c2")]
    marts = run(rows, h(48), ratings=ratings)
    agents = {(d["agent_id"], d["session_date"]): d for d in marts.agent_daily}
    assert set(agents) == {("a1", date(2025, 1, 6)), ("a2", date(2025, 1, 6))}
    a1 = agents[("a1", date(2025, 1, 6))]
    assert a1["shop_id"] == "S1"
    assert (a1["sessions"], a1["counted_sessions"], a1["responded_in_time_sessions"]) == (3, 3, 3)
    assert a1["response_rate_24h"] == 1.0
    assert a1["avg_first_response_seconds"] == pytest.approx(260.0)
    assert a1["median_first_response_seconds"] == pytest.approx(120.0)
    assert a1["p90_first_response_seconds"] == pytest.approx(504.0)  # 120 + 0.8 * 480
    assert (a1["rated_sessions"], a1["satisfied_sessions"]) == (2, 1)
    assert a1["satisfaction_rate"] == 0.5
    a2 = agents[("a2", date(2025, 1, 6))]
    assert (a2["sessions"], a2["responded_late_sessions"], a2["response_rate_24h"]) == (1, 1, 0.0)
    [shop_day] = [d for d in marts.shop_daily if d["session_date"] == date(2025, 1, 6)]
    assert shop_day["sessions"] == 5
    assert shop_day["unresponded_sessions"] == 1
    assert shop_day["response_rate_24h"] == pytest.approx(3 / 5)
    assert shop_day["median_first_response_seconds"] == pytest.approx(360.0)  # 60,120,600,97200
