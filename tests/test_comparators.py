"""The DfE comparator layer: councils, statistical neighbours, published figures with their
suppression markers, marts.indicator_comparators, the benchmarks and parity views, and the ONS
population default. Fast: the vendored files and hand-made marts, no Dagster."""

from __future__ import annotations

import hashlib
import re
import statistics
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.helpers.handmade_marts import build_marts
from warehouse.build import indicators
from warehouse.domain import catalogue
from warehouse.reference import comparators, councils, ons_population, population

MARCH_2025 = date(2025, 3, 31)
KIRKLEES = "E08000034"


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("comparators") / "warehouse.duckdb"
    connection = duckdb.connect(str(path))
    build_marts(connection)  # hand-made marts.indicator_values for Kirklees (LA_A)
    indicators.build_catalogue(connection)
    councils.load_councils(connection)
    councils.load_statistical_neighbours(connection)
    comparators.load_dfe_published(connection)
    comparators.build_marts(connection)
    yield connection
    connection.close()


def _comparators(conn, indicator_id, year_end=MARCH_2025):
    rows = conn.execute(
        "SELECT geography_level, geography_code, geography_name, value, suppression_marker, "
        "neighbours_with_value, rank, rank_of, quartile FROM marts.indicator_comparators "
        "WHERE indicator_id = ? AND period_end = ?", [indicator_id, year_end]).fetchall()
    return rows


def test_kirklees_cla_rate_comparators(conn):
    """Done-when of issue 16: England 67, Yorkshire and The Humber 77, statistical-neighbour
    median 91, published Kirklees 64 beside the warehouse's own value."""
    neighbours = conn.execute(
        "SELECT neighbour_dfe_code FROM reference.statistical_neighbours WHERE la_code = ? "
        "ORDER BY neighbour_rank", [KIRKLEES]).fetchall()
    assert [n for (n,) in neighbours] == ["373", "357", "851", "831", "879", "354", "351", "384",
                                          "908", "390"]
    rows = {(level, code): (name, value) for level, code, name, value, *_ in
            _comparators(conn, "cla_rate_per_10k")}
    assert rows["england", "E92000001"] == ("England", 67)
    assert rows["region", "E12000003"] == ("Yorkshire and The Humber", 77)
    assert rows["la", KIRKLEES] == ("Kirklees", 64)
    # the median by hand: the ten neighbours' published rates at 31 March 2025
    published = dict(conn.execute(
        "SELECT dfe_code, value FROM reference.dfe_published WHERE indicator_id = "
        "'cla_rate_per_10k' AND period_end = ? AND geography_level = 'la'", [MARCH_2025]
    ).fetchall())
    sn_rates = sorted(published[n] for (n,) in neighbours)
    assert sn_rates == [54, 60, 82, 88, 89, 93, 101, 102, 123, 124]
    assert rows["statistical_neighbours", KIRKLEES][1] == 91 == (89 + 93) / 2

    bench = conn.execute(
        "SELECT la_name, period_end, value, comparator_period_end, england_value, region_name, "
        "region_value, statistical_neighbours_value, neighbours_with_value, published_value "
        "FROM marts.indicator_benchmarks WHERE la_code = ? AND indicator_id = 'cla_rate_per_10k'",
        [KIRKLEES]).fetchall()
    # the hand-made warehouse value at 31 March 2025: 114 children over 50,000
    assert bench == [("Kirklees", MARCH_2025, pytest.approx(22.8), MARCH_2025, 67,
                      "Yorkshire and The Humber", 77, 91, 10, 64)]
    parity = conn.execute(
        "SELECT warehouse_value, published_value, difference, differs FROM marts.indicator_parity "
        "WHERE la_code = ? AND indicator_id = 'cla_rate_per_10k' AND period_end = ?",
        [KIRKLEES, MARCH_2025]).fetchall()
    assert parity == [(pytest.approx(22.8), 64, pytest.approx(22.8 - 64), True)]


def test_every_council_with_codes_region_and_ten_neighbours(conn):
    rows = conn.execute("SELECT la_code, dfe_code, la_name, region_code, region_name "
                        "FROM reference.councils").fetchall()
    assert len(rows) == 153
    by_name = {r[2]: r for r in rows}
    assert by_name["Cumberland"][:2] == ("E06000063", "942")
    assert by_name["Westmorland and Furness"][:2] == ("E06000064", "943")
    assert by_name["Westminster"][3:] == ("E12000007", "London")  # not Inner London (E13)
    assert all(re.fullmatch(r"E(06|08|09|10)\d{6}", r[0]) and r[3].startswith("E12")
               for r in rows)
    counts = conn.execute("SELECT la_code, count(*), count(neighbour_la_code), count(closeness) "
                          "FROM reference.statistical_neighbours GROUP BY 1").fetchall()
    assert len(counts) == 153 and {c[1:] for c in counts} == {(10, 10, 10)}


