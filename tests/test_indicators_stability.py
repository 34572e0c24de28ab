"""Hand-built cases for the stability family (3+ placements, long-term stability, placement
moves) and the placement-change data-quality measures that share the same episodes."""

import pytest

from tests.test_indicators_support import add, build, child, episode, no_rows, row, start, value


@pytest.fixture
def moves(conn):
    start(conn)
    # an earlier extract makes the data cover April 2020 onwards, so that long-term stability
    # (2 years 6 months back) is published from 31/10/2022 (leap month end 29/02/2024)
    add(conn, "header", [child("X", "2010-01-01")], extract_date="2021-03-31")
    add(conn, "header", [
        child("N", "2014-01-01"), child("O", "2016-01-01"), child("P", "2012-03-01"),
        child("Q", "2018-05-01"), child("R", "2010-01-01"), child("S", "2008-09-30"),
        child("T", "2015-01-01"), child("V", "2012-01-01"),
    ])
    add(conn, "episodes", [
        # N: U4 -> U6 (P, 15/03) -> T1 hospital (01/05) -> back to the same U6 (10/05: not a new
        #    placement) -> same carer U5 (T, 01/06: continues) -> K2 (P, 01/07, reason blank)
        #    placements: #1 U4 10/01-15/03, #2 U6 15/03-01/07, #3 K2 from 01/07
        episode("N", "2024-01-10", "S", "C2", "U4", "2024-03-15", "X1", reason="CARPL"),
        episode("N", "2024-03-15", "P", "C2", "U6", "2024-05-01", "X1", pl="LS1 1AA",
                reason="CHILD"),
        episode("N", "2024-05-01", "P", "C2", "T1", "2024-05-10", "X1", pl=None),
        episode("N", "2024-05-10", "P", "C2", "U6", "2024-06-01", "X1", pl="LS1 1AA",
                reason="OTHER"),
        episode("N", "2024-06-01", "T", "C2", "U5", "2024-07-01", "X1", pl="LS1 1AA"),
        episode("N", "2024-07-01", "P", "C2", "K2"),
        # O: two periods of care; 3 placements overlap the 12 months to 30/09/2024
        episode("O", "2024-04-05", "S", "V2", "U4", "2024-05-05", "X1", reason="ALLEG"),
        episode("O", "2024-05-05", "P", "V2", "U6", "2024-06-10", "E4A"),
        episode("O", "2024-09-01", "S", "V2", "U4"),
        # P: same placement since 2021: stable
        episode("P", "2021-01-01", "S", "C2", "U4"),
        # Q: adoptive placement (A4) from 10/01/2023 after foster care from 01/06/2021:
        #    adoptive + previous placement >= 2 years -> stable
        episode("Q", "2021-06-01", "S", "C2", "U4", "2023-01-10", "X1", reason="CARPL"),
        episode("Q", "2023-01-10", "P", "E1", "A4"),
        # R: in care since 01/09/2021 but in K2 only since 01/06/2023: not stable
        episode("R", "2021-09-01", "S", "C2", "U4", "2023-06-01", "X1", reason="CREQB"),
        episode("R", "2023-06-01", "P", "C2", "K2"),
        # S: 16 on 30/09/2024: in the cohort at 31/08, out at 30/09
        episode("S", "2020-01-01", "S", "C2", "U4"),
        # T: period began 30/03/2022: exactly 2y6m before 30/09/2024 (in); not by 31/08/2024
        episode("T", "2022-03-30", "S", "C2", "U4"),
        # V: placement from 01/03/2022: 2 years only on 01/03/2024, not at 29/02/2024
        episode("V", "2021-01-01", "S", "C2", "U4", "2022-03-01", "X1", reason="CARPL"),
        episode("V", "2022-03-01", "P", "C2", "U6"),
    ])
    build(conn)
    return conn


