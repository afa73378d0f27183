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
    {"shop_id": "SK", "platform": "TOKOPEDIA", "shop_name": "Ktm", "timezone": "Asia/Kathmandu"},
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
    agents: Iterable[dict[str, Any]] = (),
    **kwargs: Any,
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
            "agents": list(agents),
        },
        as_of,
        **kwargs,
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


# --------------------------------------------------------------------------------------------
# §9.1 per-session service columns
# --------------------------------------------------------------------------------------------


def test_responses_second_wait_and_reply_with_nobody_waiting() -> None:
    rows = [
        buyer("m1", T0),  # waiting since T0 (also the clock start)
        cs("m2", h(minutes=10)),  # response 1: 600 s
        cs("m3", h(minutes=20)),  # nobody waits (after another reply): not a response
        buyer("m4", h(1)),  # a second wait, since +1 h
        buyer("m5", h(1, minutes=30)),  # still waiting since +1 h
        cs("m6", h(2)),  # response 2: 3600 s, from the waiting_since it clears
    ]
    s = only(run(rows, FAR))
    assert s["needs_human_reply"] is True
    assert s["human_reply_count"] == 3
    assert s["response_count"] == 2
    assert s["total_response_seconds"] == 600 + 3600
    assert s["first_response_seconds"] == 600  # the first response is §3's first reply
    # nobody waits at the end: idle close 24 h after the last activity, resolved at it
    assert (s["closed_at"], s["close_reason"]) == (h(26), "IDLE")
    assert s["is_abandoned"] is False
    assert s["resolved_at"] == h(2)
    assert s["resolution_seconds"] == 7200
    assert s["is_one_touch_resolved"] is False  # three human replies
    assert s["first_allocated_at"] is None and s["allocation_wait_seconds"] is None
    assert s["transfer_count"] == 0


def test_reply_answering_faq_click_is_not_a_response() -> None:
    rows = [buyer("m1", T0, "FAQ_QUESTION"), cs("m2", h(minutes=5))]
    s = only(run(rows, FAR))
    assert s["needs_human_reply"] is False
    assert s["response_status"] == "AUTO_RESOLVED"
    assert s["response_count"] == 0 and s["total_response_seconds"] is None
    # idle close 24 h after the reply; resolved at the reply; one human reply: one touch
    assert (s["closed_at"], s["close_reason"]) == (h(24, minutes=5), "IDLE")
    assert s["resolved_at"] == h(minutes=5)
    assert s["resolution_seconds"] == 300
    assert s["is_one_touch_resolved"] is True
    # a follow-up that needs a human, answered in 2 min: one response, two human replies
    rows += [buyer("m3", h(1)), cs("m4", h(1, minutes=2))]
    s = only(run(rows, FAR))
    assert s["needs_human_reply"] is True
    assert s["response_count"] == 1 and s["total_response_seconds"] == 120
    assert s["first_response_seconds"] == 120
    assert s["resolved_at"] == h(1, minutes=2)
    assert s["is_one_touch_resolved"] is False


def test_reply_at_same_instant_before_the_buyer_message_is_not_a_response() -> None:
    # walk order at one instant by message_id: "m10" (reply) < "m11" (buyer) < "m12" (reply)
    rows = [buyer("m1", T0), cs("m2", h(1)), cs("m10", h(2)), buyer("m11", h(2)), cs("m12", h(2))]
    s = only(run(rows, FAR))
    assert s["human_reply_count"] == 3
    assert s["response_count"] == 2
    assert s["total_response_seconds"] == 3600 + 0


def test_close_action_while_buyer_waits_is_abandoned() -> None:
    rows = [buyer("m1", T0), cs("m2", h(1)), buyer("m3", h(2))]
    s = only(run(rows, FAR, actions=[action("x1", h(3), "CLOSE_SESSION", "a1")]))
    assert (s["closed_at"], s["close_reason"]) == (h(3), "AGENT")
    assert s["response_status"] == "RESPONDED_IN_TIME"
    assert s["response_count"] == 1 and s["total_response_seconds"] == 3600
    assert s["is_abandoned"] is True
    assert s["resolved_at"] is None and s["resolution_seconds"] is None
    assert s["is_one_touch_resolved"] is False
    # a buyer message at the close instant comes before the action: the buyer waits
    s = only(run([buyer("m1", T0)], FAR, actions=[action("x1", T0, "CLOSE_SESSION")]))
    assert (s["closed_at"], s["close_reason"]) == (T0, "SYSTEM")
    assert s["is_abandoned"] is True and s["resolved_at"] is None
    # a reply at the close instant clears the wait first: resolved at the close, one touch
    rows = [buyer("m1", T0), cs("m2", h(1))]
    s = only(run(rows, FAR, actions=[action("x1", h(1), "CLOSE_SESSION", "a1")]))
    assert s["is_abandoned"] is False
    assert s["resolved_at"] == h(1) and s["resolution_seconds"] == 3600
    assert s["is_one_touch_resolved"] is True


