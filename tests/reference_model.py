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

The readings recorded in DECISIONS.md ("Readings of the rules") are followed exactly; D15..D27
are the readings of metrics.md §9 this module makes. Comments cite them as D1..D27:

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

§9 (service levels) leaves room in the places below:

D15 A *response* (§9.1) is any human reply of the session (D2: with or without a sender_id)
    made while waiting_since is set; its time is reply − that waiting_since, i.e. from the
    earliest non-FAQ buyer message not yet answered (later buyer messages do not move it). A
    reply before a buyer message at the same instant in walk order (D1) answers nothing. So
    the first response is §3's first human reply and its time is first_response_seconds.
D16 is_abandoned is judged at the close, from the state after every earlier row in walk
    order: a buyer message at the same instant as a CLOSE_SESSION comes before it (D1), so
    that session is abandoned; a reply at that instant clears the wait first. Every EXPIRED
    close is abandoned, no IDLE close is. A session open at as_of: false, never null.
D17 resolved_at: for an IDLE close the last_activity of §2.2 (= closed_at − idle hours), FAQ
    clicks and automated replies included, so a lone FAQ click that idles out resolves at
    started_at (resolution 0 s); for a not-abandoned AGENT/SYSTEM close, closed_at, whether
    or not a human ever replied. Null while open and when abandoned.
D18 is_one_touch_resolved is a boolean (false, not null, when not resolved); its
    human_reply_count is D14's, every human reply, responses or not.
D19 first_allocated_at: the first allocation row inside the session (as D9: after the
    opening row, up to the close, walk order) with no cut-off (§5's deadline cut-off is for
    the responsible agent only); allocation_wait_seconds may be 0.
D20 transfer_count compares each allocation with the previous allocation inside the same
    session only: a session's first allocation is never a transfer (even when the previous
    session or an allocation outside any session named another agent); a re-allocation to
    the same agent is none; A→B→A is 2.
D21 §9.2 columns are over the non-excluded sessions of the §7 group (shop-day; agent-day by
    responsible_agent_id, so an agent-day exists only where §7 has one). Counts are 0 on a
    quiet day; means, medians and rates are null with no values / a 0 denominator.
    avg_response_seconds = Σ total_response_seconds / Σ response_count. Denominators:
    abandonment = resolved + abandoned; one-touch = resolved with human_reply_count >= 1;
    conversion = sessions with a first_human_reply_at (the only ones an order can attach
    to); self-service = §7's counted_sessions (so PENDING sessions are out of it too).
    avg_rating_score is over the sessions of rated_sessions.
D22 frt_service_level_7d: one continuous median over the pooled first_response_seconds of the
    non-excluded sessions of local dates d−6..d (the rolling rate's window; quiet days and
    days before the first session add nothing), not a median of daily medians. Its tier is
    the one with the smallest bound >= the median (bounds inclusive, no rounding: 60.5 s is
    ABOVE_AVERAGE), else the tier without a bound; tier_order plays no part in the choice.
D23 fct_shop_hourly: session_hour is the hour of the local wall-clock time of started_at (its
    date is session_date); both passes of a repeated fall-back hour are one row; the skipped
    spring-forward hour has none. response_rate_24h is null when the hour has no counted
    session; the median is over non-excluded sessions with a first response.
D24 Holds (§9.4): an allocation inside a session (as D19: no deadline cut-off) to an agent
    who does not hold it (the first one, or a transfer) starts a hold; one to the holder
    continues it. A hold covers [start, end), end = the first of the next allocation in the
    session to another agent, closed_at, as_of. An empty hold [t, t) (two allocations at one
    instant, an allocation at the close instant or at as_of) covers no instant: it adds
    nothing to a peak and makes no date by holding, but its allocation is still received
    (and a transfer in/out), so peak_concurrent_sessions may be 0 on a date.
