"""Hand-built cases for the reviews family: the review schedule in working days (England bank
holidays from the holidays package) and participation."""

import pytest

from tests.test_indicators_support import add, build, child, episode, row, start


def review(child_id, date, code):
    return {"CHILD": child_id, "REVIEW": date, "REVIEW_CODE": code}


@pytest.fixture
def reviews(conn):
    start(conn)
    add(conn, "header", [child("X", "2010-01-01")], extract_date="2024-03-31")  # covers 2023/24
    add(conn, "header", [child(c, "2012-01-01") for c in ("RA", "RB", "RC", "RD", "RE")])
    add(conn, "episodes", [
        # RA: period starts Thu 29/02/2024; 20 working days -> Thu 28/03/2024 (before Good Friday)
        episode("RA", "2024-02-29", "S", "C2", "U4"),
        # RB: starts Thu 07/03/2024; Good Friday 29/03 and Easter Monday 01/04 are not working
        #     days -> first review due Mon 08/04/2024 (Thu 04/04 without the holidays)
        episode("RB", "2024-03-07", "S", "C2", "U4"),
        # RC: starts Tue 02/04/2024 -> due Tue 30/04/2024; held 02/05 (late)
        episode("RC", "2024-04-02", "S", "C2", "U4"),
        # RD: starts Sat 20/04/2024; early May bank holiday 06/05 -> due Mon 20/05; never held
        episode("RD", "2024-04-20", "S", "C2", "U4"),
        # RE: short breaks only: its review is not counted
        episode("RE", "2024-01-01", "S", "V3", "U4"),
    ])
    add(conn, "reviews", [
        # RA: 1st on its due date; 2nd due 28/06, held 20/06; 3rd due 20/12, held 05/01 (late)
        review("RA", "2024-03-28", "PN1"), review("RA", "2024-06-20", "PN4"),
        review("RA", "2025-01-05", "PN0"),
        # RB: 08/04 (on time), 01/07 (due 08/07), 31/12 (due 01/01/2025)
        review("RB", "2024-04-08", "PN7"), review("RB", "2024-07-01", "PN5"),
        review("RB", "2024-12-31", "PN2"),
        review("RC", "2024-05-02", "PN6"),
        review("RE", "2024-05-01", "PN1"),
    ])
    build(conn)
    return conn


def test_first_review_due_in_working_days(reviews):
    due = reviews.execute(
        "SELECT p.child, w2.day::VARCHAR FROM model.periods_of_care p "
        "JOIN reference.working_days w1 ON w1.day = p.start_date "
        "JOIN reference.working_days w2 ON w2.working_day_number = w1.working_day_number + 20 "
        "AND w2.is_working_day WHERE p.child IN ('RA', 'RB', 'RC', 'RD') ORDER BY 1"
    ).fetchall()
    assert due == [("RA", "2024-03-28"), ("RB", "2024-04-08"), ("RC", "2024-04-30"),
                   ("RD", "2024-05-20")]


def test_reviews_in_timescale(reviews):
    # 29/02: RA's first review not yet due -> nobody in the denominator
    assert row(reviews, "cla_reviews_in_timescale_pct", "2024-02-29") == (0, 0, None)
    assert row(reviews, "cla_reviews_in_timescale_pct", "2024-03-31") == (1, 1, 100.0)  # RA
    # 30/04: RA ok, RB ok (held on its due date 08/04), RC due 30/04 and not held
    assert row(reviews, "cla_reviews_in_timescale_pct", "2024-04-30") == (2, 3, 200 / 3)
    # 31/05: RC held late, RD not held
    assert row(reviews, "cla_reviews_in_timescale_pct", "2024-05-31") == (2, 4, 50.0)
    # 31/12: RA's 3rd review (due 20/12) not held; RB on time; RC, RD still out of time
    assert row(reviews, "cla_reviews_in_timescale_pct", "2024-12-31") == (1, 4, 25.0)
    # 31/01/2025: RA's 3rd review held late on 05/01
    assert row(reviews, "cla_reviews_in_timescale_pct", "2025-01-31") == (1, 4, 25.0)


