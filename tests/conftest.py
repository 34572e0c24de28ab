"""Shared fixtures: every test gets its own landing folder and DuckDB file."""

from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def warehouse_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("CSC_WAREHOUSE_PATH", str(path))
    # Everything a build writes goes to the test's own folder, never into the repository.
    monkeypatch.setenv("CSC_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("CSC_REPORT_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("CSC_RESTRICTED_DIR", str(tmp_path / "restricted"))
    return path


@pytest.fixture
def landing_dir(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    monkeypatch.setenv("CSC_LANDING_DIR", str(path))
    return path


@pytest.fixture
def conn(warehouse_path):
    connection = duckdb.connect(str(warehouse_path))
    yield connection
    connection.close()