D25 workload dates: the local dates (shop's zone) of the allocations an agent receives and of
    the transfers it loses, and every local date whose instants [local midnight, next local
    midnight) a non-empty hold meets (a hold ending at local midnight does not reach the next
    date; a close is not "losing an allocation"). A date's peak counts holds begun on earlier
    dates too.
D26 max_concurrent_sessions comes from the agents row with the same shop_id and agent_id (the
    key of dim_agents); an agent not listed, or listed under another shop, has null. Null or
    0 makes peak_saturation null; it is not capped at 1.
D27 A transfer counts on the local date of the transferring allocation row: transfers_in for
    the agent it goes to, transfers_out for the agent of the previous allocation in the
    session (the holder). allocations_received counts every allocation inside a session to
    the agent, re-allocations to the holder included; rows outside sessions count nowhere.
    So Σ transfers_in = Σ transfers_out = Σ transfer_count.
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
    # §9.1
    "needs_human_reply",
    "response_count",
    "total_response_seconds",
    "is_abandoned",
    "resolved_at",
    "resolution_seconds",
    "is_one_touch_resolved",
    "first_allocated_at",
    "allocation_wait_seconds",
    "transfer_count",
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
    # §9.2
    "human_needed_sessions",
    "response_count",
    "avg_response_seconds",
    "resolved_sessions",
    "avg_resolution_seconds",
    "median_resolution_seconds",
    "abandoned_sessions",
    "abandonment_rate",
    "one_touch_resolved_sessions",
    "one_touch_resolution_rate",
    "self_service_rate",
    "avg_rating_score",
    "converted_sessions",
    "conversion_rate",
    "allocated_sessions",
    "avg_allocation_wait_seconds",
    "transferred_sessions",
)
AGENT_DAILY_COLUMNS = ("shop_id", "agent_id", "session_date", *DAILY_METRIC_COLUMNS)
SHOP_DAILY_COLUMNS = (
    "shop_id",
    "session_date",
    *DAILY_METRIC_COLUMNS,
    "rolling_7d_response_rate_24h",
    "frt_service_level_7d",
)
SHOP_HOURLY_COLUMNS = (
    "shop_id",
    "session_date",
    "session_hour",
    "sessions",
    "excluded_sessions",
    "counted_sessions",
    "responded_within_window_sessions",
    "response_rate_24h",
    "median_first_response_seconds",
)
AGENT_WORKLOAD_DAILY_COLUMNS = (
    "shop_id",
    "agent_id",
    "workload_date",
    "allocations_received",
    "transfers_in",
    "transfers_out",
    "peak_concurrent_sessions",
    "max_concurrent_sessions",
    "peak_saturation",
)
# §9.2 / seed `service_level_thresholds`: (service_level, max_first_response_seconds inclusive,
# null = no upper bound; tier_order).
ServiceLevelThreshold = tuple[str, float | None, int]
DEFAULT_SERVICE_LEVEL_THRESHOLDS: tuple[ServiceLevelThreshold, ...] = (
    ("STELLAR", 60, 1),
    ("ABOVE_AVERAGE", 300, 2),
    ("AVERAGE", 600, 3),
    ("BELOW_AVERAGE", 3600, 4),
    ("UNACCEPTABLE", None, 5),
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
    # §9.1, kept by the walk.
    response_count: int = 0
    total_response_seconds: float = 0.0
    is_abandoned: bool = False
    resolved_at: datetime | None = None
    first_allocated_at: datetime | None = None
    transfer_count: int = 0
    # §9.4: who holds the session now (the agent of its latest allocation), its holds and its
    # allocation events, in walk order.
    holder: str | None = None
    holds: list[Hold] = field(default_factory=list)
    allocation_events: list[AllocationEvent] = field(default_factory=list)

    @property
    def session_id(self) -> str:
        """D12."""
        return session_id_for(self.conversation_id, self.opening_message_id)

    def implicit_close(self, params: Params) -> tuple[datetime, str]:
        """D3: the expiry instant while the buyer waits, else the idle-close instant."""
        if self.waiting_since is not None:
            return self.waiting_since + timedelta(hours=params.session_expiry_hours), "EXPIRED"
        return self.last_activity + timedelta(hours=params.session_idle_close_hours), "IDLE"

    def close(self, at: datetime, reason: str) -> None:
        """Close the session at `at` (§2.3), recording §9.1's abandonment and resolution from
        the state at that moment, and end the current hold (§9.4)."""
        self.closed_at = at
        self.close_reason = reason
        # §9.1 / D16: abandoned = closed while waiting_since is set (so every EXPIRED close).
        self.is_abandoned = self.waiting_since is not None
        if not self.is_abandoned:
            # D17: an IDLE close resolves at the last activity, AGENT/SYSTEM at the close.
            self.resolved_at = self.last_activity if reason == "IDLE" else at
        self.end_hold(at)

    def end_hold(self, at: datetime) -> None:
        """The current hold, if any, ends at `at` (a close, as_of)."""
        if self.holds and self.holds[-1].end is None:
            self.holds[-1].end = at

    def allocate(self, at: datetime, agent_id: str | None) -> None:
        """An allocation row inside the session (§5, §9.1, §9.4 / D20, D24)."""
        self.allocations.append((at, agent_id))
        if self.first_allocated_at is None:
            self.first_allocated_at = at
        previous = self.holder  # the agent of the allocation before this one, in this session
        is_transfer = previous is not None and agent_id != previous
        if is_transfer:
            self.transfer_count += 1
        self.allocation_events.append(
            AllocationEvent(
                at=at, agent_id=agent_id, from_agent_id=previous if is_transfer else None
            )
        )
        if agent_id != previous:
            # D24: a new holder; an allocation to the agent already holding continues the hold.
            self.end_hold(at)
            self.holds.append(Hold(agent_id=agent_id, start=at))
            self.holder = agent_id


@dataclass
class Hold:
    """§9.4: an agent holds a session over [start, end); end is None while still held."""

    agent_id: str | None
    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class AllocationEvent:
    """§9.4: an allocation inside a session; `from_agent_id` is the agent it took the session
    from when it is a transfer (else None)."""

    at: datetime
    agent_id: str | None
    from_agent_id: str | None


def walk_conversation(steps: list[WalkStep], as_of: datetime, params: Params) -> list[Session]:
    """Walk one conversation's rows (already sorted in walk order) and return its sessions."""
    sessions: list[Session] = []
    open_session: Session | None = None

    for step in steps:
        # D3: an implicit close whose instant lies strictly before this row happens first.
        if open_session is not None:
            close_at, reason = open_session.implicit_close(params)
            if step.at > close_at:
                open_session.close(close_at, reason)
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
                # §9.1 / D15: a reply while the buyer waits is a response, timed from the
                # waiting_since it clears; a reply with nobody waiting is not.
                if open_session.waiting_since is not None:
                    open_session.response_count += 1
                    open_session.total_response_seconds += (
                        message.created_at - open_session.waiting_since
                    ).total_seconds()
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
                open_session.allocate(message.created_at, allocation_agent(message.content))
            continue

        action = step.action
        assert action is not None
        if action.action_type == "CLOSE_SESSION":
            # D4: closes the open session; with none open it does nothing.
            if open_session is not None:
                open_session.close(
                    action.acted_at, "AGENT" if action.agent_id is not None else "SYSTEM"
                )
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
            open_session.close(close_at, reason)
        else:
            open_session.end_hold(as_of)  # §9.4: still open, the hold runs to as_of
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
    """The marts the reference computes, as lists of dicts with the mart column names."""

    sessions: list[dict[str, Any]]
    agent_daily: list[dict[str, Any]]
    shop_daily: list[dict[str, Any]]
    shop_hourly: list[dict[str, Any]] = field(default_factory=list)
    agent_workload_daily: list[dict[str, Any]] = field(default_factory=list)


def compute_marts(
    tables: Tables,
    as_of: datetime | str,
    *,
    response_window_hours: int = 24,
    session_expiry_hours: int = 168,
    session_idle_close_hours: int = 24,
    conversion_window_days: int = 7,
    service_level_thresholds: Iterable[ServiceLevelThreshold] = DEFAULT_SERVICE_LEVEL_THRESHOLDS,
) -> Marts:
    """Compute fct_chat_sessions, fct_agent_daily, fct_shop_daily, fct_shop_hourly and
    fct_agent_workload_daily for `as_of`. `service_level_thresholds` are the rows of the seed
    `service_level_thresholds` as (service_level, max_first_response_seconds, tier_order)."""
    as_of_utc = to_utc(as_of)
    assert as_of_utc is not None
    params = Params(
        response_window_hours=response_window_hours,
        session_expiry_hours=session_expiry_hours,
        session_idle_close_hours=session_idle_close_hours,
        conversion_window_days=conversion_window_days,
    )
    shops = {str(s["shop_id"]): s for s in tables.get("shops", [])}
    walked = walk_sessions(tables, as_of_utc, params)
    sessions = compute_sessions(walked, tables, as_of_utc, params, shops)
    return Marts(
        sessions=sessions,
        agent_daily=compute_agent_daily(sessions),
        shop_daily=compute_shop_daily(sessions, shops, as_of_utc, tuple(service_level_thresholds)),
        shop_hourly=compute_shop_hourly(sessions, shops),
        agent_workload_daily=compute_agent_workload_daily(walked, shops, tables.get("agents", [])),
    )


def walk_sessions(tables: Tables, as_of: datetime, params: Params) -> list[Session]:
    """Every conversation walked (§2), its sessions in walk order, conversations by id."""
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
    return walked


def compute_sessions(
    walked: list[Session],
    tables: Tables,
    as_of: datetime,
    params: Params,
    shops: Mapping[str, Row],
) -> list[dict[str, Any]]:
    """fct_chat_sessions rows (contract.md column names)."""
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
                **_service_columns(s),
            }
        )

    _attach_ratings(rows, tables.get("session_ratings", []), as_of)
    _attach_orders(rows, tables.get("orders", []), as_of, params)
    return rows


