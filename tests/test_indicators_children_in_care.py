"""Hand-built cases for the children_in_care family. Expected values worked out by hand from
spec/indicators.md; see the comments by each child."""

import pytest

from tests.test_indicators_support import LA, LANCS, add, build, child, episode, row, start, value

D = "2024-06-30"


@pytest.fixture
def cic(conn):
    start(conn)
    add(conn, "header", [
        child("A", "2010-02-28", "M", "WBRI"),   # 14 at D -> 10-15
        child("B", "2024-02-29", "2", "MWBC"),   # 29 Feb DOB: 0 on 28/02/2025, 1 on 31/03
        child("C", "2008-07-15", "F", "REFU"),
        child("D", "2012-01-01", "M", "WBRI"),   # short breaks only
        child("E", "2008-06-01", "U", "OOTH"),   # turned 16 on 01/06/2024 -> 16+
        child("F", "2015-01-01", "1", "BAFR"),   # 9 -> 5-9
    ])
    add(conn, "episodes", [
        # A: C2 foster (U4) 3.1 miles away inside Kirklees, open
        episode("A", "2023-01-01", "S", "C2", "U4", home="HD1 1AA", pl="HD2 2BB"),
        # B: placement order, placed for adoption at LS2 2BB: 20.1 miles, outside (Leeds)
        episode("B", "2024-03-01", "S", "E1", "A4", home="HD1 1AA", pl="LS2 2BB"),
        # C: ceased ON the month end D -> not looked after at D (but looked after at 31/05/2024)
        episode("C", "2024-05-10", "S", "V2", "K2", "2024-06-30", "E4A", pl="LS1 1AA"),
        # D: short breaks (V3) never count
        episode("D", "2024-01-01", "S", "V3", "U4"),
        # E: care order placed with parents; placement postcode blank -> distance and LA unknown
        episode("E", "2024-04-15", "S", "C1", "P1", home="HD1 1AA", pl=None),
        # F: kinship foster carer whose postcode is not in the directory, then a temporary
        #    absence (T1, hospital) open at D: still in the kinship placement for the breakdown
        episode("F", "2024-04-01", "S", "V2", "U1", "2024-06-20", "X1", pl="ZZ9 9ZZ"),
        episode("F", "2024-06-20", "P", "V2", "T1", home=None, pl=None),
    ])
    # E is UASC until 30/09/2024 (DUC): Y at D, N at 30/09/2024
    add(conn, "uasc", [{"CHILD": "E", "SEX": "U", "DOB": "2008-06-01", "DUC": "2024-09-30"}])
    # Lancashire: G lives and is placed in Lancaster district -> inside Lancashire
    add(conn, "header", [child("G", "2012-01-01")], la_code=LANCS)
    add(conn, "episodes", [episode("G", "2024-04-01", "S", "C2", "U4", home="LA1 1AA",
                                   pl="LA1 1AA")], la_code=LANCS)
    conn.execute("INSERT INTO reference.population VALUES "
                 f"('{LA}', 2023, 100000), ('{LA}', 2025, 50000), ('{LA}', 2026, 40000), "
                 f"('{LANCS}', 2026, 200000)")
    build(conn)
    return conn


def test_cla_count_headline_and_ceasing_on_month_end(cic):
    assert row(cic, "cla_count", D) == (4, None, 4)  # A, B, E, F (C ceased on D, D short breaks)
    assert value(cic, "cla_count", "2024-05-31") == 5  # A, B, C, E, F
    assert value(cic, "cla_count", "2024-04-30") == 4  # A, B, E, F (C from 10/05)


def test_cla_count_breakdowns(cic):
    expected = {
        "age_band=under 1": 1, "age_band=1-4": 0, "age_band=5-9": 1, "age_band=10-15": 1,
        "age_band=16+": 1,
        "sex=M": 2, "sex=F": 1, "sex=U": 1,
        "ethnicity_group=W": 1, "ethnicity_group=M": 1, "ethnicity_group=A": 0,
        "ethnicity_group=B": 1, "ethnicity_group=Other": 1, "ethnicity_group=Not known": 0,
        "legal_status=care_order": 2, "legal_status=placement_order": 1,
        "legal_status=s20": 1, "legal_status=youth_justice": 0, "legal_status=emergency": 0,
        "placement_group=foster_other": 1, "placement_group=placed_for_adoption": 1,
        "placement_group=placed_with_parents": 1, "placement_group=foster_kinship": 1,
        "placement_group=childrens_home": 0, "placement_group=secure_home": 0,
        "uasc=Y": 1, "uasc=N": 3,
    }
    for breakdown, n in expected.items():
        assert value(cic, "cla_count", D, breakdown) == n, breakdown
    assert value(cic, "cla_count", "2024-09-30", "uasc=Y") == 0  # DUC 30/09 is not after d


def test_leap_day_birthday(cic):
    assert value(cic, "cla_count", "2025-02-28", "age_band=under 1") == 1  # B not 1 until 1 March
    assert value(cic, "cla_count", "2025-03-31", "age_band=under 1") == 0
    assert value(cic, "cla_count", "2025-03-31", "age_band=1-4") == 1


def test_rate_per_10k_uses_latest_estimate_on_or_before_year(cic):
    assert row(cic, "cla_rate_per_10k", D) == (4, 100000, 0.4)  # 2023 estimate for 2024
    assert row(cic, "cla_rate_per_10k", "2025-03-31") == (4, 50000, 0.8)  # 2025 estimate
    # Lancashire only has 2026: the earliest one is used
    assert row(cic, "cla_rate_per_10k", D, la_code=LANCS) == (1, 200000, 0.05)


def test_placement_group_pct_has_no_all_row(cic):
    assert row(cic, "cla_placement_group_pct", D, "placement_group=foster_kinship") == (1, 4, 25.0)
    assert row(cic, "cla_placement_group_pct", D, "placement_group=childrens_home") == (0, 4, 0.0)
    n = cic.execute("SELECT count(*) FROM marts.indicator_values WHERE indicator_id = "
                    "'cla_placement_group_pct' AND breakdown = 'all'").fetchall()[0][0]
    assert n == 0


def test_outside_la_and_distance(cic):
    # known LA: A (inside), B (outside); E blank, F not found -> unknown
    assert row(cic, "cla_outside_la_pct", D) == (1, 2, 50.0)
    # known distance: A 3.1, B 20.1 (> 20)
    assert row(cic, "cla_over_20_miles_pct", D) == (1, 2, 50.0)
    # 31/05: C at LS1 1AA is 20.0 miles (not over 20) and outside
    assert row(cic, "cla_over_20_miles_pct", "2024-05-31") == (1, 3, 100 / 3)
    assert row(cic, "cla_outside_la_pct", "2024-05-31") == (2, 3, 200 / 3)
    # Lancaster district is inside Lancashire
    assert row(cic, "cla_outside_la_pct", D, la_code=LANCS) == (0, 1, 0.0)


def test_care_order_at_home(cic):
    assert row(cic, "cla_care_order_at_home_count", D) == (1, None, 1)  # E (C1, P1)


def test_month_ends_cover_extract_window(cic):
    periods = cic.execute("SELECT min(period_end)::VARCHAR, max(period_end)::VARCHAR, count(*) "
                          "FROM model.month_ends WHERE la_code = ?", [LA]).fetchall()[0]
    assert periods == ("2024-04-30", "2025-03-31", 12)
