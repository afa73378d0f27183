"""Any lateness, same result: an incremental refresh equals a full build.

Generated landing data arrives as new files, checkpoint after checkpoint, as a daily export
would deliver it: every row arrives when it is stamped, but one row in eight arrives up to 30
days late; one message in twenty is delivered again in a later file (some of those with an
earlier `created_at`, which changes the copy that counts); a holiday period edited weeks later
covers old sessions; report verdicts arrive weeks after the reports. After each checkpoint the
same warehouse is refreshed incrementally (as Dagster does daily, `as_of` = the checkpoint),
and after every refresh every mart and audit relation must equal a full build of the landing
folder as it is then, at the same `as_of` (at the end in detail, row counts first). Each refresh must really be incremental (macros/refresh.sql). The
full build computes the walk and fct_conversation_events in conversation batches
(macros/batches.sql, as a full build does at scale), the refreshes in one piece: batches change
how a result is computed, never the result.

Then a landing file is replaced by a corrected version: the next build notices, recomputes
everything (the reason names the file) and carries the correction.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from chat_warehouse.dbt_invoke import build_warehouse, run_dbt
from chat_warehouse.publish import working_path

pytestmark = pytest.mark.slow

DAYS = 8
START = datetime(2026, 1, 1)
# refresh checkpoints, in days after START: daily, then three days apart while the data is
# stamped (sessions stay open across them), then two late ones that let rows up to 30 days
# late arrive
CHECKPOINTS = [1, 2, 5, DAYS, 20, DAYS + 31]
MARTS = [
    "fct_chat_sessions",
    "fct_agent_daily",
    "fct_shop_daily",
    "fct_sessions_at_risk",
    "fct_shop_hourly",
    "fct_agent_workload_daily",
    "fct_conversation_events",
    "dim_shops",
    "dim_agents",
]
AUDIT = ["quarantined_rows", "row_reconciliation"]
NOT_COMPARED = {"built_invocation_id", "detected_at"}

# landing table -> the column that says when a row is stamped (its arrival is that + a delay)
STAMP = {
    "messages": "created_at",
    "conversation_actions": "updated_at",
    "shop_holiday_periods": "updated_at",
    "session_ratings": "rated_at",
    "orders": "created_at",
}
ALWAYS_THERE = ["shops", "agents"]
LATE = "case when hash(to_json(t)) % 8 = 0 then to_hours(cast(hash(to_json(t)) % 721 as bigint)) else interval 0 hour end"


# dbt's output of each build of the `refreshed` fixture, in order
PUBLISHED: list[str] = []
# after each build of the `refreshed` fixture: (conversation_id, attributed_order_count) of the
# sessions of _order_moving_between_conversations
MOVED_ORDER: list[list[tuple]] = []
# after each refresh of the `refreshed` fixture: (day, the marts and audit relations that differ
# from a full build of the landing folder as it was then, at the same as_of)
STEP_DIFFERENCES: list[tuple[int, list[str]]] = []
# after each build of the `refreshed` fixture: fct_chat_sessions' physical rows (DuckDB's
# estimated_size, deleted rows included) and live rows, in the working file
SESSION_ROWS: list[tuple[int, int]] = []
# the refreshes of the `refreshed` fixture that compact every file with deleted rows (the
# thresholds lowered to nothing): compaction must not change a result
COMPACTING = {2, 4}
COMPACT_ALWAYS = {"compaction_min_rows": 0, "compaction_deleted_share": 0.000001}


def _ts(at: datetime) -> str:
    return f"timestamptz '{at:%Y-%m-%d %H:%M:%S}+00'"


def _arrivals(con: duckdb.DuckDBPyConnection, source: Path, table: str, stamp: str) -> None:
    """A view `<table>_arrivals` of the generated rows with the instant each arrives."""
    rows = f"read_csv('{source}/{table}.csv', all_varchar = true)"
    arrival = f"coalesce(try_cast({stamp} as timestamptz), timestamptz '2000-01-01') + {LATE}"
    parts = [f"select *, {arrival} as _arrival from {rows} as t"]
    if table == "messages":
        # one in twenty delivered again three days later; one in fifty of those with a created_at
        # a second earlier (the redelivered copy then counts)
        parts.append(
            f"select * replace (case when hash(message_id) % 50 = 0 "
            f"then strftime(try_cast(created_at as timestamptz) - interval 1 second, "
            f"'%Y-%m-%dT%H:%M:%S.%gZ') else created_at end as created_at), "
            f"{arrival} + interval 3 day as _arrival from {rows} as t where hash(message_id) % 20 = 0"
        )
    con.execute(f"create or replace view {table}_arrivals as {' union all '.join(parts)}")


def _land_checkpoint(source: Path, raw: Path, index: int, since: datetime, until: datetime) -> None:
    """Add the files of one delivery: every row arriving in (since, until], as new part files."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    if index == 0:
        raw.mkdir(parents=True, exist_ok=True)
        for table in ALWAYS_THERE:
            con.execute(
                f"copy (select * from read_csv('{source}/{table}.csv', all_varchar = true)) "
                f"to '{raw}/{table}.csv' (header, force_quote *)"
            )
    for table, stamp in STAMP.items():
        _arrivals(con, source, table, stamp)
        (raw / table).mkdir(parents=True, exist_ok=True)
        con.execute(
            f"copy (select * exclude (_arrival) from {table}_arrivals "
            f"where _arrival > {_ts(since)} and _arrival <= {_ts(until)}) "
            f"to '{raw}/{table}/arrived-{index:02d}.csv' (header, force_quote *)"
        )
    con.close()