def test_three_plus_placements(moves):
    d = "2024-09-30"  # looked after: N, O, P, Q, R, T, V (S, 16, still counts here)
    # N: #1, #2, #3 overlap 01/10/2023-30/09/2024 -> 3; O: 3 across two periods; others 1 or 2
    assert row(moves, "cla_3plus_placements_12m_pct", d) == (2, 8, 25.0)
    assert row(moves, "cla_3plus_placements_12m_pct", d, "age_band=5-9") == (1, 3, 100 / 3)
    assert row(moves, "cla_3plus_placements_12m_pct", d, "age_band=10-15") == (1, 4, 25.0)
    assert row(moves, "cla_3plus_placements_12m_pct", d, "age_band=under 1") == (0, 0, None)
    # N at 30/06/2024: U4 and U6 only (temporary absence and same-carer change are not moves)
    assert row(moves, "cla_3plus_placements_12m_pct", "2024-06-30") == (0, 7, 0.0)
    # 31/03/2025: window from 01/04/2024: N's U4 ended 15/03/2024 -> 2 placements
    assert value(moves, "cla_3plus_placements_12m_pct", "2025-03-31") == 12.5  # O only


def test_long_term_stability(moves):
    # 30/09/2024 cohort (under 16, in care since 30/03/2022 or earlier): P, Q, R, T, V
    # (S is 16; N, O too recent). Stable: P, Q (adoption rule), T, V -> 4 / 5
    assert row(moves, "cla_long_term_stability_pct", "2024-09-30") == (4, 5, 80.0)
    # 31/08/2024: cohort P, Q, R, S, V (T's period began after 28/02/2022); stable P, Q, S, V
    assert row(moves, "cla_long_term_stability_pct", "2024-08-31") == (4, 5, 80.0)
    # 29/02/2024 (leap month end): 2y6m before is 29/08/2021, so R (01/09/2021) is out; cohort
    # P, Q, S, V. V's placement began 01/03/2022: not yet 2 years -> stable P, Q, S = 3 / 4
    assert row(moves, "cla_long_term_stability_pct", "2024-02-29") == (3, 4, 75.0)
    # the data covers 01/04/2020 on: first published at 31/10/2022 (2y6m before: 30/04/2020);
    # cohort S alone (in care since 01/01/2020, same placement), stable
    assert row(moves, "cla_long_term_stability_pct", "2022-10-31") == (1, 1, 100.0)
    assert no_rows(moves, "cla_long_term_stability_pct", "2022-09-30")


def test_placement_moves_month(moves):
    # May 2024: O's U6 (P) on 05/05, reason on O's first episode ALLEG; N's return from T1 and
    # N's move into T1 are not moves
    assert value(moves, "placement_moves_month", "2024-05-31") == 1
    assert value(moves, "placement_moves_month", "2024-05-31", "reason_place_change=ALLEG") == 1
    # June: N's same-carer change (T) is not a move
    assert value(moves, "placement_moves_month", "2024-06-30") == 0
    # July: N into K2, the ended episode has no reason -> 'none'
    assert value(moves, "placement_moves_month", "2024-07-31", "reason_place_change=none") == 1
    assert value(moves, "placement_moves_month", "2024-07-31", "reason_place_change=CARPL") == 0
    assert value(moves, "placement_moves_month", "2024-03-31", "reason_place_change=CARPL") == 1


def test_placement_change_reasons_data_quality(moves):
    # 903 rule 225 changes: X1 then RNE P/B/T/U, neither side T0-T4.
    # June: N U6 -> U5 (T) on 01/06, reason OTHER; July: N U5 -> K2 on 01/07, reason blank
    assert row(moves, "dq_moves_no_reason_month_pct", "2024-06-30") == (0, 1, 0.0)
    assert row(moves, "dq_moves_reason_other_month_pct", "2024-06-30") == (1, 1, 100.0)
    assert row(moves, "dq_moves_no_reason_month_pct", "2024-07-31") == (1, 1, 100.0)
    assert row(moves, "dq_moves_reason_other_month_pct", "2024-07-31") == (0, 0, None)
    # May: N into T1 and back are temporary; O U4 -> U6 (ALLEG) counts
    assert row(moves, "dq_moves_no_reason_month_pct", "2024-05-31") == (0, 1, 0.0)


