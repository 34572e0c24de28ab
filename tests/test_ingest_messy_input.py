"""Each kind of messy input real extracts carry, loaded through raw -> staging -> history."""

import datetime as dt
import json

from tests.helpers.build import build_ingest_layers
from tests.helpers.landing_builder import (
    complete_extracts,
    copy_tiny_valid,
    extract_dir,
    write_population,
    write_table,
)
from warehouse.build import staging
from warehouse.domain.schema import tables

EPISODE = {"CHILD": "5001", "DECOM": "10/05/2024", "RNE": "S", "LS": "C2", "CIN": "N1",
           "PLACE": "U6", "PLACE_PROVIDER": "PR1", "HOME_POST": "LS17 8JH", "PL_POST": "LS12 2RH",
           "URN": "SC999999"}
HEADER = {"CHILD": "5001", "SEX": "M", "DOB": "15/06/2012", "ETHNIC": "WBRI",
          "UPN": "A123456789012"}


def build(conn, landing):
    # each extract needs a Header and Episodes; these tests write only the tables they are about
    complete_extracts(landing)
    return build_ingest_layers(conn, landing)


def staged(conn, table, columns="*"):
    return conn.execute(f"SELECT {columns} FROM staging.{table} ORDER BY row_number").fetchall()


def assert_reconciled(conn):
    for name in tables():
        r = staging.reconcile(conn, name)
        assert r.balanced, (name, r)