def _edits_weeks_later(source: Path, raw: Path, at: datetime) -> None:
    """Deliver, at `at`, a holiday period covering sessions of days 2-4 (an edit weeks later)
    and the verdicts of the pending reports: UPHELD for half of them, REJECTED for the rest."""
    con = duckdb.connect()
    stamp = f"{at:%Y-%m-%dT%H:%M:%SZ}"
    shop = con.execute(f"select min(shop_id) from read_csv('{source}/shops.csv')").fetchone()[0]
    con.execute(
        f"copy (select 'late_edit' as period_id, '{shop}' as shop_id, "
        f"'2026-01-03T00:00:00Z' as starts_at, '2026-01-05T00:00:00Z' as ends_at, "
        f"'{stamp}' as updated_at) to '{raw}/shop_holiday_periods/edited-{at:%Y%m%d}.csv' (header)"
    )
    con.execute(
        f"copy (select * replace (case when hash(action_id) % 2 = 0 then 'UPHELD' "
        f"else 'REJECTED' end as report_status, '{stamp}' as updated_at) "
        f"from read_csv('{source}/conversation_actions.csv', all_varchar = true) "
        f"where action_type = 'REPORT_BUYER' and report_status = 'PENDING') "
        f"to '{raw}/conversation_actions/verdicts-{at:%Y%m%d}.csv' (header, force_quote *)"
    )
    con.close()


def _order_moving_between_conversations(source: Path, raw: Path, index: int) -> None:
    """One buyer, two conversations at one shop, one order (metrics.md §6: it goes to the
    buyer's session with the latest first reply before it). On 2026-01-01 conversation
    `xconv-b` is answered at 10:30, `xconv-a` at 11:30, the order is placed at 12:00: it belongs
    to xconv-a's session. xconv-a's reply lands late (checkpoint 2): until then the order is
    xconv-b's, and the refresh that walks xconv-a must also recompute xconv-b, which received
    nothing."""
    if index not in (0, 2):
        return
    con = duckdb.connect()
    shop = con.execute(f"select min(shop_id) from read_csv('{source}/shops.csv')").fetchone()[0]
    agent = con.execute(f"select min(agent_id) from read_csv('{source}/agents.csv')").fetchone()[0]
    messages = [  # message_id, conversation_id, sender_role, sender_id, created_at
        ("xmsg-b1", "xconv-b", "BUYER", "xbuyer", "2026-01-01T10:00:00Z"),
        ("xmsg-b2", "xconv-b", "CUSTOMER_SERVICE", agent, "2026-01-01T10:30:00Z"),
        ("xmsg-a1", "xconv-a", "BUYER", "xbuyer", "2026-01-01T11:00:00Z"),
    ]
    if index == 2:
        messages = [("xmsg-a2", "xconv-a", "CUSTOMER_SERVICE", agent, "2026-01-01T11:30:00Z")]
    columns = [
        r[0]
        for r in con.execute(
            f"describe select * from read_csv('{source}/messages.csv', all_varchar = true)"
        ).fetchall()
    ]
    values = ", ".join(
        f"('{m}', '{c}', '{shop}', '{role}', '{sender}', 'TEXT', '', '{at}', 'true')"
        for m, c, role, sender, at in messages
    )
    con.execute(
        f"create table m (message_id, conversation_id, shop_id, sender_role, sender_id, "
        f"message_type, content, created_at, is_visible) as values {values}"
    )
    con.execute(
        f"copy (select {', '.join(columns)} from m) "
        f"to '{raw}/messages/xconversations-{index:02d}.csv' (header, force_quote *)"
    )
    if index == 0:
        con.execute(
            f"copy (select 'xorder' as order_id, '{shop}' as shop_id, 'xbuyer' as buyer_id, "
            f"'2026-01-01T12:00:00Z' as created_at, '25.00' as amount, 'USD' as currency) "
            f"to '{raw}/orders/xorder.csv' (header, force_quote *)"
        )
    con.close()


