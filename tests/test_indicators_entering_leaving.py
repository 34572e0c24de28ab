"""Hand-built cases for the entering_leaving family (starts, ceased, permanence, first placement
of entrants). Expected values worked out by hand from spec/indicators.md."""

import pytest

from tests.test_indicators_support import add, build, child, episode, row, start, value


@pytest.fixture
def flows(conn):
    start(conn)
    # an earlier extract: the data covers 01/04/2023 on, so the 12-month measures are published
    # from 31/03/2024 (tests/test_indicators_coverage.py has a council's first year)
    add(conn, "header", [child("X", "2010-01-01")], extract_date="2024-03-31")
    add(conn, "header", [
        child("H", "2020-05-05"), child("I", "2010-01-01"), child("J", "2015-06-01"),
        child("K", "2007-01-01"), child("L", "2012-03-01"), child("M", "2013-01-01"),
    ])
    add(conn, "episodes", [
        # H: residential (K2) start 10/04/2024, home 20/05 (E4A); re-enters 01/08/2024 in foster
        #    care 20.1 miles away outside the LA; SGO (E45) 15/01/2025
        episode("H", "2024-04-10", "S", "V2", "K2", "2024-05-20", "E4A", pl="HD2 2BB"),
        episode("H", "2024-08-01", "S", "C2", "U4", "2025-01-15", "E45", pl="LS2 2BB"),
        # I: starts 25/04 in a temporary placement (T1); first real placement only on 03/05
        #    -> at 30/04 no placement: not residential, LA and distance unknown
        episode("I", "2024-04-25", "S", "V2", "T1", "2024-05-03", "X1", home=None, pl=None),
        episode("I", "2024-05-03", "P", "V2", "U6", pl="HD2 2BB"),
        # J: in care before the data (first episode RNE P): not a start; adopted 30/06/2024
        episode("J", "2023-01-01", "P", "E1", "A4", "2024-06-30", "E11"),
        # K: starts on the month end 30/06 (placement postcode not found); E15 on 30/09/2024
        episode("K", "2024-06-30", "S", "V2", "U4", "2024-09-30", "E15", pl="ZZ9 9ZZ"),
        # L: starts 05/06; X1 change of placement 29/06 is not a ceasing; CAO (E41) 30/11/2024
        episode("L", "2024-06-05", "S", "V2", "U4", "2024-06-29", "X1", pl="HD2 2BB"),
        episode("L", "2024-06-29", "P", "V2", "U5", "2024-11-30", "E41", pl="HD2 2BB"),
        # M: a short break (V4) start and end: never counted
        episode("M", "2024-06-01", "S", "V4", "U4", "2024-06-05", "E4A"),
    ])
    build(conn)
    return conn


def test_starts_month_with_age_band(flows):
    assert row(flows, "cla_starts_month", "2024-04-30") == (2, None, 2)  # H, I
    assert value(flows, "cla_starts_month", "2024-04-30", "age_band=1-4") == 1  # H aged 3
    assert value(flows, "cla_starts_month", "2024-04-30", "age_band=10-15") == 1  # I aged 14
    assert value(flows, "cla_starts_month", "2024-05-31") == 0
    assert value(flows, "cla_starts_month", "2024-06-30") == 2  # K (on 30/06), L; not M
    assert value(flows, "cla_starts_month", "2024-06-30", "age_band=16+") == 1  # K aged 17
    assert value(flows, "cla_starts_month", "2024-08-31") == 1  # H's re-entry


def test_starts_12m(flows):
    assert value(flows, "cla_starts_12m", "2024-06-30") == 4  # H, I, K, L
    assert value(flows, "cla_starts_12m", "2025-03-31") == 5  # + H again
    assert value(flows, "cla_starts_12m", "2025-03-31", "age_band=1-4") == 2  # H twice (3 and 4)
    assert value(flows, "cla_starts_12m", "2025-03-31", "age_band=under 1") == 0


def test_ceased(flows):
    assert value(flows, "cla_ceased_month", "2024-05-31") == 1  # H
    assert value(flows, "cla_ceased_month", "2024-06-30") == 1  # J (L's X1 is not a ceasing)
    assert value(flows, "cla_ceased_month", "2024-09-30") == 1  # K
    assert value(flows, "cla_ceased_12m", "2025-03-31") == 5  # H, J, K, L, H
    for reason, n in {"home": 1, "adopted": 1, "transfer": 1, "cao": 1, "sgo": 1, "died": 0,
                      "other": 0}.items():
        assert value(flows, "cla_ceased_12m", "2025-03-31", f"reason_group={reason}") == n


def test_permanence_sgo_adoptions(flows):
    # 31/03/2025: J E11, L E41, H E45 of 5 ceased minus K (E15) = 3 / 4
    assert row(flows, "cla_ceased_permanence_12m_pct", "2025-03-31") == (3, 4, 75.0)
    assert row(flows, "cla_ceased_permanence_12m_pct", "2024-06-30") == (1, 2, 50.0)  # J of H, J
    assert value(flows, "sgo_granted_12m", "2025-03-31") == 1
    assert value(flows, "sgo_granted_12m", "2024-06-30") == 0
    assert value(flows, "adoptions_12m", "2024-06-30") == 1
    assert row(flows, "cla_ceased_permanence_12m_pct", "2024-04-30") == (0, 0, None)


def test_first_placement_of_entrants(flows):
    # April: H in K2 (residential, inside, 3.1 miles); I has no placement yet
    assert row(flows, "cla_starts_residential_month_pct", "2024-04-30") == (1, 2, 50.0)
    assert row(flows, "cla_starts_outside_la_month_pct", "2024-04-30") == (0, 1, 0.0)
    assert row(flows, "cla_starts_over_20_miles_month_pct", "2024-04-30") == (0, 1, 0.0)
    # August: H placed at LS2 2BB, 20.1 miles and outside
    assert row(flows, "cla_starts_outside_la_month_pct", "2024-08-31") == (1, 1, 100.0)
    assert row(flows, "cla_starts_over_20_miles_month_pct", "2024-08-31") == (1, 1, 100.0)
    assert row(flows, "cla_starts_residential_month_pct", "2024-08-31") == (0, 1, 0.0)
    # June: K's placement postcode is not found (unknown); L inside, 3.1 miles
    assert row(flows, "cla_starts_outside_la_month_pct", "2024-06-30") == (0, 1, 0.0)
    # no starts in May: NULL
    assert row(flows, "cla_starts_residential_month_pct", "2024-05-31") == (0, 0, None)
