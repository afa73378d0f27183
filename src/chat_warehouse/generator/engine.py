"""Run the generator: the world, then conversations chunk by chunk, streamed to disk.

Memory stays bounded whatever `--messages` is: a chunk of a few thousand conversations is
planned, turned into rows, broken a little (faults.py), sorted by day, converted to Arrow and
handed to the table sinks, which write each day's file as rows gather (writer.py), in a
background thread while the next chunk is simulated. The number of conversations per chunk
follows the running messages-per-conversation average, so the run stops close to the target.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chat_warehouse.generator.config import DAY, GeneratorConfig
from chat_warehouse.generator.content import ContentPool
from chat_warehouse.generator.emit import Counters, Frame, emit_chunk
from chat_warehouse.generator.faults import bad_small_rows, break_frame
from chat_warehouse.generator.plan import plan_chunk
from chat_warehouse.generator.schema import DAILY_TABLES, STREAMED_TABLES, TABLES
from chat_warehouse.generator.tables import TableBuilder
from chat_warehouse.generator.world import build_world
from chat_warehouse.generator.writer import Background, DailySink, TableSink, day_file, write_table

MANIFEST = "_manifest.json"
CHUNK_MESSAGES = 250_000  # messages simulated per chunk (bounds memory)
FIRST_GUESS_PER_CONVERSATION = 15.0


@dataclass
class Progress:
    """Where a run stands, passed to the progress callback after every chunk."""

    messages: int
    target: int
    conversations: int
    seconds: float
    done: bool = False

    @property
    def rate(self) -> float:
        """Messages per second so far."""
        return self.messages / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Summary:
    """What a run wrote."""

    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    bad_rows: dict[str, int] = field(default_factory=dict)
    conversations: int = 0
    sessions: int = 0
    seconds: float = 0.0
    # Parquet: per daily table, its rows per day of the period.
    day_rows: dict[str, list[int]] = field(default_factory=dict)


def prepare_out(out: Path, force: bool) -> None:
    """Create `out`; a non-empty folder is refused unless `force`, then replaced."""
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(
                f"{out} is not empty; pass --force to replace it, or choose another --out"
            )
        if out == Path(out.anchor) or out == Path.home() or out in Path.cwd().parents:
            raise FileExistsError(f"refusing to replace {out}: choose a dedicated folder")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def generate(cfg: GeneratorConfig, progress: Callable[[Progress], None] | None = None) -> Summary:
    """Write a landing folder into `cfg.out` (which must exist) and return what was written."""
    started = time.perf_counter()
    world_rng, sim_rng, fault_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(3)
    )
    world = build_world(cfg, world_rng)
    content = ContentPool(world.agent_ids)
    builder = TableBuilder(world, content, cfg.fmt)
    summary = Summary(out=cfg.out, bad_rows={t: 0 for t in TABLES})

    small = {
        "shops": world.shop_rows,
        "agents": world.agent_rows,
        "shop_holiday_periods": world.holiday_rows,
    }
    for table, rows in small.items():
        if cfg.bad_row_share > 0:
            n_bad = max(1, round(cfg.bad_row_share * len(rows)))
            rows = rows + bad_small_rows(table, n_bad, world.shop_ids, cfg.start_ms)
            summary.bad_rows[table] = n_bad
        write_table(cfg.out, table, cfg.fmt, builder.from_rows(table, rows))
        summary.rows[table] = len(rows)

    background = Background()
    daily = set(cfg.daily_tables) if cfg.fmt == "parquet" else set()
    sinks: dict[str, DailySink | TableSink] = {
        t: DailySink(cfg.out, t, cfg.start, cfg.days, background)
        if t in daily
        else TableSink(cfg.out, t, cfg.fmt)
        for t in STREAMED_TABLES
    }
    try:
        _simulate(cfg, world, content, builder, sinks, sim_rng, fault_rng, summary, progress,
                  started)  # fmt: skip
        for sink in sinks.values():
            sink.close()
    finally:
        background.close()
    for table, sink in sinks.items():
        summary.rows[table] = sink.rows
        if isinstance(sink, DailySink):
            summary.day_rows[table] = sink.day_rows
    summary.seconds = time.perf_counter() - started
    _write_manifest(cfg, summary)
    if progress:
        progress(
            Progress(summary.rows["messages"], cfg.messages, summary.conversations,
                     summary.seconds, True)
        )  # fmt: skip
    return summary


def day_index(cfg: GeneratorConfig, ms: np.ndarray) -> np.ndarray:
    """The day of the period (0-based) of each instant; null, broken or earlier instants are
    the first day, later ones the last."""
    days = (np.maximum(ms, cfg.start_ms) - cfg.start_ms) // DAY
    return np.minimum(days, cfg.days - 1).astype(np.int16)


def _by_day(cfg: GeneratorConfig, frame: Frame, column: str) -> tuple[Frame, np.ndarray]:
    """The frame's rows sorted by day (stable: within a day, as emitted), and their days."""
    day = day_index(cfg, frame[column])
    order = np.argsort(day, kind="stable")  # a radix sort on int16
    return {name: values[order] for name, values in frame.items()}, day[order]


