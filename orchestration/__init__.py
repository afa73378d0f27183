"""Dagster code location for the chat warehouse (`dagster dev` from the repository root)."""
