"""The catalogue of bad landing inputs (docs/when-the-data-is-wrong.md), as data.

Two kinds of case:

- `Case`: rows that break the contract row by row (or valid-but-unusual rows). All of them
  share one landing folder, built once: every case uses its own ids, all prefixed with the
  case id (`<case id>.<name>`), so a case's quarantined rows are those whose raw row mentions
  `<case id>.`. A case states exactly which rows are quarantined with which rule, which rows
  collapse as duplicates, and what the sessions of its conversations look like in the marts.
  Each landing table's cases are in its own module (`messages`, `shops`, ...); `csv_files`
  holds the shapes of CSV files real tools write (line endings, byte-order mark, gzip, ...),
  each case a file of its own.
- `StopCase` (`stop_cases`): an input for which no sensible result exists. The build must stop
  before any model runs, with a message naming the file or table and the problem. Each gets
  its own small landing folder (a valid base folder, then `mutate`).

`common` holds what the cases share and `folders` writes the landing folders. The catalogue
test is tests/test_bad_inputs_catalogue.py.
"""

from __future__ import annotations

from tests.bad_inputs import (
    agents,
    conversation_actions,
    csv_files,
    messages,
    orders,
    session_ratings,
    shop_holiday_periods,
    shops,
)
from tests.bad_inputs.common import (
    AS_OF,
    GOOD_CONVERSATION,
    GOOD_SESSION,
    LINE,
    Case,
    CsvFile,
    Raw,
    good_rows,
)
from tests.bad_inputs.folders import write_catalogue_landing, write_csv, write_small_landing
from tests.bad_inputs.stop_cases import STOP_CASES, StopCase

# Every row-level case, table by table (the order their rows are written in the folder).
CASES: list[Case] = [
    *messages.CASES,
    *shops.CASES,
    *conversation_actions.CASES,
    *shop_holiday_periods.CASES,
    *agents.CASES,
    *session_ratings.CASES,
    *orders.CASES,
    *csv_files.CASES,
]

__all__ = [
    "AS_OF",
    "CASES",
    "GOOD_CONVERSATION",
    "GOOD_SESSION",
    "LINE",
    "STOP_CASES",
    "Case",
    "CsvFile",
    "Raw",
    "StopCase",
    "good_rows",
    "write_catalogue_landing",
    "write_csv",
    "write_small_landing",
]
