"""Frames and row lists to Arrow tables in the contract's shape (spec/contract.md).

Id strings are fixed width and built straight into Arrow buffers with numpy, which keeps ten
million rows a matter of seconds. Timestamps are `TIMESTAMP` (microseconds, UTC, naive) in Parquet
and ISO-8601 text with a `Z` in CSV (`2026-01-05T19:04:11.250Z`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chat_warehouse.generator.content import ContentPool
from chat_warehouse.generator.emit import BAD_TIME, NULL_INT, NULL_TIME, SENDER_BUYER, Frame
from chat_warehouse.generator.faults import SHOP_UNKNOWN
from chat_warehouse.generator.schema import (
    ACTION_POOL,
    BAD_TIMESTAMP_TEXTS,
    COLUMNS,
    ROLE_POOL,
    STATUS_POOL,
    TYPE_POOL,
    UNKNOWN_SHOP_ID,
    arrow_schema,
)
from chat_warehouse.generator.world import CURRENCIES, World

ID_DIGITS = 9
BUYER_PREFIX = "buyer_"
ORDER_ID_BASE = 576_000_000_000_000_000


# The four ASCII digits of 0..9999: ids are written four digits per division.
_QUADS = np.array([list(f"{i:04d}".encode("ascii")) for i in range(10_000)], np.uint8)


def _digits(prefix: str, values: np.ndarray, digits: int) -> np.ndarray:
    """(n, len(prefix) + digits) bytes: `prefix` + zero-padded decimal (negatives as 0)."""
    head = np.frombuffer(prefix.encode("ascii"), np.uint8)
    rest = np.maximum(values, 0).astype(np.uint64)
    if len(rest) and int(rest.max()) >= 10**digits:
        raise OverflowError(f"id {int(rest.max())} does not fit {digits} digits")
    data = np.empty((len(values), len(head) + digits), np.uint8)
    data[:, : len(head)] = head
    pos = data.shape[1]
    while pos - len(head) >= 4:
        data[:, pos - 4 : pos] = _QUADS[rest % 10_000]
        rest //= 10_000
        pos -= 4
    while pos > len(head):
        data[:, pos - 1] = rest % 10 + 48
        rest //= 10
        pos -= 1
    return data


def fixed_width_ids(prefix: str, values: np.ndarray, digits: int) -> pa.Array:
    """`prefix` + zero-padded decimal of each value; negative values are null."""
    data = _digits(prefix, values, digits)
    return _string_array(data, np.full(len(values), data.shape[1]), values >= 0)


def _string_array(data: np.ndarray, lengths: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Strings from an (n, width) byte matrix, row i being its first lengths[i] bytes."""
    n, width = data.shape
    lengths = np.where(valid, lengths, 0)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    if lengths.min(initial=width) < width:
        data = data[np.arange(width)[None, :] < lengths[:, None]]
    n_null = int(n - valid.sum())
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if n_null else None
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data)), bitmap, n_null
    )


def timestamps(ms: np.ndarray, fmt: str) -> pa.Array:
    """UTC instants: TIMESTAMP for Parquet, ISO-8601 text for CSV (NULL_TIME null, BAD_TIME bad)."""
    valid = ms != NULL_TIME
    bad = ms == BAD_TIME
    clean = np.where(valid & ~bad, ms, 0)  # a bad instant: 1970-01-01 in Parquet (see faults.py)
    if fmt == "parquet":
        return pa.array(clean * 1000, pa.timestamp("us"), mask=~valid)
    text = pc.cast(pa.array(clean, pa.timestamp("ms")), pa.string())
    raw = np.frombuffer(text.buffers()[2], np.uint8)[: len(ms) * 23].reshape(len(ms), 23)
    data = np.empty((len(ms), 24), np.uint8)
    data[:, :23] = raw
    data[:, 10] = ord("T")
    data[:, 23] = ord("Z")
    out = _string_array(data, np.full(len(ms), 24), valid)
    if bad.any():
        texts = [BAD_TIMESTAMP_TEXTS[i % len(BAD_TIMESTAMP_TEXTS)] for i in range(int(bad.sum()))]
        out = pc.replace_with_mask(out, pa.array(bad), pa.array(texts, pa.string()))
    return out


def _take(pool: pa.Array, codes: np.ndarray) -> pa.Array:
    """Dictionary-encoded strings of a pool by code; negative codes are null."""
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32(), mask=codes < 0), pool)


