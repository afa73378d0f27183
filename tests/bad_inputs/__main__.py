"""Run dbt invocations in one process for the stop-the-build cases (tests/test_bad_inputs_catalogue.py):
`python -m tests.bad_inputs JOBS.json RESULTS.json`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def run_dbt_in_process(jobs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Run dbt invocations one after another in this process, each with its own CHAT_RAW_DIR
    (`{"raw_dir": ..., "args": [...]}`): dbt is imported once and, with one target folder and
    one warehouse file, parses the project once. Returns per job whether it succeeded and the
    error (the exception's text, or the messages of the failed nodes)."""
    from dbt.cli.main import dbtRunner

    results = []
    for job in jobs:
        os.environ["CHAT_RAW_DIR"] = job["raw_dir"]
        result = dbtRunner().invoke(list(job["args"]))
        errors = [str(result.exception)] if result.exception is not None else []
        for node in getattr(result.result, "results", None) or []:
            if str(node.status) in ("error", "fail"):
                errors.append(f"{node.node.name}: {node.message}")
        results.append({"success": bool(result.success), "error": "\n".join(errors)})
    return results


def main(argv: Sequence[str]) -> None:
    """`python -m tests.bad_inputs JOBS.json RESULTS.json` (from the project root, with
    CHAT_WAREHOUSE_PATH set): run the jobs with run_dbt_in_process, write their results."""
    jobs_path, results_path = argv
    results = run_dbt_in_process(json.loads(Path(jobs_path).read_text()))
    Path(results_path).write_text(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
