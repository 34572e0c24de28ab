"""A new extract is ingested without re-reading the ones already ingested."""

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.helpers.build import build_ingest_layers
from tests.helpers.landing_builder import copy_tiny_valid, write_table
from warehouse.build import staging
from warehouse.ingest import raw_loader


def loaded_at(conn):
    return dict(conn.execute("SELECT path, loaded_at FROM raw.files").fetchall())


def test_second_run_reads_nothing_and_changes_nothing(conn, landing_dir, monkeypatch):
    copy_tiny_valid(landing_dir)
    build_ingest_layers(conn, landing_dir)
    before = loaded_at(conn)
    parsed = []
    monkeypatch.setattr(raw_loader, "parse_file", lambda *a: parsed.append(a) or None)
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert (report.extracts_unchanged, report.extracts_loaded, parsed) == (1, 0, [])
    assert loaded_at(conn) == before


def test_new_extract_is_loaded_alone(conn, landing_dir):
    copy_tiny_valid(landing_dir, extract_date="2025-03-31")
    build_ingest_layers(conn, landing_dir)
    before = loaded_at(conn)
    copy_tiny_valid(landing_dir, extract_date="2025-04-30")
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert (report.extracts_loaded, report.extracts_unchanged) == (1, 1)
    after = loaded_at(conn)
    assert {p: t for p, t in after.items() if p in before} == before
    assert conn.execute("SELECT count(*) FROM staging.episodes").fetchone() == (8,)
    # the same episodes from two extracts are one record each in history
    assert conn.execute("SELECT count(*), max(extract_date) FROM history.episodes").fetchone() == (
        4, dt.date(2025, 4, 30))


def test_changed_file_reloads_its_extract_and_replaces_its_rows(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir)
    build_ingest_layers(conn, landing_dir)
    episodes = folder / "episodes.csv"
    episodes.write_text(episodes.read_text().replace("1003,01/09/2024", "1003,02/09/2024"))
    os.utime(episodes, ns=(1, 1))  # a different mtime, as a re-export would have
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert report.extracts_loaded == 1
    assert conn.execute("SELECT count(*) FROM staging.episodes").fetchone() == (4,)
    assert conn.execute("SELECT decom FROM staging.episodes WHERE child = '1003'").fetchone() == (
        dt.date(2024, 9, 2),)
    assert staging.reconcile(conn, "episodes").balanced


