"""Bad (or unusual) rows of `orders`, and a malformed CSV line at the end of the file."""

from __future__ import annotations

from typing import Any

from tests.bad_inputs.common import (
    ANSWERED,
    HOUR,
    LINE,
    T0,
    Case,
    Raw,
    iso,
    session_rows,
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


CASES: list[Case] = [
    bad_order("negative_amount", "an amount below zero", "amount_negative", amount="-5"),
    bad_order(
        "amount_not_a_number",
        "a decimal comma is not a number",
        "amount_invalid",
        amount="12,50",
    ),
    bad_order("amount_missing", "an order without an amount", "amount_missing", amount=None),
    bad_order("unknown_currency", "not an ISO 4217 code", "currency_invalid", currency="rupiah"),
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
                    'unterminated_quote.o,S1,unterminated_quote.b,2026-03-02T05:00:00Z,"100.00,IDR',
                    last=True,
                )
            ],
        },
        quarantined=[("orders", "csv_broken_quoting", LINE)],
        sessions={"unterminated_quote.c": [{**ANSWERED, "attributed_order_count": 0}]},
    ),
]
