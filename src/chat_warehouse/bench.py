"""`python -m chat_warehouse.bench` (`make bench`): how a full build scales with volume.

For each size: generate a landing folder (timed on its own, reused when one of the same size,
seed and generator code is already there), load the reference seeds into a fresh DuckDB file,
build the warehouse with `dbt run` as of the end of the generated period (the build figure),
then time `dbt test`. Every step runs in a fresh child process, so the peak memory reported for
a build is that of its dbt process alone. Prints a table and the largest/smallest build-time
ratio against the size ratio, and writes `results.json`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing as mp
import os
import platform
import re
import resource
import signal
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chat_warehouse.dbt_invoke import PROJECT_DIR

DEFAULT_SIZES = "1000000,10000000"
TAIL_LINES = 60


@dataclass
class Run:
    """The figures of one size."""

    size: int
    messages: int = 0
    generate_seconds: float | None = None
    generate_peak_rss_mib: float | None = None
    generate_reused: bool = False
    seed_seconds: float | None = None
    build_seconds: float | None = None
    build_peak_rss_mib: float | None = None
    messages_per_second: float | None = None
    test_seconds: float | None = None
    test_ok: bool | None = None
    error: str | None = None


def parse_sizes(text: str) -> list[int]:
    """`1000000,10M,200k` -> [1000000, 10000000, 200000]."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1:], 1)
        number = part[:-1] if scale > 1 else part
        try:
            value = int(float(number) * scale)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a size: {part!r}") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"size must be positive: {part!r}")
        sizes.append(value)
    return sizes


def _label(size: int) -> str:
    for unit, name in ((1_000_000, "M"), (1_000, "k")):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{name}"
    return str(size)


# --- steps, each run in a spawned child process -------------------------------------------


def _generate_step(raw: str, size: int, seed: int) -> dict[str, Any]:
    from chat_warehouse.generator import GeneratorConfig, generate, prepare_out

    prepare_out(Path(raw), force=True)
    summary = generate(GeneratorConfig(out=Path(raw), messages=size, seed=seed))
    return {"messages": summary.rows["messages"]}


def _seed_step(raw: str, warehouse: str, as_of: str) -> dict[str, Any]:
    from chat_warehouse.dbt_invoke import run_dbt

    run_dbt(["seed"], raw_dir=raw, warehouse_path=warehouse, as_of=as_of)
    return {}


def _build_step(raw: str, warehouse: str, as_of: str) -> dict[str, Any]:
    from chat_warehouse.dbt_invoke import build_warehouse

    build_warehouse(raw, warehouse, as_of=as_of, with_tests=False)
    return {}


def _test_step(raw: str, warehouse: str, as_of: str) -> dict[str, Any]:
    from chat_warehouse.dbt_invoke import run_dbt

    run_dbt(
        ["test", "--exclude-resource-type", "unit_test"],
        raw_dir=raw,
        warehouse_path=warehouse,
        as_of=as_of,
    )
    return {}


def _child(step, args: tuple, conn) -> None:
    started = time.perf_counter()
    result: dict[str, Any] = {"ok": True}
    try:
        result.update(step(*args))
    except Exception as exc:  # noqa: BLE001 - any failure is reported to the parent
        result = {"ok": False, "output": _failure_text(exc)}
    result["seconds"] = time.perf_counter() - started
    # ru_maxrss is in KiB on Linux. Children: the largest waited-for child, i.e. the dbt process.
    result["self_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["child_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    conn.send(result)
    conn.close()


def _failure_text(exc: Exception) -> str:
    """dbt's output and how it ended (a negative exit status is the signal that killed it)."""
    code = getattr(exc, "returncode", None)
    output = getattr(exc, "output", None) or f"{type(exc).__name__}: {exc}"
    if code is None:
        return output
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        ending = f"dbt was killed by {name}" + (
            " (often the kernel's out-of-memory killer)" if -code == signal.SIGKILL else ""
        )
    else:
        ending = f"dbt exited with status {code}"
    return f"{output.rstrip()}\n{ending}"


def measure(step, *args: Any) -> dict[str, Any]:
    """Run `step(*args)` in a fresh process: its result, wall seconds and peak memory."""
    ctx = mp.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(step, args, send))
    proc.start()
    send.close()
    result = None
    while result is None:
        if receive.poll(1.0):
            result = receive.recv()
        elif not proc.is_alive():
            result = {"ok": False, "output": f"step process died (exit {proc.exitcode})"}
    proc.join()
    receive.close()
    return result


