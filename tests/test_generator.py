"""The synthetic landing-data generator (chat_warehouse.generator) against spec/contract.md.

Small runs (a few thousand messages), read back with DuckDB the way the warehouse reads them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import duckdb
import pytest

from chat_warehouse.generator import (
    GeneratorConfig,
    engine,
    generate,
    prepare_out,
    read_manifest,
    writer,
)
from chat_warehouse.generator.cli import main
from chat_warehouse.generator.schema import (
    ACTION_TYPES,
    AGENT_ROLES,
    MESSAGE_TYPES,
    PLATFORMS,
    REPORT_STATUSES,
    SENDER_ROLES,
)
from tests.landing import CONTRACT_COLUMNS

CURRENCY_OF_ZONE = {
    "Asia/Jakarta": "IDR", "Asia/Makassar": "IDR", "Asia/Jayapura": "IDR", "Asia/Singapore": "SGD",
    "Asia/Bangkok": "THB", "Asia/Ho_Chi_Minh": "VND", "America/Los_Angeles": "USD",
}  # fmt: skip


def _run(out: Path, **options) -> Path:
    prepare_out(out, force=True)
    generate(GeneratorConfig(out=out, **options))
    return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Clean and dirty landing folders in both formats."""
    base = tmp_path_factory.mktemp("landing")
    return {
        "clean_parquet": _run(base / "cp", messages=5_000, bad_row_share=0.0),
        "clean_csv": _run(base / "cc", messages=4_000, bad_row_share=0.0, fmt="csv", seed=3),
        "dirty_parquet": _run(base / "dp", messages=5_000, bad_row_share=0.01),
        "dirty_csv": _run(base / "dc", messages=3_000, bad_row_share=0.01, fmt="csv", seed=5),
    }


def _source(raw: Path, table: str) -> str:
    """A DuckDB table expression for one landing table, in whichever form it was written."""
    if (raw / f"{table}.parquet").exists():
        return f"read_parquet('{raw / table}.parquet')"
    if (raw / table).is_dir():
        return f"read_parquet('{raw / table}/*.parquet')"
    return f"read_csv('{raw / table}.csv', header = true, all_varchar = true)"


