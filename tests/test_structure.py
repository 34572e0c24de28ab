"""The shape of the code: one rule in one place, dependencies derived from the SQL, layering."""

import ast
import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import jinja2

from assets import keys
from warehouse import sqlfiles
from warehouse.build import indicators, model
from warehouse.domain import catalogue
from warehouse.domain.collection_year import collection_year, collection_year_start

PROJECT = Path(__file__).resolve().parents[1]
PACKAGES = ("warehouse", "expectations", "assets", "pipelines")
MAX_LINES = 400


def test_collection_year_sql_and_python_agree():
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=n) for n in range(800)]
    template = jinja2.Environment(loader=jinja2.FileSystemLoader(sqlfiles.SQL_DIR)).from_string(
        "{% import 'macros.sql' as m %}SELECT d, {{ m.collection_year('d') }}, "
        "{{ m.collection_year_start('d') }} FROM unnest(?::DATE[]) AS t(d) ORDER BY d")
    rows = duckdb.sql("SELECT 1").fetchall() and duckdb.connect().execute(
        template.render(), [days]).fetchall()
    assert rows == [(d, collection_year(d), collection_year_start(d)) for d in days]
    assert collection_year(dt.date(2025, 3, 31)) == 2025
    assert collection_year(dt.date(2025, 4, 1)) == 2026


def test_model_order_follows_what_each_model_reads():
    done: set[str] = set()
    for name in model.MODELS:
        reads = {t.split(".", 1)[1] for t in model.model_inputs(name) if t.startswith("model.")}
        assert reads <= done, (name, reads - done)
        done.add(name)
    assert set(model.MODELS) == {"episodes", "periods_of_care", "placements", "period_starts",
                                 "month_ends", "coverage", "child_month"}


def _graph():
    from pipelines.definitions import build_definitions

    return build_definitions().resolve_asset_graph()


def test_asset_dependencies_are_the_tables_each_sql_file_reads():
    graph = _graph()
    every_key = set(graph.get_all_asset_keys())
    for name in model.MODELS:
        parents = graph.get(keys.model(name)).parent_keys
        assert parents == set(keys.keys_for_tables(model.model_inputs(name))), name
        assert parents <= every_key
    for family in catalogue.families():
        parents = graph.get(keys.family(family)).parent_keys
        expected = {*keys.keys_for_tables(indicators.family_inputs(family)),
                    keys.INDICATOR_CATALOGUE}
        assert parents == expected, family
        assert parents <= every_key


def test_every_asset_uses_the_one_pool_and_a_declared_group():
    groups = {v for k, v in vars(keys.Group).items() if not k.startswith("_")}
    graph = _graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            assert node.group_name in groups, key
            assert node.pools == {keys.WAREHOUSE_POOL}, key


def test_no_shipped_module_over_400_lines():
    modules = [p for pkg in PACKAGES for p in (PROJECT / pkg).rglob("*.py")]
    long = {str(p.relative_to(PROJECT)): n for p in modules
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_dependencies_point_one_way_and_assets_are_wiring_only():
    for pkg, forbidden in {"warehouse": ("assets", "pipelines", "expectations", "dagster", "tests"),
                           "expectations": ("assets", "pipelines", "dagster", "tests"),
                           "assets": ("pipelines", "tests", "pandas", "pyarrow")}.items():
        for path in (PROJECT / pkg).rglob("*.py"):
            bad = {m for m in _imports(path) if m.split(".")[0] in forbidden}
            assert not bad, (str(path.relative_to(PROJECT)), bad)


def test_job_name_declared_once():
    from pipelines import schedules, sensors

    assert schedules.monthly_build_schedule.job_name == keys.BUILD_JOB
    assert sensors.new_extract_sensor.job_name == keys.BUILD_JOB
    hits = [p for pkg in PACKAGES for p in (PROJECT / pkg).rglob("*.py")
            if '"build_warehouse"' in p.read_text()]
    assert hits == [PROJECT / "assets" / "keys.py"]
    assert isinstance(dg.AssetKey(["raw", "extracts"]), dg.AssetKey)
