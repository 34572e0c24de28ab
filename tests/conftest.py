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


SLOW_KINDS = ("validator", "end_to_end", "browser", "sample", "faults")


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def corpus_template_dir(tmp_path_factory) -> Path:
    """Where the fault corpus keeps its once-per-session postcode warehouse."""
    return tmp_path_factory.mktemp("corpus_template")


@pytest.fixture(scope="session")
def clean_corpus_values(corpus_template_dir, tmp_path_factory) -> dict[str, set]:
    """Each council's figures (la_code -> set) from a clean build of the fault corpus landing."""
    from tests.helpers import fault_corpus

    root = tmp_path_factory.mktemp("corpus_clean")
    fault_corpus.make_landing(root / "landing")
    settings = Settings.under(root / "data", landing_dir=root / "landing")
    result = fault_corpus.build(settings, corpus_template_dir)
    assert result.success
    return {la: fault_corpus.council_values(settings, la)
            for la in (fault_corpus.FAULTY, fault_corpus.CONTROL)}


@pytest.fixture(scope="session")
def clean_reference(clean_corpus_values) -> set:
    """The control council's figures from a clean build of the fault corpus landing."""
    from tests.helpers import fault_corpus

    return clean_corpus_values[fault_corpus.CONTROL]


@pytest.fixture
def corpus(tmp_path, settings, corpus_template_dir):
    """A fault-corpus landing: returns the faulty council's extract folder to plant a fault in."""
    from tests.helpers import fault_corpus

    return fault_corpus.make_landing(settings.landing_dir)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Settings:
    """The bundled sample built end to end through Dagster (once per session): its settings.
    The report asset prints PDFs when Chromium is installed (the browser tests install it)."""
    import dagster as dg

    from pipelines.definitions import build_definitions
    from warehouse.config import SAMPLE_LANDING_DIR

    root = tmp_path_factory.mktemp("sample_build")
    settings = Settings.under(root / "data", landing_dir=SAMPLE_LANDING_DIR)
    defs = build_definitions(settings)
    result = dg.materialize([*defs.assets, *defs.asset_checks], resources=defs.resources,
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success
    return settings
