"""The monthly highlight report on hand-made marts: content, RAG, narrative, caveats, privacy."""

from __future__ import annotations

import re
from datetime import date

import dagster as dg
import duckdb
import pytest

from assets import report as report_asset
from pipelines.resources import build_resources
from tests.helpers.handmade_marts import LA_A, LA_B, build_marts
from warehouse.config import Settings
from warehouse.report.formatting import month_end
from warehouse.report.indicator_view import IndicatorView
from warehouse.report.narrative import indicator_sentence
from warehouse.report.page import build_page
from warehouse.report.page_data import Point
from warehouse.report.render import render_page
from warehouse.report.targets import Target, load_settings, rag_status
from warehouse.report.writer import write_reports

MARCH = date(2025, 3, 31)


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "warehouse.duckdb"
    connection = duckdb.connect(str(path))
    build_marts(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def page(conn):
    return build_page(conn, LA_A, MARCH)


@pytest.fixture(scope="module")
def html(page):
    return render_page(page)


def _view(page, indicator_id):
    for _, _, views in page.themes:
        for v in views:
            if v.ind.indicator_id == indicator_id:
                return v
    raise KeyError(indicator_id)


def test_themes_in_board_order(page, html):
    assert [t for t, _, _ in page.themes] == [
        "entering_care",
        "children_in_care",
        "stability",
        "reviews",
        "missing",
        "health",
        "care_leavers",
        "adoption",
        "data_quality",
    ]
    positions = [html.index(f'id="theme-{t}"') for t, _, _ in page.themes]
    assert positions == sorted(positions)
    assert "Entering and leaving care" in html and "Care leavers" in html


def test_narrative_for_a_hand_made_series(page):
    # 3+ placements: ... Feb 2025 8/100, Mar 2025 15/100; highest of Apr 2024 - Mar 2025.
    assert _view(page, "cla_3plus_placements_12m_pct").narrative == (
        "Three or more placements in 12 months: 15.0% (15 of 100) at 31 March 2025, up 7.0 "
        "points from 8.0% at the end of February 2025 and the highest in the last 12 months."
    )
    assert _view(page, "cla_count").narrative == (
        "Children looked after: 114 at 31 March 2025, up 1 from 113 at the end of February 2025 "
        "and the highest in the last 12 months."
    )
    # Annual measure: compared with the previous 31 March, no 12-month high/low.
    assert _view(page, "cla_health_assessment_pct").narrative == (
        "Annual health assessment: 90.0% (45 of 50) at 31 March 2025, up 10.0 points from 80.0% "
        "at 31 March 2024."
    )
    # Days over 6 children; the month before had 4 (suppressed).
    assert _view(page, "adoption_a10_avg_days_12m").narrative == (
        "Average days from care to moving in with adopters: 400 days (6 children) at 31 March "
        "2025, with the figure for the end of February 2025 not shown (fewer than 5)."
    )


def test_rag_status_against_targets_with_la_override(page):
    # Kirklees override: 3+ placements target 9, amber 12 -> 15.0 is red.
    assert _view(page, "cla_3plus_placements_12m_pct").rag == "red"
    assert _view(page, "cla_long_term_stability_pct").rag == "green"  # 72.5 >= 70
    assert _view(page, "cla_reviews_in_timescale_pct").rag == "amber"  # 90 <= 93.3 < 95
    assert _view(page, "cla_over_20_miles_pct").rag == "red"  # 22.2 > 20
    assert _view(page, "cla_health_assessment_pct").rag == "green"  # 90 >= 90
    assert _view(page, "cla_count").rag is None  # context


def test_rag_rules():
    t = Target(target=10, amber=16)
    assert rag_status(10, "lower_better", t) == "green"
    assert rag_status(16, "lower_better", t) == "amber"
    assert rag_status(16.1, "lower_better", t) == "red"
    up = Target(target=70, amber=65)
    assert [rag_status(v, "higher_better", up) for v in (70, 65, 64.9)] == [
        "green",
        "amber",
        "red",
    ]
    assert rag_status(5, "context", t) is None
    assert rag_status(None, "lower_better", t) is None


def test_targets_file_validates_and_overrides(tmp_path):
    good = tmp_path / "targets.yaml"
    good.write_text(
        "defaults:\n  cla_missing_month_pct: {target: 5, amber: 8}\n"
        "la_overrides:\n  E06000001:\n    cla_missing_month_pct: {target: null}\n"
    )
    cfg = load_settings(good)
    assert cfg.targets_for(LA_A)["cla_missing_month_pct"] == Target(5, 8)
    assert "cla_missing_month_pct" not in cfg.targets_for(LA_B)
    bad = tmp_path / "bad.yaml"
    bad.write_text("defaults:\n  cla_missing_month_pct: {target: 5, amber: 3}\n")
    with pytest.raises(ValueError, match="good side"):
        load_settings(bad)
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("defaults:\n  no_such_indicator: {target: 5}\n")
    with pytest.raises(ValueError, match="unknown indicator"):
        load_settings(unknown)


def test_improvement_and_current_issues_by_polarity(page, html):
    improvement = [v.ind.indicator_id for v in page.improvement]
    issues = [v.ind.indicator_id for v in page.issues]
    # higher_better and up: improvement; lower_better and up (or red): issue. Reviews on time
    # improved too, but over 15 children, and days to adoption (on target) is over 6: small
    # numbers, listed apart with no traffic light.
    assert improvement == [
        "cla_long_term_stability_pct",
        "cla_health_assessment_pct",
    ]
    assert [v.ind.indicator_id for v in page.exceptions.small_numbers] == [
        "cla_reviews_in_timescale_pct",
        "adoption_a10_avg_days_12m",
    ]
    assert _view(page, "adoption_a10_avg_days_12m").status == "small"
    assert issues[:2] == ["cla_over_20_miles_pct", "cla_3plus_placements_12m_pct"]
    assert "dq_cla_no_postcode_pct" in issues  # improving, but still off target
    assert "cla_count" not in improvement + issues  # context
    summary = html[html.index('id="summary"') : html.index('id="theme-entering_care"')]
    assert '<h3 class="attention">Needs attention</h3>' in summary
    assert '<h3 class="improved">Improved</h3>' in summary
    assert "Small numbers (no traffic light)" in summary


def test_caveats(page):
    over20 = _view(page, "cla_over_20_miles_pct").caveats
    assert any("10.5% of children in care have no usable" in c for c in over20)
    reviews = _view(page, "cla_reviews_in_timescale_pct").caveats
    assert reviews == ["Small denominator: 15, so one more or one fewer moves it by 6.7 points."]
    assert _view(page, "cla_3plus_placements_12m_pct").caveats == []


def test_national_comparator(page):
    assert _view(page, "cla_long_term_stability_pct").comparator_text == (
        "England, long-term stability at 31 March 2025: 69.0%"
    )
    assert _view(page, "cla_reviews_in_timescale_pct").comparator_text is None


def test_small_numbers_suppressed_and_said_so(page, html):
    missing = _view(page, "cla_missing_month_pct")
    assert missing.value_text == "Fewer than 5"
    assert missing.series[-1] == (MARCH, None)  # a gap in the chart, not the value
    assert missing.narrative == (
        "Went missing (month): fewer than 5 children at 31 March 2025, so the figure is not shown."
    )
    assert "counts of 1 to 4 children" in html
    # Placement mix: 2 children in secure homes is not shown.
    mix = dict(_view(page, "cla_placement_group_pct").breakdown_rows)
    assert mix["secure_home"].suppressed and mix["secure_home"].value is None
    # Data-quality table: 2 failing rows is not shown.
    unique = next(c for c in page.dq_checks if "unique" in c.expectation)
    assert unique.suppressed and unique.unexpected is None
    row = re.search(r"<tr>[^\n]*be_unique\(CHILD\).*?</tr>", html, re.S).group(0)
    assert "fewer than 5" in row and ">2<" not in row


def test_unsuppressed_version_is_labelled(conn):
    text = render_page(build_page(conn, LA_A, MARCH, suppress=False, with_charts=False))
    assert "NOT suppressed" in text
    assert "Went missing (month): 2.0% (2 of 100)" in text


def test_page_is_self_contained(html):
    assert not re.search(r"https?://", html)
    assert not re.search(r"<(link|script|img|iframe|object|embed)\b", html, re.I)
    assert "@import" not in html and "@font-face" not in html
    assert not re.search(r"\bsrc\s*=", html)
    assert set(re.findall(r"url\(([^)]*)\)", html)) <= {
        u for u in re.findall(r"url\(([^)]*)\)", html) if u.startswith("#")
    }
    assert html.count("<svg ") >= 8  # a chart per indicator with data
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "element ids must be unique across charts"
    assert "@media print" in html


def test_pages_written_per_la_and_month(conn, tmp_path):
    out = tmp_path / "reports"
    written = write_reports(conn, out, months=2)
    assert sorted(p.relative_to(out).as_posix() for p in written) == [
        f"{LA_B}/2025-01.html",  # LA_B has no February
        f"{LA_B}/2025-03.html",
        f"{LA_A}/2025-02.html",
        f"{LA_A}/2025-03.html",
    ]
    index = (out / "index.html").read_text()
    assert f'href="{LA_A}/2025-03.html"' in index
    assert not list(out.rglob(".*tmp-*"))


def test_pages_written_together_equal_pages_built_alone(conn, tmp_path):
    """write_reports fetches every page's data in one query: each page as build_page makes it."""
    out = tmp_path / "reports"
    stamp = re.compile(r"generated \d\d \w+ \d{4} \d\d:\d\d UTC")
    for path in write_reports(conn, out, months=3):
        la, month = path.parent.name, date.fromisoformat(path.stem + "-01")
        alone = render_page(build_page(conn, la, month_end(month.year, month.month)))
        assert stamp.sub("", path.read_text()) == stamp.sub("", alone)


def test_report_asset_materialises(conn, tmp_path):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as c:
        build_marts(c)
    result = dg.materialize(
        [report_asset.highlight_report_pages],
        resources=build_resources(Settings.under(tmp_path, warehouse_path=db)),
        run_config={
            "ops": {"reports__highlight_report": {"config": {"la_codes": [LA_A], "months": 1,
                                                               "pdf": False}}}
        },
    )
    assert result.success
    assert (tmp_path / "reports" / LA_A / "2025-03.html").is_file()
    assert report_asset.highlight_report_pages.op.pool == "duckdb_warehouse"


def test_small_changes_do_not_fill_the_summary(page):
    # 10.6% -> 10.5% is below the 0.5-point materiality: unchanged for sorting, still red.
    dq = _view(page, "dq_cla_no_postcode_pct")
    assert dq.direction == "unchanged" and dq.rag == "red"
    assert "down 0.1 points" in dq.narrative
    ind = dq.ind
    view = IndicatorView(
        ind,
        MARCH,
        Point(MARCH, 10, 1000, 1.0, False),
        Point(date(2025, 2, 28), 10, 1001, 10 / 1001 * 100, False),
        "the end of February 2025",
        [],
    )
    assert indicator_sentence(view) == (
        "Data quality: children in care with no usable postcode: 1.0% (10 of 1,000) at 31 March "
        "2025, little changed from 1.0% at the end of February 2025."
    )


def test_style_sheet_is_not_html_escaped(html):
    """The CSS sat in <style> HTML-escaped: `"Segoe UI"` became `&#34;Segoe UI&#34;`, which
    broke the page font and every quoted value."""
    style = html[html.index("<style>"):html.index("</style>")]
    assert '"Segoe UI"' in style and "&#34;" not in style and "&amp;" not in style
