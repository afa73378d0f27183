"""The catalogue of bad landing inputs (docs/when-the-data-is-wrong.md), as data.

Two kinds of case:

- `Case`: rows that break the contract row by row (or valid-but-unusual rows). All of them
  share one landing folder, built once: every case uses its own ids, all prefixed with the
  case id (`<case id>.<name>`), so a case's quarantined rows are those whose raw row mentions
  `<case id>.`. A case states exactly which rows are quarantined with which rule, which rows
  collapse as duplicates, and what the sessions of its conversations look like in the marts.
- `StopCase`: an input for which no sensible result exists. The build must stop before any
  model runs, with a message naming the file or table and the problem. Each gets its own small
  landing folder (a valid base folder, then `mutate`).

The catalogue test is tests/test_bad_inputs_catalogue.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tests.landing import CONTRACT_COLUMNS, message_row

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

AGENT_A1_NICKNAME = (
    "select distinct agent_nickname from marts.fct_agent_daily where agent_id = 'a1'"
)
ROWS_FROM_PART_2 = (
    "select count(*) from staging.base_chat__agents where _source_file like '%part-2.csv'"
)

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
class Case:
    """Rows of one bad (or unusual) input and what the build must make of them."""

    id: str
    about: str
    rows: Mapping[str, Sequence[Row | Raw]]
    # (source_table, rule, row_key) of every row quarantined because of this case
    quarantined: Sequence[tuple[str, str, str | None]] = ()
    # conversation_id -> its sessions in marts.fct_chat_sessions (by started_at), as fields
    sessions: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    # (source_table, key) of rows that collapse as duplicates (counted, not quarantined)
    collapsed: Sequence[tuple[str, str]] = ()
    # (sql, expected rows) checked on the built warehouse
    checks: Sequence[tuple[str, list[tuple[Any, ...]]]] = ()


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


# --------------------------------------------------------------------------- row-level cases


def bad_message(cid: str, about: str, rule: str, key: str | None = "", **fields) -> Case:
    """An answered session plus one message row `<cid>.bad` (30 min in) with `fields` changed:
    the bad row is quarantined with `rule`, the session is untouched."""
    bad = msg(f"{cid}.bad", f"{cid}.c", T0 + HOUR / 2, "BUYER", f"{cid}.b")
    bad.update(fields)
    return Case(
        cid,
        about,
        {"messages": [*session_rows(cid), bad]},
        quarantined=[("messages", rule, f"{cid}.bad" if key == "" else key)],
        sessions={f"{cid}.c": [ANSWERED]},
    )


def bad_shop(cid: str, about: str, rules: Sequence[str], shops: Sequence[Row]) -> Case:
    """Shop rows `<cid>.shop` that are quarantined (`rules`, one per row) and a conversation at
    that shop, whose messages are then quarantined as shop_unknown: no session."""
    return Case(
        cid,
        about,
        {"shops": shops, "messages": session_rows(cid, shop=f"{cid}.shop")},
        quarantined=[("shops", rule, f"{cid}.shop") for rule in rules]
        + [("messages", "shop_unknown", f"{cid}.m1"), ("messages", "shop_unknown", f"{cid}.m2")],
        sessions={f"{cid}.c": []},
    )


def action(cid: str, **fields) -> dict[str, Any]:
    """A MARK_NO_REPLY_NEEDED action `<cid>.act` on the case conversation, 2 h in."""
    row = {
        "action_id": f"{cid}.act",
        "conversation_id": f"{cid}.c",
        "shop_id": "S1",
        "action_type": "MARK_NO_REPLY_NEEDED",
        "agent_id": "a1",
        "acted_at": iso(T0 + 2 * HOUR),
        "report_status": None,
        "updated_at": iso(T0 + 2 * HOUR),
    }
    row.update(fields)
    return row


def bad_action(cid: str, about: str, rule: str, **fields) -> Case:
    """An answered session plus one action with `fields` changed: the action is quarantined and
    excludes nothing."""
    return Case(
        cid,
        about,
        {"messages": session_rows(cid), "conversation_actions": [action(cid, **fields)]},
        quarantined=[("conversation_actions", rule, f"{cid}.act")],
        sessions={f"{cid}.c": [{**ANSWERED, "exclusion_reason": None}]},
    )


def period(cid: str, name: str = "p", **fields) -> dict[str, Any]:
    """A holiday period `<cid>.<name>` of shop `<cid>.shop` around T0 (T0 - 1 d to T0 + 1 d)."""
    row = {
        "period_id": f"{cid}.{name}",
        "shop_id": f"{cid}.shop",
        "starts_at": iso(T0 - DAY),
        "ends_at": iso(T0 + DAY),
        "updated_at": iso(T0 - 2 * DAY),
    }
    row.update(fields)
    return row


def holiday_case(cid: str, about: str, periods: Sequence[Row], quarantined=(), reason=None) -> Case:
    """A shop `<cid>.shop` with holiday `periods` and an answered session at T0: the session's
    exclusion is `reason`."""
    return Case(
        cid,
        about,
        {
            "shops": [shop(f"{cid}.shop")],
            "messages": session_rows(cid, shop=f"{cid}.shop"),
            "shop_holiday_periods": periods,
        },
        quarantined=quarantined,
        sessions={f"{cid}.c": [{**ANSWERED, "exclusion_reason": reason}]},
    )


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


def rating(cid: str, name: str = "r", **fields) -> dict[str, Any]:
    """A rating `<cid>.<name>` of the case conversation, score 4, 2 h in."""
    row = {
        "rating_id": f"{cid}.{name}",
        "conversation_id": f"{cid}.c",
        "shop_id": "S1",
        "rated_at": iso(T0 + 2 * HOUR),
        "score": "4",
    }
    row.update(fields)
    return row


def bad_rating(cid: str, about: str, rule: str, **fields) -> Case:
    """An answered session plus one rating with `fields` changed: quarantined, so unrated."""
    return Case(
        cid,
        about,
        {"messages": session_rows(cid), "session_ratings": [rating(cid, **fields)]},
        quarantined=[("session_ratings", rule, f"{cid}.r")],
        sessions={f"{cid}.c": [{**ANSWERED, "rating_score": None}]},
    )


def order(cid: str, name: str = "o", **fields) -> dict[str, Any]:
    """An order `<cid>.<name>` by the case buyer at S1, 3 h in (inside the conversion window)."""
    row = {
        "order_id": f"{cid}.{name}",
        "shop_id": "S1",
        "buyer_id": f"{cid}.b",
        "created_at": iso(T0 + 3 * HOUR),
        "amount": "100.00",
        "currency": "IDR",
    }
    row.update(fields)
    return row


def bad_order(cid: str, about: str, rule: str, **fields) -> Case:
    """An answered session plus one order with `fields` changed: quarantined, so unattributed."""
    return Case(
        cid,
        about,
        {"messages": session_rows(cid), "orders": [order(cid, **fields)]},
        quarantined=[("orders", rule, f"{cid}.o")],
        sessions={f"{cid}.c": [{**ANSWERED, "attributed_order_count": 0}]},
    )


def _cases() -> list[Case]:
    cases = [
        # ---------------------------------------------------------------- messages: values
        bad_message(
            "unknown_sender_role",
            "sender_role outside the contract's enum",
            "sender_role_invalid",
            sender_role="MODERATOR",
        ),
        bad_message(
            "unknown_message_type",
            "message_type outside the contract's enum",
            "message_type_invalid",
            message_type="STICKER",
        ),
        bad_message(
            "missing_sender_role", "a blank required enum", "sender_role_missing", sender_role=""
        ),
        bad_message(
            "null_message_id",
            "a null key: quarantined, row_key null",
            "message_id_missing",
            key=None,
            message_id=None,
        ),
        bad_message(
            "blank_conversation_id",
            "a key of blanks counts as null",
            "conversation_id_missing",
            conversation_id="   ",
        ),
        bad_message("null_shop_id", "a message without a shop", "shop_id_missing", shop_id=None),
        bad_message(
            "buyer_without_sender_id",
            "a BUYER message must name the buyer",
            "buyer_sender_id_missing",
            sender_id=None,
        ),
        bad_message(
            "null_created_at", "a message without a time", "created_at_missing", created_at=None
        ),
        bad_message(
            "unparseable_created_at",
            "a time that is not ISO-8601",
            "created_at_unparseable",
            created_at="yesterday 10am",
        ),
        bad_message(
            "impossible_calendar_date",
            "February 30th",
            "created_at_unparseable",
            created_at="2026-02-30T10:00:00Z",
        ),
        bad_message(
            "created_at_absurdly_old",
            "the zero epoch, before min_valid_timestamp",
            "created_at_out_of_range",
            created_at="1970-01-01T00:00:00Z",
        ),
        bad_message(
            "invalid_is_visible",
            "a boolean that is not true/false/1/0",
            "is_visible_invalid",
            is_visible="maybe",
        ),
        bad_message(
            "allocation_without_agent_id",
            "ALLOCATED_SERVICE whose content is not JSON",
            "allocation_agent_id_missing",
            sender_role="SYSTEM",
            sender_id=None,
            message_type="ALLOCATED_SERVICE",
            content="agent a1, please",
        ),
        bad_message(
            "unknown_shop", "a shop_id that is not in shops", "shop_unknown", shop_id="nowhere"
        ),
        bad_message(
            "conversation_in_two_shops",
            "a later row of the conversation names S2",
            "conversation_shop_conflict",
            shop_id="S2",
        ),
        # ---------------------------------------------------- messages: valid but unusual
        Case(
            "timestamps_with_offsets",
            "offsets are honoured; no offset means UTC (valid)",
            {
                "messages": [
                    msg(
                        "timestamps_with_offsets.m1",
                        "timestamps_with_offsets.c",
                        "2026-03-02T09:00:00+07:00",
                        "BUYER",
                        "timestamps_with_offsets.b",
                    ),
                    msg(
                        "timestamps_with_offsets.m2",
                        "timestamps_with_offsets.c",
                        "2026-03-02 03:00:00",
                        "CUSTOMER_SERVICE",
                        "a1",
                    ),
                ]
            },
            sessions={"timestamps_with_offsets.c": [ANSWERED]},
        ),
        Case(
            "lower_case_enums",
            "enum values are upper-cased before the check (valid)",
            {
                "messages": [
                    msg(
                        "lower_case_enums.m1",
                        "lower_case_enums.c",
                        T0,
                        "buyer",
                        "lower_case_enums.b",
                        "text",
                    ),
                    msg(
                        "lower_case_enums.m2",
                        "lower_case_enums.c",
                        T0 + HOUR,
                        "Customer_Service",
                        "a1",
                        "Text",
                    ),
                ]
            },
            sessions={"lower_case_enums.c": [ANSWERED]},
        ),
        Case(
            "duplicate_message_ids_conflict",
            "a redelivery with other content: the earliest created_at wins (contract), the "
            "other copy collapses",
            {
                "messages": [
                    msg(
                        "duplicate_message_ids_conflict.m1",
                        "duplicate_message_ids_conflict.c",
                        T0 + 3 * HOUR,
                        "BUYER",
                        "duplicate_message_ids_conflict.b",
                        "IMAGE",
                    ),
                    *session_rows("duplicate_message_ids_conflict"),
                ]
            },
            sessions={"duplicate_message_ids_conflict.c": [ANSWERED]},
            collapsed=[("messages", "duplicate_message_ids_conflict.m1")],
        ),
        Case(
            "multiline_quoted_content",
            "RFC 4180: a quoted value with newlines, commas and doubled quotes (valid)",
            {
                "messages": [
                    msg(
                        "multiline_quoted_content.m1",
                        "multiline_quoted_content.c",
                        T0,
                        "BUYER",
                        "multiline_quoted_content.b",
                        content='{"text": "line one\nline two, ""ok"""}',
                    ),
                    session_rows("multiline_quoted_content")[1],
                ]
            },
            sessions={"multiline_quoted_content.c": [ANSWERED]},
        ),
        # ------------------------------------------------------- messages: malformed lines
        Case(
            "too_many_columns",
            "a CSV line with one field too many",
            {
                "messages": [
                    *session_rows("too_many_columns"),
                    Raw(
                        "too_many_columns.m3,too_many_columns.c,S1,BUYER,too_many_columns.b,TEXT,,"
                        "2026-03-02T02:30:00Z,,surplus"
                    ),
                ]
            },
            quarantined=[("messages", "csv_too_many_columns", LINE)],
            sessions={"too_many_columns.c": [ANSWERED]},
        ),
        Case(
            "too_few_columns",
            "a CSV line cut short",
            {
                "messages": [
                    *session_rows("too_few_columns"),
                    Raw("too_few_columns.m3,too_few_columns.c,S1,BUYER"),
                ]
            },
            quarantined=[("messages", "csv_too_few_columns", LINE)],
            sessions={"too_few_columns.c": [ANSWERED]},
        ),
        Case(
            "stray_quote",
            "broken quoting: text after a closing quote",
            {
                "messages": [
                    *session_rows("stray_quote"),
                    Raw(
                        'stray_quote.m3,"stray_quote.c"x,S1,BUYER,stray_quote.b,TEXT,,'
                        "2026-03-02T02:30:00Z,"
                    ),
                ]
            },
            quarantined=[("messages", "csv_broken_quoting", LINE)],
            sessions={"stray_quote.c": [ANSWERED]},
        ),
        # ------------------------------------------------------------------------- shops
        bad_shop(
            "unknown_time_zone",
            "not an IANA name: the shop and its rows are quarantined",
            ["timezone_unknown"],
            [shop("unknown_time_zone.shop", "Mars/Olympus")],
        ),
        bad_shop(
            "missing_time_zone",
            "a shop without a time zone",
            ["timezone_missing"],
            [shop("missing_time_zone.shop", None)],
        ),
        bad_shop(
            "unknown_platform",
            "a platform outside the enum",
            ["platform_invalid"],
            [shop("unknown_platform.shop", platform="SHOPEE")],
        ),
        bad_shop(
            "shop_copies_disagree",
            "two rows of one shop_id with different time zones",
            ["duplicate_conflict", "duplicate_conflict"],
            [
                shop("shop_copies_disagree.shop", "Asia/Jakarta"),
                shop("shop_copies_disagree.shop", "Europe/Berlin"),
            ],
        ),
        Case(
            "shop_copies_differ_in_name_only",
            "copies that agree on platform and time zone collapse (valid)",
            {
                "shops": [
                    shop("shop_copies_differ_in_name_only.shop", name="Old name"),
                    shop("shop_copies_differ_in_name_only.shop", name="New name"),
                ],
                "messages": session_rows(
                    "shop_copies_differ_in_name_only", shop="shop_copies_differ_in_name_only.shop"
                ),
            },
            sessions={"shop_copies_differ_in_name_only.c": [ANSWERED]},
            collapsed=[("shops", "shop_copies_differ_in_name_only.shop")],
        ),
        # ---------------------------------------------------------- conversation_actions
        bad_action(
            "unknown_action_type",
            "action_type outside the enum",
            "action_type_invalid",
            action_type="ARCHIVE_CHAT",
        ),
        bad_action(
            "report_without_status",
            "REPORT_BUYER needs a report_status",
            "report_status_missing",
            action_type="REPORT_BUYER",
        ),
        bad_action(
            "unknown_report_status",
            "report_status outside the enum",
            "report_status_invalid",
            action_type="REPORT_BUYER",
            report_status="APPROVED",
        ),
        bad_action(
            "unparseable_acted_at",
            "acted_at is not a time",
            "acted_at_unparseable",
            acted_at="soon",
        ),
        bad_action(
            "updated_at_absurdly_old",
            "year 1",
            "updated_at_out_of_range",
            updated_at="0001-01-01T00:00:00Z",
        ),
        bad_action(
            "action_names_another_shop",
            "the action's shop is not its conversation's",
            "conversation_shop_conflict",
            shop_id="S2",
        ),
        Case(
            "action_on_unknown_conversation",
            "no message at all has this conversation_id",
            {
                "messages": session_rows("action_on_unknown_conversation"),
                "conversation_actions": [
                    action(
                        "action_on_unknown_conversation",
                        conversation_id="action_on_unknown_conversation.ghost",
                    )
                ],
            },
            quarantined=[
                (
                    "conversation_actions",
                    "conversation_unknown",
                    "action_on_unknown_conversation.act",
                )
            ],
            sessions={"action_on_unknown_conversation.c": [{**ANSWERED, "exclusion_reason": None}]},
        ),
        Case(
            "action_without_session",
            "the conversation has no buyer message, so no session",
            {
                "messages": [shop_message("action_without_session")],
                "conversation_actions": [action("action_without_session")],
            },
            quarantined=[
                ("conversation_actions", "conversation_unknown", "action_without_session.act")
            ],
            sessions={"action_without_session.c": []},
        ),
        Case(
            "action_versions_disagree",
            "two versions with the same updated_at that disagree: both quarantined, no version "
            "counts",
            {
                "messages": session_rows("action_versions_disagree"),
                "conversation_actions": [
                    action("action_versions_disagree"),
                    action(
                        "action_versions_disagree",
                        action_type="REPORT_BUYER",
                        report_status="UPHELD",
                    ),
                ],
            },
            quarantined=[
                ("conversation_actions", "duplicate_conflict", "action_versions_disagree.act")
            ]
            * 2,
            sessions={"action_versions_disagree.c": [{**ANSWERED, "exclusion_reason": None}]},
        ),
        Case(
            "action_versions_identical",
            "an identical version delivered twice collapses (valid)",
            {
                "messages": session_rows("action_versions_identical"),
                "conversation_actions": [action("action_versions_identical")] * 2,
            },
            sessions={
                "action_versions_identical.c": [{**ANSWERED, "exclusion_reason": "NO_REPLY_NEEDED"}]
            },
            collapsed=[("conversation_actions", "action_versions_identical.act")],
        ),
        # ---------------------------------------------------------- shop_holiday_periods
        holiday_case(
            "holiday_ends_before_start",
            "ends_at before starts_at: quarantined",
            [
                period(
                    "holiday_ends_before_start", starts_at=iso(T0 - DAY), ends_at=iso(T0 - 2 * DAY)
                )
            ],
            quarantined=[
                ("shop_holiday_periods", "holiday_ends_before_start", "holiday_ends_before_start.p")
            ],
        ),
        holiday_case(
            "overlapping_holidays",
            "two periods overlap: both apply, the session is excluded once (valid)",
            [
                period("overlapping_holidays", "p1"),
                period("overlapping_holidays", "p2", starts_at=iso(T0 - HOUR), ends_at=None),
            ],
            reason="HOLIDAY_MODE",
        ),
        holiday_case(
            "holiday_with_offsets",
            "period bounds with +07:00 offsets (valid)",
            [
                period(
                    "holiday_with_offsets",
                    starts_at="2026-03-02T08:00:00+07:00",
                    ends_at="2026-03-02T10:00:00+07:00",
                )
            ],
            reason="HOLIDAY_MODE",
        ),
        holiday_case(
            "holiday_missing_starts_at",
            "a period without a start",
            [period("holiday_missing_starts_at", starts_at=None)],
            quarantined=[
                ("shop_holiday_periods", "starts_at_missing", "holiday_missing_starts_at.p")
            ],
        ),
        holiday_case(
            "holiday_unknown_shop",
            "a period of a shop that is not in shops",
            [period("holiday_unknown_shop", shop_id="nowhere")],
            quarantined=[("shop_holiday_periods", "shop_unknown", "holiday_unknown_shop.p")],
        ),
        holiday_case(
            "holiday_versions_disagree",
            "two versions stamped at the same instant disagree: both quarantined, the "
            "earlier clean version counts",
            [
                period("holiday_versions_disagree"),
                period(
                    "holiday_versions_disagree", ends_at=iso(T0 - HOUR), updated_at=iso(T0 - DAY)
                ),
                period(
                    "holiday_versions_disagree",
                    ends_at=iso(T0 - 2 * HOUR),
                    updated_at=iso(T0 - DAY),
                ),
            ],
            quarantined=[
                ("shop_holiday_periods", "duplicate_conflict", "holiday_versions_disagree.p")
            ]
            * 2,
            reason="HOLIDAY_MODE",
        ),
        # ------------------------------------------------------------------------ agents
        Case(
            "agent_unknown_role",
            "role outside the enum",
            {"agents": [agent("agent_unknown_role.a", role="INTERN")]},
            quarantined=[("agents", "role_invalid", "agent_unknown_role.a")],
        ),
        Case(
            "agent_negative_capacity",
            "max_concurrent_sessions below zero",
            {"agents": [agent("agent_negative_capacity.a", max_concurrent_sessions="-3")]},
            quarantined=[
                ("agents", "max_concurrent_sessions_invalid", "agent_negative_capacity.a")
            ],
        ),
        Case(
            "agent_fractional_capacity",
            "2.5 sessions is not an integer (no rounding)",
            {"agents": [agent("agent_fractional_capacity.a", max_concurrent_sessions="2.5")]},
            quarantined=[
                ("agents", "max_concurrent_sessions_invalid", "agent_fractional_capacity.a")
            ],
        ),
        Case(
            "agent_null_id",
            "an agent without an id",
            {"agents": [agent(None, nickname="agent_null_id.nick")]},
            quarantined=[("agents", "agent_id_missing", None)],
        ),
        Case(
            "agent_unknown_shop",
            "an agent of a shop that is not in shops",
            {"agents": [agent("agent_unknown_shop.a", shop_id="nowhere")]},
            quarantined=[("agents", "shop_unknown", "agent_unknown_shop.a")],
        ),
        Case(
            "agent_copies_disagree",
            "two rows of one agent_id with different roles",
            {
                "agents": [
                    agent("agent_copies_disagree.a"),
                    agent("agent_copies_disagree.a", role="ADMIN"),
                ]
            },
            quarantined=[("agents", "duplicate_conflict", "agent_copies_disagree.a")] * 2,
        ),
        Case(
            "agents_part_with_reordered_columns",
            "a folder part whose header orders the columns differently and adds one (valid)",
            {},
            checks=[(AGENT_A1_NICKNAME, [("Ani",)])],
        ),
        Case(
            "header_only_part",
            "a folder part with only its header row is a valid empty part",
            {},
            checks=[(ROWS_FROM_PART_2, [(0,)])],
        ),
        # --------------------------------------------------------------- session_ratings
        bad_rating("score_out_of_range", "a score of 9", "score_out_of_range", score="9"),
        bad_rating("score_zero", "a score of 0", "score_out_of_range", score="0"),
        bad_rating(
            "score_fractional", "4.5 is not an integer (no rounding)", "score_invalid", score="4.5"
        ),
        bad_rating("score_not_a_number", "a score in words", "score_invalid", score="five"),
        bad_rating("score_missing", "a rating without a score", "score_missing", score=None),
        bad_rating(
            "rating_names_another_shop",
            "the rating's shop is not its conversation's",
            "conversation_shop_conflict",
            shop_id="S2",
        ),
        bad_rating(
            "rating_before_first_session",
            "rated before the conversation's first buyer message: no session can hold it",
            "rated_before_first_session",
            rated_at=iso(T0 - HOUR),
        ),
        Case(
            "rating_without_session",
            "the conversation has no buyer message, so no session",
            {
                "messages": [shop_message("rating_without_session")],
                "session_ratings": [rating("rating_without_session")],
            },
            quarantined=[("session_ratings", "conversation_unknown", "rating_without_session.r")],
            sessions={"rating_without_session.c": []},
        ),
        Case(
            "rating_copies_disagree",
            "two rows of one rating_id with different scores",
            {
                "messages": session_rows("rating_copies_disagree"),
                "session_ratings": [
                    rating("rating_copies_disagree", score="5"),
                    rating("rating_copies_disagree", score="1"),
                ],
            },
            quarantined=[("session_ratings", "duplicate_conflict", "rating_copies_disagree.r")] * 2,
            sessions={"rating_copies_disagree.c": [{**ANSWERED, "rating_score": None}]},
        ),
        Case(
            "rating_at_session_start",
            "rated at the very instant the session starts (valid)",
            {
                "messages": session_rows("rating_at_session_start"),
                "session_ratings": [rating("rating_at_session_start", rated_at=iso(T0))],
            },
            sessions={"rating_at_session_start.c": [{**ANSWERED, "rating_score": 4}]},
        ),
        # ------------------------------------------------------------------------ orders
        bad_order("negative_amount", "an amount below zero", "amount_negative", amount="-5"),
        bad_order(
            "amount_not_a_number",
            "a decimal comma is not a number",
            "amount_invalid",
            amount="12,50",
        ),
        bad_order("amount_missing", "an order without an amount", "amount_missing", amount=None),
        bad_order(
            "unknown_currency", "not an ISO 4217 code", "currency_invalid", currency="rupiah"
        ),
        bad_order(
            "order_absurdly_old",
            "created in 1900",
            "created_at_out_of_range",
            created_at="1900-01-01T00:00:00Z",
        ),
        Case(
            "order_copies_disagree",
            "two rows of one order_id with different amounts",
            {
                "messages": session_rows("order_copies_disagree"),
                "orders": [
                    order("order_copies_disagree"),
                    order("order_copies_disagree", amount="250.00"),
                ],
            },
            quarantined=[("orders", "duplicate_conflict", "order_copies_disagree.o")] * 2,
            sessions={"order_copies_disagree.c": [{**ANSWERED, "attributed_order_count": 0}]},
        ),
        Case(
            "unterminated_quote",
            "broken quoting: a quote never closed (the file's last line)",
            {
                "messages": session_rows("unterminated_quote"),
                "orders": [
                    Raw(
                        "unterminated_quote.o,S1,unterminated_quote.b,2026-03-02T05:00:00Z,"
                        '"100.00,IDR',
                        last=True,
                    )
                ],
            },
            quarantined=[("orders", "csv_broken_quoting", LINE)],
            sessions={"unterminated_quote.c": [{**ANSWERED, "attributed_order_count": 0}]},
        ),
    ]
    return cases