def _service_columns(s: Session) -> dict[str, Any]:
    """§9.1: the per-session service columns, from the state the walk recorded."""
    return {
        "needs_human_reply": s.clock_started_at is not None,
        "response_count": s.response_count,
        "total_response_seconds": s.total_response_seconds if s.response_count else None,
        "is_abandoned": s.is_abandoned,
        "resolved_at": s.resolved_at,
        "resolution_seconds": _seconds(s.started_at, s.resolved_at),
        # D18: a boolean; human_reply_count counts every human reply (D14)
        "is_one_touch_resolved": s.resolved_at is not None and s.human_reply_count == 1,
        "first_allocated_at": s.first_allocated_at,  # D19: inside the session, no cut-off
        "allocation_wait_seconds": _seconds(s.started_at, s.first_allocated_at),
        "transfer_count": s.transfer_count,
    }


def _seconds(start: datetime, end: datetime | None) -> float | None:
    """end − start in seconds; None when end is None."""
    return None if end is None else (end - start).total_seconds()


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
# Daily facts (metrics.md §7, §9.2)
# --------------------------------------------------------------------------------------------


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator; None when the denominator is 0 (every rate of §7 and §9)."""
    return numerator / denominator if denominator else None


def mean(values: list[float]) -> float | None:
    """The arithmetic mean; None for no values."""
    return sum(values) / len(values) if values else None


def daily_metrics(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """The §7 and §9.2 metric columns over one day's sessions (an empty list: a quiet day)."""
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
        "response_rate_24h": ratio(auto + in_time, len(counted)),
        "avg_first_response_seconds": mean(seconds),
        "median_first_response_seconds": percentile_cont(seconds, 0.5),
        "p90_first_response_seconds": percentile_cont(seconds, 0.9),
        "rated_sessions": len(rated),
        "satisfied_sessions": satisfied,
        "satisfaction_rate": ratio(satisfied, len(rated)),
        "attributed_order_count": sum(s["attributed_order_count"] for s in kept),
        "attributed_order_amount": sum((s["attributed_order_amount"] for s in kept), Decimal(0)),
        **service_metrics(kept, auto=auto, counted=len(counted)),
    }


