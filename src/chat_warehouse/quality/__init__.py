"""Data quality of the chat warehouse: Great Expectations suites kept as files.

One suite per landing table (`landing.<table>`) and per mart (`marts.<mart>`), stored as JSON
under `expectations/suites/`. The slice to validate is read with DuckDB into pandas (GX 1.x
cannot validate DuckDB through its SQL datasource) and validated with GX's pandas datasource.

    from chat_warehouse.quality import validate_landing, validate_mart
    result = validate_mart("warehouse/chat.duckdb", "fct_shop_daily", day=date(2026, 3, 1))
    if not result.success: raise RuntimeError(result.critical_failures)

Importing this package does not import great_expectations (slow); the functions do, once.
CLI: `python -m chat_warehouse.quality --help`.
"""

from chat_warehouse.quality.docs import DocsReport, build_data_docs, run_data_docs
from chat_warehouse.quality.readers import (
    LANDING_COLUMNS,
    MARTS,
    LandingTableError,
    read_landing_table,
    read_mart,
)
from chat_warehouse.quality.suites import (
    ALL_SUITES,
    EXPECTATIONS_DIR,
    LANDING_SUITES,
    MART_SUITES,
    load_suite,
)
from chat_warehouse.quality.validation import (
    QualityResult,
    validate_landing,
    validate_mart,
    validate_suite,
)

__all__ = [
    "ALL_SUITES",
    "EXPECTATIONS_DIR",
    "LANDING_COLUMNS",
    "LANDING_SUITES",
    "MARTS",
    "MART_SUITES",
    "DocsReport",
    "LandingTableError",
    "QualityResult",
    "build_data_docs",
    "load_suite",
    "read_landing_table",
    "read_mart",
    "run_data_docs",
    "validate_landing",
    "validate_mart",
    "validate_suite",
]