def _simulate(cfg, world, content, builder, sinks, sim_rng, fault_rng, summary, progress,
              started) -> None:  # fmt: skip
    """Plan and emit chunks of conversations until about `cfg.messages` messages are written."""
    counters = Counters()
    messages = 0
    per_conversation = FIRST_GUESS_PER_CONVERSATION
    while messages == 0 or cfg.messages - messages > per_conversation / 2:
        wanted = round((cfg.messages - messages) / per_conversation)
        if messages == 0:  # the first chunk calibrates the messages-per-conversation average
            wanted = round(wanted * 0.6)
        n_conv = int(np.clip(wanted, 1, max(1, CHUNK_MESSAGES / per_conversation)))
        plan = plan_chunk(world, sim_rng, counters.conversations, n_conv)
        counters.conversations += n_conv
        summary.sessions += len(plan["t0"])
        for table, frame in emit_chunk(world, content, plan, sim_rng, counters).items():
            first = summary.bad_rows[table] == 0
            frame, n_bad = break_frame(table, frame, fault_rng, cfg.bad_row_share, first)
            summary.bad_rows[table] += n_bad
            sink = sinks[table]
            if isinstance(sink, DailySink):
                frame, day = _by_day(cfg, frame, DAILY_TABLES[table])
                sink.append(builder.build(table, frame), day)
            else:
                sink.append(builder.build(table, frame))
            if table == "messages":
                messages += len(frame["t"])
        per_conversation = max(messages / counters.conversations, 1.0)
        summary.conversations = counters.conversations
        if progress:
            elapsed = time.perf_counter() - started
            progress(Progress(messages, cfg.messages, counters.conversations, elapsed))


def code_fingerprint() -> str:
    """A hash of the generator's source: data written by other code is not reused."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _write_manifest(cfg: GeneratorConfig, summary: Summary) -> None:
    """`_manifest.json`: the options, the period and the row counts (no timings, so that a
    rerun is byte-identical). Written last: its presence marks a complete folder."""
    manifest = {
        "generator": "chat_warehouse.generator",
        "code": code_fingerprint(),
        "options": cfg.options(),
        "period_start": f"{cfg.start.isoformat()} 00:00:00",
        "period_end": cfg.period_end.isoformat(sep=" "),
        "as_of": cfg.period_end.isoformat(sep=" "),
        "rows": {t: summary.rows[t] for t in TABLES},
        "bad_rows": summary.bad_rows,
        "conversations": summary.conversations,
        "sessions": summary.sessions,
    }
    if summary.day_rows:
        # One file per day of each daily table: the landing folder as of the end of a day is
        # the files of the days up to it (e.g. chat_warehouse.bench).
        manifest["days"] = [d.isoformat() for d in cfg.dates]
        manifest["day_files"] = {t: day_file(t, "{day}") for t in summary.day_rows}
        manifest["day_rows"] = summary.day_rows
    text = json.dumps(manifest, indent=2) + "\n"
    (cfg.out / MANIFEST).write_text(text, encoding="utf-8")


def read_manifest(out: Path) -> dict | None:
    """The manifest of a complete generated folder, or None."""
    path = out / MANIFEST
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
