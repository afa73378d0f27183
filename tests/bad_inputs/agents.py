"""Bad (or unusual) rows of `agents`, and the parts of the `agents/` folder."""

from __future__ import annotations

from tests.bad_inputs.common import Case, agent

AGENT_A1_NICKNAME = (
    "select distinct agent_nickname from marts.fct_agent_daily where agent_id = 'a1'"
)
ROWS_FROM_PART_2 = (
    "select count(*) from staging.base_chat__agents where _source_file like '%part-2.csv'"
)


CASES: list[Case] = [
    Case(
        "agent_unknown_role",
        "role outside the enum",
        {"agents": [agent("agent_unknown_role.a", role="INTERN")]},
        quarantined=[("agents", "role_invalid", "agent_unknown_role.a")],
    ),
    Case(
        "agent_negative_capacity",
        "max_concurrent_sessions below zero",
        {"agents": [agent("agent_negative_capacity.a", max_concurrent_sessions="-3")]},
        quarantined=[("agents", "max_concurrent_sessions_invalid", "agent_negative_capacity.a")],
    ),
    Case(
        "agent_fractional_capacity",
        "2.5 sessions is not an integer (no rounding)",
        {"agents": [agent("agent_fractional_capacity.a", max_concurrent_sessions="2.5")]},
        quarantined=[("agents", "max_concurrent_sessions_invalid", "agent_fractional_capacity.a")],
    ),
    Case(
        "agent_null_id",
        "an agent without an id",
        {"agents": [agent(None, nickname="agent_null_id.nick")]},
        quarantined=[("agents", "agent_id_missing", None)],
    ),
    Case(
        "agent_unknown_shop",
        "an agent of a shop that is not in shops",
        {"agents": [agent("agent_unknown_shop.a", shop_id="nowhere")]},
        quarantined=[("agents", "shop_unknown", "agent_unknown_shop.a")],
    ),
    Case(
        "agent_copies_disagree",
        "two rows of one agent_id with different roles",
        {
            "agents": [
                agent("agent_copies_disagree.a"),
                agent("agent_copies_disagree.a", role="ADMIN"),
            ]
        },
        quarantined=[("agents", "duplicate_conflict", "agent_copies_disagree.a")] * 2,
    ),
    Case(
        "agents_part_with_reordered_columns",
        "a folder part whose header orders the columns differently and adds one (valid)",
        {},
        checks=[(AGENT_A1_NICKNAME, [("Ani",)])],
    ),
    Case(
        "header_only_part",
        "a folder part with only its header row is a valid empty part",
        {},
        checks=[(ROWS_FROM_PART_2, [(0,)])],
    ),
]
