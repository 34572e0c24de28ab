"""The SQL indicators against the independent pandas implementation
(tests/helpers/pandas_reference.py) on a seeded random multi-LA, multi-child history: zero
differences for every LA and month end.

The random histories exercise short breaks, temporary absences with returns, same-carer changes,
re-entries, blank / unknown / Northern Irish postcodes, 29 February births and starts, and the
edges of the data: the data covers each LA from 1 April 2019 (an earlier extract), some periods
began before it (first episode not RNE S, or an S before 1 April 2019), some open with a temporary
absence, and reviews are roughly on schedule, some late, from the coverage start."""

import datetime as dt
import random

import pandas as pd
import pytest

from tests.helpers import pandas_reference
from tests.helpers.build import build_from_history, build_ingest_layers
from tests.test_indicators_support import add, build, postcode_frame, start

LAS = ["E08000034", "E10000017", "E06000063"]
PLACES = ["U1", "U4", "U6", "K2", "A4", "P1", "R1", "H5", "Z1"]
POSTS = ["HD1 1AA", "HD2 2BB", "LS1 1AA", "LS2 2BB", "LA1 1AA", "BT1 1AA", "ZZ9 9ZZ", None,
         "hd2 2bb"]


COVERAGE_START = dt.date(2019, 4, 1)  # the "X" header rows' extract, 2020-03-31


def random_reviews(rng, child_id, first_day, last_day):
    """Reviews from the coverage start: about 20 working days in, then 3 and 6 monthly, some
    late, the odd one recorded twice."""
    rows, day = [], first_day + dt.timedelta(days=rng.randrange(10, 45))
    while day <= last_day:
        if day >= COVERAGE_START:
            rows.append({"CHILD": child_id, "REVIEW": day.isoformat(), "REVIEW_CODE": "PN1"})
            if rng.random() < 0.05:
                rows.append(dict(rows[-1]))
        day += dt.timedelta(days=rng.choice([85, 92, 100, 175, 180, 184, 200]))
    return rows


def random_history(seed: int, children_per_la: int = 80):
    rng = random.Random(seed)
    headers, episodes = {la: [] for la in LAS}, {la: [] for la in LAS}
    reviews = {la: [] for la in LAS}
    for la in LAS:
        for n in range(children_per_la):
            child_id = f"{la[-3:]}-{n}"
            dob = rng.choice([dt.date(2008, 2, 29), dt.date(2012, 2, 29)]) if n % 9 == 0 else (
                dt.date(2004, 1, 1) + dt.timedelta(days=rng.randrange(0, 20 * 365)))
            headers[la].append({"CHILD": child_id, "DOB": dob.isoformat(), "SEX": "M"})
            day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))
            if n % 13 == 0:
                day = dt.date(2024, 2, 29)
            rne, ls = ("P" if n % 11 == 0 else "S"), rng.choice(["C2", "V2", "E1", "V3"])
            place, home, pl = rng.choice(PLACES), rng.choice(POSTS), rng.choice(POSTS)
            left_behind = (place, pl, "P")
            if n % 17 == 0:  # in care before the data, on a temporary absence on its first day
                day, rne = rng.choice([dt.date(2019, 3, 20), dt.date(2019, 3, 30)]), "P"
                place, pl = "T1", None
            first_day = day
            for _ in range(rng.randrange(1, 9)):
                length = rng.randrange(1, 400) if rng.random() < 0.7 else rng.randrange(400, 1500)
                end = day + dt.timedelta(days=length)
                last = end > dt.date(2025, 3, 31)
                rec = None if last else rng.choice(["X1", "X1", "X1", "E4A", "E11", "X1"])
                episodes[la].append({
                    "CHILD": child_id, "DECOM": day.isoformat(), "RNE": rne, "LS": ls,
                    "PLACE": place, "DEC": None if last else end.isoformat(), "REC": rec,
                    "HOME_POST": home, "PL_POST": pl,
                })
                if last:
                    end = dt.date(2025, 3, 31)
                    break
                if rec == "X1":
                    day = end
                    move = rng.random()
                    if place.startswith("T"):  # back from a temporary absence
                        place, pl, rne = left_behind
                    elif move < 0.2:
                        left_behind = (place, pl, "P")
                        place, pl, rne = rng.choice(["T1", "T2", "T4"]), None, "P"
                    elif move < 0.4:
                        place, rne = rng.choice(PLACES), rng.choice(["T", "U"])
                    elif move < 0.5:
                        ls, rne = rng.choice(["C2", "E1"]), "L"
                    else:
                        place, pl, rne = rng.choice(PLACES), rng.choice(POSTS), rng.choice("PB")
                else:
                    day = end + dt.timedelta(days=rng.randrange(1, 400))
                    place, pl, rne = rng.choice(PLACES), rng.choice(POSTS), "S"
                    ls = rng.choice(["C2", "V2", "V3"])
            reviews[la] += random_reviews(rng, child_id, first_day, min(end, dt.date(2025, 3, 31)))
    return headers, episodes, reviews


