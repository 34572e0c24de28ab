"""The report's trend charts: the SVG written from the template carries what matplotlib drew.

The expected coordinates and labels are those of the matplotlib figure the charts were first drawn
with (3.4 x 1.35 in, MaxNLocator(3) y ticks), to 6 decimals give or take the last one, so a
change to the chart shows up here."""

from __future__ import annotations

import re
from datetime import date

from warehouse.report import charts
from warehouse.report.formatting import add_months


def _texts(svg: str) -> list[tuple[str, str, str, str]]:
    return re.findall(
        r'<text style="text-anchor: (\w+)" x="([^"]+)" y="([^"]+)">([^<]*)</text>', svg
    )


def _monthly_with_gap() -> str:
    values = [60.1, 61, 62.5, None, 63, 64, 62, 61, 60, 59.5, 58, 57, 56.2]
    points = [(add_months(date(2025, 3, 31), k - 12), v) for k, v in enumerate(values)]
    return charts.trend_svg(
        points,
        chart_id="E08000034-ind",
        label='Placements "stable" & <near>, trend to 31 March 2025',
        target=55,
        national=70,
        percent=True,
    )


def test_axes_labels_and_positions():
    svg = _monthly_with_gap()
    assert svg.startswith('<svg role="img" aria-label="Placements &#34;stable&#34; &amp; &lt;near')
    assert (
        "<title>Placements &#34;stable&#34; &amp; &lt;near&gt;, trend to 31 March 2025</title>"
        in svg
    )
    assert 'viewBox="0 0 244.8 97.2"' in svg and 'class="chart"' in svg
    assert _texts(svg) == [
        ("middle", "38.25", "89.338125", "Mar 24"),
        ("middle", "231.03", "89.338125", "Mar 25"),
        ("end", "26.324", "69.135063", "56%"),
        ("end", "26.324", "40.423678", "64%"),
        ("end", "26.324", "11.712293", "72%"),
    ]


def test_line_gap_markers_target_and_national():
    svg = _monthly_with_gap()
    runs = re.findall(
        r'<path d="M ([^"]+)" clip-path="url\(#E08000034-ind-clip\)" '
        r'style="fill: none; stroke: #1f5c99',
        svg,
    )
    assert [len(r.split(" L ")) for r in runs] == [3, 9]  # a gap for the missing month
    assert runs[0].startswith("38.25 51.381415 L 54.315 48.151385")
    assert svg.count('r="1.25"') == 12 and svg.count('r="2.75"') == 1  # latest point marked
    assert '<circle cx="231.03" cy="65.378215" r="2.75"/>' in svg
    assert 'd="M 31.824 69.684923 L 237.456 69.684923"' in svg  # target, dashed
    assert "stroke-dasharray: 4,3" in svg
    assert 'd="M 31.824 15.851077 L 237.456 15.851077"' in svg  # national, dotted
    assert "stroke-dasharray: 1,2" in svg


def test_one_id_per_chart_and_nothing_external():
    svg = _monthly_with_gap()
    assert re.findall(r'\bid="([^"]+)"', svg) == ["E08000034-ind-clip"]
    assert "http" not in svg and "xmlns" not in svg and "<style" not in svg


def test_offset_text_and_annual_labels():
    values = [100000.1, 100000.2, 100000.3, 100000.25, 100000.15]
    points = [(date(2020 + k, 3, 31), v) for k, v in enumerate(values)]
    svg = charts.trend_svg(points, chart_id="a", label="x", annual=True)
    assert _texts(svg) == [
        ("middle", "48.96", "89.338125", "2020"),
        ("middle", "220.32", "89.338125", "2024"),
        ("end", "26.324", "72.723986", "0.1"),
        ("end", "26.324", "45.807063", "0.2"),
        ("end", "26.324", "18.890139", "0.3"),
        ("start", "31.824", "4.776", "+1e5"),
    ]


def test_latest_missing_is_not_marked():
    points = [(add_months(date(2025, 3, 31), k - 12), float(k)) for k in range(13)]
    points[-1] = (points[-1][0], None)
    svg = charts.trend_svg(points, chart_id="b", label="x")
    assert svg.count('r="1.25"') == 12 and 'r="2.75"' not in svg
