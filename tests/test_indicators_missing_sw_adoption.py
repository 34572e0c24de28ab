"""Hand-built cases for the missing, social_workers and adoption families."""

import pytest

from tests.test_indicators_support import add, build, child, episode, no_rows, row, start, value


def incident(child_id, kind, date):
    return {"CHILD": child_id, "MISSING": kind, "MIS_START": date}


@pytest.fixture
def missing(conn):
    start(conn)
    add(conn, "header", [child(c, "2010-01-01") for c in ("MA", "MB", "MC", "MD", "ME")])
    add(conn, "episodes", [
        episode("MA", "2023-01-01", "S", "C2", "U4"),
        episode("MB", "2023-01-01", "S", "C2", "U4"),
        # MC left care on 01/05: looked after at some time in May (not at its end)
        episode("MC", "2023-01-01", "S", "C2", "U4", "2024-05-01", "E4A"),
        episode("MD", "2024-01-01", "S", "V3", "U4"),  # short breaks only
        episode("ME", "2024-05-31", "S", "C2", "U4"),  # starts on the last day of May
    ])
    add(conn, "missing", [
        incident("MA", "M", "2024-05-03"), incident("MA", "M", "2024-05-20"),
        incident("MA", "A", "2024-05-10"),
        incident("MB", "M", "2024-05-31"), incident("MB", "A", "2024-06-01"),
        incident("MC", "M", "2024-05-01"),  # the day MC left care
        incident("MD", "M", "2024-05-05"),
    ])
    build(conn)
    return conn


def test_missing_month(missing):
    # May: looked after at any time MA, MB, MC (left care on 01/05: looked after that day), ME
    # (MD short breaks); missing MA, MB, MC
    assert row(missing, "cla_missing_month_pct", "2024-05-31") == (3, 4, 75.0)
    assert row(missing, "cla_missing_repeat_month_pct", "2024-05-31") == (1, 3, 100 / 3)  # MA
    assert row(missing, "cla_away_month_pct", "2024-05-31") == (1, 4, 25.0)  # MA
    # June: MA, MB, ME (MC left in May); MB away on 01/06; nobody missing
    assert row(missing, "cla_missing_month_pct", "2024-06-30") == (0, 3, 0.0)
    assert row(missing, "cla_missing_repeat_month_pct", "2024-06-30") == (0, 0, None)
    assert row(missing, "cla_away_month_pct", "2024-06-30") == (1, 3, 100 / 3)


@pytest.fixture
def social_workers(conn):
    start(conn)
    add(conn, "header", [child("X", "2010-01-01")], extract_date="2024-03-31")
    add(conn, "header", [child(c, "2010-01-01") for c in ("SA", "SB", "SC")])
    add(conn, "episodes", [
        episode("SA", "2023-01-01", "S", "C2", "U4"),
        episode("SB", "2023-01-01", "S", "C2", "U4"),
        episode("SC", "2023-01-01", "S", "V3", "U4"),  # short breaks: not looked after
    ])

    def sw(c, worker, start_date, end_date=None):
        return {"CHILD": c, "SW_ID": worker, "SW_DECOM": start_date, "SW_DEC": end_date}

    # SWEpisodes first in the 2023/24 extract: covered from 01/04/2023
    add(conn, "sw_episodes", [sw("SA", "SW1", "2023-01-01", "2024-05-01")],
        extract_date="2024-03-31")
    add(conn, "sw_episodes", [
        sw("SA", "SW2", "2024-05-01", "2024-08-01"), sw("SA", "SW3", "2024-08-01"),
        sw("SB", "SW1", "2023-01-01", "2024-05-01"), sw("SB", "SW2", "2024-05-01", "2024-06-01"),
        sw("SB", "SW1", "2024-06-01"),  # the same worker again: 2 distinct
        sw("SC", "SW4", "2024-04-01", "2024-05-01"), sw("SC", "SW5", "2024-05-01", "2024-06-01"),
        sw("SC", "SW6", "2024-06-01"),
    ])
    build(conn)
    return conn


