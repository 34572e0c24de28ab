"""The catalogue is complete and drives the marts; every id is produced for every LA and period;
the Dagster assets materialise."""

import re
from pathlib import Path

import dagster as dg

from tests.helpers.build import build_from_history
from tests.test_indicators_support import LA, add, child, episode, postcode_frame, start
from warehouse.domain import catalogue
from warehouse.reference import postcodes

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "indicators.md"


def test_every_spec_id_is_in_the_catalogue():
    ids = set(catalogue.indicators())
    assert len(ids) == 41
    if SPEC.exists():
        spec_ids = set(re.findall(r"^\| `([a-z0-9_]+)` \|", SPEC.read_text(), re.MULTILINE))
        assert spec_ids == ids


def test_catalogue_breakdowns_follow_the_spec():
    assert catalogue.indicator("cla_count").breakdowns == (
        "age_band", "sex", "ethnicity_group", "legal_status", "placement_group", "uasc")
    assert not catalogue.indicator("cla_placement_group_pct").all_row
    assert catalogue.indicator("cla_ceased_12m").breakdowns == ("reason_group",)
    assert {f.family for f in catalogue.indicators().values()} == {
        p.stem for p in Path("warehouse/sql/indicators").glob("[!_]*.sql")}


def test_all_ids_for_every_la_and_period(conn):
    start(conn)
    add(conn, "header", [child("A", "2015-01-01")])
    add(conn, "episodes", [episode("A", "2024-06-01", "S", "C2", "U4")])
    add(conn, "header", [child("B", "2015-01-01")], la_code="E06000063", extract_date="2024-09-30")
    from warehouse.build import indicators as indicator_runner

    build_from_history(conn, postcode_frame=postcode_frame())
    assert indicator_runner.completeness_problems(conn, list(catalogue.indicators())) == {}
    counts = dict(conn.execute(
        "SELECT la_code, count(DISTINCT indicator_id) FROM marts.indicator_values GROUP BY 1"
    ).fetchall())
    # the data covers 01/04/2024 on: long-term stability (2 years 6 months back) is not published
    # yet, nor, with no SWEpisodes, social workers; Cumberland's data ends 30/09/2024: no 31
    # March (7 annual measures) and no 12-month window covered (10 measures)
    assert counts == {LA: 39, "E06000063": 23}
    n = conn.execute("SELECT count(*) FROM marts.indicator_catalogue").fetchall()[0][0]
    assert n == 41


def test_dagster_assets_materialise(warehouse_path, resources):
    import duckdb

    from assets import indicators, model

    with duckdb.connect(str(warehouse_path)) as conn:
        start(conn)
        add(conn, "header", [child("A", "2015-01-01")])
        add(conn, "episodes", [episode("A", "2024-06-01", "S", "C2", "U4")])
        postcodes.load_postcodes(conn, frame=postcode_frame())
    assets = [a for a in dg.load_assets_from_modules([model, indicators])]
    result = dg.materialize(
        assets,
        resources=resources,
        selection=dg.AssetSelection.all() - dg.AssetSelection.keys(["reference", "postcodes"]),
    )
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    mats = {m.asset_key.to_user_string(): m for m in result.get_asset_materialization_events()}
    meta = mats["indicators/children_in_care"].materialization.metadata
    assert meta["latest_cla_count"].value == 1.0
    assert meta["last_period_end"].value == "2025-03-31"


def test_every_measure_states_its_look_back():
    inds = catalogue.indicators().values()
    # every "12 months ending the month end" measure, and only those, needs its 12 months covered
    assert {i.indicator_id for i in inds if i.look_back == "12_months"} == {
        i.indicator_id for i in inds if "_12m" in i.indicator_id}
    assert catalogue.indicator("cla_long_term_stability_pct").look_back == "30_months"
    assert catalogue.indicator("cla_sw_3plus_12m_pct").history_from == "sw_episodes"
    # the rule is written once and published with each definition
    rule = catalogue.look_backs()["12_months"].rule
    assert rule and catalogue.indicator("cla_starts_12m").definition.endswith(rule)
    assert catalogue.indicator("cla_count").definition.endswith("are excluded.")