def test_expired_session_is_abandoned_open_session_is_not() -> None:
    s = only(run([buyer("m1", T0)], h(200)))
    assert (s["closed_at"], s["close_reason"]) == (h(168), "EXPIRED")
    assert s["is_abandoned"] is True and s["resolved_at"] is None
    assert s["response_count"] == 0 and s["total_response_seconds"] is None
    s = only(run([buyer("m1", T0)], h(100)))
    assert s["closed_at"] is None
    assert s["is_abandoned"] is False and s["resolved_at"] is None
    assert s["is_one_touch_resolved"] is False
    # answered, then a second wait that expires: abandoned although it had a response
    s = only(run([buyer("m1", T0), cs("m2", h(1)), buyer("m3", h(2))], h(200)))
    assert (s["closed_at"], s["close_reason"]) == (h(170), "EXPIRED")
    assert s["is_abandoned"] is True and s["resolved_at"] is None
    assert s["response_count"] == 1


def test_idle_close_resolves_at_the_last_activity() -> None:
    rows = [
        buyer("m1", T0),
        cs("m2", h(1)),
        robot("m3", h(2)),
        buyer("m4", h(3), "FAQ_QUESTION"),  # activity; sets no wait
        msg("m5", h(4), "SYSTEM", "NOTIFICATION"),  # not activity
        alloc("m6", h(5), "a1"),  # not activity
    ]
    s = only(run(rows, FAR))
    assert (s["closed_at"], s["close_reason"]) == (h(27), "IDLE")
    assert s["is_abandoned"] is False
    assert s["resolved_at"] == h(3)  # the FAQ click, not the close instant
    assert s["resolution_seconds"] == 3 * 3600
    assert s["is_one_touch_resolved"] is True
    assert s["first_allocated_at"] == h(5) and s["allocation_wait_seconds"] == 5 * 3600
    # before the idle close instant the session is open: not yet resolved
    s = only(run(rows, h(26)))
    assert s["closed_at"] is None and s["resolved_at"] is None and s["is_abandoned"] is False


def test_allocations_inside_the_session_and_transfers_back() -> None:
    rows = [
        alloc("m0", h(-1), "a9"),  # before the session: outside it
        buyer("m1", T0),
        alloc("m2", h(1), "a1"),
        alloc("m3", h(2), "a1"),  # to the agent already holding: no transfer
        alloc("m4", h(3), "a2"),  # transfer 1
        alloc("m5", h(4), "a1"),  # transfer 2 (back to the first agent)
        cs("m6", h(5), agent="a1"),
        alloc("m7", h(30), "a3"),  # after the idle close at +29 h: outside
    ]
    s = only(run(rows, FAR))
    assert (s["closed_at"], s["close_reason"]) == (h(29), "IDLE")
    assert s["first_allocated_at"] == h(1)
    assert s["allocation_wait_seconds"] == 3600
    assert s["transfer_count"] == 2
    assert s["responsible_agent_id"] == "a1"
    # an allocation at the opening instant but before the opening row (walk order) is outside
    s = only(run([alloc("m1", T0, "a1"), buyer("m2", T0), alloc("m3", h(1), "a2")], FAR))
    assert s["first_allocated_at"] == h(1) and s["transfer_count"] == 0
    s = only(run([buyer("m1", T0), alloc("m2", T0, "a1")], FAR))
    assert s["first_allocated_at"] == T0 and s["allocation_wait_seconds"] == 0


# --------------------------------------------------------------------------------------------
# §9.2 per-day service columns
# --------------------------------------------------------------------------------------------

DAY = date(2025, 1, 6)


