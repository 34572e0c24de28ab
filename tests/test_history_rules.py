"""The history rules (docs/history_rules.md), each on a hand-built pair of extracts."""

import datetime as dt

from tests.helpers import build
from tests.helpers.landing_builder import complete_extracts, extract_dir, write_table

D = dt.date
BASE = {"RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U6", "PLACE_PROVIDER": "PR1",
        "HOME_POST": "LS17 8JH", "PL_POST": "LS12 2RH", "URN": "SC999999"}


def build_ingest_layers(conn, landing):
    # each extract needs a Header and Episodes; these tests write only the tables they are about
    complete_extracts(landing)
    return build.build_ingest_layers(conn, landing)


def episode(child, decom, dec="", rec="", **kw):
    return {**BASE, "CHILD": child, "DECOM": decom, "DEC": dec, "REC": rec, **kw}


def history(conn, columns="child, decom, dec, rec"):
    return conn.execute(f"SELECT {columns} FROM history.episodes ORDER BY child, decom").fetchall()


def repairs(conn):
    return conn.execute(
        "SELECT rule, child, record_date FROM history.repairs ORDER BY child, record_date, rule"
    ).fetchall()


def test_latest_extract_wins_for_the_same_episode(conn, landing_dir):
    write_table(extract_dir(landing_dir, "E08000034", "2024-03-31"), "episodes",
                [episode("1", "01/06/2023", PLACE="U4")])
    write_table(extract_dir(landing_dir, "E08000034", "2025-03-31"), "episodes",
                [episode("1", "01/06/2023", "01/08/2024", "E4A", PLACE="U5")])
    build_ingest_layers(conn, landing_dir)
    assert history(conn, "child, decom, dec, rec, place, extract_date") == [
        ("1", D(2023, 6, 1), D(2024, 8, 1), "E4A", "U5", D(2025, 3, 31))]
    assert repairs(conn) == []


def test_episode_removed_at_source_is_dropped_when_its_window_is_covered(conn, landing_dir):
    # The monthly May extract has an episode from 20 May; the June extract no longer has it.
    write_table(extract_dir(landing_dir, "E08000034", "2025-05-31"), "episodes",
                [episode("1", "01/04/2025", "20/05/2025", "X1"),
                 episode("1", "20/05/2025", RNE="P", PLACE="U4")])
    write_table(extract_dir(landing_dir, "E08000034", "2025-06-30"), "episodes",
                [episode("1", "01/04/2025")])
    build_ingest_layers(conn, landing_dir)
    assert history(conn) == [("1", D(2025, 4, 1), None, None)]
    assert repairs(conn) == [("removed_in_later_extract", "1", D(2025, 5, 20))]


def test_open_episode_missing_from_the_next_year_is_closed_at_its_window(conn, landing_dir):
    write_table(extract_dir(landing_dir, "E08000034", "2024-03-31"), "episodes",
                [episode("1", "01/06/2023"), episode("2", "01/07/2023")])
    write_table(extract_dir(landing_dir, "E08000034", "2025-03-31"), "episodes",
                [episode("2", "01/07/2023", "01/09/2024", "E13")])
    build_ingest_layers(conn, landing_dir)
    assert history(conn) == [("1", D(2023, 6, 1), D(2024, 4, 1), None),
                             ("2", D(2023, 7, 1), D(2024, 9, 1), "E13")]
    assert repairs(conn) == [("closed_by_later_extract", "1", D(2023, 6, 1))]


def test_extract_without_the_table_is_not_authoritative_for_it(conn, landing_dir):
    write_table(extract_dir(landing_dir, "E08000034", "2025-04-30"), "missing",
                [{"CHILD": "1", "DOB": "01/01/2010", "MISSING": "M", "MIS_START": "10/04/2025",
                  "MIS_END": "11/04/2025"}])
    write_table(extract_dir(landing_dir, "E08000034", "2025-05-31"), "episodes",
                [episode("1", "01/04/2025")])
    build_ingest_layers(conn, landing_dir)
    assert conn.execute("SELECT child, mis_start FROM history.missing").fetchall() == [
        ("1", D(2025, 4, 10))]


def test_episode_ending_before_it_starts_is_dropped_and_logged(conn, landing_dir):
    write_table(extract_dir(landing_dir, "E08000034", "2025-03-31"), "episodes",
                [episode("1", "01/09/2024", "15/08/2024", "E13"), episode("2", "01/09/2024")])
    build_ingest_layers(conn, landing_dir)
    assert history(conn) == [("2", D(2024, 9, 1), None, None)]
    assert repairs(conn) == [("ends_before_it_starts", "1", D(2024, 9, 1))]


