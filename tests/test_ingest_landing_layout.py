"""What the loader makes of a landing folder's layout: one file per table per extract, one
folder per extract, every file in the wrong place named, no link out of landing followed."""

import datetime as dt
import os
import shutil

from tests.helpers.build import build_ingest_layers
from tests.helpers.landing_builder import copy_tiny_valid, write_population
from warehouse.ingest import landing, raw_loader


def extracts(conn):
    return conn.execute(
        "SELECT la_code, strftime(extract_date, '%Y-%m-%d'), status FROM raw.extracts ORDER BY ALL"
    ).fetchall()


def loaded_paths(conn):
    return {p for (p,) in conn.execute("SELECT path FROM raw.files").fetchall()}


# --- item 7: one file per table, one folder per extract -------------------------------------


def test_two_files_of_one_table_fail_the_extract_naming_both(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir)
    build_ingest_layers(conn, landing_dir)
    shutil.copy(folder / "header.csv", folder / "header (1).csv")
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert [f.message for f in report.failures] == [
        "E08000035/2025-03-31/header (1).csv and E08000035/2025-03-31/header.csv both hold the "
        "Header table: keep one file per table in an extract"]
    assert extracts(conn) == [("E08000035", "2025-03-31", "failed")]
    # the previous load stays, once
    assert conn.execute("SELECT count(*) FROM staging.header").fetchone() == (4,)
    assert "E08000035/2025-03-31/header (1).csv" not in loaded_paths(conn)


def test_the_same_table_under_unrelated_names_is_still_a_duplicate(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir)
    shutil.copy(folder / "episodes.csv", folder / "LAC_Ep export.CSV")
    shutil.copy(folder / "episodes.csv", folder / "Sheet1.csv")
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert [f.message for f in report.failures] == [
        "E08000035/2025-03-31/LAC_Ep export.CSV, E08000035/2025-03-31/Sheet1.csv and "
        "E08000035/2025-03-31/episodes.csv all hold the Episodes table: keep one file per "
        "table in an extract"]
    assert conn.execute("SELECT count(*) FROM raw.episodes").fetchone() == (0,)


def test_two_folders_cannot_name_one_extract(conn, landing_dir):
    copy_tiny_valid(landing_dir, "E08000035", "2025-03-31")
    for other in ("20250331", "2025-W13-1", "2025-3-31", "2025-03-31 ", "2025-03-31\n",
                  "２０２５-03-31"):
        copy_tiny_valid(landing_dir, "E08000035", other)
    for la_code in ("E08000035\n", "e08000035", "E0800003５"):
        copy_tiny_valid(landing_dir, la_code, "2025-03-31")
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert not report.failures
    assert extracts(conn) == [("E08000035", "2025-03-31", "loaded")]
    assert conn.execute("SELECT count(*) FROM staging.header").fetchone() == (4,)
    warned = "\n".join(report.warnings)
    for name in ("E08000035/20250331/", "E08000035/2025-W13-1/", "E08000035/2025-3-31/",
                 "e08000035/", "E0800003５/"):
        assert name in warned


# --- item 8: files in the wrong place and empty extract folders are named ----------------------


def test_files_in_the_wrong_place_are_each_named(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir)
    write_population(landing_dir, [("E08000035", 2024, 150000.0)])
    (landing_dir / "commentary").mkdir()
    (landing_dir / "commentary" / "march.md").write_text("notes")
    (landing_dir / "episodes.csv").write_text("loose in the root")
    (landing_dir / "E08000035" / "header.csv").write_text("loose in an LA folder")
    (folder / "old").mkdir()
    (folder / "old" / "episodes.csv").write_text("a sub-folder of an extract")
    shutil.copy(folder / "episodes.csv", folder / "episodes.csv.bak")
    (folder / "notes.txt").write_text("not a CSV")
    (landing_dir / "E08000035" / "2025-04-30").mkdir()  # empty extract folder
    only_bak = landing_dir / "E08000035" / "2025-05-31"
    only_bak.mkdir()
    shutil.copy(folder / "episodes.csv", only_bak / "episodes.csv.bak")
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert not report.failures
    assert extracts(conn) == [("E08000035", "2025-03-31", "loaded")]
    assert sorted(report.warnings) == sorted([
        "episodes.csv: a file outside any LA folder, not read",
        "E08000035/header.csv: a file outside any extract folder (<la_code>/<YYYY-MM-DD>/), "
        "not read",
        "E08000035/2025-03-31/old/: a folder inside an extract folder, not read",
        "E08000035/2025-03-31/episodes.csv.bak: not a CSV file, not read",
        "E08000035/2025-03-31/notes.txt: not a CSV file, not read",
        "E08000035/2025-04-30/: an extract folder with no CSV file, ignored",
        "E08000035/2025-05-31/episodes.csv.bak: not a CSV file, not read",
        "E08000035/2025-05-31/: an extract folder with no CSV file, ignored",
    ])


