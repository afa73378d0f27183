"""`python -m dashboard` (what `make dashboard` runs): start the dashboard with Streamlit.

Checks first that the published warehouse exists, so a fresh checkout gets one line saying
what to do instead of a page full of errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dashboard.warehouse import DEFAULT_WAREHOUSE, missing_message

APP = Path(__file__).resolve().parent / "app.py"


def streamlit_command(port: int, address: str) -> list[str]:
    """The `streamlit run` command line of the app (headless, no usage statistics)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(port),
        "--server.address", address,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Parse the options, check the warehouse, then hand over to Streamlit."""
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Start the chat-analytics dashboard on the published warehouse (read-only).",
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("CHAT_WAREHOUSE_PATH") or DEFAULT_WAREHOUSE),
        help="the published DuckDB file (default: $CHAT_WAREHOUSE_PATH or %(default)s)",
    )
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("DASHBOARD_PORT") or 8501),
        help="port to serve on (default: $DASHBOARD_PORT or 8501)",
    )  # fmt: skip
    parser.add_argument(
        "--address", default="localhost", help="address to bind (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if not args.warehouse.is_file():
        print(f"error: {missing_message(args.warehouse)}", file=sys.stderr)
        return 2
    os.environ["CHAT_WAREHOUSE_PATH"] = str(args.warehouse.resolve())
    print(f"Dashboard on http://{args.address}:{args.port} reading {args.warehouse} (Ctrl-C stops)")
    command = streamlit_command(args.port, args.address)
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
