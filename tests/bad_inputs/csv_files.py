"""CSV files as real tools write them: spreadsheets, Windows exports, shell scripts that append
to yesterday's file, gzip. Each case writes a file of its own (most as a part of the catalogue's
`messages/` folder), byte for byte, holding one answered session (`<case id>.c`), and states
what the build makes of it: which rows build, which lines are quarantined with which rule.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Mapping, Sequence
from typing import Any

from tests.bad_inputs.common import (
    ANSWERED,
    HOUR,
    T0,
    Case,
    CsvFile,
    msg,
    session_rows,
)
from tests.bad_inputs.session_ratings import rating
from tests.landing import CONTRACT_COLUMNS

MESSAGE_COLUMNS = CONTRACT_COLUMNS["messages"]
BOM = "\ufeff"
NUL = "\x00"
ONE_MB = 1024 * 1024


def csv_line(values: Sequence[Any]) -> str:
    """One CSV record (RFC 4180 quoting by the csv module), without its line ending."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(["" if v is None else v for v in values])
    return out.getvalue()


def message_lines(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] = MESSAGE_COLUMNS):
    """The header line and one line per messages row, in `columns` order."""
    return [csv_line(columns), *(csv_line([row.get(c) for c in columns]) for row in rows)]


def part(cid: str, text: str, raw_rows: int, *, gz: bool = False) -> CsvFile:
    """A part `messages/<cid>.csv` (or `.csv.gz`) of the catalogue's messages folder."""
    data = text.encode("utf-8")
    if gz:
        return CsvFile(f"messages/{cid}.csv.gz", gzip.compress(data), raw_rows)
    return CsvFile(f"messages/{cid}.csv", data, raw_rows)


def surplus_field_line(cid: str) -> str:
    """A buyer message `<cid>.m3` with one field too many (quarantined csv_too_many_columns)."""
    row = msg(f"{cid}.m3", f"{cid}.c", T0 + HOUR / 2, "BUYER", f"{cid}.b")
    return csv_line([*(row.get(c) for c in MESSAGE_COLUMNS), "surplus"])


def content_of(message_id: str) -> str:
    """SQL: the content of a message as the landing view reads it."""
    return f"select content from landing.messages where message_id = '{message_id}'"


def _crlf_line_endings() -> Case:
    cid = "crlf_line_endings"
    text = 'say "hi", please\r\nsecond line'
    rows = session_rows(cid)
    rows[0]["content"] = text
    return Case(
        cid,
        "a Windows export: every line ends CRLF, a quoted value holds a comma, quotes and a "
        "CRLF line break (valid)",
        {},
        sessions={f"{cid}.c": [ANSWERED]},
        checks=[(content_of(f"{cid}.m1"), [(text,)])],
        files=[part(cid, "\r\n".join(message_lines(rows)) + "\r\n", 2)],
    )


def _lf_line_endings() -> Case:
    cid = "lf_line_endings"
    return Case(
        cid,
        "a Unix tool's file: LF line endings, no line ending after the last line (valid)",
        {},
        sessions={f"{cid}.c": [ANSWERED]},
        files=[part(cid, "\n".join(message_lines(session_rows(cid))), 2)],
    )


def _mixed_line_endings() -> Case:
    cid = "mixed_line_endings"
    # (DuckDB's strict reader notices the mix only after a line whose last field has a value)
    rows = [{**row, "is_visible": "true"} for row in session_rows(cid)]
    header, m1, m2 = message_lines(rows)
    text = header + "\r\n" + m1 + "\n" + surplus_field_line(cid) + "\r\n" + m2 + "\n"
    return Case(
        cid,
        "CRLF and LF lines in one file (a Windows export appended to by a shell script): read "
        "through a copy with LF endings; line numbers and file names are the original's",
        {},
        quarantined=[("messages", "csv_too_many_columns", f"{cid}.csv:3")],
        sessions={f"{cid}.c": [ANSWERED]},
        checks=[
            (
                (
                    "select count(*) from landing.messages where _source_file like "
                    f"'%/messages/{cid}.csv' and message_id like '{cid}.%'"
                ),
                [(2,)],
            )
        ],
        files=[part(cid, text, 3)],
    )


def _utf8_byte_order_mark() -> Case:
    cid = "utf8_byte_order_mark"
    return Case(
        cid,
        'a UTF-8 byte-order mark before the header (Excel\'s "CSV UTF-8"): skipped (valid)',
        {},
        sessions={f"{cid}.c": [ANSWERED]},
        files=[part(cid, BOM + "\n".join(message_lines(session_rows(cid))) + "\n", 2)],
    )


def _blank_lines() -> Case:
    cid = "blank_lines"
    header, m1, m2 = message_lines(session_rows(cid))
    short = f"{cid}.m3,{cid}.c,S1,BUYER"
    text = f"{header}\n\n{m1}\n\n{short}\n{m2}\n\n\n"  # lines 2, 4, 7 and 8 blank
    return Case(
        cid,
        "blank lines after the header, between rows and at the end: not rows (neither counted "
        "nor quarantined), but counted in line numbers",
        {},
        quarantined=[("messages", "csv_too_few_columns", f"{cid}.csv:5")],
        sessions={f"{cid}.c": [ANSWERED]},
        files=[part(cid, text, 3)],
    )


def _columns_in_another_order() -> Case:
    cid = "columns_in_another_order"
    columns = list(reversed(MESSAGE_COLUMNS))
    return Case(
        cid,
        "a part whose header orders the columns differently from the contract (valid)",
        {},
        sessions={f"{cid}.c": [ANSWERED]},
        files=[part(cid, "\n".join(message_lines(session_rows(cid), columns)) + "\n", 2)],
    )


