"""The filters every page shares, and the SQL conditions they make.

Platform, shop, agent and a range of shop-local dates (`session_date`: the local date of a
session's start in its shop's time zone, metrics.md §7), plus the target rate. The sidebar
(sidebar.py) resolves the platform choice into shops, so queries filter on shops only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dashboard.warehouse import Sql

DEFAULT_TARGET = 0.90
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Filters:
    """What the user chose. `None` means "all"; an empty tuple matches nothing."""

    start: date
    end: date
    shops: tuple[str, ...] | None = None
    agents: tuple[tuple[str, str], ...] | None = None  # (shop_id, agent_id)
    target_rate: float = DEFAULT_TARGET

    def where(
        self,
        *,
        shop: str = "shop_id",
        agent: str | None = None,
        day: str | None = "session_date",
    ) -> Sql:
        """A SQL condition (and its parameters) for these filters on a relation whose shop,
        agent and shop-local date columns are named `shop`, `agent` and `day`. With `agent`
        None the agent filter does not apply; with `day` None the dates do not."""
        parts: list[str] = []
        params: list[Any] = []
        if day is not None:
            parts.append(f"{day} between ? and ?")
            params += [self.start, self.end]
        if self.shops is not None:
            parts.append(f"list_contains(?::varchar[], {shop})")
            params.append(list(self.shops))
        if agent is not None and self.agents is not None:
            if self.agents:
                pairs = ", ".join("(?, ?)" for _ in self.agents)
                parts.append(f"({shop}, {agent}) in ({pairs})")
                params += [value for pair in self.agents for value in pair]
            else:
                parts.append("false")
        return Sql(" and ".join(parts) or "true", tuple(params))

    def describe(self) -> str:
        """A short line saying what is selected (for captions)."""
        shops = "all shops" if self.shops is None else f"{len(self.shops)} shop(s)"
        agents = "all agents" if self.agents is None else f"{len(self.agents)} agent(s)"
        return f"{self.start} to {self.end} (shop-local dates), {shops}, {agents}"