@pytest.fixture
def first_year(conn):
    """A council's first return: the data covers 1 April 2024 on (plus an extract to 30/04/2025).
    Periods that began before the data open with the episodes still open on 01/04/2024."""
    start(conn)
    add(conn, "header", [child(c, "2012-01-01") for c in ("TA", "TB", "TC", "TD")])
    add(conn, "header", [child("X", "2010-01-01")], extract_date="2025-04-30")
    add(conn, "episodes", [
        # TA: in hospital (T1) since 20/03/2024, before the data; from 05/04 in U6: the
        #     placement it left is not in the data, so whether this is a move is not known
        episode("TA", "2024-03-20", "P", "C2", "T1", "2024-04-05", "X1", pl=None),
        episode("TA", "2024-04-05", "P", "C2", "U6", pl="LS1 1AA"),
        # TB: starts 02/04 in U4; T1 10/04-15/04; then U6 elsewhere: a move (U4 is in the data)
        episode("TB", "2024-04-02", "S", "C2", "U4", "2024-04-10", "X1"),
        episode("TB", "2024-04-10", "P", "C2", "T1", "2024-04-15", "X1", pl=None),
        episode("TB", "2024-04-15", "P", "C2", "U6", pl="LS1 1AA"),
        # TC: in care before the data in U4; K2 from 20/04: a move (its second placement)
        episode("TC", "2024-01-01", "P", "C2", "U4", "2024-04-20", "X1", reason="CARPL"),
        episode("TC", "2024-04-20", "P", "C2", "K2"),
        # TD: U4 ends on 01/04/2024, the first day of the 12 months ending 31/03/2025; U6 to
        #     01/06; K2 since
        episode("TD", "2024-01-01", "S", "C2", "U4", "2024-04-01", "X1", reason="CARPL"),
        episode("TD", "2024-04-01", "P", "C2", "U6", "2024-06-01", "X1", reason="CARPL"),
        episode("TD", "2024-06-01", "P", "C2", "K2"),
    ])
    build(conn)
    return conn


def test_first_placement_after_a_temporary_absence_begun_before_the_data(first_year):
    placements = first_year.execute(
        "SELECT child, placement_seq, first_place, follows_placement_not_in_data, is_move "
        "FROM model.placements WHERE child IN ('TA', 'TB', 'TC') ORDER BY 1, 2").fetchall()
    assert placements == [
        ("TA", 1, "U6", True, False),
        ("TB", 1, "U4", False, False), ("TB", 2, "U6", False, True),
        ("TC", 1, "U4", True, False), ("TC", 2, "K2", False, True),
    ]
    # April 2024: TB into U6 (the ended episode, T1, has no reason), TC into K2 (CARPL); TD's U6
    # on 01/04 (CARPL); not TA
    assert value(first_year, "placement_moves_month", "2024-04-30") == 3
    assert value(first_year, "placement_moves_month", "2024-04-30",
                 "reason_place_change=CARPL") == 2
    assert value(first_year, "placement_moves_month", "2024-04-30",
                 "reason_place_change=none") == 1


def test_placement_ending_on_the_first_day_of_the_window_overlaps_it(first_year):
    # 31/03/2025, window 01/04/2024-31/03/2025: TD's U4 ended on 01/04 and overlaps it -> U4, U6,
    # K2: 3 placements. TB (U4, U6), TC (U4, K2), TA (U6) have fewer -> 1 / 4
    assert row(first_year, "cla_3plus_placements_12m_pct", "2025-03-31") == (1, 4, 25.0)
    # 30/04/2025, window from 01/05/2024: TD's U4 is out
    assert row(first_year, "cla_3plus_placements_12m_pct", "2025-04-30") == (0, 4, 0.0)
    # before 31/03/2025 the 12 months reach before the data: not published
    assert no_rows(first_year, "cla_3plus_placements_12m_pct", "2025-02-28")
