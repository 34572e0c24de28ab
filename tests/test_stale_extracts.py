"""A failed extract leaves its council's figures on an older load: the exports' manifest and the
council's board page say so (issue 12, item 14)."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers.handmade_marts import LA_A, LA_B, build_marts
from tests.helpers.landing_builder import copy_tiny_valid, write_table
from warehouse.ingest import raw_loader
from warehouse.publish import exports
from warehouse.publish.stale import stale_extracts
from warehouse.report.page import build_page
from warehouse.report.render import render_page
from warehouse.report.writer import write_reports

MARCH, APRIL = dt.date(2025, 3, 31), dt.date(2025, 4, 30)


def _fail_reviews(folder) -> None:
    write_table(folder, "reviews", [], columns=["CHILD", "DOB", "REVIEW"])


def _landing_with_two_failures(conn, landing_dir):
    """LA_A: its only extract fails after a good load (its previous load stays).
    LA_B: March loaded, then a new April extract that fails (no load of it at all)."""
    a = copy_tiny_valid(landing_dir, LA_A, "2025-03-31")
    copy_tiny_valid(landing_dir, LA_B, "2025-03-31")
    raw_loader.ingest_landing(conn, landing_dir)
    _fail_reviews(a)
    _fail_reviews(copy_tiny_valid(landing_dir, LA_B, "2025-04-30"))
    raw_loader.ingest_landing(conn, landing_dir)


def test_stale_extracts_say_what_the_figures_rest_on(conn, landing_dir):
    assert stale_extracts(conn) == []  # no raw layer yet: nothing stale
    _landing_with_two_failures(conn, landing_dir)
    b, a = stale_extracts(conn)  # by LA code: LA_B (E06...) first
    assert (a.la_code, a.extract_date, b.la_code, b.extract_date) == (LA_A, MARCH, LA_B, APRIL)
    assert a.message == (f"{LA_A}/2025-03-31/reviews.csv: looks like the Reviews table but lacks "
                         "required column(s) REVIEW_CODE")
    assert a.previous_load is not None and a.last_good_extract is None
    assert a.figures_rest_on.startswith("the previous load of this extract, loaded ")
    assert b.previous_load is None and b.last_good_extract == MARCH
    assert b.figures_rest_on == "the last good extract, of 31 March 2025"


def test_manifest_lists_stale_extracts(conn, landing_dir, tmp_path):
    _landing_with_two_failures(conn, landing_dir)
    build_marts(conn)
    exports.export_all(conn, tmp_path / "exports")
    manifest = json.loads((tmp_path / "exports" / "manifest.json").read_text())
    assert [(s["la_code"], s["extract_date"]) for s in manifest["stale_extracts"]] == [
        (LA_B, "2025-04-30"), (LA_A, "2025-03-31")]
    b = manifest["stale_extracts"][0]
    assert b == {"la_code": LA_B, "extract_date": "2025-04-30",
                 "message": f"{LA_B}/2025-04-30/reviews.csv: looks like the Reviews table but "
                            "lacks required column(s) REVIEW_CODE",
                 "previous_load": None, "last_good_extract": "2025-03-31",
                 "figures_rest_on": "the last good extract, of 31 March 2025"}


def test_manifest_of_a_clean_build_lists_none(conn, tmp_path):
    build_marts(conn)
    exports.export_all(conn, tmp_path / "exports")
    manifest = json.loads((tmp_path / "exports" / "manifest.json").read_text())
    assert manifest["stale_extracts"] == []


def test_board_page_of_an_affected_council_says_its_figures_rest_on_an_older_load(conn,
                                                                                 landing_dir):
    _landing_with_two_failures(conn, landing_dir)
    build_marts(conn)
    a = render_page(build_page(conn, LA_A, MARCH, with_charts=False))
    assert ("The extract of 31 March 2025 could not be loaded, so the figures on this page rest "
            "on the previous load of that extract, loaded ") in a
    b = render_page(build_page(conn, LA_B, MARCH, with_charts=False))
    assert ("The extract of 30 April 2025 could not be loaded, so the figures on this page rest "
            "on the last good extract, of 31 March 2025.") in b
    assert "reviews.csv" not in a + b  # the file-level detail is for the data team's log


def test_pages_written_by_the_writer_carry_the_notice(conn, landing_dir, tmp_path):
    _landing_with_two_failures(conn, landing_dir)
    build_marts(conn)
    out = tmp_path / "reports"
    pages = write_reports(conn, out)
    texts = {p.parent.name: p.read_text() for p in pages}
    assert "could not be loaded" in texts[LA_A] and "could not be loaded" in texts[LA_B]


def test_a_failed_extract_older_than_a_good_one_leaves_the_pages_alone(conn, landing_dir):
    _fail_reviews(copy_tiny_valid(landing_dir, LA_A, "2025-02-28"))
    copy_tiny_valid(landing_dir, LA_A, "2025-03-31")
    raw_loader.ingest_landing(conn, landing_dir)
    build_marts(conn)
    assert [s.extract_date for s in stale_extracts(conn)] == [dt.date(2025, 2, 28)]
    assert "could not be loaded" not in render_page(build_page(conn, LA_A, MARCH,
                                                               with_charts=False))