def _service_day_rows() -> dict[str, Any]:
    """Five sessions of shop S1 on 6 Jan (UTC), one buyer each."""
    messages = [
        # c1 (b1): allocated after 30 s, answered in 60 s, closed by a1 at 120 s: one touch
        buyer("c1m1", T0, conv="c1", sender="b1"),
        alloc("c1m2", h(seconds=30), "a1", conv="c1"),
        cs("c1m3", h(minutes=1), conv="c1"),
        # c2 (b2): allocated to a1 after 60 s, transferred to a2, answered in 180 s, then the
        # buyer writes again and the system closes while they wait: abandoned
        buyer("c2m1", T0, conv="c2", sender="b2"),
        alloc("c2m2", h(minutes=1), "a1", conv="c2"),
        alloc("c2m3", h(minutes=2), "a2", conv="c2"),
        cs("c2m4", h(minutes=3), agent="a2", conv="c2"),
        buyer("c2m5", h(minutes=4), conv="c2", sender="b2"),
        # c3 (b3): an FAQ click only: auto-resolved, idle close, resolved at its start
        buyer("c3m1", h(1), "FAQ_QUESTION", conv="c3", sender="b3"),
        # c4 (b4): never answered, still open at as_of
        buyer("c4m1", h(2), conv="c4", sender="b4"),
        # c5 (b5): answered by a1 but marked no-reply-needed: excluded from everything
        buyer("c5m1", h(3), conv="c5", sender="b5"),
        alloc("c5m2", h(3, minutes=1), "a1", conv="c5"),
        cs("c5m3", h(3, minutes=10), conv="c5"),
    ]
    actions = [
        action("k1", h(minutes=2), "CLOSE_SESSION", "a1", conv="c1"),
        action("k2", h(1), "CLOSE_SESSION", None, conv="c2"),
        action("k5", h(4), "MARK_NO_REPLY_NEEDED", "a1", conv="c5"),
    ]
    ratings = [
        rating("r1", h(1), 5, conv="c1"),
        rating("r2", h(1), 2, conv="c2"),
        rating("r5", h(4), 1, conv="c5"),  # excluded session: not in the average
    ]
    orders = [order("o1", h(2), "10.00", buyer_id="b1"), order("o5", h(4), "7.00", buyer_id="b5")]
    return {"messages": messages, "actions": actions, "ratings": ratings, "orders": orders}


def test_shop_daily_service_columns() -> None:
    data = _service_day_rows()
    marts = run(
        data["messages"],
        h(48),
        actions=data["actions"],
        ratings=data["ratings"],
        orders=data["orders"],
    )
    by_conv = {s["conversation_id"]: s for s in marts.sessions}
    assert by_conv["c3"]["resolved_at"] == h(1) and by_conv["c3"]["resolution_seconds"] == 0
    assert by_conv["c2"]["is_abandoned"] is True and by_conv["c2"]["transfer_count"] == 1
    assert by_conv["c4"]["response_status"] == "UNRESPONDED" and by_conv["c4"]["closed_at"] is None
    days = {d["session_date"]: d for d in marts.shop_daily}
    d = days[DAY]
    assert (d["sessions"], d["excluded_sessions"], d["counted_sessions"]) == (5, 1, 4)
    assert d["human_needed_sessions"] == 3  # c1, c2, c4
    assert d["response_count"] == 2  # c1, c2 (c5 is excluded)
    assert d["avg_response_seconds"] == pytest.approx(120.0)  # (60 + 180) / 2
    assert d["resolved_sessions"] == 2  # c1 (120 s), c3 (0 s)
    assert d["avg_resolution_seconds"] == pytest.approx(60.0)
    assert d["median_resolution_seconds"] == pytest.approx(60.0)
    assert d["abandoned_sessions"] == 1  # c2
    assert d["abandonment_rate"] == pytest.approx(1 / 3)
    assert d["one_touch_resolved_sessions"] == 1  # c1; c3 is resolved with no reply
    assert d["one_touch_resolution_rate"] == pytest.approx(1.0)
    assert d["self_service_rate"] == pytest.approx(0.25)  # c3 of 4 counted
    assert d["avg_rating_score"] == pytest.approx(3.5)
    assert d["converted_sessions"] == 1  # c1
    assert d["conversion_rate"] == pytest.approx(0.5)  # of c1, c2 (first replies)
    assert d["allocated_sessions"] == 2
    assert d["avg_allocation_wait_seconds"] == pytest.approx(45.0)  # (30 + 60) / 2
    assert d["transferred_sessions"] == 1
    # first responses of the window: 60, 180 -> median 120 -> ABOVE_AVERAGE
    assert d["frt_service_level_7d"] == "ABOVE_AVERAGE"
    # the next (quiet) day: zero counts, null rates and averages, the same 7-day tier
    quiet = days[date(2025, 1, 7)]
    assert quiet["sessions"] == 0
    for column in (
        "human_needed_sessions",
        "response_count",
        "resolved_sessions",
        "abandoned_sessions",
        "one_touch_resolved_sessions",
        "converted_sessions",
        "allocated_sessions",
        "transferred_sessions",
    ):
        assert quiet[column] == 0, column
    for column in (
        "avg_response_seconds",
        "avg_resolution_seconds",
        "median_resolution_seconds",
        "abandonment_rate",
        "one_touch_resolution_rate",
        "self_service_rate",
        "avg_rating_score",
        "conversion_rate",
        "avg_allocation_wait_seconds",
    ):
        assert quiet[column] is None, column
    assert quiet["frt_service_level_7d"] == "ABOVE_AVERAGE"