def test_social_workers(social_workers):
    assert row(social_workers, "cla_sw_3plus_12m_pct", "2024-08-31") == (1, 2, 50.0)  # SA
    assert row(social_workers, "cla_sw_3plus_12m_pct", "2024-04-30") == (0, 2, 0.0)
    assert row(social_workers, "cla_sw_3plus_12m_pct", "2025-03-31") == (1, 2, 50.0)
    # published from the first month end whose 12 months SWEpisodes cover (from 01/04/2023)
    assert row(social_workers, "cla_sw_3plus_12m_pct", "2024-03-31") == (0, 2, 0.0)
    assert no_rows(social_workers, "cla_sw_3plus_12m_pct", "2024-02-29")
    assert no_rows(social_workers, "cla_sw_3plus_12m_pct", "2023-04-30")


@pytest.fixture
def adoption(conn):
    start(conn)
    add(conn, "header", [child("X", "2010-01-01")], extract_date="2024-03-31")
    add(conn, "header", [child(c, "2020-01-01") for c in ("AA", "AB", "AC", "AD", "AW", "AX")])
    add(conn, "episodes", [
        # AA: adopted by the foster carers (AD1 FOSTER_CARE 1): with them from 10/01/2022 (U4),
        #     A3 by a U change (same carer); period from 01/11/2021 -> 70 days
        episode("AA", "2021-11-01", "S", "C2", "U6", "2022-01-10", "X1", reason="CARPL"),
        episode("AA", "2022-01-10", "P", "C2", "U4", "2023-06-01", "X1"),
        episode("AA", "2023-06-01", "U", "E1", "A3", "2024-07-15", "E12"),
        # AB: placed for adoption on 29/02/2024 (A4); period from 01/01/2023 -> 424 days
        episode("AB", "2023-01-01", "S", "C2", "U6", "2024-02-29", "X1", reason="CARPL"),
        episode("AB", "2024-02-29", "P", "E1", "A4", "2024-09-30", "E11"),
        # AC: adopted with no A3-A6 placement recorded: left out of A10
        episode("AC", "2023-05-01", "S", "C2", "U4", "2024-10-10", "E11"),
        # AD: in care before the data (first episode RNE P, 01/01/2023); with adopters (A4) from
        #     01/07/2024, adopted 15/08/2024: when its period began is not known -> not in A10
        episode("AD", "2023-01-01", "P", "C2", "U6", "2024-07-01", "X1"),
        episode("AD", "2024-07-01", "P", "E1", "A4", "2024-08-15", "E11"),
        episode("AW", "2023-01-01", "S", "E1", "U4"),
        episode("AX", "2023-01-01", "S", "E1", "U4"),
    ])
    add(conn, "ad1", [{"CHILD": "AA", "FOSTER_CARE": "1"}, {"CHILD": "AB", "FOSTER_CARE": "0"}])
    add(conn, "placed_adoption", [
        {"CHILD": "AB", "DATE_PLACED": "2023-12-01"},
        {"CHILD": "AW", "DATE_PLACED": "2024-05-01"},
        {"CHILD": "AX", "DATE_PLACED": "2024-03-01", "DATE_PLACED_CEASED": "2024-06-30"},
    ])
    build(conn)
    return conn


def test_placed_and_waiting(adoption):
    assert value(adoption, "children_placed_for_adoption_count", "2024-06-30") == 2  # AA, AB
    assert value(adoption, "children_placed_for_adoption_count", "2024-08-31") == 1  # AB
    assert value(adoption, "children_waiting_adoption_count", "2024-01-31") == 1  # AB (in U6)
    assert value(adoption, "children_waiting_adoption_count", "2024-05-31") == 2  # AW, AX
    assert value(adoption, "children_waiting_adoption_count", "2024-06-30") == 1  # AX ceased 30/06


def test_a10_days(adoption):
    # 12 months to 30/09/2024: AA 70 days + AB 424 days over 2 children; not AD (its period's
    # start is not in the data), though it is one of the 3 adoptions
    assert row(adoption, "adoption_a10_avg_days_12m", "2024-09-30") == (494, 2, 247.0)
    assert value(adoption, "adoptions_12m", "2024-09-30") == 3
    assert row(adoption, "adoption_a10_avg_days_12m", "2024-06-30") == (0, 0, None)
    assert row(adoption, "adoption_a10_avg_days_12m", "2025-03-31") == (494, 2, 247.0)  # not AC
