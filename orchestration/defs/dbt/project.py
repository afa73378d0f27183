"""The one DbtProject of this code location: the dbt project at the repository root."""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

REPO_ROOT = Path(__file__).resolve().parents[3]

dbt_project = DbtProject(project_dir=REPO_ROOT, profiles_dir=REPO_ROOT)
# Under `dagster dev` this parses the project so the manifest is fresh; tests and CI run
# `dbt parse` first (the Makefile's `make test` does).
dbt_project.prepare_if_dev()