def test_agent_daily_service_columns() -> None:
    data = _service_day_rows()
    marts = run(
        data["messages"],
        h(48),
        actions=data["actions"],
        ratings=data["ratings"],
        orders=data["orders"],
    )
    agents = {d["agent_id"]: d for d in marts.agent_daily}
    assert set(agents) == {"a1", "a2"}  # c3, c4: unassigned
    a1 = agents["a1"]  # c1, and c5 (excluded)
    assert (a1["sessions"], a1["excluded_sessions"]) == (2, 1)
    assert a1["human_needed_sessions"] == 1
    assert (a1["response_count"], a1["avg_response_seconds"]) == (1, 60.0)
    assert (a1["resolved_sessions"], a1["avg_resolution_seconds"]) == (1, 120.0)
    assert a1["median_resolution_seconds"] == 120.0
    assert (a1["abandoned_sessions"], a1["abandonment_rate"]) == (0, 0.0)
    assert (a1["one_touch_resolved_sessions"], a1["one_touch_resolution_rate"]) == (1, 1.0)
    assert a1["self_service_rate"] == 0.0
    assert a1["avg_rating_score"] == 5.0
    assert (a1["converted_sessions"], a1["conversion_rate"]) == (1, 1.0)
    assert (a1["allocated_sessions"], a1["avg_allocation_wait_seconds"]) == (1, 30.0)
    assert a1["transferred_sessions"] == 0
    assert "frt_service_level_7d" not in a1  # shop days only
    a2 = agents["a2"]  # c2
    assert (a2["response_count"], a2["avg_response_seconds"]) == (1, 180.0)
    assert a2["resolved_sessions"] == 0
    assert a2["avg_resolution_seconds"] is None and a2["median_resolution_seconds"] is None
    assert (a2["abandoned_sessions"], a2["abandonment_rate"]) == (1, 1.0)
    assert a2["one_touch_resolved_sessions"] == 0
    assert a2["one_touch_resolution_rate"] is None  # no resolved session with a reply
    assert a2["avg_rating_score"] == 2.0
    assert (a2["converted_sessions"], a2["conversion_rate"]) == (0, 0.0)
    assert (a2["allocated_sessions"], a2["avg_allocation_wait_seconds"]) == (1, 60.0)
    assert a2["transferred_sessions"] == 1


def test_rates_with_zero_denominators() -> None:
    # one pending session (nothing counted, resolved, abandoned, replied, rated or allocated)
    marts = run([buyer("m1", T0)], h(1))
    [d] = marts.shop_daily
    assert (d["sessions"], d["counted_sessions"], d["human_needed_sessions"]) == (1, 0, 1)
    assert d["response_count"] == 0 and d["avg_response_seconds"] is None
    assert d["resolved_sessions"] == 0 and d["abandoned_sessions"] == 0
    assert d["abandonment_rate"] is None
    assert d["one_touch_resolution_rate"] is None
    assert d["self_service_rate"] is None
    assert d["avg_rating_score"] is None
    assert d["conversion_rate"] is None
    assert d["avg_allocation_wait_seconds"] is None
    assert d["frt_service_level_7d"] is None
    assert marts.agent_daily == []
    [hour] = marts.shop_hourly
    assert hour["counted_sessions"] == 0 and hour["response_rate_24h"] is None
    assert hour["median_first_response_seconds"] is None
    # an excluded session only: the §9.2 columns see nothing at all
    excluded = run(
        [buyer("m1", T0), cs("m2", h(1))],
        h(48),
        actions=[action("n1", h(2), "MARK_NO_REPLY_NEEDED", "a1")],
    )
    d = excluded.shop_daily[0]
    assert d["session_date"] == DAY
    assert (d["sessions"], d["excluded_sessions"], d["human_needed_sessions"]) == (1, 1, 0)
    assert (d["response_count"], d["resolved_sessions"]) == (0, 0)
    assert d["frt_service_level_7d"] is None