def test_compare_reports_differences():
    reference = pd.DataFrame([{"la_code": "X", "indicator_id": "cla_count",
                               "period_end": dt.date(2024, 4, 30), "breakdown": "all",
                               "numerator": 1, "denominator": None, "value": 1}])

    class Empty:
        def execute(self, *args):
            return self

        def df(self):
            return pd.DataFrame(columns=["la_code", "indicator_id", "period_end", "breakdown",
                                         "numerator", "denominator", "value"])

    assert len(pandas_reference.compare(Empty(), reference)) == 1


def test_sql_matches_pandas_reference_on_random_histories(conn):
    start(conn)
    headers, episodes, reviews = random_history(seed=903)
    for la in LAS:
        add(conn, "header", [{"CHILD": "X", "DOB": "2010-01-01"}], la_code=la,
            extract_date="2020-03-31")
        add(conn, "header", headers[la], la_code=la)
        add(conn, "episodes", episodes[la], la_code=la)
        add(conn, "reviews", reviews[la], la_code=la)
    build(conn)
    history = {t: conn.execute(f"SELECT * FROM history.{t}").df()
               for t in ("header", "episodes", "reviews", "uasc", "oc2", "oc3", "ad1",
                         "placed_adoption", "prev_perm", "missing", "sw_episodes")}
    reference = pandas_reference.reference_indicators(history, postcode_frame())
    # 72 month ends (April 2019 to March 2025) for the four measures of the month end or month;
    # the 12-month ones from March 2020 (61), long-term stability from October 2021 (42)
    counts = reference.groupby("indicator_id").size().to_dict()
    assert counts == {"cla_count": 216, "cla_over_20_miles_pct": 216,
                      "cla_reviews_in_timescale_pct": 216, "placement_moves_month": 216,
                      "cla_starts_12m": 183, "cla_3plus_placements_12m_pct": 183,
                      "cla_long_term_stability_pct": 126}
    differences = pandas_reference.compare(conn, reference)
    assert differences.empty, differences.head(20).to_string()
    # the data set is not trivial
    assert (reference.groupby("indicator_id")["numerator"].sum() > 0).all()
    reviews = reference.query("indicator_id == 'cla_reviews_in_timescale_pct'")
    assert (reviews["numerator"] < reviews["denominator"]).any()


@pytest.mark.sample
def test_sql_matches_pandas_reference_on_the_bundled_sample(conn):
    """The whole bundled sample (the generator's Kirklees-sized council, 2015/16 to 2025/26 with
    monthly extracts) through ingestion (warehouse.layers) and the indicator layer, with the real
    postcode directory: zero differences for every LA and month end."""
    from warehouse.config import SAMPLE_LANDING_DIR

    build_ingest_layers(conn, SAMPLE_LANDING_DIR)
    build_from_history(conn, full_postcodes=True)
    history = {t: conn.execute(f"SELECT * FROM history.{t}").df()
               for t in ("header", "episodes", "reviews", "uasc", "oc2", "oc3", "ad1",
                         "placed_adoption", "prev_perm", "missing", "sw_episodes")}
    directory = conn.execute(
        "SELECT pcd_abbr, oseast1m, osnrth1m, laua FROM reference.postcodes WHERE pcd_abbr IN "
        "(SELECT home_pcd FROM model.episodes UNION SELECT pl_pcd FROM model.episodes)").df()
    reference = pandas_reference.reference_indicators(history, directory)
    # 132 month ends (April 2015 to March 2026) x 5 indicators
    assert len(reference) >= 132 * 5
    differences = pandas_reference.compare(conn, reference)
    assert differences.empty, differences.head(20).to_string()