def test_review_participation(reviews):
    # 12 months to 31/12/2024: PN1 PN4 (RA), PN7 PN5 PN2 (RB), PN6 (RC); RE's is outside care
    assert row(reviews, "cla_review_participation_12m_pct", "2024-12-31") == (4, 6, 400 / 6)
    # to 31/03/2025: RA's PN1 (28/03/2024) drops out; PN0 is not a participation code
    assert row(reviews, "cla_review_participation_12m_pct", "2025-03-31") == (3, 5, 60.0)


@pytest.fixture
def reviews_before_data(conn):
    """The data covers 1 April 2023 onwards (earliest extract 2024-03-31); reviews held before
    then are not in it."""
    start(conn)
    add(conn, "header", [child("X", "2010-01-01")], extract_date="2024-03-31")
    add(conn, "header", [child(c, "2012-01-01") for c in ("RP", "RS", "RN", "RK")])
    add(conn, "episodes", [
        # RP: in care before the data (first episode RNE P): its schedule restarts at its first
        #     review in the data
        episode("RP", "2022-06-01", "P", "C2", "U4"),
        # RS: its start is in the data (RNE S) but before the coverage start: earlier reviews
        #     (01/03/2023, say) may be missing, so it restarts too
        episode("RS", "2023-02-01", "S", "C2", "U4"),
        # RN: in care before the data and no review in it: never judged
        episode("RN", "2021-01-01", "P", "C2", "U4"),
        # RK: starts Thu 01/06/2023, after the coverage start: known schedule; 20 working days
        #     (no bank holiday in June 2023) -> first review due Thu 29/06/2023
        episode("RK", "2023-06-01", "S", "C2", "U4"),
    ])
    add(conn, "reviews", [
        # RP: 10/05/2023 not judged; next due 10/11 (6 months, not 3: the first review was before
        #     the data), held 08/11 on time; next due 08/05/2024, held 20/05 late
        review("RP", "2023-05-10", None), review("RP", "2023-11-08", None),
        review("RP", "2024-05-20", None), review("RP", "2024-11-01", None),
        # RS: 15/06/2023 not judged; 01/12 (due 15/12), 30/05/2024 (due 01/06), 25/11 (due 30/11)
        #     all on time; next due 25/05/2025
        review("RS", "2023-06-15", None), review("RS", "2023-12-01", None),
        review("RS", "2024-05-30", None), review("RS", "2024-11-25", None),
        # RK: 29/06/2023 on its due date; the second due 3 months later, 29/09, held 02/10: late
        review("RK", "2023-06-29", None), review("RK", "2023-10-02", None),
    ])
    build(conn)
    return conn


def test_reviews_of_periods_begun_before_the_data(reviews_before_data):
    conn = reviews_before_data
    # 30/04/2023: RP, RS, RN have no review in the data yet: not judged (not counted as late,
    # as they were when the first review in the data was judged against the period's start)
    assert row(conn, "cla_reviews_in_timescale_pct", "2023-04-30") == (0, 0, None)
    # 31/05: RP judged from its review of 10/05, next due 10/11; RK's first not due till 29/06
    assert row(conn, "cla_reviews_in_timescale_pct", "2023-05-31") == (1, 1, 100.0)
    # 30/06: RP; RS from its review of 15/06; RK held its first on 29/06
    assert row(conn, "cla_reviews_in_timescale_pct", "2023-06-30") == (3, 3, 100.0)
    # 31/10: RK's second review (due 29/09) held late; RP and RS not due again till 10/11, 15/12
    assert row(conn, "cla_reviews_in_timescale_pct", "2023-10-31") == (2, 3, 200 / 3)
    # 30/04/2024: RP (next due 08/05), RS (next due 01/06)
    assert row(conn, "cla_reviews_in_timescale_pct", "2024-04-30") == (2, 3, 200 / 3)
    # 31/05/2024: RP's review due 08/05 held 20/05, late: out of time for the rest of the period
    assert row(conn, "cla_reviews_in_timescale_pct", "2024-05-31") == (1, 3, 100 / 3)
    assert row(conn, "cla_reviews_in_timescale_pct", "2025-03-31") == (1, 3, 100 / 3)  # RS
