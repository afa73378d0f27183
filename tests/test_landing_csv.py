"""The quality readers' CSV helpers (chat_warehouse.quality.landing_csv), without dbt.

That they read exactly what the build reads is tested on the whole bad-input catalogue
(tests/test_bad_inputs_catalogue.py, test_quality_reader_reads_what_the_build_reads).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from chat_warehouse.quality import LandingTableError, read_landing_table
from chat_warehouse.quality.landing_csv import mixes_line_endings, split_csv_header
from tests.landing import write_landing


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("a,b,c", ["a", "b", "c"]),
        ('\ufeff"Message_ID", b ,"c"', ["message_id", "b", "c"]),
        (' " a " ,"notes, internal",c', ["a", "notes, internal", "c"]),
        ('a,"say ""hi""",', ["a", 'say "hi"', ""]),
        (",a", ["", "a"]),
        ("", [""]),
    ],
)
def test_split_csv_header(line: str, names: list[str]) -> None:
    assert split_csv_header(line) == names


@pytest.mark.parametrize(
    ("data", "mixed"),
    [
        (b"a\nb\n", False),
        (b"a\r\nb\r\n", False),
        (b"a\rb\r", False),
        (b'a\r\n"x\ny"\r\n', True),
        (b"a\r\nb\n", True),
        (b"a\nb\r", True),
        (b"a", False),
    ],
)
def test_mixes_line_endings(data: bytes, mixed: bool) -> None:
    assert mixes_line_endings(data) is mixed


def test_reader_reads_csv_shapes(tmp_path: Path) -> None:
    """Mixed line endings, a repeated header row, NUL bytes and gzip parts read as rows; a
    repeated header in another order is an error, as in the build."""
    raw = write_landing(tmp_path / "raw", {"messages": []})
    (raw / "messages.csv").unlink()
    header = "message_id,conversation_id,shop_id,sender_role,created_at,message_type"
    (raw / "messages").mkdir()
    (raw / "messages" / "a.csv").write_bytes(
        f"{header}\r\nm1,c,S1,BUYER,2026-03-02T02:00:00Z,TEXT\n{header}\nm2,c,S1,BUYER,x\x00,TEXT\r\n"
        .encode()
    )  # fmt: skip
    (raw / "messages" / "b.csv.gz").write_bytes(
        gzip.compress(f"{header}\nm3,c,S1,BUYER,2026-03-02T02:00:00Z,TEXT\n".encode())
    )
    frame = read_landing_table(raw, "messages")
    assert list(frame["message_id"]) == ["m1", "m2", "m3"]
    assert list(frame["created_at"])[1] == "x"
    (raw / "messages" / "c.csv").write_text(
        f"{header}\nm4,c,S1,BUYER,2026-03-02T02:00:00Z,TEXT\n"
        "conversation_id,message_id,shop_id,sender_role,created_at,message_type\n"
    )
    with pytest.raises(LandingTableError, match="repeats its header row"):
        read_landing_table(raw, "messages")
