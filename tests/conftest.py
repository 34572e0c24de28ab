"""Shared fixtures: every test gets its own landing folder, data folder and DuckDB file,
configured through warehouse.config (never by patching environment variables)."""

from pathlib import Path

import duckdb
import pytest

from warehouse.config import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Everything a build writes goes to the test's own folder, never into the repository."""
    return Settings.under(tmp_path / "data", landing_dir=tmp_path / "landing")


@pytest.fixture
def warehouse_path(settings) -> Path:
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return settings.warehouse_path


@pytest.fixture
def landing_dir(settings) -> Path:
    settings.landing_dir.mkdir(parents=True, exist_ok=True)
    return settings.landing_dir


@pytest.fixture
def resources(settings) -> dict:
    from pipelines.resources import build_resources

    return build_resources(settings)


@pytest.fixture
def conn(warehouse_path):
    connection = duckdb.connect(str(warehouse_path))
    yield connection
    connection.close()


SLOW_KINDS = ("validator", "end_to_end", "browser", "sample")


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)
