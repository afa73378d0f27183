# Two commands set everything up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9

DEMO_DIR := data/demo
DEMO_WAREHOUSE := warehouse/chat.duckdb
DEMO_AS_OF := 2026-03-02 00:00:00
DEMO_MESSAGES ?= 200000
# 2 workers on the 2-core CI machine (3 measured slower: a fresh-clone run took 25 m 17 s)
PYTEST_WORKERS ?= 2
DASHBOARD_PORT ?= 8501

PY_PATHS := src tests orchestration dashboard
# sqlfluff lints the models, the singular data tests and whatever of macros/ it can parse
# (see .sqlfluffignore). Its dbt templater compiles the models without running the hooks, so it
# needs no landing data, but it opens a connection: a throwaway DuckDB file under target/,
# never the warehouse.
SQL_PATHS := models macros data-tests/singular
SQLFLUFF := CHAT_WAREHOUSE_PATH=target/sqlfluff/lint.duckdb $(BIN)/sqlfluff
# The dbt templater renders every file in the main process; parsing and the rules run in the
# workers. On the idle 2-core machine (as in CI, where lint runs before the tests) 2 processes
# took 58 s against 95 s for 1 (2026-12-02); on a machine busy with other work they gain
# nothing: SQLFLUFF_PROCESSES=1 there.
SQLFLUFF_PROCESSES ?= 2

export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help install demo demo-data build summary test lint lint-fix format bench bench-big docs dq \
	dq-docs clean dashboard dashboard-bench dashboard-screenshots

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

install: $(BIN)/.installed  ## Create .venv with the locked dependencies
	@java -version >/dev/null 2>&1 || echo "install: no Java found; the spark target (dbt --target spark, tests/test_spark.py) needs one: apt-get install openjdk-17-jre-headless"

demo-data: install  ## Generate the demo landing folder (data/demo)
	$(BIN)/python -m chat_warehouse.generator --out $(DEMO_DIR) --messages $(DEMO_MESSAGES) \
		--start 2026-01-01 --days 60 --seed 7 --force

build: install  ## dbt build (models + tests) into warehouse/chat.duckdb for the demo as_of
	CHAT_RAW_DIR=$(DEMO_DIR) CHAT_WAREHOUSE_PATH=$(DEMO_WAREHOUSE) \
		$(BIN)/dbt build --vars '{"as_of": "$(DEMO_AS_OF)"}'

summary: install  ## Print the per-shop 7-day summary of the warehouse
	$(BIN)/python -m chat_warehouse.summary --warehouse $(DEMO_WAREHOUSE)

demo: demo-data build summary  ## Install, generate demo data, build the warehouse, print a summary

test: install  ## The whole test suite (dbt unit tests, end-to-end, property tests)
	$(BIN)/dbt parse --quiet
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15

lint: install  ## ruff check and format check; sqlfluff lint of the SQL
	$(BIN)/ruff check $(PY_PATHS)
	$(BIN)/ruff format --check $(PY_PATHS)
	mkdir -p target/sqlfluff
	$(SQLFLUFF) lint --processes $(SQLFLUFF_PROCESSES) $(SQL_PATHS)

lint-fix: install  ## Fix what lint finds (ruff check --fix, ruff format, sqlfluff fix); review the diff
	$(BIN)/ruff check --fix $(PY_PATHS)
	$(BIN)/ruff format $(PY_PATHS)
	mkdir -p target/sqlfluff
	$(SQLFLUFF) fix --processes $(SQLFLUFF_PROCESSES) $(SQL_PATHS)

format: install  ## ruff format
	$(BIN)/ruff format $(PY_PATHS)

# `make bench` measures 1M and 10M messages; `make bench BENCH_SIZES=100M` (or 1M,10M,100M) the
# 100M case; BENCH_ARGS passes other options (`python -m chat_warehouse.bench --help`).
BENCH_SIZES ?= 1M,10M
BENCH_ARGS ?=

bench: install  ## Floor, full build, next-day refresh, peak memory/temp, §9 cost at 1M and 10M messages
	$(BIN)/python -m chat_warehouse.bench --sizes $(BENCH_SIZES) $(BENCH_ARGS)

bench-big: install  ## The benchmark at 100M messages (90 days; about an hour on 2 cores)
	$(BIN)/python -m chat_warehouse.bench --sizes 100M $(BENCH_ARGS)

dashboard: install  ## Dashboard on localhost:8501 (DASHBOARD_PORT) over the published warehouse
	@CHAT_WAREHOUSE_PATH="$${CHAT_WAREHOUSE_PATH:-$(DEMO_WAREHOUSE)}" \
		$(BIN)/python -m dashboard --port $(DASHBOARD_PORT)

dashboard-bench: install  ## Each dashboard page's query time on a 10M-message warehouse
	$(BIN)/python -m dashboard.bench

dashboard-screenshots: install  ## README screenshots of every page from the demo warehouse (needs chromium)
	DASHBOARD_BROWSER_WAREHOUSE=$(DEMO_WAREHOUSE) DASHBOARD_SCREENSHOTS=docs/screenshots \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_dashboard_browser.py

docs: install  ## dbt docs (catalog of every model and column) into target/
	CHAT_RAW_DIR=$(DEMO_DIR) CHAT_WAREHOUSE_PATH=$(DEMO_WAREHOUSE) $(BIN)/dbt docs generate

dq: install  ## Great Expectations on the landing folder and the marts; fails on a critical expectation
	CHAT_RAW_DIR=$(DEMO_DIR) CHAT_WAREHOUSE_PATH=$(DEMO_WAREHOUSE) $(BIN)/python -m chat_warehouse.quality validate

dq-docs: install  ## Build the Great Expectations Data Docs site (expectations/uncommitted/data_docs)
	CHAT_RAW_DIR=$(DEMO_DIR) CHAT_WAREHOUSE_PATH=$(DEMO_WAREHOUSE) $(BIN)/python -m chat_warehouse.quality docs

clean:  ## Remove generated data, warehouse and dbt artifacts (keeps .venv)
	rm -rf data target logs warehouse/*.duckdb* bench
