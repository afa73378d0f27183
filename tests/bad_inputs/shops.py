"""Bad (or unusual) rows of `shops`: a quarantined shop takes its rows with it (shop_unknown)."""

from __future__ import annotations

from collections.abc import Sequence

from tests.bad_inputs.common import ANSWERED, Case, Row, session_rows, shop


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


CASES: list[Case] = [
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
]
