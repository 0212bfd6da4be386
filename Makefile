# The two commands that matter: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test test-fast bench bench-deps lint format clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/.installed

## The whole service on embedded defaults: SQLite, a local or bundled Redis, SMS to the outbox.
run: install
	$(BIN)/python -m gateway.localrun

## The whole test suite (SQLite by default; DATABASE_URL=postgresql+psycopg://... for PostgreSQL).
test: install
	$(BIN)/python -m pytest

## Without the fault drills and browser tests.
test-fast: install
	$(BIN)/python -m pytest -m "not faults and not browser"

## Benchmarks: ratios against baselines measured in the same run; results in bench/results/.
bench: install bench-deps
	$(BIN)/python -m bench

## The load generator the webhook benchmark drives (Debian's wrk).
bench-deps:
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance .pytest_cache
