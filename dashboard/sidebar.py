"""The sidebar every page shares: platform, shop, agent, shop-local dates and the target rate.

Rendered by the entry point (app.py) before the page runs, so the choices stay when the user
switches pages; the resolved `Filters` are kept in the session for the pages to read.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, queries
from dashboard.filters import DEFAULT_DAYS, DEFAULT_TARGET, Filters

STATE_KEY = "dashboard_filters"


def _keep_valid(key: str, options: list[Any]) -> None:
    """Drop remembered choices that the narrowed options no longer offer."""
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]


def _date_range(first: date, last: date) -> tuple[date, date]:
    """The date widget: a range of shop-local dates within the data, default the last 30."""
    key = "f_dates"
    default = (max(first, last - timedelta(days=DEFAULT_DAYS - 1)), last)
    chosen = st.session_state.get(key, default)
    # keep a remembered range inside the bounds of the (possibly newer) published build
    clamped = tuple(min(max(d, first), last) for d in chosen) or default
    st.session_state[key] = clamped
    picked = st.date_input(
        "Shop-local dates",
        min_value=first,
        max_value=last,
        key=key,
        help="session_date: the local date of a session's start in its shop's time zone "
        "(metrics.md §7). Default: the last 30 days of the published build.",
    )
    picked = tuple(picked) if isinstance(picked, tuple | list) else (picked,)
    if len(picked) == 1:  # the user has picked the start only so far
        return picked[0], last
    return picked[0], picked[1]


def render() -> Filters:
    """Draw the filters in the sidebar and return (and remember) what they select."""
    options = data.load(queries.filter_options())
    shops: pd.DataFrame = options["shops"]
    agents: pd.DataFrame = options["agents"]
    first, last = options["dates"].iloc[0]
    if pd.isna(first):
        st.sidebar.warning("The published warehouse has no sessions yet.")
        first = last = date.today()
    first, last = pd.Timestamp(first).date(), pd.Timestamp(last).date()

    with st.sidebar:
        st.header("Filters")
        platforms = sorted(shops["platform"].dropna().unique())
        _keep_valid("f_platforms", platforms)
        chosen_platforms = st.multiselect(
            "Platform", platforms, key="f_platforms", placeholder="All platforms"
        )
        in_platform = shops[shops["platform"].isin(chosen_platforms)] if chosen_platforms else shops
        shop_names = dict(zip(shops["shop_id"], shops["shop_name"], strict=True))
        shop_options = list(in_platform["shop_id"])
        _keep_valid("f_shops", shop_options)
        chosen_shops = st.multiselect(
            "Shop",
            shop_options,
            key="f_shops",
            format_func=lambda s: f"{s} · {shop_names.get(s) or ''}",
            placeholder="All shops",
        )
        shop_set = chosen_shops or shop_options
        of_shops = agents[agents["shop_id"].isin(shop_set)]
        nicknames = {(r.shop_id, r.agent_id): r.nickname for r in agents.itertuples(index=False)}
        agent_options = [(r.shop_id, r.agent_id) for r in of_shops.itertuples(index=False)]
        _keep_valid("f_agents", agent_options)
        chosen_agents = st.multiselect(
            "Agent",
            agent_options,
            key="f_agents",
            format_func=lambda a: f"{a[1]} · {nicknames.get(a) or 'unlisted'} ({a[0]})",
            placeholder="All agents",
            help="The agent answerable for a session (responsible_agent_id, metrics.md §5). "
            "Shop figures always cover all of a shop's sessions, unassigned ones included.",
        )
        start, end = _date_range(first, last)
        target = st.number_input(
            "Target 24-hour rate (%)",
            min_value=0.0,
            max_value=100.0,
            value=DEFAULT_TARGET * 100,
            step=0.5,
            key="f_target",
            help="Shops and agents below it are marked red.",
        )
        build = options["build"]
        if not build.empty:
            st.caption(
                f"Published build as of **{build['as_of'].iloc[0]} UTC** "
                f"(published {build['published_at'].iloc[0]:%Y-%m-%d %H:%M} UTC)."
            )

    filters = Filters(
        start=start,
        end=end,
        shops=tuple(shop_set) if (chosen_shops or chosen_platforms) else None,
        agents=tuple(chosen_agents) if chosen_agents else None,
        target_rate=float(target) / 100,
    )
    st.session_state[STATE_KEY] = filters
    return filters


def current() -> Filters:
    """The filters the sidebar resolved in this run (pages call this)."""
    filters = st.session_state.get(STATE_KEY)
    if filters is None:  # a page run on its own (tests): draw the sidebar first
        filters = render()
    return filters