CASES: list[Case] = _cases()


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


# ------------------------------------------------------------------------------- writing


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Row | Raw]) -> dict[int, int]:
    """Write a CSV file: the header, the rows (dicts through the csv module, Raw verbatim), the
    `last` Raw lines at the end. Returns {index of a Raw in `rows`: its line number}, counting
    records as DuckDB does (the header is line 1; a quoted value spanning lines is one)."""
    ordered = [(i, r) for i, r in enumerate(rows) if not (isinstance(r, Raw) and r.last)]
    ordered += [(i, r) for i, r in enumerate(rows) if isinstance(r, Raw) and r.last]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    lines: dict[int, int] = {}
    for line, (i, row) in enumerate(ordered, start=2):
        if isinstance(row, Raw):
            out.write(row.text + "\n")
            lines[i] = line
        else:
            writer.writerow([_cell(row.get(c)) for c in columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")
    return lines


def write_catalogue_landing(raw_dir: Path) -> dict[tuple[str, str], str]:
    """Write the one landing folder that holds the good rows and every `Case`. `agents` is a
    folder of three parts: the rows, a header-only part, and a part with its columns reordered
    plus an extra column (holding agent a1, "Ani"). Returns {(case id, table): row key of the
    case's malformed line} for the `LINE` placeholders."""
    tables: dict[str, list[Row | Raw]] = {t: list(rows) for t, rows in good_rows().items()}
    owner: dict[tuple[str, int], str] = {}
    for case in CASES:
        for table, rows in case.rows.items():
            for row in rows:
                if isinstance(row, Raw):
                    owner[(table, len(tables[table]))] = case.id
                tables[table].append(row)
    keys: dict[tuple[str, str], str] = {}
    for table, rows in tables.items():
        path = raw_dir / ("agents/part-1.csv" if table == "agents" else f"{table}.csv")
        for index, line in write_csv(path, CONTRACT_COLUMNS[table], rows).items():
            keys[(owner[(table, index)], table)] = f"{path.name}:{line}"
    write_csv(raw_dir / "agents" / "part-2.csv", CONTRACT_COLUMNS["agents"], [])
    write_csv(
        raw_dir / "agents" / "part-3.csv",
        ["nickname", "team", "agent_id", "max_concurrent_sessions", "role", "shop_id"],
        [
            {
                "nickname": "Ani",
                "team": "blue",
                "agent_id": "a1",
                "max_concurrent_sessions": "3",
                "role": "AGENT",
                "shop_id": "S1",
            }
        ],
    )
    return keys


# ------------------------------------------------------------------------- stop-the-build


@dataclass(frozen=True)
class StopCase:
    """An input with no sensible result: the build stops with a message containing `expect`."""

    id: str
    about: str
    mutate: Callable[[Path], None]
    expect: Sequence[str]


def write_small_landing(raw_dir: Path) -> Path:
    """A small valid landing folder (the good rows, every table as `<table>.csv`)."""
    for table, rows in good_rows().items():
        write_csv(raw_dir / f"{table}.csv", CONTRACT_COLUMNS[table], rows)
    return raw_dir


def _to_parquet(raw_dir: Path, table: str, drop: Sequence[str] = ()) -> Path:
    """Replace `<table>.csv` by `<table>.parquet` (text columns), without the `drop` columns."""
    rows = good_rows()[table]
    columns = [c for c in CONTRACT_COLUMNS[table] if c not in drop]
    data = pa.table(
        {c: pa.array([_cell(r.get(c)) or None for r in rows], pa.string()) for c in columns}
    )
    (raw_dir / f"{table}.csv").unlink()
    path = raw_dir / f"{table}.parquet"
    pq.write_table(data, path)
    return path


def _drop_column(path: Path, column: str) -> None:
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    columns = [c for c in (text.splitlines()[0].split(",")) if c != column]
    write_csv(path, columns, rows)


def _empty(name: str) -> Callable[[Path], None]:
    return lambda raw: (raw / name).write_bytes(b"")


def _latin1_shops(raw: Path) -> None:
    text = (raw / "shops.csv").read_text(encoding="utf-8").replace(",S1,", ",Café S1,")
    (raw / "shops.csv").write_bytes(text.encode("latin-1"))


def _utf16_messages(raw: Path) -> None:
    (raw / "messages.csv").write_bytes((raw / "messages.csv").read_text().encode("utf-16"))


def _csv_named_parquet(raw: Path) -> None:
    (raw / "orders.csv").rename(raw / "orders.parquet")


def _truncated_parquet_part(raw: Path) -> None:
    path = _to_parquet(raw, "messages")
    (raw / "messages").mkdir()
    data = path.read_bytes()
    (raw / "messages" / "part-0.parquet").write_bytes(data[: len(data) // 2])
    path.unlink()


def _parquet_without_created_at(raw: Path) -> None:
    _to_parquet(raw, "messages", drop=["created_at"])


def _folder_part_without_column(raw: Path) -> None:
    (raw / "messages").mkdir()
    (raw / "messages.csv").rename(raw / "messages" / "part-1.csv")
    write_csv(
        raw / "messages" / "part-2.csv",
        [c for c in CONTRACT_COLUMNS["messages"] if c != "created_at"],
        [msg("late.m1", "late.c", T0, "BUYER", "late.b")],
    )


def _headerless_shops(raw: Path) -> None:
    text = (raw / "shops.csv").read_text(encoding="utf-8")
    (raw / "shops.csv").write_text(text.split("\n", 1)[1], encoding="utf-8")


STOP_CASES: list[StopCase] = [
    StopCase(
        "empty_required_file",
        "messages.csv of 0 bytes (a failed export)",
        _empty("messages.csv"),
        ["messages.csv", "is empty (0 bytes)"],
    ),
    StopCase(
        "empty_optional_file",
        "orders.csv of 0 bytes: an optional table, still an error",
        _empty("orders.csv"),
        ["orders.csv", "is empty (0 bytes)"],
    ),
    StopCase(
        "missing_required_table",
        "no shop_holiday_periods in any form",
        lambda raw: (raw / "shop_holiday_periods.csv").unlink(),
        ["Required landing table 'shop_holiday_periods' is missing"],
    ),
    StopCase(
        "missing_required_column",
        "shops.csv without its timezone column",
        lambda raw: _drop_column(raw / "shops.csv", "timezone"),
        ["'shops'", "shops.csv", "missing required column(s) timezone"],
    ),
    StopCase(
        "missing_column_in_one_part",
        "one part of a messages/ folder lacks created_at",
        _folder_part_without_column,
        ["part-2.csv", "missing required column(s) created_at"],
    ),
    StopCase(
        "headerless_csv",
        "shops.csv without its header row: its first row is read as one",
        _headerless_shops,
        ["shops.csv", "missing required column(s) shop_id, timezone"],
    ),
    StopCase(
        "parquet_missing_required_column",
        "messages.parquet without created_at",
        _parquet_without_created_at,
        ["messages.parquet", "missing required column(s) created_at"],
    ),
    StopCase(
        "not_utf8_latin1",
        "shops.csv saved as Latin-1 (an é)",
        _latin1_shops,
        ["shops.csv", "is not UTF-8", "line 2"],
    ),
    StopCase(
        "not_utf8_utf16",
        "messages.csv saved as UTF-16",
        _utf16_messages,
        ["messages.csv", "is not UTF-8", "line 1"],
    ),
    StopCase(
        "csv_named_parquet",
        "a CSV file under a .parquet name",
        _csv_named_parquet,
        ["orders.parquet", "is not a readable Parquet file"],
    ),
    StopCase(
        "truncated_parquet",
        "half of a Parquet part (an interrupted upload)",
        _truncated_parquet_part,
        ["part-0.parquet", "is not a readable Parquet file"],
    ),
]


# ------------------------------------------------------------------ dbt in one process


def run_dbt_in_process(jobs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Run dbt invocations one after another in this process, each with its own CHAT_RAW_DIR
    (`{"raw_dir": ..., "args": [...]}`): dbt is imported once and, with one target folder and
    one warehouse file, parses the project once. Returns per job whether it succeeded and the
    error (the exception's text, or the messages of the failed nodes)."""
    from dbt.cli.main import dbtRunner

    results = []
    for job in jobs:
        os.environ["CHAT_RAW_DIR"] = job["raw_dir"]
        result = dbtRunner().invoke(list(job["args"]))
        errors = [str(result.exception)] if result.exception is not None else []
        for node in getattr(result.result, "results", None) or []:
            if str(node.status) in ("error", "fail"):
                errors.append(f"{node.node.name}: {node.message}")
        results.append({"success": bool(result.success), "error": "\n".join(errors)})
    return results


def main(argv: Sequence[str]) -> None:
    """`python -m tests.bad_inputs JOBS.json RESULTS.json` (from the project root, with
    CHAT_WAREHOUSE_PATH set): run the jobs with run_dbt_in_process, write their results."""
    jobs_path, results_path = argv
    results = run_dbt_in_process(json.loads(Path(jobs_path).read_text()))
    Path(results_path).write_text(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
