"""Every asset materialised through Dagster: in-process, and with the CLI data engineers run."""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.helpers.landing_builder import copy_tiny_valid, write_population, write_table
from warehouse.domain.schema import tables

pytestmark = pytest.mark.end_to_end

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture
def small_landing(landing_dir):
    copy_tiny_valid(landing_dir, "E08000035", "2025-03-31")
    write_population(landing_dir, [("E08000035", 2024, 180000)])
    return landing_dir


def test_definitions_load():
    from pipelines.definitions import build_definitions

    defs = build_definitions()
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    for name in tables():
        assert {f"raw/{name}", f"staging/{name}", f"history/{name}"} <= keys
    # loading the code location sets the garbage collector's thresholds for a build
    assert gc.get_threshold() == (50_000, 20, 20)


def test_materialise_every_asset_in_process(small_landing, warehouse_path, settings):
    from pipelines.definitions import build_definitions

    defs = build_definitions(settings)

    bad = small_landing / "E08000034" / "2025-03-31"
    bad.mkdir(parents=True)
    write_table(bad, "episodes", [], columns=tables()["episodes"].column_names[:-1])
    result = dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    # the bad extract fails the run, loudly, but only once everything else is built
    assert not result.success
    checks = {(e.asset_key.to_user_string(), e.check_name): e.passed
              for e in result.get_asset_check_evaluations()}
    assert checks[("raw/extracts", "all_extracts_loaded")] is False
    assert checks[("reports/highlight_report", "every_extract_current")] is False
    [failed_step] = [e.step_key for e in result.all_events if e.is_step_failure]
    assert failed_step == "reports__highlight_report_every_extract_current"
    assert all(passed for (key, _), passed in checks.items() if key.startswith("staging/"))
    assert sum(1 for key, name in checks if name == "reconciles_with_raw") == len(tables())
    metadata = {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert metadata["staging/episodes"]["dagster/row_count"].value == 4
    assert metadata["raw/extracts"]["extracts_failed"].value == 1
    materialised = set(metadata)
    every_key = {k.to_user_string() for a in defs.assets for k in a.keys}
    assert every_key <= materialised, every_key - materialised
    # the staging step validated every extract (in the validation process): nothing was left
    # for the checks or dq_results to validate
    assert metadata["marts/dq_results"]["validated_this_run"].value == 0
    with duckdb.connect(str(warehouse_path), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM history.episodes").fetchone() == (4,)
        unvalidated = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT la_code, extract_date FROM staging.header "
            "EXCEPT SELECT la_code, extract_date FROM marts.dq_results "
            "WHERE table_name = 'header')").fetchone()
        assert unvalidated == (0,)
        catalogue_ids = {r[0] for r in conn.execute(
            "SELECT indicator_id FROM marts.indicator_catalogue").fetchall()}
        produced = {r[0] for r in conn.execute(
            "SELECT DISTINCT indicator_id FROM marts.indicator_values "
            "WHERE la_code = 'E08000035'").fetchall()}
        # one return (2024/25): every indicator but long-term stability, which looks back 2
        # years and 6 months (model.coverage)
        assert produced == catalogue_ids - {"cla_long_term_stability_pct"}
        assert conn.execute("SELECT * FROM reference.population WHERE la_code = 'E08000035'"
                            ).fetchall() == [("E08000035", 2024, 180000.0)]
        # E08000034 has an extract and no row in population.csv: the ONS estimates stand in
        assert conn.execute("SELECT count(*) FROM reference.population "
                            "WHERE la_code = 'E08000034'").fetchone()[0] > 0


def test_cli_materialises_everything(small_landing, warehouse_path, settings, tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home"),
           "CSC_LANDING_DIR": str(settings.landing_dir), "CSC_DATA_DIR": str(settings.data_dir)}
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").write_text(
        (PROJECT / "dagster_home" / "dagster.yaml").read_text())
    dagster = Path(sys.executable).with_name("dagster")
    run = subprocess.run(
        [str(dagster), "asset", "materialize", "-m", "pipelines.definitions", "--select", "*"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "RUN_SUCCESS" in run.stdout + run.stderr
    with duckdb.connect(str(warehouse_path), read_only=True) as conn:
        for name in tables():
            conn.execute(f"SELECT count(*) FROM history.{name}").fetchall()
        assert conn.execute("SELECT count(*) FROM staging.reviews").fetchone() == (7,)


def test_cli_exits_non_zero_when_an_extract_failed(small_landing, warehouse_path, settings,
                                                   tmp_path):
    """`make build` with one council's extract failed: the other council's figures, exports and
    pages are written, the exports' manifest names the failed extract, and the exit code is
    not 0 (issue 12, item 14)."""
    bad = small_landing / "E08000034" / "2025-03-31"
    bad.mkdir(parents=True)
    write_table(bad, "episodes", [], columns=tables()["episodes"].column_names[:-1])
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home"),
           "CSC_LANDING_DIR": str(settings.landing_dir), "CSC_DATA_DIR": str(settings.data_dir)}
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").write_text(
        (PROJECT / "dagster_home" / "dagster.yaml").read_text())
    dagster = Path(sys.executable).with_name("dagster")
    run = subprocess.run(
        [str(dagster), "asset", "materialize", "-m", "pipelines.definitions", "--select", "*"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600,
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-3000:]
    assert "every_extract_current" in output and "RUN_FAILURE" in output
    assert "E08000034/2025-03-31: E08000034/2025-03-31/episodes.csv" in output
    manifest = json.loads((settings.export_dir / "manifest.json").read_text())
    assert [(s["la_code"], s["extract_date"]) for s in manifest["stale_extracts"]] == [
        ("E08000034", "2025-03-31")]
    assert (settings.export_dir / "indicator_values" / "la_code=E08000035").is_dir()
    assert list((settings.report_dir / "E08000035").glob("*.html"))