def test_open_episode_followed_by_another_is_ended_with_x1(conn, landing_dir):
    write_table(extract_dir(landing_dir, "E08000034", "2025-03-31"), "episodes",
                [episode("1", "01/05/2024"), episode("1", "01/08/2024", RNE="P", PLACE="U4"),
                 episode("2", "01/05/2024"), episode("2", "01/10/2024", RNE="S")])
    build_ingest_layers(conn, landing_dir)
    assert history(conn) == [
        ("1", D(2024, 5, 1), D(2024, 8, 1), "X1"),  # next RNE P continues the period of care
        ("1", D(2024, 8, 1), None, None),
        ("2", D(2024, 5, 1), D(2024, 10, 1), None),  # next RNE S: left care, reason unknown
        ("2", D(2024, 10, 1), None, None),
    ]
    assert [r[0] for r in repairs(conn)] == ["open_before_next", "open_before_next"]


def test_overlapping_episodes_are_trimmed_to_the_next_start(conn, landing_dir):
    write_table(extract_dir(landing_dir, "E08000034", "2025-03-31"), "episodes",
                [episode("1", "01/05/2024", "15/08/2024", "X1"),
                 episode("1", "01/08/2024", RNE="P", PLACE="U4")])
    build_ingest_layers(conn, landing_dir)
    assert history(conn) == [("1", D(2024, 5, 1), D(2024, 8, 1), "X1"),
                             ("1", D(2024, 8, 1), None, None)]
    assert repairs(conn) == [("overlaps_next", "1", D(2024, 5, 1))]


def test_annual_tables_keep_one_row_per_child_and_collection_year(conn, landing_dir):
    oc3 = {"CHILD": "9", "DOB": "10/10/2006", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "Z1"}
    write_table(extract_dir(landing_dir, "E08000034", "2024-03-31"), "oc3", [oc3])
    write_table(extract_dir(landing_dir, "E08000034", "2025-03-31"), "oc3",
                [{**oc3, "ACTIV": "G5"}])
    build_ingest_layers(conn, landing_dir)
    assert conn.execute("SELECT collection_year, activ FROM history.oc3 ORDER BY 1").fetchall() \
        == [(2024, "F2"), (2025, "G5")]


def test_header_takes_the_latest_extracts_values(conn, landing_dir):
    header = {"CHILD": "9", "SEX": "1", "DOB": "10/10/2006", "ETHNIC": "WBRI"}
    write_table(extract_dir(landing_dir, "E08000034", "2024-03-31"), "header", [header])
    write_table(extract_dir(landing_dir, "E08000034", "2025-03-31"), "header",
                [{**header, "SEX": "M", "ETHNIC": "WIRI"}])
    build_ingest_layers(conn, landing_dir)
    assert conn.execute("SELECT child, sex, ethnic FROM history.header").fetchall() == [
        ("9", "M", "WIRI")]


def test_other_tables_speak_only_for_the_children_they_list(conn, landing_dir):
    def missing(child, start, end=""):
        return {"CHILD": child, "DOB": "01/01/2010", "MISSING": "M", "MIS_START": start,
                "MIS_END": end}

    # Child 1 left care after the first return: its open missing episode stays as recorded.
    # Child 2 is in the later return, which no longer has the 15 April incident: removed at
    # source. Its 1 March incident ended before the later window and is not in question.
    write_table(extract_dir(landing_dir, "E08000034", "2024-04-30"), "missing",
                [missing("1", "20/03/2024"), missing("2", "01/03/2024", "02/03/2024"),
                 missing("2", "15/04/2024", "16/04/2024")])
    write_table(extract_dir(landing_dir, "E08000034", "2025-03-31"), "missing",
                [missing("2", "10/06/2024")])
    build_ingest_layers(conn, landing_dir)
    assert conn.execute("SELECT child, mis_start, mis_end FROM history.missing ORDER BY ALL"
                        ).fetchall() == [("1", D(2024, 3, 20), None),
                                         ("2", D(2024, 3, 1), D(2024, 3, 2)),
                                         ("2", D(2024, 6, 10), None)]
    assert repairs(conn) == [("removed_in_later_extract", "2", D(2024, 4, 15))]
