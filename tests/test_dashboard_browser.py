"""The dashboard in a real browser: `python -m dashboard` serves the app on a free port, and a
headless Chromium (Debian's `chromium`, driven by Playwright) opens every page, checks a shop's
7-day rate as the mart has it, the Staffing page's heatmaps, opens one session's verdict
explanation, and saves a screenshot of each page.

The warehouse is the small dbt-built one of tests/dashboard_data.py, or the published file
named by DASHBOARD_BROWSER_WAREHOUSE (the checks read whatever marts it serves). Screenshots go
to DASHBOARD_SCREENSHOTS (default: a temporary folder); `make dashboard-screenshots` writes
docs/screenshots/ from the demo warehouse, as the README shows them.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard import display
from tests.dashboard_data import published_warehouse

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
if importlib.util.find_spec("playwright") is None:
    pytest.skip(
        "browser test: the playwright package is missing (make install)", allow_module_level=True
    )
if not CHROMIUM.is_file():
    pytest.skip(
        f"browser test: no Chromium at {CHROMIUM}; install it with "
        "`apt-get install -y chromium` (.ci/run does)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, sync_playwright

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 90_000  # the first page of a cold server on a busy 2-core machine is slow
PAGES = {
    "shops": "",
    "agents": "agents",
    "staffing": "staffing",
    "at_risk": "at-risk",
    "sessions": "sessions",
    "data_health": "data-health",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    chosen = os.environ.get("DASHBOARD_BROWSER_WAREHOUSE")
    return Path(chosen).resolve() if chosen else published_warehouse(tmp_path_factory, worker_id)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("DASHBOARD_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m dashboard` on a free port; its base URL once it answers its health check."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dashboard",
                "--warehouse",
                str(warehouse),
                "--port",
                str(port),
                "--address",
                "127.0.0.1",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as answer:
                    if answer.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    tab = browser.new_page(viewport={"width": 1500, "height": 1000})
    yield tab
    tab.close()


def mart(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def settle(page: Page, tables: int, charts: int = 0) -> None:
    """Wait until the script run is over and its tables (at least `tables`) and charts have
    drawn: Streamlit renders over a websocket, and draws tables and charts after the run."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=WAIT_MS
    )
    page.wait_for_function(
        """([tables, charts]) => {
            const drawn = (sel) => [...document.querySelectorAll(sel)]
                .filter((e) => e.querySelector("canvas, svg")).length;
            return drawn('[data-testid="stDataFrame"]') >= tables
                && drawn('[data-testid="stVegaLiteChart"]') >= charts;
        }""",
        arg=[tables, charts],
        timeout=WAIT_MS,
    )
    assert page.locator('[data-testid="stException"]').count() == 0


def shoot(page: Page, folder: Path, name: str) -> Path:
    """A screenshot of the whole page (the app scrolls inside its main block, so the window
    is made as tall as the content first)."""
    height = page.evaluate(
        "document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight"
    )
    page.set_viewport_size({"width": 1500, "height": min(max(height + 80, 800), 4000)})
    page.wait_for_timeout(800)  # let the tables redraw at the new size
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def test_shops_page_shows_a_shops_7_day_rate_as_the_mart_has_it(
    server: str, page: Page, warehouse: Path, screenshots: Path
) -> None:
    ((shop_id, rate),) = mart(
        warehouse,
        "select shop_id, rolling_7d_response_rate_24h from marts.fct_shop_daily "
        "where session_date <= (select max(session_date) from marts.fct_shop_daily) "
        "qualify row_number() over (partition by shop_id order by session_date desc) = 1 "
        "order by shop_id limit 1",
    )
    page.goto(server)
    settle(page, tables=2, charts=1)
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=f"{shop_id} · ")
    assert tile.locator('[data-testid="stMetricValue"]').inner_text() == display.pct(rate)
    assert shoot(page, screenshots, "shops").stat().st_size > 10_000


def test_staffing_page_draws_its_heatmaps(
    server: str, page: Page, warehouse: Path, screenshots: Path
) -> None:
    ((sessions,),) = mart(
        warehouse,
        "select sum(sessions) from marts.fct_shop_hourly where session_date "
        "> (select max(session_date) from marts.fct_shop_daily) - 30",
    )
    page.goto(f"{server}/{PAGES['staffing']}")
    settle(page, tables=1, charts=3)
    assert page.get_by_role("heading", name="Staffing").count() == 1
    tile = page.locator('[data-testid="stMetric"]').filter(has_text="Sessions")
    assert tile.locator('[data-testid="stMetricValue"]').first.inner_text() == f"{sessions:,}"
    # three heatmaps drawn: sessions and the 24-hour rate by weekday and hour, saturation
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    assert charts.count() == 3
    for i in range(3):
        box = charts.nth(i).locator("canvas, svg").first.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 50
    assert shoot(page, screenshots, "staffing").stat().st_size > 10_000


def test_sessions_page_opens_a_sessions_explanation(
    server: str, page: Page, warehouse: Path, screenshots: Path
) -> None:
    ((session_id, explanation),) = mart(
        warehouse,
        "select session_id, verdict_explanation from marts.fct_chat_sessions "
        "order by close_reason = 'EXPIRED' desc, response_status = 'UNRESPONDED' desc, "
        "started_at desc, session_id limit 1",
    )
    page.goto(f"{server}/sessions?session={session_id}")
    settle(page, tables=3)
    shown = page.locator('.st-key-verdict [data-testid="stMarkdownContainer"]').inner_text()
    assert " ".join(shown.split()) == " ".join(explanation.split())
    assert page.get_by_role("heading", name=f"Session {session_id}").count() == 1
    shoot(page, screenshots, "sessions")


@pytest.mark.parametrize(("name", "tables"), [("agents", 1), ("at_risk", 1), ("data_health", 2)])
def test_every_other_page_renders(
    server: str, page: Page, screenshots: Path, name: str, tables: int
) -> None:
    page.goto(f"{server}/{PAGES[name]}")
    settle(page, tables)
    assert page.locator("h1").first.inner_text()
    shoot(page, screenshots, name)
