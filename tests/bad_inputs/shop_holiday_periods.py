"""Bad (or unusual) rows of `shop_holiday_periods`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.bad_inputs.common import (
    ANSWERED,
    DAY,
    HOUR,
    T0,
    Case,
    Row,
    iso,
    session_rows,
    shop,
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


CASES: list[Case] = [
    holiday_case(
        "holiday_ends_before_start",
        "ends_at before starts_at: quarantined",
        [period("holiday_ends_before_start", starts_at=iso(T0 - DAY), ends_at=iso(T0 - 2 * DAY))],
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
        quarantined=[("shop_holiday_periods", "starts_at_missing", "holiday_missing_starts_at.p")],
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
            period("holiday_versions_disagree", ends_at=iso(T0 - HOUR), updated_at=iso(T0 - DAY)),
            period(
                "holiday_versions_disagree",
                ends_at=iso(T0 - 2 * HOUR),
                updated_at=iso(T0 - DAY),
            ),
        ],
        quarantined=[("shop_holiday_periods", "duplicate_conflict", "holiday_versions_disagree.p")]
        * 2,
        reason="HOLIDAY_MODE",
    ),
]