# --- the benchmark ----------------------------------------------------------------------


def _ensure_data(case: Path, run: Run, seed: int, quiet: bool) -> str | None:
    """Generate (or reuse) the landing folder of a case; returns its as_of, None on failure."""
    from chat_warehouse.generator import GeneratorConfig, read_manifest
    from chat_warehouse.generator.engine import code_fingerprint

    raw = case / "raw"
    expected = GeneratorConfig(out=raw, messages=run.size, seed=seed).options()
    manifest = read_manifest(raw)
    record = case / "generation.json"
    same = (
        manifest and manifest["options"] == expected and manifest.get("code") == code_fingerprint()
    )
    if same:
        run.generate_reused = True
        if record.is_file():
            previous = json.loads(record.read_text())
            run.generate_seconds = previous.get("seconds")
            run.generate_peak_rss_mib = previous.get("peak_rss_mib")
    else:
        _say(quiet, f"generating {run.size:,} messages into {raw} ...")
        result = measure(_generate_step, str(raw), run.size, seed)
        if not result["ok"]:
            run.error = f"generation failed: {result['output']}"
            return None
        run.generate_seconds = round(result["seconds"], 2)
        run.generate_peak_rss_mib = round(result["self_rss_mib"], 1)
        record.write_text(
            json.dumps({"seconds": run.generate_seconds, "peak_rss_mib": run.generate_peak_rss_mib})
        )
        manifest = read_manifest(raw)
    run.messages = manifest["rows"]["messages"]
    return manifest["as_of"]


def _fresh(warehouse: Path) -> None:
    for path in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        path.unlink(missing_ok=True)


