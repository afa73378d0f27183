"""Print the per-shop summary `make demo` ends with: the last 7 days' 24-hour response rate.

Reads the warehouse read-only, so it never blocks (or waits for) a writer for long.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from chat_warehouse.locks import WarehouseLocked, connect_read_only

SUMMARY_SQL = """
with last_day as (
    select shop_id, max(session_date) as as_of_date
    from marts.fct_shop_daily
    group by shop_id
),

window_sessions as (
    select s.shop_id, s.first_response_seconds, s.is_excluded
    from marts.fct_chat_sessions as s
    inner join last_day as d
        on s.shop_id = d.shop_id
        and s.session_date between d.as_of_date - 6 and d.as_of_date
)

select
    d.shop_id,
    sd.platform,
    sh.timezone,
    d.as_of_date,
    sd.rolling_7d_response_rate_24h as rate_7d,
    sd.rolling_7d_counted_sessions as counted_7d,
    (select median(w.first_response_seconds) from window_sessions as w
     where w.shop_id = d.shop_id and not w.is_excluded) as median_first_response_seconds
from last_day as d
inner join marts.fct_shop_daily as sd
    on sd.shop_id = d.shop_id and sd.session_date = d.as_of_date
left join marts.dim_shops as sh
    on sh.shop_id = d.shop_id
order by d.shop_id
"""


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def render(rows: list[tuple]) -> str:
    header = (
        "shop",
        "platform",
        "time zone",
        "last day",
        "24h rate (7d)",
        "counted",
        "median 1st reply",
    )
    body = [
        (
            shop,
            platform or "-",
            tz or "-",
            str(day),
            "-" if rate is None else f"{rate:6.1%}",
            str(counted or 0),
            _duration(median),
        )
        for shop, platform, tz, day, rate, counted, median in rows
    ]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in body]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Per shop: the last 7 local days' 24-hour response rate, counted sessions "
        "and median first response time, read from the warehouse's marts."
    )
    parser.add_argument(
        "--warehouse",
        default=os.environ.get("CHAT_WAREHOUSE_PATH", "warehouse/chat.duckdb"),
        help="DuckDB file (default: $CHAT_WAREHOUSE_PATH or warehouse/chat.duckdb)",
    )
    args = parser.parse_args(argv)
    path = Path(args.warehouse)
    if not path.exists():
        print(
            f"error: no warehouse at {path}; run `make demo` or `dbt build` first", file=sys.stderr
        )
        return 2
    try:
        con = connect_read_only(path)
    except WarehouseLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with con:
        rows = con.execute(SUMMARY_SQL).fetchall()
    print(f"\n24-hour response rate, last 7 days per shop ({path}):\n")
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
