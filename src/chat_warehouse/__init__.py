"""Seller customer-service chat warehouse: dbt + DuckDB models, Dagster orchestration, tools."""