def _tail(output: str) -> str:
    """The last lines of dbt's output, without colour codes."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    return "\n".join(plain.rstrip().splitlines()[-TAIL_LINES:])


def bench_size(size: int, seed: int, data_dir: Path, keep: bool, quiet: bool) -> Run:
    """Generate, build and test one size."""
    run = Run(size=size)
    case = data_dir / f"{_label(size)}-seed{seed}"
    case.mkdir(parents=True, exist_ok=True)
    as_of = _ensure_data(case, run, seed, quiet)
    if as_of is None:
        return run
    raw, warehouse = case / "raw", case / "warehouse.duckdb"
    _fresh(warehouse)
    # The reference seeds: `dbt test` checks marts against them; `dbt run` does not load them.
    seed = measure(_seed_step, str(raw), str(warehouse), as_of)
    if not seed["ok"]:
        run.error = "dbt seed failed:\n" + _tail(seed["output"])
        return run
    run.seed_seconds = round(seed["seconds"], 2)
    _say(quiet, f"building {run.messages:,} messages (dbt run, as_of {as_of}) ...")
    build = measure(_build_step, str(raw), str(warehouse), as_of)
    if not build["ok"]:
        run.error = "dbt run failed:\n" + _tail(build["output"])
        return run
    run.build_seconds = round(build["seconds"], 2)
    run.build_peak_rss_mib = round(build["child_rss_mib"], 1)
    run.messages_per_second = round(run.messages / build["seconds"])
    _say(quiet, f"built in {run.build_seconds:.1f} s; testing (dbt test) ...")
    test = measure(_test_step, str(raw), str(warehouse), as_of)
    run.test_seconds = round(test["seconds"], 2)
    run.test_ok = test["ok"]
    if not test["ok"]:
        run.error = "dbt test failed:\n" + _tail(test["output"])
    if not keep:
        _fresh(warehouse)
    return run


def linear_check(runs: list[Run]) -> dict[str, Any] | None:
    """Build time of the largest size over the smallest, against their message ratio."""
    done = sorted((r for r in runs if r.build_seconds), key=lambda r: r.messages)
    if len(done) < 2 or done[0].messages == done[-1].messages:
        return None
    small, big = done[0], done[-1]
    size_ratio = big.messages / small.messages
    time_ratio = big.build_seconds / small.build_seconds
    return {
        "small": _label(small.size),
        "big": _label(big.size),
        "size_ratio": round(size_ratio, 2),
        "time_ratio": round(time_ratio, 2),
        # 1.0: time grows linearly with volume; below: sub-linear (fixed costs); above: worse.
        "scaling_exponent": round(math.log(time_ratio) / math.log(size_ratio), 2),
    }


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def report(runs: list[Run], check: dict[str, Any] | None) -> str:
    """The results as a text table."""
    head = (
        f"{'size':>6} {'messages':>12} {'gen s':>7} {'build s':>8} {'peak RSS MiB':>13} "
        f"{'messages/s':>11} {'test s':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in runs:
        lines.append(
            f"{_label(r.size):>6} {r.messages:>12,} "
            f"{_fmt(r.generate_seconds, '.1f') + ('*' if r.generate_reused else ''):>7} "
            f"{_fmt(r.build_seconds, '.1f'):>8} {_fmt(r.build_peak_rss_mib, '.0f'):>13} "
            f"{_fmt(r.messages_per_second, ',.0f'):>11} {_fmt(r.test_seconds, '.1f'):>7}"
            + ("" if r.error is None else "  FAILED")
        )
    if any(r.generate_reused for r in runs):
        lines.append("* data generated by an earlier run and reused (its generation time)")
    if check:
        verdict = "linear" if abs(check["scaling_exponent"] - 1) <= 0.1 else (
            "sub-linear" if check["scaling_exponent"] < 1 else "super-linear")  # fmt: skip
        lines.append(
            f"\n{check['big']}/{check['small']}: build time x{check['time_ratio']} for "
            f"x{check['size_ratio']} the messages (exponent {check['scaling_exponent']}: {verdict})"
        )
    return "\n".join(lines)


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(f"bench: {text}", file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="chat-bench",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Generation is not part of the build figure. Exit status: 0 when every build and "
        "test passed, 1 otherwise (dbt's error tail is printed).",
    )
    p.add_argument(
        "--sizes",
        type=parse_sizes,
        default=parse_sizes(DEFAULT_SIZES),
        help=f"comma-separated message counts; k and M suffixes allowed (default: {DEFAULT_SIZES})",
    )
    p.add_argument("--seed", type=int, default=7, help="generator seed (default: %(default)s)")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=PROJECT_DIR / "bench",
        help="where generated data, warehouses and results.json go; data of the same "
        "size, seed and generator code is reused (default: bench/ at the repository root)",
    )
    p.add_argument(
        "--keep-warehouse",
        action="store_true",
        help="keep each built DuckDB file (<data-dir>/<size>-seed<seed>/"
        "warehouse.duckdb) instead of deleting it after the test",
    )
    p.add_argument("--quiet", action="store_true", help="print only the results table")
    return p  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    args = build_parser().parse_args(argv)
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    for size in args.sizes:
        run = bench_size(size, args.seed, data_dir, args.keep_warehouse, args.quiet)
        runs.append(run)
        if run.error:
            print(f"bench: {_label(size)}: {run.error}", file=sys.stderr)
        if run.build_seconds is None:
            break  # a failed build will fail at every size
    check = linear_check(runs)
    print(report(runs, check))
    results = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": args.seed,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "runs": [asdict(r) for r in runs],
        "linear_check": check,
    }
    path = data_dir / "results.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results written to {path}")
    return 0 if all(r.error is None for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
