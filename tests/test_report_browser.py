"""The highlight report in a real browser: headless Chromium with networking off.

The fixture installs Debian's `chromium` with scripts/ensure_chromium.sh when /usr/bin/chromium
is missing (apt-get, needs root). Screenshots are kept in the test's temporary folder (pytest
prints nothing about them; `--basetemp` puts them where a person can look after the run).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.helpers.handmade_marts import LA_A, build_marts
from warehouse.report.page import build_page
from warehouse.report.render import render_page

pytestmark = pytest.mark.browser

PROJECT = Path(__file__).resolve().parent.parent


def _load_check_page():
    spec = importlib.util.spec_from_file_location(
        "check_page", PROJECT / "scripts" / "check_page.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path("/usr/bin/chromium").exists():
        done = subprocess.run(
            ["bash", str(PROJECT / "scripts" / "ensure_chromium.sh")],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            message = f"could not install chromium: {done.stderr[-2000:]}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    return "/usr/bin/chromium"


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    with duckdb.connect(str(tmp / "warehouse.duckdb")) as conn:
        build_marts(conn)
        page = build_page(conn, LA_A, date(2025, 3, 31))
    path = tmp / "reports" / LA_A / "2025-03.html"
    path.parent.mkdir(parents=True)
    path.write_text(render_page(page), encoding="utf-8")
    return path


def test_report_loads_cleanly_offline(chromium, report_file):
    screenshots = report_file.parents[2] / "screenshots"
    check_page = _load_check_page()
    result = check_page.check_page(
        report_file,
        screenshots / "report_top.png",
        full_page=screenshots / "report_full.png",
        print_screenshot=screenshots / "report_print.png",
        chromium=chromium,
    )
    assert result.title.startswith("Children in care: highlight report, E08000034")
    assert result.console_errors == []
    assert result.failed_requests == []
    assert result.external_requests == []
    assert result.requests == [report_file.resolve().as_uri()]
    for shot in result.screenshots:
        assert shot.stat().st_size > 10_000  # a rendered page, not a blank one


def test_the_check_catches_a_page_that_fetches(chromium, tmp_path):
    """Negative control: a page with a web font, a CDN script and a console error fails."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!doctype html><html><head><title>bad</title>"
        '<link rel="stylesheet" href="https://cdn.example.org/x.css">'
        '<script src="https://cdn.example.org/x.js"></script>'
        "<script>console.error('boom')</script></head><body>hi</body></html>"
    )
    result = _load_check_page().check_page(bad, chromium=chromium)
    assert not result.ok
    assert any("boom" in e for e in result.console_errors)
    assert len(result.failed_requests) >= 2
    assert "https://cdn.example.org/x.js" in result.external_requests


SAMPLE_COMMENTARY = """The service held steady this month; the summary above shows where.

## Entering and leaving care
Entrants were in line with the forecast; two sibling groups came in together.

## Stability
Three placement moves were planned step-downs from residential to foster care. The long-term
stability figure reflects the older cohort reaching 2.5 years in care.

## Health
Dental checks are recovering after the local practice reopened its list.

## Care leavers
Suitable accommodation: two young people are in emergency accommodation while the new
supported lodgings scheme starts.
"""


def test_sample_board_paper_prints_to_six_pages_offline(chromium, sample_build, tmp_path):
    """The sample's latest month: the HTML loads nothing and its PDF (made by the report asset
    during the build) is A4 and at most 6 pages, also with a page of officers' commentary."""
    from warehouse.report import pdf
    from warehouse.report.writer import write_reports

    html = sample_build.report_dir / "E08000034" / "2026-03.html"
    printed = html.with_suffix(".pdf")
    assert printed.read_bytes().startswith(b"%PDF")
    assert 1 < pdf.page_count(printed) <= 6
    # A4 in points (595 x 842), as Chromium writes the media box
    assert b"/MediaBox [0 0 594.95996 841.91998]" in printed.read_bytes()
    result = _load_check_page().check_page(html, tmp_path / "sample_top.png", chromium=chromium)
    assert result.title.startswith("Children in care: highlight report, Kirklees (E08000034)")
    assert result.console_errors == [] and result.failed_requests == []
    assert result.requests == [html.resolve().as_uri()]

    landing = tmp_path / "landing"
    (landing / "commentary" / "E08000034").mkdir(parents=True)
    (landing / "commentary" / "E08000034" / "2026-03.md").write_text(SAMPLE_COMMENTARY)
    with duckdb.connect(str(sample_build.warehouse_path), read_only=True) as conn:
        [page] = write_reports(conn, tmp_path / "reports", landing_dir=landing)
    assert "Officer commentary" in page.read_text()
    assert pdf.page_count(pdf.write_pdf(page, chromium)) <= 6