def _db(raw: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per landing table."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    for table in CONTRACT_COLUMNS:
        con.execute(f"create view {table} as select * from {_source(raw, table)}")
    return con


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _ts_bad(col: str) -> str:
    return (
        f"(try_cast({col} as timestamptz) is null or try_cast({col} as timestamptz) < '2015-01-01')"
    )


# Per table: a SQL condition true for rows that break the contract (timestamps given must parse).
BROKEN = {
    "messages": f"""message_id is null or conversation_id is null or shop_id is null
        or shop_id not in (select shop_id from shops)
        or sender_role is null or sender_role not in {_in(SENDER_ROLES)}
        or message_type is null or message_type not in {_in(MESSAGE_TYPES)}
        or (sender_role = 'BUYER' and sender_id is null)
        or (is_visible is not null and try_cast(is_visible as boolean) is null)
        or {_ts_bad("created_at")}""",
    "conversation_actions": f"""action_id is null or conversation_id is null or shop_id is null
        or action_type is null or action_type not in {_in(ACTION_TYPES)}
        or (report_status is not null and report_status not in {_in(REPORT_STATUSES)})
        or (action_type = 'REPORT_BUYER' and report_status is null)
        or {_ts_bad("acted_at")} or {_ts_bad("updated_at")}""",
    "session_ratings": f"""rating_id is null or conversation_id is null or shop_id is null
        or try_cast(score as integer) is null or try_cast(score as integer) not between 1 and 5
        or {_ts_bad("rated_at")}""",
    "orders": f"""order_id is null or shop_id is null or buyer_id is null
        or try_cast(amount as double) is null or try_cast(amount as double) < 0
        or {_ts_bad("created_at")}""",
    "shops": f"""shop_id is null or platform not in {_in(PLATFORMS)}
        or timezone not in {_in(sorted(available_timezones()))}""",
    "agents": f"agent_id is null or shop_id is null or role not in {_in(AGENT_ROLES)}",
    "shop_holiday_periods": f"""period_id is null or shop_id is null
        or {_ts_bad("starts_at")} or {_ts_bad("updated_at")}
        or try_cast(ends_at as timestamptz) < try_cast(starts_at as timestamptz)""",
}


def _broken_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    broken = _one(con, f"select count(*) from {table} where {BROKEN[table]}")
    if table == "messages":  # redelivered duplicates
        broken += _one(con, "select count(message_id) - count(distinct message_id) from messages")
    return broken


@pytest.mark.parametrize("name", ["clean_parquet", "clean_csv"])
def test_writes_all_seven_tables_with_the_contract_columns(folders, name) -> None:
    raw = folders[name]
    con = _db(raw)
    for table, columns in CONTRACT_COLUMNS.items():
        described = [row[0] for row in con.execute(f"describe {table}").fetchall()]
        assert described == columns, table
        assert _one(con, f"select count(*) from {table}") > 0, table
    if name == "clean_parquet":
        days = [f"{dt.date(2026, 1, 1) + dt.timedelta(days=d)}.parquet" for d in range(60)]
        for table in ("messages", "conversation_actions"):  # by default, one file per day
            assert sorted(p.name for p in (raw / table).iterdir()) == days, table
        for table in ("shops", "agents", "shop_holiday_periods", "session_ratings", "orders"):
            assert (raw / f"{table}.parquet").is_file(), table
        types = dict(
            con.execute("select column_name, column_type from (describe messages)").fetchall()
        )
        assert types["created_at"] == "TIMESTAMP" and types["is_visible"] == "BOOLEAN"
        assert types["message_id"] == "VARCHAR"
    else:
        assert sorted(p.name for p in raw.glob("*.csv")) == sorted(
            f"{t}.csv" for t in CONTRACT_COLUMNS
        )


def test_message_count_is_close_to_the_target(folders) -> None:
    manifest = read_manifest(folders["clean_parquet"])
    assert manifest["rows"]["messages"] == pytest.approx(5_000, rel=0.05)
    assert manifest["as_of"] == "2026-03-02 00:00:00"
    assert (
        _one(_db(folders["clean_parquet"]), "select count(*) from messages")
        == manifest["rows"]["messages"]
    )


@pytest.mark.parametrize("name", ["clean_parquet", "clean_csv"])
def test_with_no_bad_share_every_row_follows_the_contract(folders, name) -> None:
    con = _db(folders[name])
    for table in BROKEN:
        assert _broken_rows(con, table) == 0, table
    # Stronger than the contract: the extract lies within the period, amounts are positive.
    assert _one(con, "select min(created_at::timestamp) >= '2026-01-01' from messages")
    assert _one(con, "select max(created_at::timestamp) < '2026-03-02' from messages")
    assert _one(con, "select min(amount::double) > 0 from orders")
    mismatched = [
        (zone, currency)
        for zone, currency in con.execute(
            "select distinct s.timezone, o.currency from orders o join shops s using (shop_id)"
        ).fetchall()
        if CURRENCY_OF_ZONE[zone] != currency
    ]
    assert mismatched == []


@pytest.mark.parametrize("name", ["dirty_parquet", "dirty_csv"])
def test_bad_rows_break_the_contract_as_the_manifest_counts(folders, name) -> None:
    con = _db(folders[name])
    manifest = read_manifest(folders[name])
    for table in BROKEN:
        assert manifest["bad_rows"][table] >= 1, table
        assert _broken_rows(con, table) == manifest["bad_rows"][table], table
    assert _one(con, "select count(message_id) - count(distinct message_id) from messages") > 0


def test_same_seed_gives_identical_files_and_another_seed_differs(tmp_path: Path) -> None:
    def digest(raw: Path) -> dict[str, str]:
        return {
            str(p.relative_to(raw)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(raw.rglob("*"))
            if p.is_file()
        }

    options = {"messages": 3_000, "bad_row_share": 0.01}
    first = digest(_run(tmp_path / "a", **options))
    assert first == digest(_run(tmp_path / "b", **options))
    other = digest(_run(tmp_path / "c", seed=8, **options))
    assert other.keys() == first.keys()
    assert other["messages/2026-01-02.parquet"] != first["messages/2026-01-02.parquet"]
    csv = {"fmt": "csv", "messages": 1_500, "bad_row_share": 0.01}
    assert digest(_run(tmp_path / "d", **csv)) == digest(_run(tmp_path / "e", **csv))


def test_streams_in_chunks_into_one_file_per_day(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "CHUNK_MESSAGES", 700)
    monkeypatch.setattr(writer, "FLUSH_ROWS", 1_000)
    raw = tmp_path / "raw"
    prepare_out(raw, force=True)
    daily = ("messages", "conversation_actions", "session_ratings", "orders")
    generate(
        GeneratorConfig(out=raw, messages=5_000, days=10, bad_row_share=0.01, daily_tables=daily)
    )
    manifest = read_manifest(raw)
    assert manifest["days"] == [f"2026-01-{d:02d}" for d in range(1, 11)]
    assert manifest["options"]["daily_tables"] == list(daily)
    single = {p.name for p in raw.glob("*.parquet")}
    assert single == {"shops.parquet", "agents.parquet", "shop_holiday_periods.parquet"}
    con = _db(raw)
    stamps = {"messages": "created_at", "conversation_actions": "updated_at",
              "session_ratings": "rated_at", "orders": "created_at"}  # fmt: skip
    for table, stamp in stamps.items():
        pattern = manifest["day_files"][table]
        counts = []
        for day in manifest["days"]:
            path = raw / pattern.format(day=day)
            counts.append(_one(con, f"select count(*) from read_parquet('{path}')"))
            # Every row of a day's file is stamped that day (a broken stamp: the first day's).
            wrong = _one(con, f"""select count(*) from read_parquet('{path}')
                where {stamp}::date <> '{day}'
                  and not ({stamp} is null or {stamp} < '2015-01-01')""")  # fmt: skip
            assert wrong == 0, (table, day)
        assert counts == manifest["day_rows"][table], table
        assert sum(counts) == manifest["rows"][table] > 0, table
    # Rows were written in several row groups per day (FLUSH_ROWS), and stay one per message.
    groups = _one(con, f"select count(*) from parquet_metadata('{raw}/messages/2026-01-05.parquet')"
                  " where column_id = 0")  # fmt: skip
    assert groups >= 2
    assert _one(con, "select count(distinct message_id) from messages") > 4_700
    # Conversations of different chunks never share an id: one buyer and one shop each.
    assert (
        _one(
            con,
            """select count(*) from (select conversation_id from messages
        where conversation_id is not null and shop_id is not null and shop_id <> 'shop_999'
        group by 1 having count(distinct shop_id) > 1)""",
        )
        == 0
    )


def test_shops_agents_and_allocations(folders) -> None:
    con = _db(folders["clean_parquet"])
    shops = con.execute("select platform, timezone from shops").fetchall()
    assert {p for p, _ in shops} == set(PLATFORMS)
    zones = {z for _, z in shops}
    assert len(zones) >= 6
    assert any(ZoneInfo(z).dst(dt.datetime(2026, 7, 1)) for z in zones)
    assert {r for (r,) in con.execute("select distinct role from agents").fetchall()} == set(
        AGENT_ROLES
    )
    assert _one(con, "select count(*) from agents group by shop_id order by 1 limit 1") >= 2
    # Every allocation names an agent of the conversation's shop.
    allocations = con.execute("""
        select m.shop_id, a.shop_id from messages m
        left join agents a on a.agent_id = json_extract_string(m.content, '$.agent_id')
        where m.message_type = 'ALLOCATED_SERVICE'""").fetchall()
    assert allocations and all(msg_shop == agent_shop for msg_shop, agent_shop in allocations)
    assert (
        _one(
            con,
            """select count(*) from messages
        where message_type = 'ALLOCATED_SERVICE' and sender_role <> 'SYSTEM'""",
        )
        == 0
    )
    # Human replies come from the shop's agents or its own account.
    assert (
        _one(
            con,
            """select count(*) from messages m left join agents a
        on a.agent_id = m.sender_id and a.shop_id = m.shop_id
        where m.sender_role = 'CUSTOMER_SERVICE' and a.agent_id is null""",
        )
        == 0
    )
    assert _one(con, "select count(*) from messages where sender_role = 'SHOP'") > 0
    # Transfers: a second allocation to another agent in the same conversation and hour.
    assert (
        _one(
            con,
            """select count(*) from (select conversation_id, created_at, content,
            lag(content) over w as prev, lag(created_at) over w as prev_at
        from messages where message_type = 'ALLOCATED_SERVICE'
        window w as (partition by conversation_id order by created_at))
        where content <> prev and created_at - prev_at < interval 1 hour""",
        )
        > 0
    )


def test_sessions_tell_the_stories_the_warehouse_must_handle(folders) -> None:
    con = _db(folders["clean_parquet"])
    con.execute("""create view walk as select *,
        lead(sender_role) over w as next_role, lead(created_at) over w as next_at,
        lead(message_type) over w as next_type
        from messages window w as (partition by conversation_id order by created_at, message_id)""")
    # FAQ clicks answered by the robot within seconds; some followed by a question for a human.
    faq = con.execute("""select count(*), count(*) filter (
            where next_role = 'ROBOT' and next_at - created_at <= interval 5 second)
        from walk where message_type = 'FAQ_QUESTION'""").fetchone()
    assert faq[0] > 0 and faq[1] == faq[0]
    assert (
        _one(
            con,
            """select count(*) from walk w join walk r
        on r.conversation_id = w.conversation_id and r.created_at > w.created_at
        and r.created_at < w.created_at + interval 10 minute
        where w.message_type = 'FAQ_QUESTION' and r.sender_role = 'BUYER'
        and r.message_type not in ('FAQ_QUESTION')""",
        )
        > 0
    )
    entered = "'BUYER_ENTER_FROM_PRODUCT', 'BUYER_ENTER_FROM_ORDER'"
    assert (
        _one(
            con,
            f"""select count(*) from walk where message_type in ({entered})
        and sender_role = 'BUYER' and next_role = 'BUYER'""",
        )
        > 0
    )
    assert _one(con, "select count(*) from messages where not is_visible") > 0
    assert _one(con, "select count(*) from messages where message_type = 'NOTIFICATION'") > 0
    used = {t for (t,) in con.execute("select distinct message_type from messages").fetchall()}
    assert {"TEXT", "IMAGE", "VIDEO", "EMOTICONS", "PRODUCT_CARD", "ORDER_CARD",
            "RETURN_REFUND_CARD"} <= used  # fmt: skip
    # Closes by agents and by the system; marks; reports with a later verdict version.
    closes = dict(
        con.execute("""select agent_id is null, count(*) from conversation_actions
        where action_type = 'CLOSE_SESSION' group by 1""").fetchall()
    )
    assert closes.get(True, 0) > 0 and closes.get(False, 0) > 0
    assert (
        _one(
            con,
            """select count(*) from conversation_actions
        where action_type = 'MARK_NO_REPLY_NEEDED' and agent_id is not null""",
        )
        > 0
    )
    verdicts = con.execute("""select p.report_status, v.report_status from conversation_actions p
        join conversation_actions v on v.action_id = p.action_id and v.updated_at > p.updated_at
        where p.action_type = 'REPORT_BUYER'""").fetchall()
    assert verdicts and all(p == "PENDING" and v in ("UPHELD", "REJECTED") for p, v in verdicts)
    # Response times: some buyers wait over 24 hours for a human, some over 7 days.
    waits = con.execute("""with buyer as (
            select conversation_id, created_at from messages where sender_role = 'BUYER'
            and message_type not in ('FAQ_QUESTION', 'BUYER_ENTER_FROM_PRODUCT',
                'BUYER_ENTER_FROM_ORDER')),
        human as (select conversation_id, created_at from messages
            where sender_role in ('CUSTOMER_SERVICE', 'SHOP') and is_visible),
        waited as (select b.created_at, min(h.created_at) - b.created_at as wait
            from buyer b left join human h on h.conversation_id = b.conversation_id
            and h.created_at > b.created_at group by b.conversation_id, b.created_at)
        select count(*) filter (where wait < interval 10 minute),
            count(*) filter (where wait > interval 24 hour),
            count(*) filter (where wait is null and created_at < '2026-02-20'
                or wait > interval 7 day)
        from waited""").fetchone()
    assert all(n > 0 for n in waits), waits


def test_holidays_ratings_and_orders(folders) -> None:
    con = _db(folders["clean_parquet"])
    edited = con.execute("""select period_id, count(*), count(distinct ends_at)
        from shop_holiday_periods group by 1 having count(*) > 1""").fetchall()
    assert edited and all(n_ends == 2 for _, _, n_ends in edited)
    assert _one(con, "select count(*) from shop_holiday_periods where ends_at is null") == 1
    scores = dict(con.execute("select score, count(*) from session_ratings group by 1").fetchall())
    assert set(scores) <= {1, 2, 3, 4, 5}
    assert (scores.get(4, 0) + scores.get(5, 0)) / sum(scores.values()) > 0.6
    # Orders come from buyers who chatted with the same shop.
    assert (
        _one(
            con,
            """select count(*) from orders o where not exists (select 1 from messages m
        where m.sender_id = o.buyer_id and m.shop_id = o.shop_id)""",
        )
        == 0
    )


def test_cli_help_refusal_and_force(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for option in (
        "--out",
        "--messages",
        "--seed",
        "--start",
        "--days",
        "--shops",
        "--format",
        "--bad-row-share",
        "--quiet",
        "--force",
        "--daily",
        "YYYY-MM-DD.parquet",
        "messages/",
    ):
        assert option in text  # fmt: skip
    out = tmp_path / "raw"
    out.mkdir()
    (out / "keep.txt").write_text("not mine")
    assert main(["--out", str(out), "--messages", "300", "--quiet"]) == 2
    assert "not empty" in capsys.readouterr().err and (out / "keep.txt").exists()
    with pytest.raises(SystemExit) as refused:
        main(["--out", str(out), "--messages", "300", "--daily", "orders,shops", "--force"])
    assert refused.value.code == 2 and "not written by day: shops" in capsys.readouterr().err
    assert main(["--out", str(out), "--messages", "300", "--force", "--days", "10"]) == 0
    err = capsys.readouterr().err
    assert "messages/s" in err and "done" in err
    assert not (out / "keep.txt").exists()
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["options"]["days"] == 10 and manifest["as_of"] == "2026-01-11 00:00:00"
