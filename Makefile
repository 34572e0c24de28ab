# Two commands do all the setup on a fresh machine:
#   make build   builds the warehouse, exports and report from the bundled sample (into data/)
#   make test    runs the linter, the fast tests, then the slow ones (end to end, validator, browser)
# Each creates the virtual environment (.venv) from the lock file (uv.lock) when it is missing or
# stale, so two installs a month apart get the same versions.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# uv itself, pinned: it installs the locked versions (uv.lock) into $(VENV)
UV_VERSION := 0.13.8
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export DAGSTER_HOME := $(CURDIR)/dagster_home

.PHONY: build test test-fast test-slow lint dev clean sample lock

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --python $(PYTHON)
	touch $@

build: $(VENV)/.installed
	$(BIN)/dagster asset materialize -m pipelines.definitions --select '*'

# The fast loop first (unit and layer tests), then the slow tests, which CI runs in full.
test: lint test-fast test-slow

lint: $(VENV)/.installed
	$(BIN)/ruff check .

test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not slow" -n auto

test-slow: $(VENV)/.installed
	$(BIN)/python -m pytest -m slow

dev: $(VENV)/.installed
	$(BIN)/dagster dev -w workspace.yaml

# After changing dependencies in pyproject.toml: resolve them again into uv.lock.
lock: $(UV)
	$(UV) lock

# Regenerates the bundled sample from its seed (deterministic: no diff expected).
sample: $(VENV)/.installed
	$(BIN)/csc-synth generate --out sample/landing

# Everything a build wrote (CSC_DATA_DIR's default): the warehouse, exports, reports, error lists.
clean:
	rm -rf data
