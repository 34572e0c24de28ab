"""Hand-built cases for what the data covers (model.coverage): a council's first return covers 1
April of its collection year on, and a value whose look-back reaches before then is not published;
the completeness check expects exactly the published month ends."""

import pytest

from tests.test_indicators_support import add, build, child, episode, no_rows, row, value
from tests.test_indicators_support import start as start_history
from warehouse.build import indicators as indicator_runner
from warehouse.domain import catalogue

OTHER = "E06000063"


@pytest.fixture
def first_return(conn):
    """E08000034: one return, 2024/25 (covers 01/04/2024-31/03/2025). E06000063: returns from
    2019/20 (covers 01/04/2019 on) to 31/12/2022."""
    start_history(conn)
    add(conn, "header", [child(c, "2012-01-01") for c in ("E1", "E2", "E3", "E4")])
    add(conn, "episodes", [
        # E1: started 10/01/2024, before the data; its episode is still open on 01/04/2024, so
        #     it is in the return, but the starts of January-March 2024 that ended are not
        episode("E1", "2024-01-10", "S", "C2", "U4"),
        # E2: starts 15/04/2024, home 20/06/2024
        episode("E2", "2024-04-15", "S", "V2", "U4", "2024-06-20", "E4A"),
        # E3: starts 01/09/2024
        episode("E3", "2024-09-01", "S", "C2", "U4"),
        # E4: in care before the data; adopted 10/05/2024
        episode("E4", "2020-01-01", "P", "E1", "A4", "2024-05-10", "E11"),
    ])
    add(conn, "header", [child("Y1", "2012-06-01")], la_code=OTHER, extract_date="2020-03-31")
    add(conn, "header", [child("Y2", "2010-01-01")], la_code=OTHER, extract_date="2022-12-31")
    # Y1: in the same placement since 01/05/2018, before the data (its start there unknown)
    add(conn, "episodes", [episode("Y1", "2018-05-01", "P", "C2", "U4")], la_code=OTHER,
        extract_date="2022-12-31")
    build(conn)
    return conn


def coverage(conn, la_code, indicator_id):
    return conn.execute(
        "SELECT coverage_start::VARCHAR, first_extract_date::VARCHAR,"
        " latest_extract_date::VARCHAR, history_start::VARCHAR, first_period_end::VARCHAR,"
        " latest_period_end::VARCHAR FROM model.coverage WHERE la_code = ? AND indicator_id = ?",
        [la_code, indicator_id]).fetchall()


def test_coverage_says_where_each_series_starts(first_return):
    dates = ("2024-04-01", "2025-03-31", "2025-03-31", "2024-04-01")
    # the month end itself, or the month ending it: from the first month end
    assert coverage(first_return, "E08000034", "cla_count") == [
        (*dates, "2024-04-30", "2025-03-31")]
    assert coverage(first_return, "E08000034", "cla_starts_month") == [
        (*dates, "2024-04-30", "2025-03-31")]
    # the 12 months ending the month end: from 31/03/2025 (window 01/04/2024-31/03/2025)
    assert coverage(first_return, "E08000034", "cla_starts_12m") == [
        (*dates, "2025-03-31", "2025-03-31")]
    # 2 years 6 months: 31/10/2026, later than the data reaches: not published yet
    assert coverage(first_return, "E08000034", "cla_long_term_stability_pct") == [
        (*dates, "2026-10-31", "2025-03-31")]
    # no SWEpisodes: never published
    assert coverage(first_return, "E08000034", "cla_sw_3plus_12m_pct") == [
        (*dates[:3], None, None, "2025-03-31")]
    # annual: 31 March of the first collection year
    assert coverage(first_return, "E08000034", "cla_health_assessment_pct") == [
        (*dates, "2025-03-31", "2025-03-31")]
    assert coverage(first_return, OTHER, "cla_long_term_stability_pct") == [
        ("2019-04-01", "2020-03-31", "2022-12-31", "2019-04-01", "2021-10-31", "2022-12-31")]
    assert first_return.execute("SELECT count(*) FROM model.coverage").fetchall() == [
        (2 * len(catalogue.indicators()),)]


def test_no_value_from_a_window_the_data_does_not_cover(first_return):
    conn = first_return
    # the first 11 month ends: the 12 months reach before 01/04/2024 (at 30/04/2024 the window
    # from 01/05/2023 would count E1's start and E2's, not the year's other starts)
    for d in ("2024-04-30", "2024-09-30", "2025-02-28"):
        for indicator_id in ("cla_starts_12m", "cla_ceased_12m", "adoptions_12m",
                             "cla_ceased_permanence_12m_pct", "cla_3plus_placements_12m_pct",
                             "cla_review_participation_12m_pct", "adoption_a10_avg_days_12m",
                             "dq_ceased_reason_e8_12m_pct"):
            assert no_rows(conn, indicator_id, d), (indicator_id, d)
    # 31/03/2025: starts E2, E3 (E1's start is before the window); ceased E2, E4
    assert row(conn, "cla_starts_12m", "2025-03-31") == (2, None, 2)
    assert value(conn, "cla_starts_12m", "2025-03-31", "age_band=10-15") == 2
    assert row(conn, "cla_ceased_12m", "2025-03-31") == (2, None, 2)
    assert row(conn, "cla_ceased_permanence_12m_pct", "2025-03-31") == (1, 2, 50.0)  # E4
    # E4 is adopted but its period's start is not in the data: not in A10
    assert row(conn, "adoption_a10_avg_days_12m", "2025-03-31") == (0, 0, None)
    # the month itself is covered from the first month end
    assert row(conn, "cla_starts_month", "2024-04-30") == (1, None, 1)  # E2
    assert row(conn, "cla_count", "2024-04-30") == (3, None, 3)  # E1, E2, E4
    assert no_rows(conn, "cla_long_term_stability_pct", "2025-03-31")


def test_long_term_stability_from_2_years_6_months_after_the_coverage_start(first_return):
    conn = first_return
    assert no_rows(conn, "cla_long_term_stability_pct", "2021-09-30", la_code=OTHER)
    # 31/10/2021: 2y6m before is 30/04/2019, after the coverage start; Y1 (aged 9) has been in
    # care and in its placement since before the data, at least since 01/05/2018
    assert row(conn, "cla_long_term_stability_pct", "2021-10-31", la_code=OTHER) == (1, 1, 100.0)


def test_complete_for_the_published_month_ends_only(first_return):
    ids = list(catalogue.indicators())
    assert indicator_runner.completeness_problems(first_return, ids) == {}
    first_return.execute(
        "DELETE FROM marts.indicator_values WHERE indicator_id = 'cla_starts_12m' "
        "AND period_end = '2025-03-31' AND breakdown = 'all'")
    assert indicator_runner.completeness_problems(first_return, ids) == {"missing": 1}
