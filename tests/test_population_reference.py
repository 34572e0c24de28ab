"""reference.population from <landing>/reference/population.csv (issue 12, item 11): bad rows are
rejected naming file, row and column; conflicting duplicates fail the load and keep the previous
population; a rate's population year follows one documented rule, and falling back to another
year is reported per council."""

import jinja2
import pytest

from tests.helpers.landing_builder import extract_dir, write_population, write_table
from tests.test_indicators_support import LANCS, add, build, child, episode, start
from warehouse import sqlfiles
from warehouse.ingest import raw_loader
from warehouse.reference import population

LEEDS = "E08000035"
KIRKLEES = "E08000034"


def load(conn, landing_dir):
    return population.load_population(conn, landing_dir / "reference" / "population.csv")


def loaded(conn):
    return conn.execute("SELECT * FROM reference.population ORDER BY la_code, year").fetchall()


def rejected(conn):
    return conn.execute("SELECT source_file, row_number, column_name, reason FROM "
                        "staging.rejected_rows WHERE table_name = 'population' "
                        "ORDER BY row_number").fetchall()


def test_non_finite_and_non_positive_populations_are_rejected(conn, landing_dir):
    write_population(landing_dir, [(LEEDS, 2024, 180000), (LEEDS, 2025, "nan"),
                                   (LEEDS, 2026, "inf"), (LEEDS, 2027, "-inf"),
                                   (LEEDS, 2028, "1e400"), (LEEDS, 2029, 0), (LEEDS, 2030, "")])
    result = load(conn, landing_dir)
    assert (result.loaded, result.rejected) == (1, 6)
    assert loaded(conn) == [(LEEDS, 2024, 180000.0)]
    reason = "POPULATION_0_17 is not a positive number"
    assert rejected(conn) == [("reference/population.csv", n, "POPULATION_0_17", reason)
                              for n in range(3, 9)]


def test_la_codes_are_validated_as_the_landing_scanner_does(conn, landing_dir):
    write_population(landing_dir, [(LEEDS, 2024, 180000), ("Leeds", 2024, 180000),
                                   ("E0800003", 2024, 1), ("E08000035x", 2024, 1),
                                   ("e08000034", 2024, 98000), ("", 2024, 5)])
    result = load(conn, landing_dir)
    assert (result.loaded, result.rejected) == (2, 4)
    assert loaded(conn) == [(KIRKLEES, 2024, 98000.0), (LEEDS, 2024, 180000.0)]
    reason = "LA_CODE is not an ONS LA code (e.g. E08000034)"
    assert rejected(conn) == [("reference/population.csv", 3, "LA_CODE", reason),
                              ("reference/population.csv", 4, "LA_CODE", reason),
                              ("reference/population.csv", 5, "LA_CODE", reason),
                              ("reference/population.csv", 7, "LA_CODE", "LA_CODE is blank")]


def test_no_message_quotes_a_value(conn, landing_dir):
    write_population(landing_dir, [("Leeds", 2024, 180000), (LEEDS, "twenty", 5),
                                   (LEEDS, 2024, "lots")])
    load(conn, landing_dir)
    reasons = " ".join(r[3] for r in rejected(conn))
    assert not any(v in reasons for v in ("Leeds", "twenty", "lots", "180000"))


def test_conflicting_duplicates_fail_the_load_and_keep_the_previous_population(conn,
                                                                              landing_dir):
    write_population(landing_dir, [(LEEDS, 2024, 180000)])
    load(conn, landing_dir)
    write_population(landing_dir, [(LEEDS, 2023, 179000), (LEEDS, 2024, 180000),
                                   (KIRKLEES, 2024, 98000), (LEEDS, 2024, 90)])
    with pytest.raises(population.PopulationError) as raised:
        load(conn, landing_dir)
    message = str(raised.value)
    assert "reference/population.csv" in message and "rows 3 and 5" in message
    assert "POPULATION_0_17" in message
    assert "180000" not in message and "90" not in message
    assert loaded(conn) == [(LEEDS, 2024, 180000.0)]  # the previous load stays


def test_identical_duplicates_are_loaded_once_with_a_warning(conn, landing_dir):
    write_population(landing_dir, [(LEEDS, 2024, 180000), (LEEDS, 2024, "180000.0"),
                                   ("e08000035", 2024, 180000)])
    result = load(conn, landing_dir)
    assert loaded(conn) == [(LEEDS, 2024, 180000.0)]
    assert (result.loaded, result.rejected, result.duplicates) == (1, 0, 2)
    assert result.warnings == [
        "reference/population.csv: rows 2, 3 and 4 repeat the same LA_CODE, YEAR and "
        "POPULATION_0_17; loaded once"]


# ---- which year's population a rate uses --------------------------------------------------


def chosen_years(conn, la_code: str, years: list[int]) -> list[int | None]:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(sqlfiles.SQL_DIR))
    sql = env.from_string("{% import 'macros.sql' as m %}SELECT y, "
                          "{{ m.population_year('$la', 'y') }} FROM unnest($years) AS t(y) "
                          "ORDER BY y").render()
    return [r[1] for r in conn.execute(sql, {"la": la_code, "years": years}).fetchall()]


def test_a_rate_uses_its_year_else_up_to_two_years_before_else_up_to_two_after(conn):
    population.load_population(conn, None)
    conn.execute(f"INSERT INTO reference.population VALUES ('{LEEDS}', 2018, 1), "
                 f"('{LEEDS}', 2020, 1), ('{LEEDS}', 2021, 1), ('{KIRKLEES}', 2030, 1)")
    assert chosen_years(conn, LEEDS, list(range(2014, 2026))) == [
        None, None, 2018, 2018, 2018, 2018, 2020, 2021, 2021, 2021, None, None]
    assert chosen_years(conn, KIRKLEES, [2027, 2028, 2029, 2031, 2032, 2033]) == [
        None, 2030, 2030, 2030, 2030, None]