def test_same_size_change_with_preserved_mtime_is_reloaded(conn, landing_dir):
    """cp -p, rsync -a or a same-length correction (C2 -> V2) keeps size and mtime: the
    checksum still sees it."""
    folder = copy_tiny_valid(landing_dir)
    episodes = folder / "episodes.csv"
    build_ingest_layers(conn, landing_dir)
    stat = episodes.stat()
    corrected = episodes.read_bytes().replace(b",C2,", b",V2,")
    assert len(corrected) == stat.st_size and corrected != episodes.read_bytes()
    episodes.write_bytes(corrected)
    os.utime(episodes, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (episodes.stat().st_size, episodes.stat().st_mtime_ns) == (stat.st_size,
                                                                      stat.st_mtime_ns)
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert (report.extracts_loaded, report.extracts_unchanged) == (1, 0)
    assert conn.execute("SELECT count(*) FROM staging.episodes WHERE ls = 'C2'").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM staging.episodes WHERE ls = 'V2'").fetchone()[0] > 0
    assert staging.reconcile(conn, "episodes").balanced


def test_removed_extract_leaves_the_warehouse(conn, landing_dir):
    copy_tiny_valid(landing_dir, extract_date="2025-03-31")
    second = copy_tiny_valid(landing_dir, extract_date="2025-04-30")
    build_ingest_layers(conn, landing_dir)
    for f in second.iterdir():
        f.unlink()
    second.rmdir()
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert report.extracts_removed == 1
    assert conn.execute("SELECT DISTINCT extract_date FROM staging.header").fetchall() == [
        (dt.date(2025, 3, 31),)]


def test_failed_extract_keeps_its_previous_load_until_fixed(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir)
    build_ingest_layers(conn, landing_dir)
    write_table(folder, "reviews", [], columns=["CHILD", "DOB", "REVIEW"])
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert [f.message for f in report.failures] == [
        "E08000035/2025-03-31/reviews.csv: looks like the Reviews table but lacks required "
        "column(s) REVIEW_CODE"]
    assert conn.execute("SELECT count(*) FROM staging.reviews").fetchone() == (7,)
    write_table(folder, "reviews", [])
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert not report.failures
    assert conn.execute("SELECT status FROM raw.extracts").fetchall() == [("loaded",)]
    assert conn.execute("SELECT count(*) FROM staging.reviews").fetchone() == (0,)


def test_landing_files_are_never_modified(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir)
    before = {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in folder.iterdir()}
    build_ingest_layers(conn, landing_dir)
    assert {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in folder.iterdir()} == before


def test_a_load_that_breaks_leaves_raw_as_it_was(conn, landing_dir, monkeypatch):
    copy_tiny_valid(landing_dir, extract_date="2025-03-31")
    build_ingest_layers(conn, landing_dir)
    before = conn.execute("SELECT * FROM raw.files ORDER BY ALL").fetchall()
    copy_tiny_valid(landing_dir, extract_date="2025-04-30")
    copy_tiny_valid(landing_dir, extract_date="2025-05-31")
    monkeypatch.setattr(raw_loader, "LOAD_BATCH_EXTRACTS", 1)
    load = raw_loader._load_batch
    calls = []

    def second_batch_breaks(*args):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        load(*args)

    monkeypatch.setattr(raw_loader, "_load_batch", second_batch_breaks)
    with pytest.raises(OSError, match="disk full"):
        raw_loader.ingest_landing(conn, landing_dir)
    # the first new extract, loaded before the failure, went back out with the rest
    assert conn.execute("SELECT * FROM raw.files ORDER BY ALL").fetchall() == before
    assert conn.execute("SELECT count(DISTINCT extract_date) FROM raw.episodes").fetchone() == (1,)
    monkeypatch.setattr(raw_loader, "_load_batch", load)
    assert raw_loader.ingest_landing(conn, landing_dir).extracts_loaded == 2


KILLED_LOAD = """
import os, signal, sys
from pathlib import Path
import duckdb
from warehouse.ingest import raw_loader

raw_loader.LOAD_BATCH_EXTRACTS = 1
load = raw_loader._load_batch


def killed_after_one_batch(*args):
    load(*args)  # the first new extract is in raw, inside the load's transaction...
    os.kill(os.getpid(), signal.SIGKILL)  # ...when the build is killed


raw_loader._load_batch = killed_after_one_batch
raw_loader.ingest_landing(duckdb.connect(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_load_killed_midway_leaves_raw_as_it_was(warehouse_path, landing_dir):
    """`kill -9` in the middle of the load: the next open finds the previous load, no extract
    marked loaded without its rows, and the next load brings everything in."""
    copy_tiny_valid(landing_dir, extract_date="2025-03-31")
    with duckdb.connect(str(warehouse_path)) as conn:
        raw_loader.ingest_landing(conn, landing_dir)
        before = {t: conn.execute(f"SELECT * FROM raw.{t} ORDER BY ALL").fetchall()
                  for t in ("files", "extracts", "episodes")}
    copy_tiny_valid(landing_dir, extract_date="2025-04-30")
    copy_tiny_valid(landing_dir, extract_date="2025-05-31")
    child = subprocess.run(
        [sys.executable, "-c", KILLED_LOAD, str(warehouse_path), str(landing_dir)],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    with duckdb.connect(str(warehouse_path)) as conn:
        after = {t: conn.execute(f"SELECT * FROM raw.{t} ORDER BY ALL").fetchall()
                 for t in ("files", "extracts", "episodes")}
        assert after == before
        report = raw_loader.ingest_landing(conn, landing_dir)
        assert report.extracts_loaded == 2 and not report.failures
        assert conn.execute(
            "SELECT count(*) FROM raw.extracts e WHERE NOT EXISTS (SELECT 1 FROM raw.episodes r "
            "WHERE r.la_code = e.la_code AND r.extract_date = e.extract_date)").fetchone() == (0,)