def service_metrics(kept: list[dict[str, Any]], *, auto: int, counted: int) -> dict[str, Any]:
    """§9.2 over one day's non-excluded sessions (D21). `auto` and `counted` are §7's
    auto_resolved_sessions and counted_sessions of the same day."""
    response_count = sum(s["response_count"] for s in kept)
    response_seconds = sum(
        s["total_response_seconds"] for s in kept if s["total_response_seconds"] is not None
    )
    resolved = [s for s in kept if s["resolved_at"] is not None]
    resolution = [float(s["resolution_seconds"]) for s in resolved]
    abandoned = [s for s in kept if s["is_abandoned"]]
    one_touch = [s for s in kept if s["is_one_touch_resolved"]]
    resolved_with_reply = [s for s in resolved if s["human_reply_count"] >= 1]
    rated = [s for s in kept if s["rating_score"] is not None]
    converted = [s for s in kept if s["attributed_order_count"] > 0]
    replied = [s for s in kept if s["first_human_reply_at"] is not None]
    allocated = [s for s in kept if s["first_allocated_at"] is not None]
    return {
        "human_needed_sessions": sum(1 for s in kept if s["needs_human_reply"]),
        "response_count": response_count,
        "avg_response_seconds": ratio(response_seconds, response_count),
        "resolved_sessions": len(resolved),
        "avg_resolution_seconds": mean(resolution),
        "median_resolution_seconds": percentile_cont(resolution, 0.5),
        "abandoned_sessions": len(abandoned),
        "abandonment_rate": ratio(len(abandoned), len(resolved) + len(abandoned)),
        "one_touch_resolved_sessions": len(one_touch),
        "one_touch_resolution_rate": ratio(len(one_touch), len(resolved_with_reply)),
        "self_service_rate": ratio(auto, counted),
        "avg_rating_score": mean([float(s["rating_score"]) for s in rated]),
        "converted_sessions": len(converted),
        "conversion_rate": ratio(len(converted), len(replied)),
        "allocated_sessions": len(allocated),
        "avg_allocation_wait_seconds": mean(
            [float(s["allocation_wait_seconds"]) for s in allocated]
        ),
        "transferred_sessions": sum(1 for s in kept if s["transfer_count"] > 0),
    }


