"""Bad (or unusual) rows of `conversation_actions`."""

from __future__ import annotations

from typing import Any

from tests.bad_inputs.common import (
    ANSWERED,
    HOUR,
    T0,
    Case,
    iso,
    session_rows,
    shop_message,
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


CASES: list[Case] = [
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
        "two versions with the same updated_at that disagree: both quarantined, no version counts",
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
        quarantined=[("conversation_actions", "duplicate_conflict", "action_versions_disagree.act")]
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
]
