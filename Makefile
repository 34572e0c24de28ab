# Two commands do all the setup on a fresh machine:
#   make build   builds the warehouse, exports and report from the bundled sample
#   make test    runs the linter and the test suite
# Each creates the virtual environment (.venv) from nothing when it is missing or stale.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/dagster_home

.PHONY: build test lint dev clean sample

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

build: $(VENV)/.installed
	$(BIN)/dagster asset materialize -m pipelines.definitions --select '*'

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

dev: $(VENV)/.installed
	$(BIN)/dagster dev -w workspace.yaml

# Regenerates the bundled sample from its seed (deterministic: no diff expected).
sample: $(VENV)/.installed
	$(BIN)/csc-synth generate --out sample/landing

clean:
	rm -f warehouse/*.duckdb warehouse/*.duckdb.wal
	rm -rf warehouse/exports warehouse/reports warehouse/restricted