class _SenderIds:
    """`sender_id` of messages: the buyer's id, an agent or shop account id, or null."""

    def __init__(self, ids: list[str]) -> None:
        encoded = [i.encode("ascii") for i in ids]
        self.width = max(len(BUYER_PREFIX) + ID_DIGITS, *(len(e) for e in encoded))
        self.pool = np.zeros((len(ids), self.width), np.uint8)
        for row, e in enumerate(encoded):
            self.pool[row, : len(e)] = np.frombuffer(e, np.uint8)
        self.lengths = np.array([len(e) for e in encoded])

    def build(self, sender: np.ndarray, buyer: np.ndarray) -> pa.Array:
        is_buyer = sender == SENDER_BUYER
        is_pool = sender >= 0
        data = np.zeros((len(sender), self.width), np.uint8)
        digits = _digits(BUYER_PREFIX, buyer[is_buyer], ID_DIGITS)
        data[is_buyer, : digits.shape[1]] = digits
        data[is_pool] = self.pool[sender[is_pool]]
        lengths = np.where(is_buyer, digits.shape[1], 0)
        lengths[is_pool] = self.lengths[sender[is_pool]]
        return _string_array(data, lengths, is_buyer | is_pool)


class TableBuilder:
    """Builds the Arrow tables of one run (holds the string pools)."""

    def __init__(self, world: World, content: ContentPool, fmt: str) -> None:
        self.fmt = fmt
        self.shops = pa.array([*world.shop_ids, UNKNOWN_SHOP_ID])
        self.n_shops = len(world.shop_ids)
        accounts = [f"{shop}_acct" for shop in world.shop_ids]
        self.senders = pa.array(world.agent_ids + accounts)
        self.sender_ids = _SenderIds(world.agent_ids + accounts)
        self.content = pa.array(content.strings)
        self.roles = pa.array(ROLE_POOL)
        self.types = pa.array(TYPE_POOL)
        self.actions = pa.array(ACTION_POOL)
        self.statuses = pa.array(STATUS_POOL)
        self.currencies = pa.array(CURRENCIES)

    def _shop(self, codes: np.ndarray) -> pa.Array:
        return _take(self.shops, np.where(codes == SHOP_UNKNOWN, self.n_shops, codes))

    def _table(self, table: str, arrays: list[pa.Array]) -> pa.Table:
        return pa.Table.from_arrays(arrays, schema=arrow_schema(table, self.fmt))

    def build(self, table: str, f: Frame) -> pa.Table:
        """The Arrow table of a streamed table's frame."""
        conv = fixed_width_ids("conv_", f["conv"], ID_DIGITS) if "conv" in f else None
        if table == "messages":
            sender = self.sender_ids.build(f["sender"], f["buyer"])
            return self._table(table, [
                fixed_width_ids("", f["message_id"], 19), conv, self._shop(f["shop"]),
                _take(self.roles, f["role"]), sender, _take(self.types, f["mtype"]),
                _take(self.content, f["content"]), timestamps(f["t"], self.fmt),
                pa.array(f["visible"]),
            ])  # fmt: skip
        if table == "conversation_actions":
            return self._table(table, [
                fixed_width_ids("act_", f["action_id"], ID_DIGITS), conv, self._shop(f["shop"]),
                _take(self.actions, f["atype"]), _take(self.senders, f["agent"]),
                timestamps(f["acted"], self.fmt), _take(self.statuses, f["status"]),
                timestamps(f["updated"], self.fmt),
            ])  # fmt: skip
        if table == "session_ratings":
            return self._table(table, [
                fixed_width_ids("rat_", f["rating_id"], ID_DIGITS), conv, self._shop(f["shop"]),
                timestamps(f["rated"], self.fmt),
                pa.array(f["score"], pa.int32(), mask=f["score"] == NULL_INT),
            ])  # fmt: skip
        if table == "orders":
            order_id = np.where(f["order_id"] < 0, -1, ORDER_ID_BASE + f["order_id"])
            return self._table(table, [
                fixed_width_ids("", order_id, 18), self._shop(f["shop"]),
                fixed_width_ids(BUYER_PREFIX, f["buyer"], ID_DIGITS),
                timestamps(f["created"], self.fmt),
                pa.array(f["amount"], pa.float64(), mask=np.isnan(f["amount"])),
                _take(self.currencies, f["currency"]),
            ])  # fmt: skip
        raise ValueError(f"not a streamed table: {table}")

    def from_rows(self, table: str, rows: list[dict]) -> pa.Table:
        """The Arrow table of a small table given as dict rows (timestamps in ms or None)."""
        arrays = []
        for name, kind in COLUMNS[table]:
            values = [row.get(name) for row in rows]
            if kind == "ts":
                ms = np.array([NULL_TIME if v is None else v for v in values], np.int64)
                arrays.append(timestamps(ms, self.fmt))
            elif kind == "cat":
                arrays.append(pa.array(values, pa.string()).dictionary_encode())
            else:
                arrays.append(pa.array(values, arrow_schema(table, self.fmt).field(name).type))
        return self._table(table, arrays)