def _answered(k: int, day: date, seconds: int, shop: str = "S1") -> list[dict[str, Any]]:
    """Conversation f{k}: a buyer message at noon UTC of `day`, answered `seconds` later."""
    start = datetime(day.year, day.month, day.day, 12, 0)
    conv = f"f{k}"
    return [
        buyer(f"{conv}b", start, conv=conv, shop=shop, sender=f"b{k}"),
        cs(f"{conv}r", start + timedelta(seconds=seconds), conv=conv, shop=shop),
    ]


def test_frt_service_level_7d_continuous_median_and_window() -> None:
    rows = [
        *_answered(1, date(2025, 1, 1), 50),
        *_answered(2, date(2025, 1, 1), 70),  # 1 Jan: {50, 70}, median 60 -> STELLAR
        *_answered(3, date(2025, 1, 2), 71),  # from 2 Jan: {50, 70, 71}, median 70
        *_answered(4, date(2025, 1, 8), 4000),  # 8 Jan: {71, 4000} (1 Jan has left)
        *_answered(5, date(2025, 1, 8), 10),  # excluded below: not in the median
    ]
    excluded = [action("n5", datetime(2025, 1, 8, 13), "MARK_NO_REPLY_NEEDED", conv="f5")]
    marts = run(rows, datetime(2025, 1, 16, 12), actions=excluded)
    tiers = {d["session_date"].day: d["frt_service_level_7d"] for d in marts.shop_daily}
    assert tiers == {
        1: "STELLAR",  # 60 s: the bound is inclusive (a lower-middle median gives 50, an
        #                upper-middle one 70 -> ABOVE_AVERAGE)
        2: "ABOVE_AVERAGE",
        3: "ABOVE_AVERAGE",  # quiet days keep the window's sessions
        4: "ABOVE_AVERAGE",
        5: "ABOVE_AVERAGE",
        6: "ABOVE_AVERAGE",
        7: "ABOVE_AVERAGE",
        8: "BELOW_AVERAGE",  # 2..8 Jan: {71, 4000} -> 2035.5
        9: "UNACCEPTABLE",  # 3..9 Jan: {4000}
        10: "UNACCEPTABLE",
        11: "UNACCEPTABLE",
        12: "UNACCEPTABLE",
        13: "UNACCEPTABLE",
        14: "UNACCEPTABLE",  # 8..14 Jan
        15: None,  # 9..15 Jan: no first response
        16: None,
    }
    # an even count whose continuous median falls between tiers: {50, 71} -> 60.5
    marts = run(
        [*_answered(1, date(2025, 1, 1), 50), *_answered(2, date(2025, 1, 1), 71)],
        datetime(2025, 1, 1, 23),
    )
    assert marts.shop_daily[0]["frt_service_level_7d"] == "ABOVE_AVERAGE"
    # the thresholds are a parameter (the seed's rows)
    marts = run(
        [*_answered(1, date(2025, 1, 1), 50), *_answered(2, date(2025, 1, 1), 71)],
        datetime(2025, 1, 1, 23),
        service_level_thresholds=[("SLOW", None, 2), ("FAST", 60.5, 1)],
    )
    assert marts.shop_daily[0]["frt_service_level_7d"] == "FAST"


# --------------------------------------------------------------------------------------------
# §9.3 fct_shop_hourly
# --------------------------------------------------------------------------------------------


