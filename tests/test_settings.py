"""Where the warehouse reads and writes: environment overrides and names that cannot work."""

import pytest

from warehouse import settings


def test_paths_come_from_the_environment_or_the_embedded_defaults(tmp_path, monkeypatch):
    for name in ("CSC_LANDING_DIR", "CSC_WAREHOUSE_PATH", "CSC_EXPORT_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert settings.landing_dir() == settings.SAMPLE_LANDING_DIR
    assert settings.warehouse_path() == settings.WAREHOUSE_DIR / "warehouse.duckdb"
    monkeypatch.setenv("CSC_WAREHOUSE_PATH", str(tmp_path / "hub" / "w.duckdb"))
    assert settings.warehouse_path() == tmp_path / "hub" / "w.duckdb"
    assert settings.warehouse_path(tmp_path / "given.duckdb") == tmp_path / "given.duckdb"


@pytest.mark.parametrize("name", ["raw.duckdb", "Marts.duckdb", "staging.db"])
def test_a_warehouse_named_after_a_schema_is_refused_clearly(tmp_path, monkeypatch, name):
    # DuckDB would name the database "raw", and every "raw.<table>" would be ambiguous
    monkeypatch.setenv("CSC_WAREHOUSE_PATH", str(tmp_path / name))
    with pytest.raises(settings.WarehouseNameError, match="cannot be named .*warehouse.duckdb"):
        settings.warehouse_path()
    assert settings.warehouse_path(tmp_path / "raw_903.duckdb").name == "raw_903.duckdb"
