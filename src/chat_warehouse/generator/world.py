"""The fixed cast of a landing folder: shops, their agents and shifts, holiday periods.

Besides the rows of the small tables, the world holds hourly grids over the period (one cell per
shop and UTC hour) that the session simulator samples from: how busy the shop is (a daily and a
weekly rhythm in shop local time, sale days), which agents are on shift, and the next hour an
agent comes on shift. Everything derives from the seed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from chat_warehouse.generator.config import DAY, HOUR, GeneratorConfig

LANGUAGES = ("id", "en", "th", "vi")
CURRENCIES = ("IDR", "SGD", "THB", "VND", "USD")

# (name, IANA zone, platform, language, currency). Tokopedia is Indonesian only.
SHOP_TEMPLATES = (
    ("Batik Sekar Jagad", "Asia/Jakarta", "TIKTOK_SHOP", "id", "IDR"),
    ("Gadget Murah Jaya", "Asia/Jakarta", "TOKOPEDIA", "id", "IDR"),
    ("Kosmetik Anggun Makassar", "Asia/Makassar", "TOKOPEDIA", "id", "IDR"),
    ("Lion City Home Living", "Asia/Singapore", "TIKTOK_SHOP", "en", "SGD"),
    ("Siam Beauty Corner", "Asia/Bangkok", "TIKTOK_SHOP", "th", "THB"),
    ("Saigon Sneaker House", "Asia/Ho_Chi_Minh", "TIKTOK_SHOP", "vi", "VND"),
    ("Kopi Papua Wamena", "Asia/Jayapura", "TOKOPEDIA", "id", "IDR"),
    ("Pacific Pet Supply", "America/Los_Angeles", "TIKTOK_SHOP", "en", "USD"),
)
NICKNAMES = {
    "id": ("Rina", "Dewi", "Budi", "Sari", "Agus", "Putri", "Eko", "Wulan", "Fajar", "Intan"),
    "en": ("Alice", "Ben", "Chloe", "Daniel", "Grace", "Marcus", "Priya", "Wei Ling", "Sam"),
    "th": ("Somchai", "Nok", "Ploy", "Arthit", "Malee", "Kanya", "Niran", "Ying"),
    "vi": ("Linh", "Minh", "Trang", "Huy", "Thao", "Quang", "Lan", "Tuan"),
}

# Buyer traffic by local hour (busy evenings, quiet nights) and by local weekday (Mon..Sun).
HOURLY_PROFILE = np.array(
    [0.35, 0.2, 0.12, 0.08, 0.07, 0.1, 0.25, 0.45, 0.65, 0.8, 0.9, 0.95,
     1.0, 0.95, 0.9, 0.9, 0.95, 1.0, 1.1, 1.35, 1.55, 1.6, 1.35, 0.8]
)  # fmt: skip
WEEKLY_PROFILE = np.array([1.0, 0.97, 0.97, 1.0, 1.05, 1.15, 1.2])
# Shifts in local time: (first hour, length in hours). The owner (agent 0) takes the first.
SHIFTS = ((9, 12), (8, 9), (13, 9), (16, 8), (10, 9), (18, 8), (22, 9), (7, 9))
# How many hours past the period the grids reach (late replies, next-shift look-ups).
GRID_SPILL_DAYS = 15


@dataclass
class World:
    """Shops, agents, holiday periods and the hourly grids of one run."""

    start_ms: int
    end_ms: int
    shop_ids: list[str]
    shop_rows: list[dict[str, object]]
    shop_lang: np.ndarray  # index into LANGUAGES
    shop_currency: np.ndarray  # index into CURRENCIES
    shop_weight: np.ndarray  # share of conversations
    p_never: np.ndarray  # chance a session is never answered
    p_late: np.ndarray  # chance the first reply comes after 24 h
    reply_median_ms: np.ndarray  # median first-reply delay while agents are on shift
    has_greeting: np.ndarray  # the shop's chatbot greets new sessions
    agent_ids: list[str]
    agent_rows: list[dict[str, object]]
    agent_shop: np.ndarray
    shop_agent_start: np.ndarray  # first global agent index of each shop (its owner)
    shop_agent_count: np.ndarray
    cdf: np.ndarray  # per shop cumulative traffic over the period hours, shifted by shop index
    onshift_agents: np.ndarray  # [shop, hour, k]: on-shift agents first
    onshift_count: np.ndarray  # [shop, hour]
    next_on: np.ndarray  # [shop, hour]: first hour >= this one with an agent on shift, else -1
    holiday_rows: list[dict[str, object]] = field(default_factory=list)
    # Effective holiday intervals (latest version): shop, start, end (int64 max: still on).
    holidays: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.int64))

    @property
    def n_agents(self) -> int:
        """Number of agents over all shops (shop accounts are numbered after them)."""
        return len(self.agent_ids)

    def hour_index(self, t: np.ndarray) -> np.ndarray:
        """Grid hour of each instant, clipped to the grid."""
        h = (t - self.start_ms) // HOUR
        return np.clip(h, 0, self.onshift_count.shape[1] - 1)

    def hour_start(self, h: np.ndarray) -> np.ndarray:
        """First instant of each grid hour."""
        return self.start_ms + h.astype(np.int64) * HOUR

    def sample_times(self, rng: np.random.Generator, shop: np.ndarray) -> np.ndarray:
        """Session start instants following each shop's traffic rhythm."""
        n_hours = self.cdf.size // len(self.shop_ids)
        pos = np.searchsorted(self.cdf, shop + rng.random(len(shop)), side="right")
        hour = np.minimum(pos - shop * n_hours, n_hours - 1)
        return self.hour_start(hour) + (rng.random(len(shop)) * HOUR).astype(np.int64)

    def pick_agent(self, shop: np.ndarray, hour: np.ndarray, u: np.ndarray) -> np.ndarray:
        """An agent on shift at that shop and hour, chosen by `u` in [0, 1); -1 when none."""
        hour = np.clip(hour, 0, self.onshift_count.shape[1] - 1)
        count = self.onshift_count[shop, hour]
        k = np.minimum((u * count).astype(np.int64), self.onshift_agents.shape[2] - 1)
        return np.where(count > 0, self.onshift_agents[shop, hour, k], -1)

    def in_holiday(self, shop: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Whether each instant lies in a holiday period of its shop."""
        hit = np.zeros(len(t), bool)
        for s, start, end in self.holidays:
            hit |= (shop == s) & (t >= start) & (t < end)
        return hit


def build_world(cfg: GeneratorConfig, rng: np.random.Generator) -> World:
    """Draw the shops, agents and holiday periods of a run and precompute its grids."""
    k = cfg.shops
    n_hours = cfg.days * 24
    n_grid = n_hours + GRID_SPILL_DAYS * 24
    shop_ids = [f"shop_{i + 1:02d}" for i in range(k)]
    templates = [SHOP_TEMPLATES[i % len(SHOP_TEMPLATES)] for i in range(k)]
    shop_rows = []
    for i, (name, tz, platform, _, _) in enumerate(templates):
        lap = i // len(SHOP_TEMPLATES)
        shop_rows.append(
            {
                "shop_id": shop_ids[i],
                "platform": platform,
                "shop_name": name if lap == 0 else f"{name} {lap + 1}",
                "timezone": tz,
            }
        )
    weight = rng.permutation(1.0 / np.arange(1, k + 1) ** 0.8)
    quality = rng.permutation(np.linspace(0.0, 1.0, k)) if k > 1 else np.array([0.6])

    grid_sec = cfg.start_ms // 1000 + np.arange(n_grid) * 3600
    local_hour = np.empty((k, n_grid), np.int64)
    local_wday = np.empty((k, n_grid), np.int64)
    local_day = np.empty((k, n_grid), np.int64)
    for i, (_, tz, _, _, _) in enumerate(templates):
        zone = ZoneInfo(tz)
        stamps = [dt.datetime.fromtimestamp(int(s), zone) for s in grid_sec]
        local_hour[i] = [s.hour for s in stamps]
        local_wday[i] = [s.weekday() for s in stamps]
        local_day[i] = [s.day * 100 + s.month for s in stamps]

    # Traffic: rhythm x sale days (2.2, 3.3, ...; payday on the 25th) x a mild upward trend.
    rhythm = HOURLY_PROFILE[local_hour[:, :n_hours]] * WEEKLY_PROFILE[local_wday[:, :n_hours]]
    day_of = local_day[:, :n_hours]
    sale = np.where(day_of // 100 == day_of % 100, 2.2, np.where(day_of // 100 == 25, 1.3, 1.0))
    trend = 1.0 + 0.15 * np.arange(n_hours) / n_hours
    intensity = rhythm * sale * trend
    cdf = np.cumsum(intensity, axis=1)
    cdf = cdf / cdf[:, -1:] + np.arange(k)[:, None]

    agent_ids, agent_rows, agent_shop, shifts = [], [], [], []
    start_idx = np.zeros(k, np.int64)
    count = np.zeros(k, np.int64)
    for i in range(k):
        lang = templates[i][3]
        n_ag = 2 + round(6 * weight[i] / weight.max())
        start_idx[i], count[i] = len(agent_ids), n_ag
        names = rng.permutation(NICKNAMES[lang])
        for j in range(n_ag):
            role = "OWNER" if j == 0 else "ADMIN" if j == 1 else "AGENT"
            agent_id = f"agt_{i + 1:02d}{j + 1:02d}"
            agent_ids.append(agent_id)
            agent_shop.append(i)
            limit = 5 if j == 0 else int(rng.choice([10, 15, 20, 25, 30]))
            agent_rows.append(
                {
                    "agent_id": agent_id,
                    "shop_id": shop_ids[i],
                    "nickname": f"{names[j % len(names)]} ({shop_rows[i]['shop_name']})",
                    "role": role,
                    "max_concurrent_sessions": limit,
                }
            )
            days_off = (6,) if j == 0 else ((3 * j) % 7, (3 * j + 1) % 7)
            shifts.append((SHIFTS[j % len(SHIFTS)], days_off))

    a_max = int(count.max())
    onshift_agents = np.full((k, n_grid, a_max), -1, np.int64)
    onshift_count = np.zeros((k, n_grid), np.int64)
    for i in range(k):
        members = np.arange(start_idx[i], start_idx[i] + count[i])
        on = np.zeros((len(members), n_grid), bool)
        for row, a in enumerate(members):
            (first, length), days_off = shifts[a]
            lh, wd = local_hour[i], local_wday[i]
            shift_day = np.where(lh >= first, wd, (wd - 1) % 7)
            on[row] = ((lh - first) % 24 < length) & ~np.isin(shift_day, days_off)
        order = np.argsort(~on, axis=0, kind="stable")
        onshift_agents[i, :, : len(members)] = members[order].T
        onshift_count[i] = on.sum(axis=0)
    hours = np.where(onshift_count > 0, np.arange(n_grid), n_grid)
    next_on = np.minimum.accumulate(hours[:, ::-1], axis=1)[:, ::-1]
    next_on = np.where(next_on >= n_grid, -1, next_on)

    world = World(
        start_ms=cfg.start_ms,
        end_ms=cfg.end_ms,
        shop_ids=shop_ids,
        shop_rows=shop_rows,
        shop_lang=np.array([LANGUAGES.index(t[3]) for t in templates]),
        shop_currency=np.array([CURRENCIES.index(t[4]) for t in templates]),
        shop_weight=weight / weight.sum(),
        p_never=0.25 - 0.235 * quality,
        p_late=0.07 - 0.065 * quality,
        reply_median_ms=((12 - 9 * quality) * 60_000).astype(np.int64),
        has_greeting=rng.random(k) < 0.5,
        agent_ids=agent_ids,
        agent_rows=agent_rows,
        agent_shop=np.array(agent_shop, np.int64),
        shop_agent_start=start_idx,
        shop_agent_count=count,
        cdf=cdf.ravel(),
        onshift_agents=onshift_agents,
        onshift_count=onshift_count,
        next_on=next_on,
    )
    _add_holidays(world, cfg, rng, templates)
    return world


def _local_midnight(tz: str, day: dt.date) -> int:
    """UTC milliseconds of 00:00 local time on `day` in zone `tz`."""
    local = dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
    return int(local.timestamp()) * 1000


def _add_holidays(world: World, cfg: GeneratorConfig, rng: np.random.Generator, templates) -> None:
    """Holiday periods for about half the shops, some edited later, one still on at the end."""
    k = cfg.shops
    chosen = np.sort(rng.choice(k, size=max(1, k // 2), replace=False))
    rows: list[dict[str, object]] = []
    effective: list[tuple[int, int, int]] = []
    for n, s in enumerate(chosen):
        tz = templates[s][1]
        ongoing = n == len(chosen) - 1
        for p in range(1 + int(rng.random() < 0.4) + int(ongoing)):
            period_id = f"hol_{len(effective) + 1:03d}"
            if ongoing and p == 0:
                first = cfg.start + dt.timedelta(days=max(0, cfg.days - 3))
                starts = _local_midnight(tz, first)
                rows.append(_period(period_id, s, starts, None, starts - DAY, world))
                effective.append((s, starts, np.iinfo(np.int64).max))
                continue
            first = cfg.start + dt.timedelta(days=int(rng.integers(0, max(1, cfg.days - 5))))
            length = int(rng.integers(1, 5))
            starts = _local_midnight(tz, first)
            ends = _local_midnight(tz, first + dt.timedelta(days=length))
            announced = starts - int(rng.integers(1, 6)) * DAY - int(rng.integers(0, 24)) * HOUR
            rows.append(_period(period_id, s, starts, ends, announced, world))
            if rng.random() < 0.5:  # the seller edits the end while on holiday
                shift = 1 if length == 1 or rng.random() < 0.5 else -1
                new_end = _local_midnight(tz, first + dt.timedelta(days=length + shift))
                edited = starts + int(rng.random() * (min(ends, new_end) - starts))
                rows.append(_period(period_id, s, starts, new_end, edited, world))
                ends = new_end
            effective.append((s, starts, ends))
    world.holiday_rows = rows
    world.holidays = np.array(effective, np.int64).reshape(-1, 3)


def _period(pid: str, shop: int, starts: int, ends: int | None, updated: int, world: World):
    return {
        "period_id": pid,
        "shop_id": world.shop_ids[shop],
        "starts_at": starts,
        "ends_at": ends,
        "updated_at": updated,
    }