def test_an_extract_emptied_since_its_load_is_named(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir, extract_date="2025-03-31")
    copy_tiny_valid(landing_dir, extract_date="2025-04-30")
    build_ingest_layers(conn, landing_dir)
    for f in folder.iterdir():
        f.unlink()
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert "E08000035/2025-03-31/: an extract folder with no CSV file, ignored" in report.warnings
    # an empty folder is no extract: never "loaded" with no files
    assert extracts(conn) == [("E08000035", "2025-04-30", "loaded")]


# --- item 9: links out of the landing folder are refused, never read ---------------------------


def test_links_out_of_landing_are_refused_and_never_read(conn, tmp_path, landing_dir):
    folder = copy_tiny_valid(landing_dir)
    outside = tmp_path / "outside"
    outside_extract = copy_tiny_valid(outside, "E08000034", "2025-03-31")
    (outside / "secret.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n9999,M,x,y,z,,\n")
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    (folder / "secret.csv").symlink_to(outside / "secret.csv")
    (landing_dir / "E08000034").symlink_to(outside / "E08000034")  # an LA folder out of landing
    (landing_dir / "E08000035" / "2025-04-30").symlink_to(outside_extract)  # an extract folder
    (landing_dir / "reference").symlink_to(outside)  # reference/population.csv through it
    write_population(outside, [("E08000035", 2024, 1.0)])
    reads = []
    real_parse = raw_loader.parse_file
    real_sha = raw_loader.sha256_of

    def parse_file(file, extract):
        reads.append(file.path)
        return real_parse(file, extract)

    def sha256_of(path):
        reads.append(path)
        return real_sha(path)

    raw_loader.parse_file, raw_loader.sha256_of = parse_file, sha256_of
    try:
        report = build_ingest_layers(conn, landing_dir)["ingest"]
    finally:
        raw_loader.parse_file, raw_loader.sha256_of = real_parse, real_sha
    assert not report.failures
    assert extracts(conn) == [("E08000035", "2025-03-31", "loaded")]
    assert {p.name for p in reads} <= {f.name for f in folder.iterdir() if not f.is_symlink()}
    assert landing.population_file(landing_dir) is None
    assert conn.execute("SELECT count(*) FROM reference.population").fetchone() == (0,)
    link = "a link to outside the landing folder, refused"
    for name in ("E08000035/2025-03-31/passwd.csv", "E08000035/2025-03-31/secret.csv",
                 "E08000034/", "E08000035/2025-04-30/", "reference/"):
        assert f"{name}: {link}" in report.warnings
    assert conn.execute("SELECT count(*) FROM raw.header WHERE child = '9999'").fetchone() == (0,)


def test_links_inside_landing_are_followed(conn, landing_dir):
    shared = copy_tiny_valid(landing_dir, "E08000035", "2025-03-31")
    mirror = landing_dir / "E08000035" / "2025-04-30"
    mirror.mkdir()
    for f in shared.iterdir():
        (mirror / f.name).symlink_to(os.path.relpath(f, mirror))
    (landing_dir / "E08000034").symlink_to("E08000035")
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert not report.failures and not report.warnings
    assert extracts(conn) == [("E08000034", "2025-03-31", "loaded"),
                              ("E08000034", "2025-04-30", "loaded"),
                              ("E08000035", "2025-03-31", "loaded"),
                              ("E08000035", "2025-04-30", "loaded")]


def test_a_landing_folder_that_is_itself_a_link_is_read(conn, tmp_path):
    real = tmp_path / "share"
    copy_tiny_valid(real)
    link = tmp_path / "landing_link"
    link.symlink_to(real)
    report = raw_loader.ingest_landing(conn, link)
    assert (report.extracts_loaded, report.warnings) == (1, [])


def test_the_scan_never_opens_a_refused_link(tmp_path):
    root = tmp_path / "landing"
    folder = copy_tiny_valid(root)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)  # opening it would block: the scan must not
    (folder / "pipe.csv").symlink_to(fifo)
    (folder / "broken.csv").symlink_to(tmp_path / "gone.csv")
    scan = landing.scan(root)
    assert [f.relative_path for f in scan.extracts[0].files] == [
        f"E08000035/2025-03-31/{f.name}" for f in sorted(folder.iterdir()) if not f.is_symlink()]
    assert "E08000035/2025-03-31/pipe.csv: a link to outside the landing folder, refused" \
        in scan.ignored
    assert "E08000035/2025-03-31/broken.csv: a link to outside the landing folder, refused" \
        in scan.ignored
    assert scan.extracts[0].extract_date == dt.date(2025, 3, 31)