def service_level(
    median_seconds: float | None, thresholds: tuple[ServiceLevelThreshold, ...]
) -> str | None:
    """§9.2 / D22: the tier whose (inclusive) upper bound is the smallest one >= the median;
    the tier without a bound when the median is above every bound; None without a median."""
    if median_seconds is None:
        return None
    bounded = sorted((bound, level) for level, bound, _ in thresholds if bound is not None)
    for bound, level in bounded:
        if median_seconds <= bound:
            return level
    [unbounded] = [level for level, bound, _ in thresholds if bound is None]
    return unbounded


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
    sessions: list[dict[str, Any]],
    shops: Mapping[str, Row],
    as_of: datetime,
    thresholds: tuple[ServiceLevelThreshold, ...] = DEFAULT_SERVICE_LEVEL_THRESHOLDS,
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
            window_days = [day - timedelta(days=k) for k in range(7)]
            window = [per_day.get(d) for d in window_days]
            numerator = sum(
                m["auto_resolved_sessions"] + m["responded_in_time_sessions"]
                for m in window
                if m is not None
            )
            denominator = sum(m["counted_sessions"] for m in window if m is not None)
            # §9.2 / D22: the median over the window's sessions pooled (not of daily medians).
            window_seconds = [
                float(s["first_response_seconds"])
                for d in window_days
                for s in days.get(d, [])
                if not s["is_excluded"] and s["first_response_seconds"] is not None
            ]
            out.append(
                {
                    "shop_id": shop_id,
                    "session_date": day,
                    **metrics,
                    "rolling_7d_response_rate_24h": ratio(numerator, denominator),
                    "frt_service_level_7d": service_level(
                        percentile_cont(window_seconds, 0.5), thresholds
                    ),
                }
            )
    return out


# --------------------------------------------------------------------------------------------
# fct_shop_hourly (metrics.md §9.3)
# --------------------------------------------------------------------------------------------


def local_hour(instant: datetime, time_zone: str) -> int:
    """The local wall-clock hour (0–23) of a naive-UTC instant in an IANA time zone."""
    return instant.replace(tzinfo=UTC).astimezone(ZoneInfo(time_zone)).hour


def compute_shop_hourly(
    sessions: list[dict[str, Any]], shops: Mapping[str, Row]
) -> list[dict[str, Any]]:
    """fct_shop_hourly: (shop_id, session_date, session_hour), only hours that have sessions.
    D23: the two passes of a repeated fall-back hour share one (date, hour), so one row."""
    groups: dict[tuple[str, date, int], list[dict[str, Any]]] = defaultdict(list)
    for s in sessions:
        hour = local_hour(s["started_at"], str(shops[s["shop_id"]]["timezone"]))
        groups[(s["shop_id"], s["session_date"], hour)].append(s)
    out = []
    for (shop_id, day, hour), rows in sorted(groups.items()):
        kept = [s for s in rows if not s["is_excluded"]]
        counted = [s for s in rows if s["is_counted_in_rate"]]
        within = sum(
            1 for s in counted if s["response_status"] in ("AUTO_RESOLVED", "RESPONDED_IN_TIME")
        )
        seconds = [
            float(s["first_response_seconds"])
            for s in kept
            if s["first_response_seconds"] is not None
        ]
        out.append(
            {
                "shop_id": shop_id,
                "session_date": day,
                "session_hour": hour,
                "sessions": len(rows),
                "excluded_sessions": len(rows) - len(kept),
                "counted_sessions": len(counted),
                "responded_within_window_sessions": within,
                "response_rate_24h": ratio(within, len(counted)),
                "median_first_response_seconds": percentile_cont(seconds, 0.5),
            }
        )
    return out


