"""The one DbtProject of this code location: the dbt project at the repository root."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DagsterDbtProjectPreparer, DbtCliResource, DbtProject

REPO_ROOT = Path(__file__).resolve().parents[3]


def dbt_target() -> str:
    """The profiles.yml target the assets build: `duckdb` (default) or `spark`
    (env CHAT_DBT_TARGET; README, "Running on Spark")."""
    return os.environ.get("CHAT_DBT_TARGET", "").strip() or "duckdb"


def dbt_executable() -> str:
    """The dbt of this interpreter's environment (.venv/bin/dbt), whether or not it is on PATH.

    `dagster dev` started as `.venv/bin/dagster dev` from a shell without the virtual
    environment activated has no `dbt` on PATH; the default preparer would fail with "The dbt
    executable 'dbt' was not found on PATH" and the code location would not load.
    """
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


class VenvDbtPreparer(DagsterDbtProjectPreparer):
    """Under `dagster dev`, parse the project with the environment's own dbt (not PATH's)."""

    def _prepare_manifest(self, project: DbtProject) -> None:
        (
            DbtCliResource(
                project_dir=project,
                profiles_dir=str(project.project_dir),
                dbt_executable=dbt_executable(),
            )
            .cli(["parse", "--quiet"], target_path=project.target_path)
            .wait()
        )
        self._invalidate_seeds_in_partial_parse(project)


dbt_project = DbtProject(project_dir=REPO_ROOT, profiles_dir=REPO_ROOT)
# Under `dagster dev` this parses the project so the manifest is fresh (DbtProject's own
# prepare_if_dev would look `dbt` up on PATH); tests and CI run `dbt parse` first (`make test`).
VenvDbtPreparer().prepare_if_dev(dbt_project)
