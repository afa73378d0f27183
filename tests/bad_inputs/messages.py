"""Bad (or unusual) rows of `messages`: values, valid-but-unusual rows, malformed CSV lines."""

from __future__ import annotations

from tests.bad_inputs.common import (
    ANSWERED,
    HOUR,
    LINE,
    T0,
    Case,
    Raw,
    msg,
    session_rows,
)


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


CASES: list[Case] = [
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
        checks=[
            (
                (
                    "select content from landing.messages "
                    "where message_id = 'multiline_quoted_content.m1'"
                ),
                [('{"text": "line one\nline two, ""ok"""}',)],
            )
        ],
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
]
