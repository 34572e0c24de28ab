"""Small trend charts for the highlight report, drawn with matplotlib as inline SVG.

The SVG is made to sit inside an HTML page that loads nothing: text stays text (system fonts, no
embedded or web fonts), the XML prolog, DOCTYPE, metadata and namespace declarations (which
carry URLs) are removed, and element ids are salted per chart so several charts on one page never
share an id.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display; set before anything imports pyplot

from matplotlib.figure import Figure  # noqa: E402

INK = "#1d1d1b"
LINE = "#1f5c99"
MUTED = "#6f777b"
TARGET = "#b26a00"
NATIONAL = "#6f777b"

_STRIP = [
    re.compile(r"<\?xml[^>]*\?>\s*"),
    re.compile(r"<!DOCTYPE[^>]*>\s*"),
    re.compile(r"<metadata>.*?</metadata>\s*", re.S),
    re.compile(r'\s+xmlns(:\w+)?="[^"]*"'),
]


def _clean_svg(svg: str, label: str, chart_id: str) -> str:
    for pattern in _STRIP:
        svg = pattern.sub("", svg)
    # Prefix every id (and the references to it) with the chart's id: unique on the page.
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
    for old in set(re.findall(r'\bid="([^"]+)"', svg)):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})").replace(
            f'href="#{old}"', f'href="#{new}"'
        )
    # Scale with its box instead of a fixed size in points.
    svg = re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart"', svg, count=1
    )
    title = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return svg.replace(
        "<svg ", f'<svg role="img" aria-label="{title.replace(chr(34), "&quot;")}" ', 1
    ).replace(">", f"><title>{title}</title>", 1)


def _month_label(d: date, annual: bool) -> str:
    return f"{d.year}" if annual else d.strftime("%b %y")


def trend_svg(
    points: Sequence[tuple[date, float | None]],
    *,
    chart_id: str,
    label: str,
    annual: bool = False,
    target: float | None = None,
    national: float | None = None,
    percent: bool = False,
) -> str:
    """A line of the values (gaps where None: suppressed or missing), the latest point marked,
    the target dashed and the national comparator dotted when given."""
    xs = list(range(len(points)))
    ys = [float("nan") if v is None else float(v) for _, v in points]
    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": chart_id,
            "font.family": "sans-serif",
            "font.size": 8,
            "axes.edgecolor": MUTED,
            "axes.labelcolor": INK,
            "xtick.color": MUTED,
            "ytick.color": MUTED,
        }
    ):
        fig = Figure(figsize=(3.4, 1.35), dpi=100)
        ax = fig.add_axes((0.13, 0.2, 0.84, 0.72))
        ax.plot(xs, ys, color=LINE, linewidth=1.6, marker="o", markersize=2.5)
        known = [(x, y) for x, y in zip(xs, ys, strict=True) if y == y]
        if known and known[-1][0] == xs[-1]:
            ax.plot([known[-1][0]], [known[-1][1]], "o", color=LINE, markersize=5.5)
        if target is not None:
            ax.axhline(target, color=TARGET, linewidth=1, linestyle=(0, (4, 3)))
        if national is not None:
            ax.axhline(national, color=NATIONAL, linewidth=1, linestyle=(0, (1, 2)))
        values = [y for _, y in known] + [v for v in (target, national) if v is not None]
        if values:
            low, high = min(values), max(values)
            pad = (high - low) * 0.15 or max(abs(high) * 0.1, 1)
            bottom = 0 if low >= 0 and low - pad < 0 else low - pad
            ax.set_ylim(bottom, high + pad)
        ax.set_xlim(-0.4, len(xs) - 0.6 if xs else 1)
        if xs:
            ticks = [0, len(xs) - 1] if len(xs) > 1 else [0]
            ax.set_xticks(ticks, [_month_label(points[i][0], annual) for i in ticks])
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
        if percent:
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}%"))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=2)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _clean_svg(buffer.getvalue(), label, chart_id)
