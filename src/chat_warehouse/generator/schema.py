"""The landing tables the generator writes: names, columns, enum values (spec/contract.md).

Enum values are held as small integer codes while a chunk is simulated; the code of a value is
its position in the tuples below. Each `*_POOL` appends the one value the fault injector uses to
break the contract, so a bad row is just another code.
"""

from __future__ import annotations

import pyarrow as pa

from chat_warehouse import contract

SENDER_ROLES = ("BUYER", "CUSTOMER_SERVICE", "SHOP", "ROBOT", "SYSTEM")
MESSAGE_TYPES = (
    "TEXT",
    "IMAGE",
    "VIDEO",
    "EMOTICONS",
    "PRODUCT_CARD",
    "ORDER_CARD",
    "RETURN_REFUND_CARD",
    "COUPON_CARD",
    "FAQ_QUESTION",
    "ALLOCATED_SERVICE",
    "NOTIFICATION",
    "BUYER_ENTER_FROM_TRANSFER",
    "BUYER_ENTER_FROM_PRODUCT",
    "BUYER_ENTER_FROM_ORDER",
    "OTHER",
)
ACTION_TYPES = ("CLOSE_SESSION", "MARK_NO_REPLY_NEEDED", "REPORT_BUYER")
REPORT_STATUSES = ("PENDING", "UPHELD", "REJECTED")
PLATFORMS = ("TIKTOK_SHOP", "TOKOPEDIA")
AGENT_ROLES = ("OWNER", "ADMIN", "AGENT")

# Values no contract allows; the fault injector writes them.
BAD_SENDER_ROLE = "MODERATOR"
BAD_MESSAGE_TYPE = "STICKER"
BAD_ACTION_TYPE = "ARCHIVE_CHAT"
BAD_REPORT_STATUS = "APPROVED"
BAD_AGENT_ROLE = "SUPERVISOR"
BAD_PLATFORM = "SHOPEE"
BAD_TIMEZONE = "Asia/Atlantis"
UNKNOWN_SHOP_ID = "shop_999"
# Text written for an unparseable timestamp in CSV (Parquet cannot hold one: see faults.py).
BAD_TIMESTAMP_TEXTS = ("2026-02-30T25:61:00Z", "not-a-date", "31/01/2026 10:00", "1767225600")

ROLE_POOL = (*SENDER_ROLES, BAD_SENDER_ROLE)
TYPE_POOL = (*MESSAGE_TYPES, BAD_MESSAGE_TYPE)
ACTION_POOL = (*ACTION_TYPES, BAD_ACTION_TYPE)
STATUS_POOL = (*REPORT_STATUSES, BAD_REPORT_STATUS)

R = {name: code for code, name in enumerate(ROLE_POOL)}
MT = {name: code for code, name in enumerate(TYPE_POOL)}
ACT = {name: code for code, name in enumerate(ACTION_POOL)}
STATUS = {name: code for code, name in enumerate(STATUS_POOL)}

# How the generator makes each contract column (the columns and their order are the landing
# contract's, models/staging/__sources.yml): "str", "cat" (text from a small set: written
# dictionary-encoded), "ts" (UTC timestamp), "bool", "int", "float".
KINDS: dict[str, dict[str, str]] = {
    "messages": {
        "message_id": "str", "conversation_id": "str", "shop_id": "cat", "sender_role": "cat",
        "sender_id": "str", "message_type": "cat", "content": "cat", "created_at": "ts",
        "is_visible": "bool",
    },
    "conversation_actions": {
        "action_id": "str", "conversation_id": "str", "shop_id": "cat", "action_type": "cat",
        "agent_id": "cat", "acted_at": "ts", "report_status": "cat", "updated_at": "ts",
    },
    "shop_holiday_periods": {
        "period_id": "str", "shop_id": "cat", "starts_at": "ts", "ends_at": "ts",
        "updated_at": "ts",
    },
    "shops": {"shop_id": "str", "platform": "cat", "shop_name": "str", "timezone": "cat"},
    "agents": {
        "agent_id": "str", "shop_id": "cat", "nickname": "str", "role": "cat",
        "max_concurrent_sessions": "int",
    },
    "session_ratings": {
        "rating_id": "str", "conversation_id": "str", "shop_id": "cat", "rated_at": "ts",
        "score": "int",
    },
    "orders": {
        "order_id": "str", "shop_id": "cat", "buyer_id": "str", "created_at": "ts",
        "amount": "float", "currency": "cat",
    },
}  # fmt: skip
# The generator kinds a contract type may be written as.
KINDS_OF_TYPE = {
    "text": ("str", "cat"),
    "timestamp": ("ts",),
    "boolean": ("bool",),
    "integer": ("int",),
    "decimal": ("float",),
}


def _columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """(name, kind) of every contract column, in the contract's order; fails on any drift."""
    if set(KINDS) != set(contract.TABLES):
        raise RuntimeError(
            f"generator tables {sorted(KINDS)} differ from the landing contract's "
            f"{sorted(contract.TABLES)} (models/staging/__sources.yml)"
        )
    columns = {}
    for table in contract.TABLES.values():
        kinds = KINDS[table.name]
        if set(kinds) != set(table.column_names):
            raise RuntimeError(
                f"generator columns of {table.name} {sorted(kinds)} differ from the landing "
                f"contract's {table.column_names} (models/staging/__sources.yml)"
            )
        for col in table.columns:
            if kinds[col.name] not in KINDS_OF_TYPE[col.data_type]:
                raise RuntimeError(
                    f"generator kind {kinds[col.name]!r} of {table.name}.{col.name} cannot "
                    f"hold the contract type {col.data_type!r}"
                )
        columns[table.name] = tuple((c.name, kinds[c.name]) for c in table.columns)
    return columns


COLUMNS: dict[str, tuple[tuple[str, str], ...]] = _columns()
TABLES = tuple(COLUMNS)
# Tables produced chunk by chunk while conversations are simulated.
STREAMED_TABLES = ("messages", "conversation_actions", "session_ratings", "orders")
# In Parquet, each is a folder of one file per day of its day column (the contract's
# `day_column`): table -> the frame column (emit.py) holding that instant.
DAILY_TABLES = {
    "messages": "t",
    "conversation_actions": "updated",
    "session_ratings": "rated",
    "orders": "created",
}

FORMATS = ("parquet", "csv")


def arrow_schema(table: str, fmt: str) -> pa.Schema:
    """The Arrow schema a table is written with: in CSV every timestamp is ISO-8601 text.

    Dictionary-encoded text reads back as plain text (VARCHAR in DuckDB, text in CSV).
    """
    kinds = {
        "str": pa.string(),
        "cat": pa.dictionary(pa.int32(), pa.string()),
        "ts": pa.string() if fmt == "csv" else pa.timestamp("us"),
        "bool": pa.bool_(),
        "int": pa.int32(),
        "float": pa.float64(),
    }
    return pa.schema([pa.field(name, kinds[kind]) for name, kind in COLUMNS[table]])
