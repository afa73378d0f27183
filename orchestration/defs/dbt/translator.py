"""How dbt resources become Dagster assets: keys by schema, groups by layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

LAYER_GROUPS = {
    "landing": "landing",
    "staging": "staging",
    "intermediate": "intermediate",
    "marts": "marts",
    "audit": "audit",
    "reference": "reference",
}


class ChatWarehouseTranslator(DagsterDbtTranslator):
    """Asset key = [schema, name] (`marts/fct_shop_daily`, `landing/messages`); group = layer."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["landing", dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "landing"
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
        return LAYER_GROUPS.get(schema, "other")
