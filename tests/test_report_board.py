"""The report as a board paper, on hand-made marts with the real comparator layer: council
names, published benchmarks on cards, charts and the exceptions summary, parity with the DfE's
figure, officers' commentary (safely rendered, beside its theme), the data-quality section's
failed-or-worse checks, and the index."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pytest

from tests.helpers.handmade_marts import LA_A, build_marts
from warehouse.reference import comparators, councils
from warehouse.report.commentary import load_commentary, parse
from warehouse.report.dq_section import dq_rows
from warehouse.report.page import THEMES, build_page
from warehouse.report.page_data import DQCheck
from warehouse.report.render import css_string, render_page
from warehouse.report.writer import write_index, write_reports

MARCH = date(2025, 3, 31)
COMMENTARY = """Overall a steady month.

## Stability
Three moves were planned *step-downs* to family care.
<script>alert('x')</script>

![chart](https://example.org/chart.png)

## Missing
Two children account for most episodes.

## Budget
Not a theme: shown on the summary page under its own heading.
"""


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("board") / "warehouse.duckdb"
    connection = duckdb.connect(str(path))
    build_marts(connection)
    councils.load_councils(connection)
    councils.load_statistical_neighbours(connection)
    comparators.load_dfe_published(connection)
    comparators.build_marts(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    folder = root / "commentary" / LA_A
    folder.mkdir(parents=True)
    (folder / "2025-03.md").write_text(COMMENTARY, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def page(conn, landing):
    return build_page(conn, LA_A, MARCH,
                      commentary=load_commentary(landing, LA_A, MARCH, THEMES))


@pytest.fixture(scope="module")
def html(page):
    return render_page(page)


def _view(page, indicator_id):
    return next(v for _, _, views in page.themes for v in views
                if v.ind.indicator_id == indicator_id)


def _card(html, indicator_id):
    start = html.index(f'id="ind-{indicator_id}"')
    return html[start:html.index("</article>", start)]


def test_council_name_everywhere(page, html):
    assert page.la_name == "Kirklees"
    assert "<title>Children in care: highlight report, Kirklees (E08000034), March 2025" in html
    assert 'content: "Kirklees: children in care, March 2025"' in html  # printed footer
    assert 'counter(page) " of " counter(pages)' in html


def test_card_benchmarks_parity_and_quartile(page, html):
    rate = _view(page, "cla_rate_per_10k")
    assert (rate.bench.england, rate.bench.region, rate.bench.neighbours) == (67, 77, 91)
    assert rate.bench.region_name == "Yorkshire and The Humber"
    card = _card(html, "cla_rate_per_10k")
    assert "England 67 · <span title=\"Yorkshire and The Humber\">Region</span> 77 · " \
           "Stat. neighbours 91" in card
    # the warehouse's own 31 March figure (114 over 50,000) beside the published 64
    assert "DfE published 64.0 per 10,000 at 31 March 2025; warehouse 22.8 per 10,000: " \
           "differs" in card
    assert '<span class="quartile q2"' in card and ">Q2<" in card
    # the chart carries both benchmarks as labelled dashed lines
    assert ">England</text>" in card and ">Stat. neighbours</text>" in card
    # counts get no benchmark lines (England's count is not on a council's scale)
    assert ">England</text>" not in _card(html, "cla_count")


def test_exceptions_summary_lines_carry_the_benchmarks(page, html):
    stability = _view(page, "cla_long_term_stability_pct")
    assert stability in page.exceptions.improved
    summary = html[html.index('id="summary"'):html.index('id="theme-entering_care"')]
    row = re.search(r'<tr>\s*<td><a href="#ind-cla_long_term_stability_pct">.*?</tr>',
                    summary, re.S).group(0)
    cells = re.findall(r'<td class="(?:num|trend[^"]*)">([^<]*)', row)
    # now, previous, trend, England, region, statistical neighbours
    assert cells == ["72.5%", "65%", "▲", "69%", "69%", "70.5%"]
    assert "On target" in row and ">Q1<" in row


def test_commentary_beside_its_theme_and_rendered_safely(html):
    stability = html[html.index('id="theme-stability"'):html.index('id="theme-reviews"')]
    assert "Officer commentary" in stability and "<em>step-downs</em>" in stability
    missing = html[html.index('id="theme-missing"'):html.index('id="theme-health"')]
    assert "Two children account for most episodes." in missing
    summary = html[html.index('id="summary"'):html.index('id="theme-entering_care"')]
    assert "Overall a steady month." in summary and "<h3>Budget</h3>" in summary
    assert "<script>" not in html and "&lt;script&gt;alert" in stability
    # images are off: a page loads nothing (the address stays as a plain link)
    assert "<img" not in html and '<a href="https://example.org/chart.png">chart</a>' in stability
    # no commentary for other themes: no empty box
    assert html.count("Officer commentary</h3>") == 3


def test_no_commentary_file_leaves_no_box(conn, tmp_path):
    page = build_page(conn, LA_A, MARCH, with_charts=False,
                      commentary=load_commentary(tmp_path, LA_A, MARCH, THEMES))
    assert "Officer commentary" not in render_page(page)


def test_commentary_headings_match_theme_labels_and_ids():
    result = parse("## care leavers\nA\n# Data quality\nB\n## children_in_care\nC\n", THEMES)
    assert set(result.themes) == {"care_leavers", "data_quality", "children_in_care"}
    assert result.summary == ""


def _check(name, success, pct, previous):
    return DQCheck("episodes", name, "recording", success, 100, pct, pct, False, previous)


def test_data_quality_lists_only_failed_or_worse_checks_with_their_effects():
    checks = [_check("home_post_present", False, 3.0, 3.2),  # failed, better than before
              _check("pl_post_present", True, 1.0, 0.5),  # passed but worse
              _check("urn_present", True, 0.0, 0.0)]  # passed, unchanged: left out
    effects = {("episodes", "home_post_present"): ("dq_cla_no_postcode_pct",)}
    rows = dq_rows(checks, effects)
    assert [(r.check.expectation, r.status, r.effects) for r in rows] == [
        ("home_post_present", "failed",
         ["Data quality: children in care with no usable postcode"]),
        ("pl_post_present", "worse than before", []),
    ]


def test_data_quality_section_on_the_page(html):
    section = html[html.index("Data-quality checks"):html.index("<footer>")]
    assert "2 of 3 checks failed or got worse" in section
    assert "expect_column_values_to_be_in_set(SEX)" not in section  # passed
    assert "restricted error report" in section


def test_css_string_escapes_what_could_end_it():
    assert css_string('Brighton & Hove "x"; }') == '"Brighton & Hove \\22 x\\22 \\3b  \\7d "'


def test_index_names_councils_and_links_pdfs(conn, tmp_path):
    out = tmp_path / "reports"
    write_reports(conn, out, months=1, la_codes=[LA_A])
    (out / LA_A / "2025-03.pdf").write_bytes(b"%PDF-1.4")
    index = write_index(out, {LA_A: "Kirklees"}).read_text()
    assert f'Kirklees ({LA_A}): 2025-03</a> · <a href="{LA_A}/2025-03.pdf">PDF</a>' in index