def test_utf8_with_bom_and_without(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    write_table(folder, "header", [HEADER], encoding="utf-8-sig")
    write_table(folder, "episodes", [EPISODE], encoding="utf-8")
    build(conn, landing_dir)
    assert staged(conn, "header", "child, sex") == [("5001", "M")]
    assert staged(conn, "episodes", "child") == [("5001",)]
    encodings = dict(conn.execute("SELECT table_name, encoding FROM raw.files").fetchall())
    assert encodings == {"header": "utf-8-sig", "episodes": "utf-8"}


def test_windows_1252_text_is_decoded_not_lost(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    write_table(folder, "episodes", [{**EPISODE, "URN": "SC£123", "NOTE": "Zoë’s move"}],
                encoding="cp1252", columns=[*tables()["episodes"].column_names, "NOTE"])
    build(conn, landing_dir)
    assert staged(conn, "episodes", "urn") == [("SC£123",)]
    (extra,) = conn.execute("SELECT extra_columns FROM raw.episodes").fetchone()
    assert json.loads(extra) == {"NOTE": "Zoë’s move"}
    assert conn.execute("SELECT encoding FROM raw.files WHERE table_name = 'episodes'"
                        ).fetchone() == ("cp1252",)


def test_dates_in_every_form_excel_writes(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    forms = ["10/05/2024", "2024-05-10", "10/05/2024 00:00:00", "2024-05-10 00:00:00",
             "10/05/2024 00:00", "10-May-24", "10-May-2024", "10/05/24", "45422", "45422.0",
             "10 May 2024", "10.05.2024", "10-05-2024"]
    rows = [{**EPISODE, "CHILD": str(6000 + i), "DECOM": f} for i, f in enumerate(forms)]
    write_table(folder, "episodes", rows)
    build(conn, landing_dir)
    assert [d for (d,) in staged(conn, "episodes", "decom")] == [dt.date(2024, 5, 10)] * len(forms)
    assert conn.execute("SELECT count(*) FROM staging.rejected_rows").fetchone() == (0,)


def test_excel_float_ids_and_codes(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    write_table(folder, "header", [{**HEADER, "CHILD": "1234.0", "MOTHER": "0.0"}])
    write_table(folder, "oc2", [{"CHILD": "1234.0", "DOB": "15/06/2012", "SDQ_SCORE": "14.0",
                                 "CONVICTED": "0", "HEALTH_ASSESSMENT": "1.0"}])
    build(conn, landing_dir)
    assert staged(conn, "header", "child, mother") == [("1234", "0")]
    assert staged(conn, "oc2", "child, sdq_score, health_assessment, collection_year") == [
        ("1234", 14, "1", 2025)
    ]


def test_stray_whitespace_in_headers_and_values(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    header = "  child , DECOM,rne ,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE," \
             "HOME_POST,PL_POST, URN\n"
    row = " 5001 , 10/05/2024 , s ,c2,N1, u6 ,PR1,,,, ls17  8jh ,LS122RH,SC999999\n"
    (folder / "episodes.csv").write_text(header + row)
    build(conn, landing_dir)
    assert staged(conn, "episodes", "child, decom, rne, ls, place, home_post, pl_post") == [
        ("5001", dt.date(2024, 5, 10), "S", "C2", "U6", "LS17 8JH", "LS12 2RH")
    ]


def test_lower_case_codes_are_upper_cased(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    write_table(folder, "episodes", [{**EPISODE, "RNE": "s", "LS": "c2", "PLACE": "k3",
                                      "REASON_PLACE_CHANGE": "carpl"}])
    build(conn, landing_dir)
    assert staged(conn, "episodes", "rne, ls, place, reason_place_change") == [
        ("S", "C2", "K3", "CARPL")
    ]


def test_blank_rows_are_rejected_with_reason_and_counted(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    write_table(folder, "episodes", [EPISODE, {}, {**EPISODE, "CHILD": "5002"}, {}])
    build(conn, landing_dir)
    assert len(staged(conn, "episodes")) == 2
    rejected = conn.execute(
        "SELECT source_file, row_number, column_name, reason FROM staging.rejected_rows "
        "ORDER BY row_number").fetchall()
    assert rejected == [("E08000034/2025-03-31/episodes.csv", 3, None, "blank row"),
                        ("E08000034/2025-03-31/episodes.csv", 5, None, "blank row")]
    assert_reconciled(conn)


def test_unusable_key_is_rejected_naming_file_row_column_value(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    # two of four rows unusable: an Episodes file with more would fail its extract
    write_table(folder, "episodes", [EPISODE, {**EPISODE, "CHILD": "5002", "DECOM": "31/02/2024"},
                                     {**EPISODE, "CHILD": " "}, {**EPISODE, "CHILD": "5003"}])
    build(conn, landing_dir)
    rejected = conn.execute(
        "SELECT table_name, source_file, row_number, column_name, value, reason "
        "FROM staging.rejected_rows ORDER BY row_number").fetchall()
    assert rejected == [
        ("episodes", "E08000034/2025-03-31/episodes.csv", 3, "DECOM", "31/02/2024",
         "DECOM is not a date in a recognised form (dd/mm/YYYY expected), and the row cannot "
         "be used without it"),
        ("episodes", "E08000034/2025-03-31/episodes.csv", 4, "CHILD", " ",
         "CHILD is blank, and the row cannot be used without it"),
    ]
    assert_reconciled(conn)


def test_unreadable_non_key_value_is_blanked_and_logged(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    write_table(folder, "episodes", [{**EPISODE, "DEC": "tomorrow", "PL_POST": "No Post Code"}])
    build(conn, landing_dir)
    assert staged(conn, "episodes", "dec, pl_post") == [(None, None)]
    issues = conn.execute("SELECT row_number, column_name, value, reason FROM staging.value_issues "
                          "ORDER BY column_name").fetchall()
    assert issues == [
        (2, "DEC", "tomorrow", "DEC is not a date in a recognised form (dd/mm/YYYY expected); "
                               "left blank"),
        (2, "PL_POST", "No Post Code", "PL_POST is not a UK postcode; left blank"),
    ]


def test_duplicated_rows_are_kept_in_staging_and_deduplicated_in_history(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    write_table(folder, "episodes", [EPISODE, EPISODE, {**EPISODE, "CHILD": "5002"}])
    build(conn, landing_dir)
    assert len(staged(conn, "episodes")) == 3
    assert conn.execute("SELECT child FROM history.episodes ORDER BY child").fetchall() == [
        ("5001",), ("5002",)]
    assert conn.execute("SELECT rule, child, row_number FROM history.repairs").fetchall() == [
        ("duplicate_in_extract", "5001", 2)]


def test_extra_columns_kept_in_raw_and_ignored_later(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    write_table(folder, "header", [{**HEADER, "WORKER_TEAM": "North"}],
                columns=[*tables()["header"].column_names, "WORKER_TEAM"])
    report = build(conn, landing_dir)["ingest"]
    (extra,) = conn.execute("SELECT extra_columns FROM raw.header").fetchone()
    assert json.loads(extra) == {"WORKER_TEAM": "North"}
    staging_columns = [r[0] for r in conn.execute("DESCRIBE staging.header").fetchall()]
    assert "worker_team" not in staging_columns
    assert any("WORKER_TEAM" in w for w in report.warnings)


def test_empty_file_is_reported_and_the_extract_still_loads(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir)
    (folder / "missing.csv").write_bytes(b"")
    report = build(conn, landing_dir)["ingest"]
    assert report.extracts_loaded == 1 and not report.failures
    assert any("missing.csv: empty file" in w for w in report.warnings)
    assert conn.execute("SELECT status FROM raw.files WHERE path LIKE '%missing.csv'").fetchone() \
        == ("empty",)
    assert conn.execute("SELECT count(*) FROM staging.episodes").fetchone() == (4,)


def test_header_only_file_is_a_table_with_no_rows(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir)
    write_table(folder, "missing", [])
    build(conn, landing_dir)
    assert conn.execute("SELECT row_count, status FROM raw.files WHERE table_name = 'missing'"
                        ).fetchone() == (0, "loaded")


def test_files_are_recognised_by_columns_whatever_their_names(conn, landing_dir):
    folder = extract_dir(landing_dir, "E08000034", "2025-03-31")
    write_table(folder, "episodes", [EPISODE], file_name="LAC_Ep export (3).CSV")
    write_table(folder, "header", [HEADER], file_name="Sheet1.csv")
    build(conn, landing_dir)
    assert dict(conn.execute("SELECT table_name, path FROM raw.files").fetchall()) == {
        "episodes": "E08000034/2025-03-31/LAC_Ep export (3).CSV",
        "header": "E08000034/2025-03-31/Sheet1.csv",
    }


def test_missing_required_columns_fail_only_their_extract(conn, landing_dir):
    good = copy_tiny_valid(landing_dir, "E08000035", "2025-03-31")
    bad = copy_tiny_valid(landing_dir, "E08000034", "2025-03-31")
    write_table(bad, "episodes", [EPISODE],
                columns=[c for c in tables()["episodes"].column_names if c not in ("RNE", "URN")])
    assert good.exists()
    report = build(conn, landing_dir)["ingest"]
    assert len(report.failures) == 1
    failure = report.failures[0]
    assert (failure.la_code, failure.extract_date) == ("E08000034", dt.date(2025, 3, 31))
    assert failure.message == ("E08000034/2025-03-31/episodes.csv: looks like the Episodes table "
                               "but lacks required column(s) RNE, URN")
    assert conn.execute("SELECT DISTINCT la_code FROM staging.episodes").fetchall() == [
        ("E08000035",)]
    assert conn.execute("SELECT status, message FROM raw.extracts WHERE la_code = 'E08000034'"
                        ).fetchone() == ("failed", failure.message)


def test_nothing_silently_dropped_counts_per_table(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir)
    write_table(folder, "missing", [{"CHILD": "1001", "DOB": "15/06/2012", "MISSING": "m",
                                     "MIS_START": "01/06/2024"}, {},
                                    {"CHILD": "1001", "MIS_START": "soon"}])
    build(conn, landing_dir)
    raw_total = sum(conn.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for t in tables())
    staged_total = sum(conn.execute(f"SELECT count(*) FROM staging.{t}").fetchone()[0]
                       for t in tables())
    (rejected,) = conn.execute("SELECT count(*) FROM staging.rejected_rows").fetchone()
    # tiny example: 4 header + 4 episodes + 7 reviews + 1 OC2 + 1 OC3 + 2 PrevPerm + 3 SW = 22
    assert (raw_total, staged_total, rejected) == (25, 23, 2)
    assert_reconciled(conn)


def test_population_reference_with_a_bad_row(conn, landing_dir):
    copy_tiny_valid(landing_dir)
    write_population(landing_dir, [("E08000035", 2024, 180000), ("E08000035", "twenty", 5)])
    build(conn, landing_dir)
    assert conn.execute("SELECT * FROM reference.population").fetchall() == [
        ("E08000035", 2024, 180000.0)]
    assert conn.execute("SELECT source_file, row_number, column_name, value, reason FROM "
                        "staging.rejected_rows WHERE table_name = 'population'").fetchall() == [
        ("reference/population.csv", 3, "YEAR", "twenty", "YEAR is not a year")]