def test_shop_hourly_dst_fall_back_repeated_hour_is_one_row() -> None:
    # Los Angeles leaves DST on 2026-11-01 at 09:00 UTC (02:00 PDT -> 01:00 PST)
    def utc(hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 11, 1, hour, minute)

    rows = [
        buyer("m0", utc(7, 59), conv="c0", shop="SL"),  # 00:59 PDT, never answered
        buyer("m1", utc(8, 30), conv="c1", shop="SL"),  # 01:30 PDT
        cs("r1", utc(8, 31), conv="c1", shop="SL"),  # 60 s
        buyer("m2", utc(9, 30), conv="c2", shop="SL"),  # 01:30 PST: the same local hour
        cs("r2", utc(9, 32), conv="c2", shop="SL"),  # 120 s
        buyer("m3", utc(9, 45), conv="c3", shop="SL"),  # 01:45 PST, excluded below
        cs("r3", utc(9, 45), conv="c3", shop="SL"),  # 0 s: not in the median
        buyer("m4", utc(10, 0), "FAQ_QUESTION", conv="c4", shop="SL"),  # 02:00 PST
    ]
    acts = [action("n3", utc(10), "MARK_NO_REPLY_NEEDED", conv="c3", shop="SL")]
    marts = run(rows, datetime(2026, 11, 3), actions=acts)
    hours = {(d["session_date"], d["session_hour"]): d for d in marts.shop_hourly}
    day = date(2026, 11, 1)
    assert sorted(hours) == [(day, 0), (day, 1), (day, 2)]
    h0, h1, h2 = hours[(day, 0)], hours[(day, 1)], hours[(day, 2)]
    assert h1["shop_id"] == "SL"
    assert (h1["sessions"], h1["excluded_sessions"], h1["counted_sessions"]) == (3, 1, 2)
    assert h1["responded_within_window_sessions"] == 2
    assert h1["response_rate_24h"] == 1.0
    assert h1["median_first_response_seconds"] == pytest.approx(90.0)
    assert (h0["sessions"], h0["counted_sessions"], h0["response_rate_24h"]) == (1, 1, 0.0)
    assert h0["responded_within_window_sessions"] == 0
    assert h0["median_first_response_seconds"] is None
    assert (h2["responded_within_window_sessions"], h2["response_rate_24h"]) == (1, 1.0)


def test_shop_hourly_spring_forward_and_quarter_hour_zone() -> None:
    # Los Angeles enters DST on 2026-03-08 at 10:00 UTC (02:00 PST -> 03:00 PDT): no hour 2
    rows = [
        buyer("m1", datetime(2026, 3, 8, 9, 59), conv="c1", shop="SL"),  # 01:59 PST
        buyer("m2", datetime(2026, 3, 8, 10, 0), conv="c2", shop="SL"),  # 03:00 PDT
        # Kathmandu is UTC+05:45: 18:14 UTC is 23:59 on 6 Jan, 18:15 UTC is 00:00 on 7 Jan
        buyer("k1", datetime(2026, 1, 6, 18, 14), conv="k1", shop="SK"),
        buyer("k2", datetime(2026, 1, 6, 18, 15), conv="k2", shop="SK"),
    ]
    marts = run(rows, datetime(2026, 3, 9))
    keys = {(d["shop_id"], d["session_date"], d["session_hour"]) for d in marts.shop_hourly}
    assert keys == {
        ("SL", date(2026, 3, 8), 1),
        ("SL", date(2026, 3, 8), 3),
        ("SK", date(2026, 1, 6), 23),
        ("SK", date(2026, 1, 7), 0),
    }
    assert all(d["sessions"] == 1 for d in marts.shop_hourly)


# --------------------------------------------------------------------------------------------
# §9.4 fct_agent_workload_daily
# --------------------------------------------------------------------------------------------


def agent_row(agent_id: str, shop: str, capacity: int | None) -> dict[str, Any]:
    """One agents row."""
    return {
        "agent_id": agent_id,
        "shop_id": shop,
        "nickname": agent_id.upper(),
        "role": "AGENT",
        "max_concurrent_sessions": capacity,
    }


def workload(marts: Marts) -> dict[tuple[str, date], dict[str, Any]]:
    """fct_agent_workload_daily by (agent_id, workload_date)."""
    return {(d["agent_id"], d["workload_date"]): d for d in marts.agent_workload_daily}