def test_no_rate_for_a_month_without_a_population_within_reach(conn):
    """A rate without a population in reach is NULL (its row stays, as the catalogue requires),
    as it is for a council without any population."""
    start(conn)
    for la in (LANCS, KIRKLEES):
        add(conn, "header", [child("G", "2012-01-01")], la_code=la)
        add(conn, "episodes", [episode("G", "2024-04-01", "S", "C2", "U4", home="LA1 1AA",
                                       pl="LA1 1AA")], la_code=la)
    # month ends 2024-04-30 .. 2025-03-31: 2027 is within reach of 2025, not of 2024;
    # Kirklees has no population at all
    conn.execute(f"INSERT INTO reference.population VALUES ('{LANCS}', 2027, 200000)")
    build(conn)
    rates = conn.execute("SELECT la_code, period_end, denominator, value "
                         "FROM marts.indicator_values WHERE indicator_id = 'cla_rate_per_10k' "
                         "ORDER BY la_code, period_end").fetchall()
    assert len(rates) == 24
    assert {(d, v) for la, _, d, v in rates if la == KIRKLEES} == {(None, None)}
    lancs = [(str(pe), d, v) for la, pe, d, v in rates if la == LANCS]
    assert {(d, v) for pe, d, v in lancs if pe < "2025"} == {(None, None)}
    assert {(d, v) for pe, d, v in lancs if pe > "2025"} == {(200000.0, 0.05)}


def test_fallbacks_are_counted_per_council(conn, landing_dir):
    population.load_population(conn, None)

    for la, day in [(LEEDS, "2024-03-31"), (LEEDS, "2025-03-31"), (KIRKLEES, "2025-03-31"),
                    (LANCS, "2025-03-31")]:
        write_table(extract_dir(landing_dir, la, day), "header", [])
    raw_loader.ingest_landing(conn, landing_dir)
    # Leeds: month ends 2023-04 .. 2025-03 (years 2023-2025); Kirklees: 2024-04 .. 2025-03
    conn.execute(f"INSERT INTO reference.population VALUES ('{LEEDS}', 2023, 1), "
                 f"('{LEEDS}', 2024, 1), ('{KIRKLEES}', 2020, 1)")
    found = population.fallbacks(conn)
    assert found == [
        population.Fallback(KIRKLEES, 2024, None), population.Fallback(KIRKLEES, 2025, None),
        population.Fallback(LEEDS, 2025, 2024),
        population.Fallback(LANCS, 2024, None), population.Fallback(LANCS, 2025, None),
    ]
    assert population.fallback_messages(found) == [
        f"{KIRKLEES}: no population estimate within 2 years of 2024, 2025 in "
        "reference/population.csv: no rate per 10,000 for those month ends",
        f"{LEEDS}: rates per 10,000 for 2025 use the 2024 population estimate (no 2025 row "
        "in reference/population.csv)",
        f"{LANCS}: no population estimate within 2 years of 2024, 2025 in "
        "reference/population.csv: no rate per 10,000 for those month ends",
    ]


# ---- the population asset ------------------------------------------------------------------


def _materialize_population(settings):
    import dagster as dg

    from assets.ingest import population_reference
    from pipelines.resources import build_resources
    from tests.helpers.fault_corpus import _event_texts

    with dg.instance_for_test() as instance:
        result = dg.materialize([population_reference], resources=build_resources(settings),
                                instance=instance, raise_on_error=False)
        texts = [t for r in instance.all_logs(result.run_id) for t in _event_texts(r)]
    metadata = {}
    for event in result.get_asset_materialization_events():
        metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    return result, "\n".join(texts), metadata


def test_the_population_asset_warns_on_fallback_and_fails_loudly_on_conflicts(settings, conn,
                                                                              landing_dir):
    for la in (LEEDS, KIRKLEES):
        write_table(extract_dir(landing_dir, la, "2025-03-31"), "header", [])
    raw_loader.ingest_landing(conn, landing_dir)
    conn.close()
    write_population(landing_dir, [(LEEDS, 2024, 180000), (LEEDS, 2024, 180000),
                                   (KIRKLEES, 2024, 98000), (KIRKLEES, 2025, 98765),
                                   (KIRKLEES, 2026, "nan")])
    result, text, metadata = _materialize_population(settings)
    assert result.success
    assert (f"{LEEDS}: rates per 10,000 for 2025 use the 2024 population estimate (no 2025 row "
            "in reference/population.csv)") in text
    assert "rows 2 and 3 repeat the same LA_CODE, YEAR and POPULATION_0_17" in text
    assert "1 row(s) rejected" in text
    assert {k: metadata[k] for k in ("dagster/row_count", "rows_rejected",
                                     "duplicate_rows_collapsed",
                                     "councils_using_another_years_population",
                                     "years_using_another_years_population",
                                     "years_without_a_population")} == {
        "dagster/row_count": 3, "rows_rejected": 1, "duplicate_rows_collapsed": 1,
        "councils_using_another_years_population": 1, "years_using_another_years_population": 1,
        "years_without_a_population": 0}

    write_population(landing_dir, [(LEEDS, 2024, 180000), (LEEDS, 2024, 18)])
    result, text, _ = _materialize_population(settings)
    assert not result.success
    assert "reference/population.csv: different POPULATION_0_17" in text
    assert "180000" not in text and "98765" not in text
