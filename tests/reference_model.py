"""An independent, pure-Python reference implementation of spec/metrics.md.

This is deliberately *not* set-based: each conversation's rows are walked one at a time with
explicit state, exactly as metrics.md §2 describes the walk, so that a reader can check it
against the spec line by line. The property tests (tests/test_property_warehouse.py) hold the
dbt warehouse to it; tests/test_reference_model.py holds it to hand-computed cases.

Input: the seven landing tables as a mapping `table name -> iterable of row dicts` with the
column names of spec/contract.md (the same shape `tests/landing.py` writes). Rows are assumed
clean (no quarantine logic here). Timestamps may be `datetime` (naive = UTC, aware = converted)
or ISO-8601 text. What *is* applied here: messages de-duplicated by `message_id` keeping the
earliest `created_at`; rows stamped after `as_of` ignored; versioned tables (actions, holiday
periods) keep the latest version with `updated_at <= as_of`.

The readings recorded in DECISIONS.md are followed exactly. Comments cite them as D1..D14:

D1  walk order: (timestamp, messages before actions, message_id / action_id as text).
D2  row kinds are flags: buyer message, FAQ click, human reply (CS/SHOP, visible or null,
    not ALLOCATED_SERVICE/NOTIFICATION/BUYER_ENTER_*), automated reply (ROBOT), allocation
    (ALLOCATED_SERVICE, any role; agent from the JSON content).
D3  an implicit close (expiry / idle, from the state after the previous row) happens before a
    row strictly later than its instant; after the last row only if the instant <= as_of.
    Rows outside sessions and non-activity rows do not move last_activity.
D4  CLOSE_SESSION closes the open session (AGENT/SYSTEM), else nothing; MARK_NO_REPLY_NEEDED
    and REPORT_BUYER apply to the latest session opened before them in walk order.
D5  actions: latest version with updated_at <= as_of, then dropped if its acted_at > as_of.
D6  holiday periods: latest version; starts_at <= started_at < ends_at (null: still on).
D7  first human reply: the first after the clock-start message in walk order.
D8  UNRESPONDED: no first reply and (closed or deadline <= as_of); else PENDING.
D9  responsible agent: first reply's sender, else the latest allocation inside the session at
    or before the earliest of (deadline, closed_at, as_of).
D10 ratings: to the latest session started at or before rated_at; latest rating wins
    (tie: greatest rating_id).
D11 orders: to the buyer's session at the shop with the latest first reply such that
    reply < order <= reply + window (tie: greatest session_id); excluded sessions too.
D12 session_id = md5("conversation_id|opening_message_id").
D13 daily facts by local date of started_at; shop calendar from first session to as_of.
D14 buyer_message_count includes FAQ clicks; human_reply_count counts every human reply.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

Row = Mapping[str, Any]
Tables = Mapping[str, Iterable[Row]]

ENTER_TYPES = frozenset(
    {"BUYER_ENTER_FROM_PRODUCT", "BUYER_ENTER_FROM_ORDER", "BUYER_ENTER_FROM_TRANSFER"}
)
NOT_HUMAN_REPLY_TYPES = ENTER_TYPES | {"ALLOCATED_SERVICE", "NOTIFICATION"}
HUMAN_ROLES = frozenset({"CUSTOMER_SERVICE", "SHOP"})

SESSION_COLUMNS = (
    "session_id",
    "conversation_id",
    "shop_id",
    "platform",
    "buyer_id",
    "started_at",
    "session_date",
    "closed_at",
    "close_reason",
    "clock_started_at",
    "response_deadline_at",
    "first_human_reply_at",
    "first_response_seconds",
    "response_status",
    "is_excluded",
    "exclusion_reason",
    "is_counted_in_rate",
    "responsible_agent_id",
    "buyer_message_count",
    "human_reply_count",
    "rating_score",
    "is_satisfied",
    "attributed_order_count",
    "attributed_order_amount",
)
DAILY_METRIC_COLUMNS = (
    "sessions",
    "excluded_sessions",
    "holiday_mode_sessions",
    "reported_sessions",
    "no_reply_needed_sessions",
    "pending_sessions",
    "counted_sessions",
    "auto_resolved_sessions",
    "responded_in_time_sessions",
    "responded_late_sessions",
    "unresponded_sessions",
    "response_rate_24h",
    "avg_first_response_seconds",
    "median_first_response_seconds",
    "p90_first_response_seconds",
    "rated_sessions",
    "satisfied_sessions",
    "satisfaction_rate",
    "attributed_order_count",
    "attributed_order_amount",
)
AGENT_DAILY_COLUMNS = ("shop_id", "agent_id", "session_date", *DAILY_METRIC_COLUMNS)
SHOP_DAILY_COLUMNS = (
    "shop_id",
    "session_date",
    *DAILY_METRIC_COLUMNS,
    "rolling_7d_response_rate_24h",
)


# --------------------------------------------------------------------------------------------
# Value helpers
# --------------------------------------------------------------------------------------------


def to_utc(value: Any) -> datetime | None:
    """A timestamp as a naive UTC `datetime` (the warehouse's TIMESTAMP); None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        value = datetime.fromisoformat(text)
    if not isinstance(value, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def to_bool(value: Any) -> bool | None:
    """A contract boolean (`true/false`, `1/0`, Python bool) or None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "t"):
        return True
    if text in ("false", "0", "f"):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def to_text(value: Any) -> str | None:
    """Text, with the empty string read as null (as the CSV landing does)."""
    if value is None or value == "":
        return None
    return str(value)


def session_id_for(conversation_id: str, opening_message_id: str) -> str:
    """D12: md5 hex of `conversation_id|opening_message_id`."""
    return hashlib.md5(f"{conversation_id}|{opening_message_id}".encode()).hexdigest()


def allocation_agent(content: Any) -> str | None:
    """The `agent_id` of an ALLOCATED_SERVICE row's JSON content (None when absent/invalid)."""
    if content is None or content == "":
        return None
    try:
        parsed = json.loads(content)
    except (TypeError, ValueError):
        return None
    if not isinstance(parsed, dict) or parsed.get("agent_id") is None:
        return None
    return str(parsed["agent_id"])


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """Continuous percentile with linear interpolation (numpy.percentile's default)."""
    if not values:
        return None
    xs = sorted(values)
    position = fraction * (len(xs) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(xs) - 1)
    return xs[lower] + (xs[upper] - xs[lower]) * (position - lower)


# --------------------------------------------------------------------------------------------
# Parameters and clean inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    """The dbt vars of metrics.md, with the spec defaults."""

    response_window_hours: int = 24
    session_expiry_hours: int = 168
    session_idle_close_hours: int = 24
    conversion_window_days: int = 7


@dataclass(frozen=True)
class Message:
    """One de-duplicated message row."""

    message_id: str
    conversation_id: str
    shop_id: str
    sender_role: str
    sender_id: str | None
    message_type: str
    content: str | None
    created_at: datetime
    is_visible: bool | None

    @property
    def is_buyer_message(self) -> bool:
        """metrics.md §1 / D2: BUYER and not an entering-the-chat row."""
        return self.sender_role == "BUYER" and self.message_type not in ENTER_TYPES

    @property
    def is_faq_click(self) -> bool:
        """A buyer message of type FAQ_QUESTION."""
        return self.is_buyer_message and self.message_type == "FAQ_QUESTION"

    @property
    def is_human_reply(self) -> bool:
        """CS or SHOP, visible (null counts as visible), not an allocation/notification/enter."""
        return (
            self.sender_role in HUMAN_ROLES
            and self.is_visible is not False
            and self.message_type not in NOT_HUMAN_REPLY_TYPES
        )

    @property
    def is_automated_reply(self) -> bool:
        """ROBOT, any type."""
        return self.sender_role == "ROBOT"

    @property
    def is_allocation(self) -> bool:
        """ALLOCATED_SERVICE, any role."""
        return self.message_type == "ALLOCATED_SERVICE"


@dataclass(frozen=True)
class Action:
    """The version of one action that counts at `as_of` (D5)."""

    action_id: str
    conversation_id: str
    action_type: str
    agent_id: str | None
    acted_at: datetime
    report_status: str | None


@dataclass(frozen=True)
class WalkStep:
    """One row of a conversation's walk: a message or an action."""

    at: datetime
    is_action: bool
    row_id: str
    message: Message | None = None
    action: Action | None = None

    @property
    def walk_key(self) -> tuple[datetime, int, str]:
        """D1: (timestamp, messages before actions, id as text)."""
        return (self.at, 1 if self.is_action else 0, self.row_id)


def latest_versions(rows: Iterable[Row], key: str, as_of: datetime) -> dict[str, dict[str, Any]]:
    """Versioned rows: per `key`, the row with the latest `updated_at <= as_of`."""
    chosen: dict[str, dict[str, Any]] = {}
    for row in rows:
        updated_at = to_utc(row["updated_at"])
        if updated_at is None or updated_at > as_of:
            continue
        current = chosen.get(row[key])
        if current is None or updated_at > current["_updated_at"]:
            chosen[row[key]] = {**row, "_updated_at": updated_at}
    return chosen


def clean_messages(rows: Iterable[Row], as_of: datetime) -> list[Message]:
    """De-duplicate by message_id keeping the earliest created_at; drop rows after as_of."""
    earliest: dict[str, Message] = {}
    for row in rows:
        message = Message(
            message_id=str(row["message_id"]),
            conversation_id=str(row["conversation_id"]),
            shop_id=str(row["shop_id"]),
            sender_role=str(row["sender_role"]),
            sender_id=to_text(row.get("sender_id")),
            message_type=str(row["message_type"]),
            content=to_text(row.get("content")),
            created_at=to_utc(row["created_at"]),  # type: ignore[arg-type]
            is_visible=to_bool(row.get("is_visible")),
        )
        current = earliest.get(message.message_id)
        if current is None or message.created_at < current.created_at:
            earliest[message.message_id] = message
    return [m for m in earliest.values() if m.created_at <= as_of]


def clean_actions(rows: Iterable[Row], as_of: datetime) -> list[Action]:
    """D5: latest version per action_id with updated_at <= as_of, then acted_at <= as_of."""
    actions = []
    for row in latest_versions(rows, "action_id", as_of).values():
        acted_at = to_utc(row["acted_at"])
        assert acted_at is not None
        if acted_at > as_of:
            continue
        actions.append(
            Action(
                action_id=str(row["action_id"]),
                conversation_id=str(row["conversation_id"]),
                action_type=str(row["action_type"]),
                agent_id=to_text(row.get("agent_id")),
                acted_at=acted_at,
                report_status=to_text(row.get("report_status")),
            )
        )
    return actions


# --------------------------------------------------------------------------------------------
# The walk (metrics.md §2, §3)
# --------------------------------------------------------------------------------------------


@dataclass
class Session:
    """The state of one session while its conversation is walked, and what it ended with."""

    conversation_id: str
    shop_id: str
    opening_message_id: str
    buyer_id: str | None
    started_at: datetime
    last_activity: datetime
    waiting_since: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    clock_started_at: datetime | None = None
    first_human_reply_at: datetime | None = None
    first_human_reply_sender: str | None = None
    buyer_message_count: int = 0
    human_reply_count: int = 0
    # (created_at, agent_id) of the allocation rows met while the session was open, walk order.
    allocations: list[tuple[datetime, str | None]] = field(default_factory=list)
    no_reply_needed: bool = False
    reported_upheld: bool = False

    @property
    def session_id(self) -> str:
        """D12."""
        return session_id_for(self.conversation_id, self.opening_message_id)

    def implicit_close(self, params: Params) -> tuple[datetime, str]:
        """D3: the expiry instant while the buyer waits, else the idle-close instant."""
        if self.waiting_since is not None:
            return self.waiting_since + timedelta(hours=params.session_expiry_hours), "EXPIRED"
        return self.last_activity + timedelta(hours=params.session_idle_close_hours), "IDLE"


def walk_conversation(steps: list[WalkStep], as_of: datetime, params: Params) -> list[Session]:
    """Walk one conversation's rows (already sorted in walk order) and return its sessions."""
    sessions: list[Session] = []
    open_session: Session | None = None

    for step in steps:
        # D3: an implicit close whose instant lies strictly before this row happens first.
        if open_session is not None:
            close_at, reason = open_session.implicit_close(params)
            if step.at > close_at:
                open_session.closed_at = close_at
                open_session.close_reason = reason
                open_session = None

        if step.message is not None:
            message = step.message
            # Buyer message: opens a session when none is open.
            if message.is_buyer_message and open_session is None:
                open_session = Session(
                    conversation_id=message.conversation_id,
                    shop_id=message.shop_id,
                    opening_message_id=message.message_id,
                    buyer_id=message.sender_id,
                    started_at=message.created_at,
                    last_activity=message.created_at,
                )
                sessions.append(open_session)
            if open_session is None:
                continue  # outside every session: no effect at all
            if message.is_buyer_message:
                open_session.buyer_message_count += 1
                open_session.last_activity = message.created_at
                if not message.is_faq_click:
                    if open_session.waiting_since is None:
                        open_session.waiting_since = message.created_at
                    if open_session.clock_started_at is None:
                        open_session.clock_started_at = message.created_at
            if message.is_human_reply:
                open_session.human_reply_count += 1
                open_session.last_activity = message.created_at
                open_session.waiting_since = None
                # D7: only a reply after the clock-start message answers it.
                if (
                    open_session.clock_started_at is not None
                    and open_session.first_human_reply_at is None
                ):
                    open_session.first_human_reply_at = message.created_at
                    open_session.first_human_reply_sender = message.sender_id
            if message.is_automated_reply:
                open_session.last_activity = message.created_at
            if message.is_allocation:
                open_session.allocations.append(
                    (message.created_at, allocation_agent(message.content))
                )
            continue

        action = step.action
        assert action is not None
        if action.action_type == "CLOSE_SESSION":
            # D4: closes the open session; with none open it does nothing.
            if open_session is not None:
                open_session.closed_at = action.acted_at
                open_session.close_reason = "AGENT" if action.agent_id is not None else "SYSTEM"
                open_session = None
        elif action.action_type in ("MARK_NO_REPLY_NEEDED", "REPORT_BUYER"):
            # D4: the open session, else the latest session opened before the action.
            target = (
                open_session if open_session is not None else (sessions[-1] if sessions else None)
            )
            if target is None:
                continue
            if action.action_type == "MARK_NO_REPLY_NEEDED":
                target.no_reply_needed = True
            elif action.report_status == "UPHELD":
                target.reported_upheld = True

    # D3: after the last row the implicit close happens if its instant is <= as_of.
    if open_session is not None:
        close_at, reason = open_session.implicit_close(params)
        if close_at <= as_of:
            open_session.closed_at = close_at
            open_session.close_reason = reason
    return sessions


def response_status(session: Session, as_of: datetime, params: Params) -> str:
    """metrics.md §3 / D7, D8."""
    if session.clock_started_at is None:
        return "AUTO_RESOLVED"
    deadline = session.clock_started_at + timedelta(hours=params.response_window_hours)
    if session.first_human_reply_at is not None:
        if session.first_human_reply_at <= deadline:
            return "RESPONDED_IN_TIME"
        return "RESPONDED_LATE"
    if session.closed_at is not None or deadline <= as_of:
        return "UNRESPONDED"
    return "PENDING"


def responsible_agent(session: Session, deadline: datetime | None, as_of: datetime) -> str | None:
    """D9: the first human reply's sender, else the latest allocation up to the cut-off."""
    if session.first_human_reply_at is not None:
        return session.first_human_reply_sender
    cutoff = min(t for t in (deadline, session.closed_at, as_of) if t is not None)
    agent = None
    for created_at, agent_id in session.allocations:
        if created_at <= cutoff:
            agent = agent_id
    return agent


# --------------------------------------------------------------------------------------------
# Whole computation
# --------------------------------------------------------------------------------------------


@dataclass
class Marts:
    """The three marts the reference computes, as lists of dicts with the mart column names."""

    sessions: list[dict[str, Any]]
    agent_daily: list[dict[str, Any]]
    shop_daily: list[dict[str, Any]]


def compute_marts(
    tables: Tables,
    as_of: datetime | str,
    *,
    response_window_hours: int = 24,
    session_expiry_hours: int = 168,
    session_idle_close_hours: int = 24,
    conversion_window_days: int = 7,
) -> Marts:
    """Compute fct_chat_sessions, fct_agent_daily and fct_shop_daily for `as_of`."""
    as_of_utc = to_utc(as_of)
    assert as_of_utc is not None
    params = Params(
        response_window_hours=response_window_hours,
        session_expiry_hours=session_expiry_hours,
        session_idle_close_hours=session_idle_close_hours,
        conversion_window_days=conversion_window_days,
    )
    shops = {str(s["shop_id"]): s for s in tables.get("shops", [])}
    sessions = compute_sessions(tables, as_of_utc, params, shops)
    return Marts(
        sessions=sessions,
        agent_daily=compute_agent_daily(sessions),
        shop_daily=compute_shop_daily(sessions, shops, as_of_utc),
    )


def compute_sessions(
    tables: Tables, as_of: datetime, params: Params, shops: Mapping[str, Row]
) -> list[dict[str, Any]]:
    """fct_chat_sessions rows (contract.md column names)."""
    messages = clean_messages(tables.get("messages", []), as_of)
    actions = clean_actions(tables.get("conversation_actions", []), as_of)

    steps_by_conversation: dict[str, list[WalkStep]] = defaultdict(list)
    for m in messages:
        steps_by_conversation[m.conversation_id].append(
            WalkStep(at=m.created_at, is_action=False, row_id=m.message_id, message=m)
        )
    for a in actions:
        steps_by_conversation[a.conversation_id].append(
            WalkStep(at=a.acted_at, is_action=True, row_id=a.action_id, action=a)
        )

    walked: list[Session] = []
    for conversation_id in sorted(steps_by_conversation):
        steps = sorted(steps_by_conversation[conversation_id], key=lambda s: s.walk_key)
        walked.extend(walk_conversation(steps, as_of, params))

    holidays = _holiday_periods(tables.get("shop_holiday_periods", []), as_of)
    rows: list[dict[str, Any]] = []
    for s in walked:
        deadline = (
            s.clock_started_at + timedelta(hours=params.response_window_hours)
            if s.clock_started_at is not None
            else None
        )
        status = response_status(s, as_of, params)
        if any(
            starts_at <= s.started_at and (ends_at is None or s.started_at < ends_at)
            for starts_at, ends_at in holidays.get(s.shop_id, [])
        ):
            exclusion = "HOLIDAY_MODE"
        elif s.reported_upheld:
            exclusion = "REPORTED"
        elif s.no_reply_needed:
            exclusion = "NO_REPLY_NEEDED"
        else:
            exclusion = None
        shop = shops.get(s.shop_id, {})
        first_response_seconds = (
            (s.first_human_reply_at - s.clock_started_at).total_seconds()
            if s.first_human_reply_at is not None and s.clock_started_at is not None
            else None
        )
        rows.append(
            {
                "session_id": s.session_id,
                "conversation_id": s.conversation_id,
                "shop_id": s.shop_id,
                "platform": to_text(shop.get("platform")),
                "buyer_id": s.buyer_id,
                "started_at": s.started_at,
                "session_date": local_date(s.started_at, str(shop["timezone"])),
                "closed_at": s.closed_at,
                "close_reason": s.close_reason,
                "clock_started_at": s.clock_started_at,
                "response_deadline_at": deadline,
                "first_human_reply_at": s.first_human_reply_at,
                "first_response_seconds": first_response_seconds,
                "response_status": status,
                "is_excluded": exclusion is not None,
                "exclusion_reason": exclusion,
                "is_counted_in_rate": exclusion is None and status != "PENDING",
                "responsible_agent_id": responsible_agent(s, deadline, as_of),
                "buyer_message_count": s.buyer_message_count,
                "human_reply_count": s.human_reply_count,
                "rating_score": None,
                "is_satisfied": None,
                "attributed_order_count": 0,
                "attributed_order_amount": Decimal(0),
            }
        )

    _attach_ratings(rows, tables.get("session_ratings", []), as_of)
    _attach_orders(rows, tables.get("orders", []), as_of, params)
    return rows


def local_date(instant: datetime, time_zone: str) -> date:
    """The local calendar date of a naive-UTC instant in an IANA time zone."""
    return instant.replace(tzinfo=UTC).astimezone(ZoneInfo(time_zone)).date()


def _holiday_periods(
    rows: Iterable[Row], as_of: datetime
) -> dict[str, list[tuple[datetime, datetime | None]]]:
    """D6: per shop, the (starts_at, ends_at) of each period's version that counts."""
    periods: dict[str, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for row in latest_versions(rows, "period_id", as_of).values():
        starts_at = to_utc(row["starts_at"])
        assert starts_at is not None
        periods[str(row["shop_id"])].append((starts_at, to_utc(row.get("ends_at"))))
    return periods


def _attach_ratings(rows: list[dict[str, Any]], ratings: Iterable[Row], as_of: datetime) -> None:
    """D10: each rating to the conversation's latest session started at or before it."""
    by_conversation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:  # rows are in walk order within a conversation
        by_conversation[row["conversation_id"]].append(row)
    best: dict[str, tuple[datetime, str, int]] = {}
    for rating in ratings:
        rated_at = to_utc(rating["rated_at"])
        assert rated_at is not None
        if rated_at > as_of:
            continue
        target = None
        for row in by_conversation.get(str(rating["conversation_id"]), []):
            if row["started_at"] <= rated_at:
                target = row
        if target is None:
            continue
        candidate = (rated_at, str(rating["rating_id"]), int(rating["score"]))
        current = best.get(target["session_id"])
        if current is None or candidate[:2] > current[:2]:
            best[target["session_id"]] = candidate
    for row in rows:
        if row["session_id"] in best:
            score = best[row["session_id"]][2]
            row["rating_score"] = score
            row["is_satisfied"] = score in (4, 5)


def _attach_orders(
    rows: list[dict[str, Any]], orders: Iterable[Row], as_of: datetime, params: Params
) -> None:
    """D11: each order to the buyer's session at that shop with the latest qualifying reply."""
    window = timedelta(days=params.conversion_window_days)
    for order in orders:
        created_at = to_utc(order["created_at"])
        assert created_at is not None
        if created_at > as_of:
            continue
        chosen = None
        for row in rows:
            reply_at = row["first_human_reply_at"]
            if (
                row["shop_id"] == str(order["shop_id"])
                and row["buyer_id"] == str(order["buyer_id"])
                and reply_at is not None
                and reply_at < created_at <= reply_at + window
                and (
                    chosen is None
                    or (reply_at, row["session_id"])
                    > (chosen["first_human_reply_at"], chosen["session_id"])
                )
            ):
                chosen = row
        if chosen is not None:
            chosen["attributed_order_count"] += 1
            chosen["attributed_order_amount"] += Decimal(str(order["amount"]))


# --------------------------------------------------------------------------------------------
# Daily facts (metrics.md §7)
# --------------------------------------------------------------------------------------------


def daily_metrics(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """The §7 metric columns over one day's sessions (an empty list gives a quiet day)."""
    kept = [s for s in sessions if not s["is_excluded"]]
    counted = [s for s in sessions if s["is_counted_in_rate"]]

    def count(rows: list[dict[str, Any]], **equals: Any) -> int:
        return sum(1 for r in rows if all(r[k] == v for k, v in equals.items()))

    auto = count(counted, response_status="AUTO_RESOLVED")
    in_time = count(counted, response_status="RESPONDED_IN_TIME")
    seconds = [
        float(s["first_response_seconds"]) for s in kept if s["first_response_seconds"] is not None
    ]
    rated = [s for s in kept if s["rating_score"] is not None]
    satisfied = count(rated, is_satisfied=True)
    return {
        "sessions": len(sessions),
        "excluded_sessions": len(sessions) - len(kept),
        "holiday_mode_sessions": count(sessions, exclusion_reason="HOLIDAY_MODE"),
        "reported_sessions": count(sessions, exclusion_reason="REPORTED"),
        "no_reply_needed_sessions": count(sessions, exclusion_reason="NO_REPLY_NEEDED"),
        "pending_sessions": count(kept, response_status="PENDING"),
        "counted_sessions": len(counted),
        "auto_resolved_sessions": auto,
        "responded_in_time_sessions": in_time,
        "responded_late_sessions": count(counted, response_status="RESPONDED_LATE"),
        "unresponded_sessions": count(counted, response_status="UNRESPONDED"),
        "response_rate_24h": (auto + in_time) / len(counted) if counted else None,
        "avg_first_response_seconds": sum(seconds) / len(seconds) if seconds else None,
        "median_first_response_seconds": percentile_cont(seconds, 0.5),
        "p90_first_response_seconds": percentile_cont(seconds, 0.9),
        "rated_sessions": len(rated),
        "satisfied_sessions": satisfied,
        "satisfaction_rate": satisfied / len(rated) if rated else None,
        "attributed_order_count": sum(s["attributed_order_count"] for s in kept),
        "attributed_order_amount": sum((s["attributed_order_amount"] for s in kept), Decimal(0)),
    }


def compute_agent_daily(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """fct_agent_daily: (shop_id, agent_id, session_date) by responsible_agent_id."""
    groups: dict[tuple[str, str, date], list[dict[str, Any]]] = defaultdict(list)
    for s in sessions:
        if s["responsible_agent_id"] is not None:
            groups[(s["shop_id"], s["responsible_agent_id"], s["session_date"])].append(s)
    return [
        {"shop_id": shop_id, "agent_id": agent_id, "session_date": day, **daily_metrics(rows)}
        for (shop_id, agent_id, day), rows in sorted(groups.items())
    ]


def compute_shop_daily(
    sessions: list[dict[str, Any]], shops: Mapping[str, Row], as_of: datetime
) -> list[dict[str, Any]]:
    """fct_shop_daily: every local date from the shop's first session to as_of's local date."""
    by_shop_day: dict[str, dict[date, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for s in sessions:
        by_shop_day[s["shop_id"]][s["session_date"]].append(s)

    out: list[dict[str, Any]] = []
    for shop_id in sorted(by_shop_day):
        days = by_shop_day[shop_id]
        last_day = local_date(as_of, str(shops[shop_id]["timezone"]))
        day = min(days)
        per_day: dict[date, dict[str, Any]] = {}
        while day <= last_day:
            per_day[day] = daily_metrics(days.get(day, []))
            day += timedelta(days=1)
        for day, metrics in per_day.items():
            window = [per_day.get(day - timedelta(days=k)) for k in range(7)]
            numerator = sum(
                m["auto_resolved_sessions"] + m["responded_in_time_sessions"]
                for m in window
                if m is not None
            )
            denominator = sum(m["counted_sessions"] for m in window if m is not None)
            out.append(
                {
                    "shop_id": shop_id,
                    "session_date": day,
                    **metrics,
                    "rolling_7d_response_rate_24h": (
                        numerator / denominator if denominator else None
                    ),
                }
            )
    return out
