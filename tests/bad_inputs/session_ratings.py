"""Bad (or unusual) rows of `session_ratings`."""

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


CASES: list[Case] = [
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
]
