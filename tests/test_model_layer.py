"""Model-layer rules: periods of care, placements, distance and LA, reference data."""

import pyarrow as pa
import pytest

from tests.test_indicators_support import LA, add, build, child, episode, start
from warehouse.reference import postcodes, working_days


@pytest.fixture
def model(conn):
    start(conn)
    add(conn, "header", [child("X", "2015-01-01")], extract_date="2024-03-31")  # from 04/2023
    add(conn, "header", [child("A", "2015-01-01"), child("B", "2015-01-01")])
    add(conn, "episodes", [
        # A: short break first (dropped), then S; T1 and back; U (same carer); B (new carer);
        #    then ends X1 -> E4A, re-enters
        episode("A", "2023-01-01", "S", "V3", "U4", "2023-01-05", "E4A"),
        episode("A", "2024-01-01", "S", "C2", "U4", "2024-02-01", "X1"),
        episode("A", "2024-02-01", "P", "C2", "T2", "2024-02-10", "X1", pl=None),
        episode("A", "2024-02-10", "P", "C2", "U4", "2024-03-01", "X1"),
        episode("A", "2024-03-01", "U", "E1", "U5", "2024-04-01", "X1"),
        episode("A", "2024-04-01", "B", "E1", "U6", "2024-05-01", "E4A", pl="BT1 1AA"),
        episode("A", "2024-06-01", "S", "V2", "U4"),
        # B: a temporary episode, then back to a DIFFERENT placement with RNE P: a new one
        episode("B", "2024-01-01", "S", "C2", "U4", "2024-02-01", "X1"),
        episode("B", "2024-02-01", "P", "C2", "T4", "2024-02-05", "X1", pl=None),
        episode("B", "2024-02-05", "P", "C2", "U4", pl="LS1 1AA"),
    ])
    build(conn)
    return conn


def test_periods_and_placements(model):
    periods = model.execute(
        "SELECT child, period_seq, start_date::VARCHAR, end_date::VARCHAR, end_rec "
        "FROM model.periods_of_care ORDER BY 1, 2").fetchall()
    assert periods == [("A", 1, "2024-01-01", "2024-05-01", "E4A"),
                       ("A", 2, "2024-06-01", None, None),
                       ("B", 1, "2024-01-01", None, None)]
    placements = model.execute(
        "SELECT child, period_seq, placement_seq, start_date::VARCHAR, end_date::VARCHAR, is_move "
        "FROM model.placements ORDER BY 1, 2, 3").fetchall()
    assert placements == [
        ("A", 1, 1, "2024-01-01", "2024-04-01", False),  # U4, T2 absence, back, U5 same carer
        ("A", 1, 2, "2024-04-01", "2024-05-01", True),  # B: new carer
        ("A", 2, 1, "2024-06-01", None, False),
        ("B", 1, 1, "2024-01-01", "2024-02-05", False),
        ("B", 1, 2, "2024-02-05", None, True),  # not the placement left (other postcode)
    ]


def test_child_month_state(model):
    rows = model.execute(
        "SELECT child, period_end::VARCHAR, place, placement_group, distance_miles, "
        "pl_outside_la, legal_status FROM model.child_month ORDER BY 1, 2").fetchall()
    by_key = {(r[0], r[1]): r[2:] for r in rows}
    # 29/02: A on holiday (T2) from the U4 placement
    assert by_key[("A", "2024-02-29")] == ("U4", "foster_other", 3.1, False, "care_order")
    # 30/04: the U6 placement is in Northern Ireland: distance unknown, LA outside
    assert by_key[("A", "2024-04-30")] == ("U6", "foster_other", None, True, "placement_order")
    assert ("A", "2024-05-31") not in by_key  # between periods
    assert by_key[("B", "2024-02-29")][2] == 20.0


def test_la_upper_tier_lookup(conn):
    postcodes.load_la_upper_tier(conn)
    lookup = dict(conn.execute("SELECT ltla_code, utla_code FROM reference.la_upper_tier "
                               "WHERE ltla_code IN ('E06000063', 'E06000064', 'E06000065', "
                               "'E06000066', 'E08000038', 'E08000039', 'E07000121', 'E07000026', "
                               "'E08000016', 'E09000001', 'W06000015')").fetchall())
    assert lookup == {
        "E06000063": "E06000063", "E06000064": "E06000064", "E06000065": "E06000065",
        "E06000066": "E06000066", "E08000038": "E08000038", "E08000039": "E08000039",
        "E07000121": "E10000017", "E07000026": "E06000063", "E08000016": "E08000038",
        "E09000001": "E09000001", "W06000015": "W06000015",
    }


def test_working_days_exclude_bank_holidays(conn):
    working_days.load_working_days(conn)
    rows = conn.execute("SELECT day::VARCHAR, is_working_day FROM reference.working_days "
                        "WHERE day IN ('2024-03-29', '2024-04-01', '2024-04-02', '2024-05-06', "
                        "'2025-12-26', '2024-03-30') ORDER BY 1").fetchall()
    assert rows == [("2024-03-29", False), ("2024-03-30", False), ("2024-04-01", False),
                    ("2024-04-02", True), ("2024-05-06", False), ("2025-12-26", False)]


@pytest.mark.sample
def test_postcode_directory_loaded_once_per_package_version(conn):
    first = postcodes.load_postcodes(conn)
    assert first["rebuilt"] and first["rows"] > 2_700_000
    assert not postcodes.load_postcodes(conn)["rebuilt"]
    rows = conn.execute("SELECT pcd_abbr, laua FROM reference.postcodes "
                        "WHERE pcd_abbr = 'HD11AA'").fetchall()
    assert rows == [("HD11AA", "E08000034")]
    assert LA == "E08000034"


def test_postcode_stream_holds_the_same_rows_as_the_table():
    streamed = pa.Table.from_batches(list(postcodes.stream_directory("ZH")))
    assert streamed.equals(postcodes.read_directory("ZH"))
    assert streamed.num_rows > 10_000 and streamed.column_names[-1] == "pcd_abbr"


def test_child_month_overlapping_episodes_later_one_stands(conn):
    """Episodes history has not repaired (rule H5): an earlier episode ends where the next one
    begins, so a child is never counted twice at a month end and an episode left open does not
    come back after a later one ends."""
    start(conn)
    add(conn, "header", [child("C", "2015-01-01"), child("D", "2015-01-01")])
    add(conn, "episodes", [
        # C: left open, then a later episode that ends: not looked after after 15/08
        episode("C", "2024-05-01", "S", "C2", "U4"),
        episode("C", "2024-07-10", "P", "C2", "U5", "2024-08-15", "E4A"),
        # D: runs past the start of the next, which stays open
        episode("D", "2024-05-01", "S", "C2", "U4", "2024-10-31", "X1"),
        episode("D", "2024-07-10", "P", "C2", "U5"),
    ])  # fmt: skip
    build(conn)
    rows = conn.execute(
        "SELECT child, period_end::VARCHAR, place FROM model.child_month "
        "WHERE period_end <= '2024-11-30' ORDER BY 1, 2").fetchall()
    assert rows == [
        ("C", "2024-05-31", "U4"), ("C", "2024-06-30", "U4"), ("C", "2024-07-31", "U5"),
        ("D", "2024-05-31", "U4"), ("D", "2024-06-30", "U4"), ("D", "2024-07-31", "U5"),
        ("D", "2024-08-31", "U5"), ("D", "2024-09-30", "U5"), ("D", "2024-10-31", "U5"),
        ("D", "2024-11-30", "U5"),
    ]  # fmt: skip