def test_workload_transfer_back_to_the_first_agent() -> None:
    rows = [
        alloc("m0", h(-1), "a9"),  # outside any session: counts nowhere
        buyer("m1", T0),
        alloc("m2", h(1), "a1"),  # a1 holds from +1 h
        alloc("m3", h(2), "a1"),  # continues a1's hold
        alloc("m4", h(3), "a2"),  # a1 -> a2
        alloc("m5", h(4), "a1"),  # a2 -> a1: a1 holds until the idle close at +29 h
        cs("m6", h(5), agent="a1"),
        alloc("m7", h(30), "a3"),  # after the close: outside
    ]
    agents = [agent_row("a1", "S1", 2), agent_row("a2", "SJ", 5)]  # a2 is listed elsewhere
    marts = run(rows, FAR, agents=agents)
    w = workload(marts)
    day1, day2 = date(2025, 1, 6), date(2025, 1, 7)  # T0 is 6 Jan 10:00 UTC, +29 h 7 Jan 15:00
    assert set(w) == {("a1", day1), ("a1", day2), ("a2", day1)}
    a1 = w[("a1", day1)]
    assert a1["shop_id"] == "S1"
    assert (a1["allocations_received"], a1["transfers_in"], a1["transfers_out"]) == (3, 1, 1)
    assert a1["peak_concurrent_sessions"] == 1
    assert (a1["max_concurrent_sessions"], a1["peak_saturation"]) == (2, 0.5)
    a1_next = w[("a1", day2)]  # held past midnight until the close: a row with no allocation
    assert (a1_next["allocations_received"], a1_next["transfers_in"]) == (0, 0)
    assert (a1_next["transfers_out"], a1_next["peak_concurrent_sessions"]) == (0, 1)
    a2 = w[("a2", day1)]
    assert (a2["allocations_received"], a2["transfers_in"], a2["transfers_out"]) == (1, 1, 1)
    assert a2["peak_concurrent_sessions"] == 1
    assert a2["max_concurrent_sessions"] is None and a2["peak_saturation"] is None


def test_workload_holds_meeting_at_one_instant_count_once() -> None:
    rows = [
        buyer("a", T0, conv="c1"),
        alloc("a2", h(1), "a1", conv="c1"),  # a1 holds c1 [+1 h, +3 h)
        buyer("b", T0, conv="c2"),
        alloc("b2", h(3), "a1", conv="c2"),  # a1 holds c2 from +3 h: they only meet
        buyer("c", T0, conv="c3"),
        alloc("c2", h(5), "a1", conv="c3"),  # excluded below: load is load
    ]
    acts = [
        action("x1", h(3), "CLOSE_SESSION", "a1", conv="c1"),
        action("x2", h(4), "CLOSE_SESSION", "a1", conv="c2"),
        action("x3", h(6), "CLOSE_SESSION", "a1", conv="c3"),
        action("n3", h(6), "MARK_NO_REPLY_NEEDED", "a1", conv="c3"),
    ]
    agents = [agent_row("a1", "S1", 0)]
    [row] = run(rows, FAR, actions=acts, agents=agents).agent_workload_daily
    assert row["allocations_received"] == 3
    assert row["peak_concurrent_sessions"] == 1
    assert row["max_concurrent_sessions"] == 0 and row["peak_saturation"] is None
    # one second earlier, the two holds overlap
    rows[3] = alloc("b2", h(3, seconds=-1), "a1", conv="c2")
    [row] = run(rows, FAR, actions=acts, agents=agents).agent_workload_daily
    assert row["peak_concurrent_sessions"] == 2


def test_workload_empty_holds_receive_but_hold_nothing() -> None:
    rows = [
        buyer("m1", T0),
        alloc("m2", h(1), "a1"),  # a1's hold [+1 h, +1 h) is empty: a2 takes it at once
        alloc("m3", h(1), "a2"),
        alloc("m4", h(2), "a3"),  # at the close instant: inside, an empty hold
    ]
    acts = [action("x1", h(2), "CLOSE_SESSION", "a2")]
    marts = run(rows, FAR, actions=acts)
    assert only(marts)["transfer_count"] == 2
    w = workload(marts)
    assert set(w) == {("a1", DAY), ("a2", DAY), ("a3", DAY)}
    assert (w[("a1", DAY)]["allocations_received"], w[("a1", DAY)]["transfers_out"]) == (1, 1)
    assert w[("a1", DAY)]["peak_concurrent_sessions"] == 0
    assert (w[("a2", DAY)]["transfers_in"], w[("a2", DAY)]["transfers_out"]) == (1, 1)
    assert w[("a2", DAY)]["peak_concurrent_sessions"] == 1
    assert (w[("a3", DAY)]["transfers_in"], w[("a3", DAY)]["peak_concurrent_sessions"]) == (1, 0)
    # with as_of at the allocation instant of an open session, the hold is empty too
    [row] = run([buyer("m1", T0), alloc("m2", h(1), "a1")], h(1)).agent_workload_daily
    assert (row["allocations_received"], row["peak_concurrent_sessions"]) == (1, 0)


