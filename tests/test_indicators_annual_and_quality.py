"""Hand-built cases for the annual_returns (OC2, OC3) and data_quality (postcodes, E8) families."""

import pytest

from tests.test_indicators_support import add, build, child, episode, row, start


@pytest.fixture
def annual(conn):
    start(conn)
    add(conn, "header", [child("X", "2010-01-01")], extract_date="2024-03-31")
    add(conn, "oc2", [{"CHILD": "P0", "DOB": "2012-01-01", "HEALTH_ASSESSMENT": "0",
                       "COLLECTION_YEAR": 2024}], extract_date="2024-03-31")

    def oc2(c, dob, ha, teeth, imm, conv):
        return {"CHILD": c, "DOB": dob, "HEALTH_ASSESSMENT": ha, "TEETH_CHECK": teeth,
                "IMMUNISATIONS": imm, "CONVICTED": conv, "COLLECTION_YEAR": 2025}

    add(conn, "oc2", [
        oc2("O1", "2014-04-01", "1", "1", "0", "1"),  # 10 on 31/03/2025
        oc2("O2", "2007-03-31", "1", "0", "1", "1"),  # 18 on 31/03/2025: not in 10-17
        oc2("O3", "2015-04-01", "0", "1", "1", "0"),  # 9
        oc2("O4", "2008-04-01", "1", None, None, "0"),  # 16
    ])

    def oc3(c, in_touch, activ, accom):
        return {"CHILD": c, "DOB": "2005-01-01", "IN_TOUCH": in_touch, "ACTIV": activ,
                "ACCOM": accom, "COLLECTION_YEAR": 2025}

    add(conn, "oc3", [
        oc3("C1", "YES", "F1", "B1"), oc3("C2", "NO", "0", "0"), oc3("C3", "DIED", "0", "0"),
        oc3("C4", "RHOM", "0", "0"), oc3("C5", "YES", "P5", "S2"), oc3("C6", "REFU", "0", "0"),
    ])
    build(conn)
    return conn


def test_oc2(annual):
    assert row(annual, "cla_health_assessment_pct", "2025-03-31") == (3, 4, 75.0)
    assert row(annual, "cla_dental_check_pct", "2025-03-31") == (2, 4, 50.0)
    assert row(annual, "cla_immunisations_pct", "2025-03-31") == (2, 4, 50.0)
    assert row(annual, "cla_convicted_pct", "2025-03-31") == (1, 2, 50.0)  # O1 of O1, O4
    assert row(annual, "cla_health_assessment_pct", "2024-03-31") == (0, 1, 0.0)


def test_oc3(annual):
    # denominator C1, C2, C5, C6 (DIED and RHOM excluded)
    assert row(annual, "care_leavers_in_touch_pct", "2025-03-31") == (2, 4, 50.0)
    assert row(annual, "care_leavers_suitable_accom_pct", "2025-03-31") == (1, 4, 25.0)  # B1
    assert row(annual, "care_leavers_eet_pct", "2025-03-31") == (2, 4, 50.0)  # F1, P5
    # no OC3 return for 2023/24: the row exists, empty
    assert row(annual, "care_leavers_in_touch_pct", "2024-03-31") == (None, None, None)


def test_annual_rows_only_at_31_march(annual):
    periods = annual.execute(
        "SELECT DISTINCT period_end::VARCHAR FROM marts.indicator_values "
        "WHERE indicator_id = 'cla_dental_check_pct' ORDER BY 1").fetchall()
    assert periods == [("2024-03-31",), ("2025-03-31",)]


@pytest.fixture
def quality(conn):
    start(conn)
    # the data covers 01/04/2023 on: the 12 months ending 30/04/2024 are covered
    add(conn, "header", [child("X", "2010-01-01")], extract_date="2024-03-31")
    add(conn, "header", [child(c, "2012-01-01") for c in ("Z1", "Z2", "Z3", "Z4", "Z5", "Z6",
                                                          "Z7")])
    add(conn, "episodes", [
        episode("Z1", "2024-05-02", "S", "C2", "U4", home="HD1 1AA", pl="HD2 2BB"),
        episode("Z2", "2024-05-03", "S", "C2", "U4", home=None, pl="HD2 2BB"),  # blank
        episode("Z3", "2024-05-04", "S", "C2", "U4", home="HD1 1AA", pl="ZZ9 9ZZ"),  # not found
        episode("Z4", "2024-05-05", "S", "C2", "P1", home="HD1 1AA", pl="hd1 1aa"),  # P1
        episode("Z5", "2024-05-06", "S", "C2", "U4", home="HD1 1AA", pl="HD11AA"),  # same
        episode("Z6", "2024-04-01", "S", "V2", "U4", "2024-05-15", "E8"),
        episode("Z7", "2024-04-01", "S", "V2", "U4", "2024-05-20", "E4A"),
    ])
    build(conn)
    return conn


def test_postcode_quality(quality):
    # May starts Z1-Z5: Z2 (blank home) and Z3 (placement not found) -> 2 / 5
    assert row(quality, "dq_starts_no_postcode_month_pct", "2024-05-31") == (2, 5, 40.0)
    assert row(quality, "dq_cla_no_postcode_pct", "2024-05-31") == (2, 5, 40.0)
    # not P1 with both recorded: Z1, Z3, Z5; equal (after normalising) Z5
    assert row(quality, "dq_home_equals_placement_postcode_pct", "2024-05-31") == (1, 3, 100 / 3)
    assert row(quality, "dq_starts_no_postcode_month_pct", "2024-04-30") == (0, 2, 0.0)


def test_ceased_e8(quality):
    assert row(quality, "dq_ceased_reason_e8_12m_pct", "2024-05-31") == (1, 2, 50.0)
    assert row(quality, "dq_ceased_reason_e8_12m_pct", "2024-04-30") == (0, 0, None)