def test_statistical_neighbour_median_and_sum_for_every_council(conn):
    la = {(i, d, code): v for i, d, code, v in conn.execute(
        "SELECT indicator_id, period_end, geography_code, value FROM marts.indicator_comparators "
        "WHERE geography_level = 'la'").fetchall()}
    neighbours: dict[str, list[str]] = {}
    for code, n in conn.execute("SELECT la_code, neighbour_la_code FROM "
                                "reference.statistical_neighbours ORDER BY neighbour_rank"
                                ).fetchall():
        neighbours.setdefault(code, []).append(n)
    checked = 0
    for ind, d, code, value, with_value in conn.execute(
            "SELECT indicator_id, period_end, geography_code, value, neighbours_with_value FROM "
            "marts.indicator_comparators WHERE geography_level = 'statistical_neighbours'"
    ).fetchall():
        known = [la[ind, d, n] for n in neighbours[code] if la.get((ind, d, n)) is not None]
        assert with_value == len(known)
        if catalogue.indicator(ind).unit == "count":
            assert value == (sum(known) if len(known) == 10 else None)
        else:
            assert value == (statistics.median(known) if known else None)
        checked += 1
    assert checked > 10_000


def test_suppression_markers_become_null_and_are_kept(conn):
    rows = conn.execute("SELECT value, suppression_marker FROM reference.dfe_published "
                        "WHERE suppression_marker IS NOT NULL").fetchall()
    assert rows and all(value is None for value, _ in rows)
    assert {m for _, m in rows} <= {"c", "z", "x", "k", "u", "low"}
    # Stockport's care leavers in suitable accommodation, 2025: published as 'c'
    assert conn.execute(
        "SELECT value, suppression_marker FROM marts.indicator_comparators WHERE indicator_id = "
        "'care_leavers_suitable_accom_pct' AND period_end = ? AND geography_code = 'E08000007' "
        "AND geography_level = 'la'",
        [MARCH_2025]).fetchall() == [(None, "c")]


def test_rank_and_quartile_by_polarity(conn):
    # Kirklees' long-term stability (higher is better), 2025: 74%, rank by hand
    values = [v for (v,) in conn.execute(
        "SELECT value FROM marts.indicator_comparators WHERE indicator_id = "
        "'cla_long_term_stability_pct' AND period_end = ? AND geography_level = 'la' "
        "AND value IS NOT NULL", [MARCH_2025]).fetchall()]
    rows = {r[1]: r for r in _comparators(conn, "cla_long_term_stability_pct") if r[0] == "la"}
    level, code, name, value, marker, _, rank, rank_of, quartile = rows[KIRKLEES]
    assert value == 74 and rank == 1 + sum(v > 74 for v in values) and rank_of == len(values)
    assert quartile == -(-4 * rank // rank_of) == 1
    # counts follow a council's size: not ranked
    count_rows = {r[1]: r for r in _comparators(conn, "cla_count") if r[0] == "la"}
    assert count_rows[KIRKLEES][3] == 641 and count_rows[KIRKLEES][6:] == (None, None, None)


def test_published_values_computed_from_rows_where_the_dfe_gives_no_percentage(conn):
    # outside the LA: (outside < 20 miles + outside > 20 miles) / total new placements
    row = conn.execute(
        "SELECT value, numerator, denominator, definition_note FROM marts.indicator_comparators "
        "WHERE indicator_id = 'cla_starts_outside_la_month_pct' AND period_end = ? "
        "AND geography_level = 'england'", [MARCH_2025]).fetchall()[0]
    assert row[0] == round(100 * row[1] / row[2])
    assert "including those whose location is not known" in row[3]


def test_every_mapping_finds_its_rows(conn):
    found = {i for (i,) in conn.execute(
        "SELECT DISTINCT indicator_id FROM reference.dfe_published").fetchall()}
    mapped = {i.indicator_id for i in catalogue.indicators().values() if i.published}
    assert found == mapped and len(mapped) >= 12


def test_vendored_files_are_the_ones_recorded():
    folder = councils.DFE_DIR
    readme = (folder / "README.md").read_text()
    recorded = dict(re.findall(r"^\| (\S+\.csv) \|.*\| `([0-9a-f]{64})` \|$", readme, re.M))
    files = {p.name for p in folder.glob("*.csv")}
    assert set(recorded) == files
    for name, digest in recorded.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert "Open Government Licence v3.0" in readme and "2f5d11a4" in readme
    used = {i.published.file for i in catalogue.indicators().values() if i.published}
    used |= {councils.SN_MODEL.name, councils.CODES_FILE.name, ons_population.ONS_FILE.name}
    assert used == files  # only the files the warehouse reads


def test_ons_population_only_for_councils_missing_from_population_csv(tmp_path: Path):
    csv = tmp_path / "population.csv"
    csv.write_text("LA_CODE,YEAR,POPULATION_0_17\nE08000035,2024,180000\n")
    with duckdb.connect() as c:
        population.load_population(c, csv)
        added = ons_population.add_defaults(c, [KIRKLEES, "E08000035", "W06000001"])
        assert added == [KIRKLEES]
        rows = dict(c.execute("SELECT year, population_0_17 FROM reference.population "
                              "WHERE la_code = ?", [KIRKLEES]).fetchall())
        assert rows[2024] == 99822 and min(rows) == 2012
        # population.csv's council keeps its own figure, and only it
        assert c.execute("SELECT year, population_0_17 FROM reference.population WHERE la_code "
                         "= 'E08000035'").fetchall() == [(2024, 180000)]
        assert ons_population.add_defaults(c, [KIRKLEES]) == []  # already there
