"""Entry point of the dashboard: `streamlit run dashboard/app.py` (or `make dashboard`).

Draws the shared sidebar filters, then runs the page the user picked. Pages live in `views/`,
one script each; to add a page, add a script there and a line to PAGES.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st

from dashboard import data, sidebar

PAGES_DIR = Path(__file__).resolve().parent / "views"
# (script, title, url path, icon)
PAGES = [
    ("shops.py", "Shops", "shops", ":material/storefront:"),
    ("agents.py", "Agents", "agents", ":material/support_agent:"),
    ("staffing.py", "Staffing", "staffing", ":material/calendar_view_week:"),
    ("at_risk.py", "At risk now", "at-risk", ":material/alarm:"),
    ("sessions.py", "Sessions", "sessions", ":material/forum:"),
    ("data_health.py", "Data health", "data-health", ":material/fact_check:"),
]


def main() -> None:
    """Configure the app, check the warehouse, draw the filters and run the chosen page."""
    st.set_page_config(page_title="Chat response rate", page_icon=":speech_balloon:", layout="wide")
    pages = [
        st.Page(PAGES_DIR / script, title=title, url_path=url, icon=icon, default=i == 0)
        for i, (script, title, url, icon) in enumerate(PAGES)
    ]
    page = st.navigation(pages)
    try:
        data.file_version()
    except data.WarehouseMissing as exc:
        st.error(str(exc))
        st.stop()
    sidebar.render()
    page.run()


main()