def test_workload_hold_across_local_midnight_in_jakarta() -> None:
    # Jakarta is UTC+7: 7 Jan begins at 6 Jan 17:00 UTC
    def utc(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2025, 1, day, hour, minute)

    rows = [
        buyer("p1", utc(6, 15), conv="p", shop="SJ"),
        alloc("p2", utc(6, 15, 30), "a1", conv="p", shop="SJ"),  # ends exactly at midnight
        buyer("q1", utc(6, 15), conv="q", shop="SJ"),
        alloc("q2", utc(6, 16), "a1", conv="q", shop="SJ"),  # ends 00:30 local, 7 Jan
    ]
    acts = [
        action("xp", utc(6, 17), "CLOSE_SESSION", "a1", conv="p", shop="SJ"),
        action("xq", utc(6, 17, 30), "CLOSE_SESSION", "a1", conv="q", shop="SJ"),
    ]
    marts = run(rows, utc(9, 0), actions=acts, agents=[agent_row("a1", "SJ", 4)])
    w = workload(marts)
    assert set(w) == {("a1", date(2025, 1, 6)), ("a1", date(2025, 1, 7))}
    first = w[("a1", date(2025, 1, 6))]
    assert (first["allocations_received"], first["peak_concurrent_sessions"]) == (2, 2)
    assert first["peak_saturation"] == 0.5
    second = w[("a1", date(2025, 1, 7))]
    assert (second["allocations_received"], second["peak_concurrent_sessions"]) == (0, 1)
    assert second["peak_saturation"] == 0.25
    # only the hold that ends at midnight: no row for 7 Jan
    marts = run(rows[:2], utc(9, 0), actions=acts[:1])
    assert [d["workload_date"] for d in marts.agent_workload_daily] == [date(2025, 1, 6)]
    # an open session's hold ends at as_of: as_of at local midnight reaches no further
    marts = run(rows[:2], utc(6, 17))
    assert [d["workload_date"] for d in marts.agent_workload_daily] == [date(2025, 1, 6)]


def test_workload_holds_across_daylight_saving_changes_in_los_angeles() -> None:
    def session(conv: str, start: datetime, end: datetime) -> tuple[list, list]:
        messages = [
            buyer(f"{conv}1", start, conv=conv, shop="SL"),
            alloc(f"{conv}2", start, "a1", conv=conv, shop="SL"),
        ]
        return messages, [action(f"x{conv}", end, "CLOSE_SESSION", "a1", conv=conv, shop="SL")]

    def dates(start: datetime, end: datetime) -> list[date]:
        messages, acts = session("c", start, end)
        marts = run(messages, datetime(2026, 12, 1), actions=acts)
        return [d["workload_date"] for d in marts.agent_workload_daily]

    # 2026-03-08 has 23 hours: it starts at 08:00 UTC (PST) and ends at 9 Mar 07:00 UTC (PDT)
    assert dates(datetime(2026, 3, 8, 6), datetime(2026, 3, 9, 7)) == [
        date(2026, 3, 7),
        date(2026, 3, 8),
    ]
    assert dates(datetime(2026, 3, 8, 6), datetime(2026, 3, 9, 7, 30)) == [
        date(2026, 3, 7),
        date(2026, 3, 8),
        date(2026, 3, 9),
    ]
    # 2026-11-01 has 25 hours: 07:00 UTC (PDT) to 2 Nov 08:00 UTC (PST)
    assert dates(datetime(2026, 11, 1, 6, 30), datetime(2026, 11, 2, 8)) == [
        date(2026, 10, 31),
        date(2026, 11, 1),
    ]
    assert dates(datetime(2026, 11, 1, 7), datetime(2026, 11, 2, 7, 30)) == [date(2026, 11, 1)]
    # the peak of the 25-hour day: holds at its first and its last hour never overlap
    first, first_acts = session("c", datetime(2026, 11, 1, 7), datetime(2026, 11, 1, 8))
    last, last_acts = session("d", datetime(2026, 11, 2, 7), datetime(2026, 11, 2, 9))
    marts = run([*first, *last], datetime(2026, 12, 1), actions=[*first_acts, *last_acts])
    w = workload(marts)
    assert set(w) == {("a1", date(2026, 11, 1)), ("a1", date(2026, 11, 2))}
    assert w[("a1", date(2026, 11, 1))]["allocations_received"] == 2
    assert w[("a1", date(2026, 11, 1))]["peak_concurrent_sessions"] == 1
    assert w[("a1", date(2026, 11, 2))]["allocations_received"] == 0
