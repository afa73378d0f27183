"""The benchmark's pure helpers (chat_warehouse.bench) and the DuckDB resource settings
(chat_warehouse.duckdb_plugin); a small generated folder split by day and its floor step.

The benchmark's dbt builds are not run here: three builds take minutes even at 20k messages
(dbt's fixed start-up and 200+ nodes), so `make bench` is their test.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from chat_warehouse import bench
from chat_warehouse.bench import Run, Step
from chat_warehouse.duckdb_plugin import (
    explain_resource_error,
    format_bytes,
    parse_bytes,
    remove_leftover_temp_files,
    resources,
)
from chat_warehouse.generator import GeneratorConfig, generate, prepare_out, read_manifest


@pytest.mark.parametrize(
    ("text", "size"),
    [("1M", 1_000_000), ("10M", 10_000_000), ("100m", 100_000_000), ("200k", 200_000),
     ("1.5M", 1_500_000), ("1_000", 1_000), ("2500", 2_500), ("1G", 1_000_000_000)],
)  # fmt: skip
def test_parse_size(text: str, size: int) -> None:
    assert bench.parse_size(text) == size
    assert bench.label(size) in {text.upper().replace("_", ""), bench.label(size)}


def test_parse_sizes_and_labels() -> None:
    assert bench.parse_sizes("1M,10M") == [1_000_000, 10_000_000]
    assert bench.parse_sizes(" 100M ") == [100_000_000]
    assert [bench.label(n) for n in (1_000_000, 10_000_000, 100_000_000, 20_000, 1_234)] == [
        "1M", "10M", "100M", "20k", "1234"]  # fmt: skip
    for bad in ("ten", "0", "-1M", "M"):
        with pytest.raises(argparse.ArgumentTypeError):
            bench.parse_size(bad)
    assert bench.default_days(10_000_000) == 30 and bench.default_days(100_000_000) == 90
    args = bench.build_parser().parse_args(["--sizes", "100M"])
    assert args.sizes == [100_000_000] and args.section9_at == 10_000_000


def test_help_explains_the_method(capsys) -> None:
    with pytest.raises(SystemExit):
        bench.build_parser().parse_args(["--help"])
    text = capsys.readouterr().out
    for word in ("floor", "full", "refresh", "section 9", "peak RSS", "temp_directory", "--sizes",
                 "results.json", "load average"):  # fmt: skip
        assert word in text, word


def test_split_days_full_build_then_next_day() -> None:
    days = [f"2026-01-{d:02d}" for d in range(1, 31)]
    split = bench.split_days(days)
    assert split.before == tuple(days[:-1]) and split.last == "2026-01-30"
    assert split.full_as_of == "2026-01-30 00:00:00"  # the end of day 29
    assert split.refresh_as_of == "2026-01-31 00:00:00"  # the end of day 30
    with pytest.raises(ValueError):
        bench.split_days(["2026-01-01"])


def test_landing_files_and_links_add_new_files_only(tmp_path: Path) -> None:
    manifest = {
        "rows": {"shops": 9, "messages": 10, "orders": 2, "agents": 3},
        "day_files": {"messages": "messages/{day}.parquet", "orders": "orders/{day}.parquet"},
    }
    first = bench.landing_files(manifest, ["2026-01-01", "2026-01-02"])
    assert first == ["agents.parquet", "shops.parquet", "messages/2026-01-01.parquet",
                     "messages/2026-01-02.parquet", "orders/2026-01-01.parquet",
                     "orders/2026-01-02.parquet"]  # fmt: skip
    source, target = tmp_path / "generated", tmp_path / "raw"
    for rel in bench.landing_files(manifest, ["2026-01-01", "2026-01-02", "2026-01-03"]):
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(rel)
    assert bench.link_files(source, target, first) == 6
    before = {p: p.stat().st_ino for p in target.rglob("*.parquet")}
    assert bench.link_files(source, target, bench.landing_files(manifest, ["2026-01-03"])) == 2
    after = {p: p.stat().st_ino for p in target.rglob("*.parquet")}
    assert {p: after[p] for p in before} == before  # old files untouched, two new ones
    assert sorted(str(p.relative_to(target)) for p in set(after) - set(before)) == [
        "messages/2026-01-03.parquet", "orders/2026-01-03.parquet"]  # fmt: skip
    assert (target / "shops.parquet").stat().st_ino == (source / "shops.parquet").stat().st_ino


RUN_RESULTS = {
    "elapsed_time": 100.0,
    "results": [
        {"unique_id": "model.chat_warehouse.int_walk", "execution_time": 30.0},
        {"unique_id": "model.chat_warehouse.base_chat__messages", "execution_time": 20.0},
        {"unique_id": "model.chat_warehouse.fct_shop_hourly", "execution_time": 2.0},
        {"unique_id": "model.chat_warehouse.fct_agent_workload_daily", "execution_time": 3.0},
        {"unique_id": "test.chat_warehouse.not_null_fct_shop_hourly_shop_id.abc",
         "execution_time": 0.5},
        {"unique_id": "test.chat_warehouse.unique_fct_chat_sessions_id.abc",
         "execution_time": 0.7},
        {"unique_id": "operation.chat_warehouse.chat_warehouse-on-run-end-0",
         "execution_time": 4.25},
        {"unique_id": "operation.chat_warehouse.chat_warehouse-on-run-start-1",
         "execution_time": 1.0},
    ],
}  # fmt: skip


def test_run_results_helpers() -> None:
    assert bench.top_nodes(RUN_RESULTS, n=2) == [["int_walk", 30.0], ["base_chat__messages", 20.0]]
    assert bench.hook_seconds(RUN_RESULTS) == 4.25
    assert bench.hook_seconds({"results": []}) is None
    assert bench.node_seconds(RUN_RESULTS, bench.SECTION9_MODELS) == 5.5
    assert bench.node_seconds(RUN_RESULTS, bench.SECTION9_MODELS, tests=False) == 5.0
    assert bench.scaling_exponent((10, 100.0), (100, 1000.0)) == 1.0
    assert bench.scaling_exponent((10, 100.0), (100, 500.0)) == 0.7
    assert bench.scaling_exponent((10, 100.0), (10, 500.0)) is None


def test_the_heartbeat_names_what_dbt_runs_now(tmp_path: Path) -> None:
    """The last START line of dbt's log, or a later conversation batch of a model
    (macros/batches.sql); none while dbt has started nothing."""
    log = tmp_path / "dbt.log"
    log.write_text("\x1b[0m08:00:00  Running 4 on-run-start hooks\n")
    assert bench._last_start(log) is None
    start = "08:00:01  12 of 228 START sql incremental model intermediate.int_walk ... [RUN]\n"
    log.write_text(log.read_text() + start)
    assert bench._last_start(log) == "intermediate.int_walk"
    batch = "08:01:00  int_walk: conversation batch 3 of 20\n  and x = 2 /* conversation batch 3 of 20 */\n"
    log.write_text(log.read_text() + batch)
    assert bench._last_start(log) == "int_walk (batch 3 of 20)"
    log.write_text(log.read_text() + "08:02:00  13 of 228 START test not_null_x ..... [RUN]\n")
    assert bench._last_start(log) == "not_null_x"
    assert bench._last_start(tmp_path / "missing.log") is None


def _run(size: int, full: float, floor: float, refresh: float, rss: float, temp: float) -> Run:
    return Run(
        size=size,
        days=30,
        messages=size,
        full_messages=size - size // 30,
        floor=Step(ok=True, seconds=floor, peak_rss_mib=500.0, load_before=[1.0, 1, 1]),
        full=Step(
            ok=True,
            seconds=full,
            dbt_seconds=full - 10,
            peak_rss_mib=rss,
            peak_temp_mib=temp,
            load_before=[2.5, 2, 2],
            publish_seconds=4.0,
            top_models=[["int_walk", 30.0]],
            tests_seconds=12.0,
        ),
        refresh=Step(
            ok=True,
            seconds=refresh,
            dbt_seconds=refresh - 10,
            peak_rss_mib=rss / 2,
            peak_temp_mib=0.0,
            load_before=[2.0, 2, 2],
        ),
    )


def test_report_and_targets() -> None:
    small = _run(1_000_000, full=30.0, floor=3.0, refresh=10.0, rss=1024.0, temp=0.0)
    big = _run(10_000_000, full=200.0, floor=50.0, refresh=20.0, rss=9 * 1024.0, temp=2048.0)
    big.without_section9 = Step(ok=True, seconds=180.0)
    big.section9_model_seconds = 5.5
    assert big.full_over_floor == 4.0 and big.refresh_share == 0.1
    assert big.refresh_share_dbt == pytest.approx(10 / 190)
    assert big.section9_added == 20.0 and big.section9_share == pytest.approx(20 / 180)
    assert big.messages_per_second == pytest.approx(big.full_messages / 200)
    checks = {c["target"]: c for c in bench.targets([small, big]) if c["size"] == "10M"}
    assert checks["refresh_share"]["met"] is True
    assert checks["full_over_floor"]["met"] is True
    assert checks["peak_rss_gib"]["met"] is False and checks["peak_rss_gib"]["value"] == 9.0
    assert checks["section9_share"]["met"] is True
    text = bench.report([small, big], bench.targets([small, big]))
    lines = text.splitlines()
    assert lines[0].split() == ["size", "days", "messages", "floor", "s", "full", "s", "x",
                                "floor", "refresh", "s", "refresh", "%", "peak", "RSS", "peak",
                                "temp", "msgs/s", "load"]  # fmt: skip
    row = next(line for line in lines if line.strip().startswith("10M"))
    assert row.split()[3:] == ["50.0", "200.0", "4.0x", "20.0", "10.0%", "9.00G", "2.00G",
                               f"{big.messages_per_second:,.0f}", "2.5"]  # fmt: skip
    assert "§9 cost at 10M" in text and "+20.0 s = 11.1%" in text
    assert "10M peak_rss_gib" in " ".join(text.split()) and "NOT MET" in text
    assert "10M full build, slowest models: int_walk 30.0s" in text


def test_results_round_trip_and_earlier_runs(tmp_path: Path) -> None:
    big = _run(10_000_000, full=200.0, floor=50.0, refresh=20.0, rss=1024.0, temp=0.0)
    data = big.to_json()
    assert data["refresh_share"] == 0.1 and data["full"]["seconds"] == 200.0
    again = Run.from_json(json.loads(json.dumps(data)))
    assert again.full == big.full and again.refresh_share == 0.1
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"seed": 7, "runs": [data]}))
    earlier = bench._earlier_runs(path, [100_000_000], seed=7)
    assert [r.size for r in earlier] == [10_000_000] and earlier[0].earlier
    assert bench._earlier_runs(path, [10_000_000], seed=7) == []
    assert bench._earlier_runs(path, [100_000_000], seed=8) == []


def test_resources_from_config_and_environment(tmp_path: Path) -> None:
    work = str(tmp_path / "chat.duckdb.work")
    res = resources({"memory_fraction": 0.25, "max_temp_directory_size": "30GB"}, work, env={})
    assert res.temp_directory == work + ".tmp"
    assert 0 < res.memory_limit and res.threads is None
    assert res.max_temp_directory_size <= 30 * 10**9
    env = {"CHAT_DUCKDB_MEMORY_LIMIT": "6GB", "CHAT_DUCKDB_TEMP_DIR": str(tmp_path / "spill"),
           "CHAT_DUCKDB_MAX_TEMP": "1GiB", "CHAT_DUCKDB_THREADS": "2"}  # fmt: skip
    res = resources({"memory_fraction": 0.25}, work, env=env)
    assert res.memory_limit == 6 * 10**9 and res.max_temp_directory_size == 1024**3
    assert res.temp_directory == str(tmp_path / "spill") and res.threads == 2
    config = res.duckdb_config()
    assert config == {"memory_limit": format_bytes(6 * 10**9), "temp_directory": str(tmp_path / "spill"),
                      "max_temp_directory_size": "1024MiB", "threads": 2}  # fmt: skip
    assert res.after_connect() == {"max_temp_directory_size": "1024MiB"}
    # More than the disk has: lowered to 90% of the free space, and said so.
    huge = resources({"max_temp_directory_size": "100000TB"}, work, env={})
    assert huge.max_temp_directory_size < 100_000 * 10**12 and "lowered" in huge.describe()
    with pytest.raises(ValueError):
        resources({"memory_fraction": 1.5}, work, env={})
    with pytest.raises(ValueError):
        parse_bytes("six gigabytes")
    assert parse_bytes("512MB") == 512 * 10**6 and parse_bytes("1.5 GiB") == 1.5 * 1024**3


def test_resource_errors_get_a_hint_line(tmp_path: Path) -> None:
    res = resources({}, str(tmp_path / "w.duckdb.work"), env={"CHAT_DUCKDB_MAX_TEMP": "5MB"})
    spilled = ("Out of Memory Error: failed to offload data block of size 256.0 KiB (3.9 MiB/4.0 "
               "MiB used).\nThis limit was set by the 'max_temp_directory_size' setting.")  # fmt: skip
    hint = explain_resource_error(spilled, res)
    assert "max_temp_directory_size (5 MiB)" in hint and "CHAT_DUCKDB_MAX_TEMP" in hint
    assert "\n" not in hint
    memory = "Out of Memory Error: could not allocate block of size 256.0 KiB (94.8 MiB/95.0 MiB)"
    assert "CHAT_DUCKDB_MEMORY_LIMIT" in explain_resource_error(memory, res)
    assert explain_resource_error("Catalog Error: Table x does not exist", res) is None


def test_leftover_spill_files_are_removed(tmp_path: Path) -> None:
    temp = tmp_path / "chat.duckdb.work.tmp"
    temp.mkdir()
    (temp / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"x" * 100)
    (temp / "duckdb_temp_block-1.block").write_bytes(b"x" * 10)
    (temp / "notes.txt").write_text("not DuckDB's")
    assert remove_leftover_temp_files(temp) == 110
    assert [p.name for p in temp.iterdir()] == ["notes.txt"]
    (temp / "notes.txt").unlink()
    remove_leftover_temp_files(temp)
    assert not temp.exists()


def test_floor_on_a_generated_folder_split_by_day(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    prepare_out(generated, force=True)
    generate(GeneratorConfig(out=generated, messages=3_000, days=5, daily_tables=bench.DAILY))
    manifest = read_manifest(generated)
    split = bench.split_days(manifest["days"])
    raw = tmp_path / "raw"
    bench.link_files(generated, raw, bench.landing_files(manifest, split.before))
    assert sorted(p.name for p in (raw / "orders").iterdir()) == [
        f"{d}.parquet" for d in split.before]  # fmt: skip
    result = bench._floor_step(str(raw), str(tmp_path / "floor.duckdb"))
    assert result["rows"] == sum(manifest["day_rows"]["messages"][:-1]) > 0