# --------------------------------------------------------------------------------------------
# fct_agent_workload_daily (metrics.md §9.4), by brute force
# --------------------------------------------------------------------------------------------


def local_day_bounds(day: date, time_zone: str) -> tuple[datetime, datetime]:
    """The naive-UTC instants [start, end) of a local date: local midnight to the next local
    midnight (23 or 25 hours on a daylight-saving day)."""
    zone = ZoneInfo(time_zone)

    def midnight(d: date) -> datetime:
        local = datetime(d.year, d.month, d.day, tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    return midnight(day), midnight(day + timedelta(days=1))


def agent_capacities(rows: Iterable[Row]) -> dict[tuple[str, str], int | None]:
    """D26: max_concurrent_sessions per (shop_id, agent_id) of the agents table."""
    capacities: dict[tuple[str, str], int | None] = {}
    for row in rows:
        value = to_text(row.get("max_concurrent_sessions"))
        capacities[(str(row["shop_id"]), str(row["agent_id"]))] = (
            None if value is None else int(value)
        )
    return capacities


def compute_agent_workload_daily(
    walked: list[Session], shops: Mapping[str, Row], agents: Iterable[Row]
) -> list[dict[str, Any]]:
    """fct_agent_workload_daily: one row per (shop_id, agent_id, workload_date).

    Every hold of every session (excluded ones too) is a half-open UTC interval [start, end)
    (D24). A date is in the mart when the agent receives an allocation, loses one (a transfer
    out), or holds a session at some instant of it (D25). The peak of a date is found by brute
    force: the number of holds covering each candidate instant of the date — its first instant
    and every hold start inside it (a step function that only rises at a hold start takes its
    maximum over [day start, day end) at one of those)."""
    capacities = agent_capacities(agents)
    holds: dict[tuple[str, str], list[tuple[datetime, datetime]]] = defaultdict(list)
    received: dict[tuple[str, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    transfers_in: dict[tuple[str, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    transfers_out: dict[tuple[str, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for session in walked:
        shop_id = session.shop_id
        zone = str(shops[shop_id]["timezone"])
        for event in session.allocation_events:
            if event.agent_id is None:
                continue
            day = local_date(event.at, zone)  # D27: the local date of the allocation row
            received[(shop_id, event.agent_id)][day] += 1
            if event.from_agent_id is not None:
                transfers_in[(shop_id, event.agent_id)][day] += 1
                transfers_out[(shop_id, event.from_agent_id)][day] += 1
        for hold in session.holds:
            assert hold.end is not None, "every hold ends at a transfer, the close or as_of"
            if hold.agent_id is not None:
                holds[(shop_id, hold.agent_id)].append((hold.start, hold.end))

    out = []
    for key in sorted(set(holds) | set(received) | set(transfers_out)):
        shop_id, agent_id = key
        zone = str(shops[shop_id]["timezone"])
        agent_holds = holds.get(key, [])
        candidate_days = set(received[key]) | set(transfers_out[key])
        for start, end in agent_holds:
            # every local date from the hold's start to its end (the end date is tested below)
            day = local_date(start, zone)
            while day <= local_date(end, zone):
                candidate_days.add(day)
                day += timedelta(days=1)
        for day in sorted(candidate_days):
            day_start, day_end = local_day_bounds(day, zone)
            # a hold [start, end) meets the date when it covers an instant of [day_start, day_end)
            held = any(
                start < end and start < day_end and end > day_start for start, end in agent_holds
            )
            if not (held or received[key].get(day) or transfers_out[key].get(day)):
                continue
            instants = [day_start] + [s for s, _ in agent_holds if day_start <= s < day_end]
            peak = max(sum(1 for s, e in agent_holds if s <= t < e) for t in instants)
            capacity = capacities.get(key)
            out.append(
                {
                    "shop_id": shop_id,
                    "agent_id": agent_id,
                    "workload_date": day,
                    "allocations_received": received[key].get(day, 0),
                    "transfers_in": transfers_in[key].get(day, 0),
                    "transfers_out": transfers_out[key].get(day, 0),
                    "peak_concurrent_sessions": peak,
                    "max_concurrent_sessions": capacity,
                    "peak_saturation": ratio(peak, capacity) if capacity else None,
                }
            )
    return out
