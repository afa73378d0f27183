"""How figures are shown: percentages, durations, column formats and below-target colours.

Only presentation lives here; every figure is computed in SQL (queries.py).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

BELOW_TARGET = "background-color: #fde0dc; color: #8a1c12"
IN_SESSION = "background-color: #e6f0ff"


def is_missing(value: Any) -> bool:
    """None, NaN or NaT."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def pct(value: Any, digits: int = 1) -> str:
    """0.9154 -> '91.5%'; a missing rate -> '—' (no session counted)."""
    return "—" if is_missing(value) else f"{float(value):.{digits}%}"


def duration(seconds: Any) -> str:
    """Seconds as '45s', '7m41s', '3h05m' or '2d 04h'; '—' when missing."""
    if is_missing(seconds):
        return "—"
    total = round(float(seconds))
    sign, total = ("-" if total < 0 else ""), abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m{secs:02d}s"
    return f"{sign}{secs}s"


def minutes(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Copies of `<x>_seconds` columns in minutes, as `<x>_minutes` (for readable tables)."""
    out = frame.copy()
    for column in columns:
        out[column.replace("_seconds", "_minutes")] = out[column] / 60
    return out


def table_height(rows: int, most: int = 640) -> int:
    """Pixels for a table to show `rows` rows without scrolling, up to `most`."""
    return min(38 + 35 * max(rows, 1), most)


def rate_column(label: str, help: str) -> Any:
    """A column of fractions shown as percentages."""
    return st.column_config.NumberColumn(label, help=help, format="percent")


def count_column(label: str, help: str) -> Any:
    """A column of whole counts."""
    return st.column_config.NumberColumn(label, help=help, format="%d")


def minutes_column(label: str, help: str) -> Any:
    """A column of minutes, one decimal."""
    return st.column_config.NumberColumn(label, help=help, format="%.1f min")


def below_target(frame: pd.DataFrame, rate: str, target: float) -> Styler:
    """Colour the rows whose `rate` is below the target (rows with no rate stay plain)."""

    def row_style(row: pd.Series) -> list[str]:
        value = row[rate]
        low = not is_missing(value) and float(value) < target
        return [BELOW_TARGET if low else ""] * len(row)

    return frame.style.apply(row_style, axis=1)


def highlight(frame: pd.DataFrame, flag: str) -> Styler:
    """Colour the rows where the boolean column `flag` is true."""
    return frame.style.apply(lambda row: [IN_SESSION if row[flag] else ""] * len(row), axis=1)


def date_column(label: str, help: str | None = None) -> Any:
    """A column of dates (shop-local days), shown as YYYY-MM-DD."""
    return st.column_config.DateColumn(label, help=help, format="YYYY-MM-DD")


def time_column(label: str, help: str | None = None) -> Any:
    """A column of instants, shown to the second."""
    return st.column_config.DatetimeColumn(label, help=help, format="YYYY-MM-DD HH:mm:ss")


_MARKDOWN_SPECIALS = "\\`*_{}[]<>()#|~$"


def escape_markdown(text: str) -> str:
    """Text shown through Streamlit's Markdown exactly as written (ids with underscores,
    amounts with dollar signs)."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)


def resolution_columns() -> dict[str, Any]:
    """The column settings of the §9 response and resolution figures, as the Shops and Agents
    pages both show them."""
    return {
        "response_count": count_column("Responses", "Human replies made while the buyer waited."),
        "resolved_sessions": count_column(
            "Resolved", "Closed by an agent, the system or idleness."
        ),
        "avg_resolution_minutes": minutes_column(
            "Mean resolution", "Start to resolution, resolved sessions."
        ),
        "median_resolution_minutes": minutes_column(
            "Median resolution", "Median (continuous) of the same."
        ),
        "one_touch_resolution_rate": rate_column(
            "One-touch", "Resolved with exactly one human reply / resolved with a human reply."
        ),
        "one_touch_resolved_sessions": count_column("One-touch sessions", "Its numerator."),
    }