def _rows(path: Path, relation: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        columns = [r[0] for r in con.execute(f"describe {relation}").fetchall()]
        keep = ", ".join(c for c in columns if c not in NOT_COMPARED)
        return con.execute(f"select {keep} from {relation} order by all").fetchall()


def _refreshes(path: Path) -> list[tuple]:
    with duckdb.connect(str(working_path(path, env={})), read_only=True) as con:
        return con.execute(
            "select mode, reason from landing.refresh_log order by started_at"
        ).fetchall()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "landing"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "chat_warehouse.generator",
            "--out",
            str(out),
            "--messages",
            "3000",
            "--days",
            str(DAYS),
            "--shops",
            "3",
            "--format",
            "csv",
            "--seed",
            "11",
            "--bad-row-share",
            "0.01",
            "--quiet",
            "--force",
        ],
        check=True,
    )
    return out


def _as_of(day: int) -> str:
    return (START + timedelta(days=day)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture(scope="module")
def refreshed(generated: Path, tmp_path_factory) -> tuple[Path, Path, int]:
    """The landing folder delivered checkpoint by checkpoint, refreshed after each; after each
    refresh a full build of the folder as it is then, for comparison (STEP_DIFFERENCES)."""
    root = tmp_path_factory.mktemp("incremental")
    raw, warehouse = root / "raw", root / "incremental.duckdb"
    since = datetime(2000, 1, 1)
    for index, day in enumerate(CHECKPOINTS):
        until = START + timedelta(days=day)
        _land_checkpoint(generated, raw, index, since, until)
        _order_moving_between_conversations(generated, raw, index)
        if day == 20:
            _edits_weeks_later(generated, raw, until - timedelta(hours=1))
        built = build_warehouse(
            raw,
            warehouse,
            _as_of(day),
            with_tests=False,
            extra_vars=COMPACT_ALWAYS if index in COMPACTING else None,
        )
        PUBLISHED.append(built.stdout)
        with duckdb.connect(str(working_path(warehouse, env={})), read_only=True) as con:
            SESSION_ROWS.append(
                con.execute(
                    "select (select estimated_size from duckdb_tables() "
                    "where schema_name = 'marts' and table_name = 'fct_chat_sessions'), "
                    "(select count(*) from marts.fct_chat_sessions)"
                ).fetchone()
            )
        with duckdb.connect(str(warehouse), read_only=True) as con:
            MOVED_ORDER.append(
                con.execute(
                    "select conversation_id, attributed_order_count from marts.fct_chat_sessions "
                    "where conversation_id in ('xconv-a', 'xconv-b') order by all"
                ).fetchall()
            )
        if index > 0:
            full = root / f"full-{index}.duckdb"
            build_warehouse(raw, full, _as_of(day), with_tests=False)
            relations = [f"marts.{m}" for m in MARTS] + [f"audit.{a}" for a in AUDIT]
            STEP_DIFFERENCES.append(
                (day, [r for r in relations if _rows(warehouse, r) != _rows(full, r)])
            )
        since = until
    return raw, warehouse, CHECKPOINTS[-1]


def test_every_refresh_after_the_first_is_incremental(refreshed) -> None:
    _raw, warehouse, _day = refreshed
    modes = [mode for mode, _reason in _refreshes(warehouse)]
    assert modes == ["full"] + ["incremental"] * (len(CHECKPOINTS) - 1), _refreshes(warehouse)


def test_each_refresh_publishes_only_what_it_recomputed(refreshed) -> None:
    """The first build publishes every relation; each refresh updates the incremental marts of
    the published file in place (macros/publish.sql) and the comparison below holds that
    published file to a full build."""
    assert len(PUBLISHED) == len(CHECKPOINTS)
    assert "marts updated by the rows this refresh recomputed" not in PUBLISHED[0]
    for output in PUBLISHED[1:]:
        assert "(incremental: 6 marts updated by the rows this refresh recomputed" in output, (
            output[-2000:]
        )


def test_a_refresh_leaves_deleted_rows_until_a_table_is_worth_compacting(refreshed) -> None:
    """macros/compaction.sql: a checkpoint does not vacuum (profiles.yml), so a refresh leaves
    the rows it deleted in place; a build compacts the working file and the published copy
    only when a table over compaction_min_rows rows holds compaction_deleted_share of deleted
    rows (here: the tiny tables never reach the default minimum, and the refreshes in
    COMPACTING lower both thresholds; the comparisons with full builds cover them)."""
    assert len(SESSION_ROWS) == len(CHECKPOINTS)
    physical, live = SESSION_ROWS[1]
    assert physical > live, SESSION_ROWS  # the first refresh's deleted sessions are still there
    for index, output in enumerate(PUBLISHED):
        compacted = index in COMPACTING
        assert ("Compacting the working file's deleted rows" in output) == compacted, index
        assert ("Compacting the published file's deleted rows" in output) == compacted, index


def test_every_refresh_equals_a_full_build_of_the_files_then(refreshed) -> None:
    """Compared after every refresh, not only at the end: a later refresh may recompute a stale
    row for another reason and hide it."""
    assert len(STEP_DIFFERENCES) == len(CHECKPOINTS) - 1
    assert all(not differing for _day, differing in STEP_DIFFERENCES), STEP_DIFFERENCES


def test_incremental_refreshes_equal_a_full_build(refreshed, tmp_path: Path) -> None:
    raw, warehouse, day = refreshed
    full = tmp_path / "full.duckdb"
    # about 3,000 messages in batches of 700 (the refreshes' small scopes are never batched),
    # the messages written in conversation-key order (cluster_min_batches)
    built = build_warehouse(
        raw,
        full,
        _as_of(day),
        with_tests=False,
        extra_vars={"conversation_batch_rows": 700, "cluster_min_batches": 2},
    )
    for model in ("int_conversation_events_sessionized", "fct_conversation_events"):
        last = re.findall(rf"{model}: conversation batch (\d+) of (\d+)", built.stdout)
        assert last and last[-1][0] == last[-1][1] and int(last[-1][1]) >= 3, built.stdout[-3000:]
    assert not any("conversation batch" in output for output in PUBLISHED)
    with duckdb.connect(f"{full}.work", read_only=True) as con:
        keys, out_of_order = con.execute(
            "select count(distinct conversation_key), count(*) filter (where conversation_key < prev)"
            " from (select conversation_key, lag(conversation_key) over (order by rowid) as prev"
            "       from staging.base_chat__messages)"
        ).fetchone()
    # each batch's messages sit together, so its scan skips the other batches' row groups
    assert keys > 100 and out_of_order == 0, (keys, out_of_order)
    for relation in [f"marts.{m}" for m in MARTS] + [f"audit.{a}" for a in AUDIT]:
        got, want = _rows(warehouse, relation), _rows(full, relation)
        assert len(got) == len(want), f"{relation}: {len(got)} rows refreshed, {len(want)} full"
        assert got == want, f"{relation} differs between incremental refreshes and a full build"
    sessions = _rows(full, "marts.fct_chat_sessions")
    assert len(sessions) > 200
    with duckdb.connect(str(full), read_only=True) as con:
        holiday, reported, collapsed = con.execute(
            "select (select count(*) from marts.fct_chat_sessions "
            "        where exclusion_reason = 'HOLIDAY_MODE'), "
            "(select count(*) from marts.fct_chat_sessions where exclusion_reason = 'REPORTED'), "
            "(select collapsed_duplicate_rows from audit.row_reconciliation "
            " where source_table = 'messages')"
        ).fetchone()
    # the scenarios really happened: the late edit, the late verdicts, the redeliveries
    assert holiday > 0 and reported > 0 and collapsed > 0, (holiday, reported, collapsed)


def test_an_order_moves_to_the_conversation_whose_reply_landed_late(refreshed) -> None:
    """The refresh that re-walks xconv-a recomputes xconv-b too, which received nothing
    (metrics.md §6; int_refresh_scope, f). Checked right after that refresh: a later one may
    recompute xconv-b for another reason and hide a stale count."""
    assert MOVED_ORDER[0] == MOVED_ORDER[1] == [("xconv-a", 0), ("xconv-b", 1)], MOVED_ORDER
    assert all(after == [("xconv-a", 1), ("xconv-b", 0)] for after in MOVED_ORDER[2:]), MOVED_ORDER


def test_a_refresh_catches_a_stale_twin_of_a_recomputed_row(refreshed, tmp_path: Path) -> None:
    """A refresh's data tests read only the rows it wrote (macros/refresh_tests.sql), except
    the uniqueness tests, which read every row with a key it wrote: a stale row left beside its
    recomputed twin must fail the build. Here a new message makes the refresh recompute a
    conversation, and a stale copy of one of its sessions sits in another conversation with an
    old build's stamp, where the refresh's delete does not reach it: a uniqueness test of the
    written rows alone would pass."""
    raw, warehouse, day = refreshed
    copy, again = tmp_path / "copy.duckdb", raw / "messages" / "arrived-again.csv"
    shutil.copy(warehouse, copy)
    shutil.copy(working_path(warehouse), working_path(copy))
    with duckdb.connect(str(working_path(copy))) as con:
        conversation_id, session_id = con.execute(
            "select conversation_id, session_id from marts.fct_chat_sessions "
            "order by started_at desc, session_id limit 1"
        ).fetchone()
        con.execute(
            "insert into marts.fct_chat_sessions by name "
            "select * replace ('stale-' || conversation_id as conversation_id, "
            "'an earlier build' as built_invocation_id) "
            "from marts.fct_chat_sessions where session_id = ?",
            [session_id],
        )
        # the buyer writes again in that conversation, after the last build's as_of
        con.execute(
            f"copy (select message_id || '-again' as message_id, conversation_id, shop_id, "
            f"sender_role, sender_id, message_type, '' as content, "
            f"strftime(timestamp '{_as_of(day)}' + interval 1 hour, '%Y-%m-%dT%H:%M:%SZ') "
            f"as created_at, 'true' as is_visible "
            f"from staging.base_chat__messages where conversation_id = ? and sender_role = 'BUYER' "
            f"and quarantine_rule is null order by created_at desc limit 1) "
            f"to '{again}' "
            f"(header, force_quote *)",
            [conversation_id],
        )
    try:  # the file is in the module's landing folder (registered paths must not move)
        built = run_dbt(
            ["build", "--exclude-resource-type", "unit_test"],
            raw_dir=raw,
            warehouse_path=copy,
            as_of=_as_of(day + 1),
            check=False,
        )
    finally:
        again.unlink()
    assert _refreshes(copy)[-1][0] == "incremental"
    assert built.returncode != 0
    assert "FAIL 1 unique_fct_chat_sessions_session_id" in built.stdout, built.stdout[-3000:]


def _raw_messages(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select raw_rows from audit.row_reconciliation where source_table = 'messages'"
        ).fetchone()[0]


def test_a_replaced_landing_file_is_noticed_and_recomputed(refreshed) -> None:
    raw, warehouse, day = refreshed
    replaced = raw / "messages" / "arrived-03.csv"
    before = _raw_messages(warehouse)
    con = duckdb.connect()
    rows = con.execute(f"select count(*) from read_csv('{replaced}', all_varchar = true)")
    kept = rows.fetchone()[0] - 5
    assert kept > 0
    # the corrected export: the same file without its first five rows
    con.execute(
        f"copy (select * from read_csv('{replaced}', all_varchar = true) offset 5) "
        f"to '{replaced}.new' (header, force_quote *)"
    )
    con.close()
    Path(f"{replaced}.new").replace(replaced)
    build_warehouse(raw, warehouse, _as_of(day + 1), with_tests=False)
    mode, reason = _refreshes(warehouse)[-1]
    assert mode == "full"
    assert "changed since they were loaded" in reason and "arrived-03.csv" in reason
    assert _raw_messages(warehouse) == before - 5
    # and the build after it is incremental again
    build_warehouse(raw, warehouse, _as_of(day + 2), with_tests=False)
    assert _refreshes(warehouse)[-1][0] == "incremental"
