"""The one configuration module: embedded defaults, environment overrides, refusals."""

import re
from pathlib import Path

import pytest

from pipelines.resources import build_resources
from warehouse import config

READS = re.compile(r"os\.environ(\.get\(|\[)|getenv\(")


def test_defaults_put_every_output_under_the_data_folder():
    s = config.Settings.from_env({})
    assert s.landing_dir == config.SAMPLE_LANDING_DIR
    assert s.data_dir == config.PROJECT_DIR / "data"
    assert s.warehouse_path == s.data_dir / "warehouse.duckdb"
    assert {s.export_dir, s.report_dir, s.restricted_dir} == {
        s.data_dir / "exports", s.data_dir / "reports", s.data_dir / "restricted"}
    assert s.sensor_settle_seconds == 60


def test_environment_overrides(tmp_path):
    env = {"CSC_DATA_DIR": str(tmp_path / "d"), "CSC_EXPORT_DIR": str(tmp_path / "bi"),
           "CSC_LANDING_DIR": str(tmp_path / "in"), "CSC_SENSOR_SETTLE_SECONDS": "5"}
    s = config.Settings.from_env(env)
    assert s.warehouse_path == tmp_path / "d" / "warehouse.duckdb"
    assert s.export_dir == tmp_path / "bi"
    assert s.report_dir == tmp_path / "d" / "reports"
    assert s.landing_dir == tmp_path / "in"
    assert s.sensor_settle_seconds == 5.0


def test_resources_show_every_destination(tmp_path):
    s = config.Settings.under(tmp_path / "data", landing_dir=tmp_path / "landing")
    r = build_resources(s)
    assert Path(r["duckdb"].database) == s.warehouse_path
    assert Path(r["landing"].path) == s.landing_dir
    assert Path(r["outputs"].export_dir) == s.export_dir
    assert Path(r["outputs"].report_dir) == s.report_dir
    assert Path(r["outputs"].restricted_dir) == s.restricted_dir


@pytest.mark.parametrize("name", ["raw.duckdb", "Marts.duckdb", "staging.db"])
def test_a_warehouse_named_after_a_schema_is_refused_clearly(tmp_path, name):
    # DuckDB would name the database "raw", and every "raw.<table>" would be ambiguous
    with pytest.raises(config.WarehouseNameError, match="cannot be named .*warehouse.duckdb"):
        config.Settings.from_env({"CSC_WAREHOUSE_PATH": str(tmp_path / name)})
    ok = config.Settings.from_env({"CSC_WAREHOUSE_PATH": str(tmp_path / "raw_903.duckdb")})
    assert ok.warehouse_path.name == "raw_903.duckdb"


@pytest.mark.parametrize("inside", ["CSC_EXPORT_DIR", "CSC_REPORT_DIR"])
def test_restricted_folder_inside_a_published_folder_is_refused(tmp_path, inside):
    env = {inside: str(tmp_path / "pub"), "CSC_RESTRICTED_DIR": str(tmp_path / "pub" / "dq")}
    with pytest.raises(config.ConfigurationError, match="CSC_RESTRICTED_DIR"):
        config.Settings.from_env(env)


def test_bad_settle_seconds_is_refused():
    with pytest.raises(config.ConfigurationError, match="CSC_SENSOR_SETTLE_SECONDS"):
        config.Settings.from_env({"CSC_SENSOR_SETTLE_SECONDS": "a minute"})


def test_no_other_module_reads_the_environment():
    root = config.PROJECT_DIR
    offenders = [
        str(p.relative_to(root))
        for package in ("warehouse", "expectations", "assets", "pipelines")
        for p in (root / package).rglob("*.py")
        if p.name != "config.py" and READS.search(p.read_text())
    ]
    assert offenders == []