def _header_names_with_spaces() -> Case:
    cid = "header_names_with_spaces"
    names = [f' "{c} " ' if i % 2 else f"  {c} " for i, c in enumerate(MESSAGE_COLUMNS)]
    lines = message_lines(session_rows(cid))
    return Case(
        cid,
        "header names with spaces around them, some quoted with spaces inside the quotes "
        "(valid: names are trimmed)",
        {},
        sessions={f"{cid}.c": [ANSWERED]},
        files=[part(cid, "\n".join([",".join(names), *lines[1:]]) + "\n", 2)],
    )


def _extra_columns() -> Case:
    cid = "extra_columns"
    columns = ["channel", *MESSAGE_COLUMNS[:7], "notes, internal", *MESSAGE_COLUMNS[7:]]
    rows = [{**row, "channel": "app", "notes, internal": "a, b"} for row in session_rows(cid)]
    return Case(
        cid,
        'columns the contract does not know, one named "notes, internal" (a quoted header name '
        "holding a comma): ignored (valid)",
        {},
        sessions={f"{cid}.c": [ANSWERED]},
        files=[part(cid, "\n".join(message_lines(rows, columns)) + "\n", 2)],
    )


def _gzip_folder_part() -> Case:
    cid = "gzip_folder_part"
    return Case(
        cid,
        "a gzip-compressed part (.csv.gz) of a folder, beside .csv parts (valid)",
        {},
        sessions={f"{cid}.c": [ANSWERED]},
        files=[part(cid, "\n".join(message_lines(session_rows(cid))) + "\n", 2, gz=True)],
    )


def _gzip_single_file() -> Case:
    cid = "gzip_single_file"
    return Case(
        cid,
        "a whole table as one gzip file (the catalogue's session_ratings.csv.gz) (valid)",
        {"messages": session_rows(cid), "session_ratings": [rating(cid)]},
        sessions={f"{cid}.c": [{**ANSWERED, "rating_score": 4}]},
        checks=[
            (
                (
                    "select file_format from landing.landing_files "
                    "where source_file like '%/session_ratings.csv.gz'"
                ),
                [("csv",)],
            )
        ],
    )


def _field_of_1_mb() -> Case:
    cid = "field_of_1_mb"
    rows = session_rows(cid)
    rows[0]["content"] = '{"text": "' + "x" * ONE_MB + '"}'
    return Case(
        cid,
        "a value of 1 MB (a pasted document) in a quoted field: read whole (valid; DuckDB's "
        "line limit is 2 MB, longer lines are csv_line_too_long)",
        {},
        sessions={f"{cid}.c": [ANSWERED]},
        checks=[(f"select length(content) from ({content_of(f'{cid}.m1')})", [(ONE_MB + 12,)])],
        files=[part(cid, "\n".join(message_lines(rows)) + "\n", 2)],
    )


def _nul_byte() -> Case:
    cid = "nul_byte"
    rows = session_rows(cid)
    rows[0]["content"] = f"hel{NUL}lo"
    rows[0]["created_at"] += NUL
    return Case(
        cid,
        "NUL bytes in a value (in content, after a timestamp): removed, the row is read as usual",
        {},
        sessions={f"{cid}.c": [ANSWERED]},
        checks=[(content_of(f"{cid}.m1"), [("hello",)])],
        files=[part(cid, "\n".join(message_lines(rows)) + "\n", 2)],
    )


def _appended_with_repeated_header() -> Case:
    cid = "appended_with_repeated_header"
    header, m1, m2 = message_lines(session_rows(cid))
    text = "\n".join([header, m1, BOM + header, m2]) + "\n"
    return Case(
        cid,
        "today's export appended to yesterday's, header row and all (this one with a "
        "byte-order mark): the repeated header row is not a row, and is counted in "
        "landing.landing_files.repeated_header_lines",
        {},
        sessions={f"{cid}.c": [ANSWERED]},
        checks=[
            (
                (
                    "select records, repeated_header_lines from landing.landing_files "
                    f"where source_file like '%/{cid}.csv'"
                ),
                [(2, 1)],
            )
        ],
        files=[part(cid, text, 2)],
    )


def _appended_without_final_newline() -> Case:
    cid = "appended_without_final_newline"
    rows = [
        *session_rows(cid),
        msg(f"{cid}.m3", f"{cid}.c", T0 + 2 * HOUR, "BUYER", f"{cid}.b"),
        msg(f"{cid}.m4", f"{cid}.c", T0 + 3 * HOUR, "CUSTOMER_SERVICE", "a1"),
    ]
    header, m1, m2, m3, m4 = message_lines(rows)
    text = f"{header}\n{m1}\n{m2}\n{m3}" + f"{header}\n{m4}\n"  # m3 and header: line 4
    return Case(
        cid,
        "yesterday's file had no line ending after its last row, so today's header row is glued "
        "to it: that one line has too many fields and is quarantined (the row it held with it)",
        {},
        quarantined=[("messages", "csv_too_many_columns", f"{cid}.csv:4")],
        sessions={f"{cid}.c": [ANSWERED]},
        files=[part(cid, text, 4)],
    )


CASES: list[Case] = [
    _crlf_line_endings(),
    _lf_line_endings(),
    _mixed_line_endings(),
    _utf8_byte_order_mark(),
    _blank_lines(),
    _columns_in_another_order(),
    _header_names_with_spaces(),
    _extra_columns(),
    _gzip_folder_part(),
    _gzip_single_file(),
    _field_of_1_mb(),
    _nul_byte(),
    _appended_with_repeated_header(),
    _appended_without_final_newline(),
]
