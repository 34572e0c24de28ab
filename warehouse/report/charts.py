"""Small trend charts for the highlight report, as inline SVG.

The chart is the one matplotlib drew for this report (same size, axes box, ticks, labels, line,
markers, target and national lines), but the SVG is written from a template
(warehouse/report/trend_chart.svg.j2): drawing ~40 charts a page through matplotlib's figure
machinery took over a second a page. matplotlib still chooses the y ticks and formats their labels
(MaxNLocator, ScalarFormatter), so the axes read as before.

The SVG sits inside an HTML page that loads nothing: text stays text (system fonts, no embedded or
web fonts), no namespace declarations or metadata (which carry URLs), and the one element id (the
clip path) is prefixed with the chart's id so several charts on one page never share an id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

import jinja2
from matplotlib import ticker

LINE = "#1f5c99"
MUTED = "#6f777b"
TARGET = "#b26a00"
NATIONAL = "#6f777b"
# published benchmarks drawn as labelled dashed lines: England, the statistical neighbours
BENCHMARK_COLOURS = {"England": "#505a5f", "Stat. neighbours": "#7a3f9d"}
BENCHMARK_LABEL_GAP = 8.0  # points: closer labels are moved apart

# Geometry in points of the former matplotlib figure: 3.4 x 1.35 inches, axes at
# (0.13, 0.2, 0.84, 0.72) of it.
WIDTH, HEIGHT = 244.8, 97.2
LEFT, RIGHT = 0.13 * WIDTH, 0.97 * WIDTH
TOP, BOTTOM = HEIGHT * (1 - 0.92), HEIGHT * (1 - 0.2)
TICK = 2.0  # tick length
# Label positions relative to their tick (tick length + matplotlib's 3.5 pt pad + the 8 px
# DejaVu Sans metrics matplotlib aligned them with).
Y_LABEL_DX, Y_LABEL_DY = -(TICK + 3.5), 3.0390625
X_LABEL_DY = TICK + 3.5 + 6.078125
OFFSET_DY = -3.0  # the y axis' offset text ("+1e5"), above the axes' top left corner


def _num(x: float) -> str:
    """A coordinate as matplotlib's SVG backend writes it: 6 decimals, trailing zeros dropped."""
    return f"{x:f}".rstrip("0").rstrip(".")


_BOX = {
    "w": _num(WIDTH),
    "h": _num(HEIGHT),
    "left": _num(LEFT),
    "right": _num(RIGHT),
    "top": _num(TOP),
    "bottom": _num(BOTTOM),
    "width": _num(RIGHT - LEFT),
    "height": _num(BOTTOM - TOP),
}


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=False,  # only the label and tick labels are text: escaped with |e
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("trend_chart.svg.j2")


def _month_label(d: date, annual: bool) -> str:
    return f"{d.year}" if annual else d.strftime("%b %y")


def _y_limits(values: list[float]) -> tuple[float, float]:
    if not values:
        return -0.055, 0.055  # what matplotlib showed for a chart with no value
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or max(abs(high) * 0.1, 1)
    bottom = 0 if low >= 0 and low - pad < 0 else low - pad
    return bottom, high + pad


def _y_ticks(low: float, high: float, percent: bool) -> tuple[list[tuple[float, str]], str]:
    """The y ticks inside the limits with their labels, and the axis' offset text (usually "")."""
    locs = ticker.MaxNLocator(3).tick_values(low, high)
    if percent:
        formatter = ticker.FuncFormatter(lambda v, _: f"{v:g}%")
    else:
        formatter = ticker.ScalarFormatter()
    formatter.create_dummy_axis()
    formatter.axis.set_view_interval(low, high)
    labels = formatter.format_ticks(locs)
    tol = (high - low) * 1e-10  # matplotlib keeps ticks that are within rounding of a limit
    shown = [
        (float(loc), label)
        for loc, label in zip(locs, labels, strict=True)
        if low - tol <= loc <= high + tol
    ]
    return shown, formatter.get_offset()


def trend_svg(
    points: Sequence[tuple[date, float | None]],
    *,
    chart_id: str,
    label: str,
    annual: bool = False,
    target: float | None = None,
    national: float | None = None,
    percent: bool = False,
    benchmarks: Sequence[tuple[str, float]] = (),
) -> str:
    """A line of the values (gaps where None: suppressed or missing), the latest point marked,
    the target dashed and the national comparator dotted when given; each benchmark (label,
    value) a dashed line labelled at its right end."""
    n = len(points)
    x_low, x_high = -0.4, (n - 0.6 if n else 1)
    ys = [None if v is None else float(v) for _, v in points]
    known = [y for y in ys if y is not None and not math.isnan(y)]
    extra = [v for v in (target, national) if v is not None] + [v for _, v in benchmarks]
    y_low, y_high = _y_limits(known + extra)

    def px(x: float) -> float:
        return LEFT + (x - x_low) / (x_high - x_low) * (RIGHT - LEFT)

    def py(y: float) -> float:
        return BOTTOM - (y - y_low) / (y_high - y_low) * (BOTTOM - TOP)

    markers = [
        (_num(px(i)), _num(py(y))) for i, y in enumerate(ys) if y is not None and not math.isnan(y)
    ]
    runs: list[list[tuple[float, float]]] = [[]]
    for i, y in enumerate(ys):
        if y is None or math.isnan(y):
            runs.append([])
        else:
            runs[-1].append((px(i), py(y)))
    x_ticks = [
        (px(i), _month_label(points[i][0], annual))
        for i in ([0, n - 1] if n > 1 else [0] if n else [])
    ]
    y_ticks, offset = _y_ticks(y_low, y_high, percent)
    y_ticks = [(py(loc), text) for loc, text in y_ticks]
    # Coordinates are formatted here rather than in the template: ~40 charts a page.
    tick_marks = [
        f"M {_num(x)} {_num(BOTTOM)} L {_num(x)} {_num(BOTTOM + TICK)}" for x, _ in x_ticks
    ]
    tick_marks += [f"M {_num(LEFT - TICK)} {_num(y)} L {_num(LEFT)} {_num(y)}" for y, _ in y_ticks]
    latest = ys[-1] if ys else None
    lines = []
    previous_label_y = None
    for name, value in sorted(benchmarks, key=lambda b: -b[1]):
        y = py(value)
        label_y = y - 2
        if previous_label_y is not None and label_y - previous_label_y < BENCHMARK_LABEL_GAP:
            label_y = previous_label_y + BENCHMARK_LABEL_GAP
        previous_label_y = label_y
        lines.append((_num(y), _num(RIGHT - 1), _num(label_y), name,
                      BENCHMARK_COLOURS.get(name, MUTED)))
    svg = _template().render(
        label=label,
        clip_id=re.sub(r"[^A-Za-z0-9_-]", "-", chart_id) + "-clip",
        box=_BOX,
        tick_marks=" ".join(tick_marks),
        x_labels=[(_num(x), _num(BOTTOM + X_LABEL_DY), text) for x, text in x_ticks],
        y_labels=[(_num(LEFT + Y_LABEL_DX), _num(y + Y_LABEL_DY), text) for y, text in y_ticks],
        offset=(_num(LEFT), _num(TOP + OFFSET_DY), offset) if offset else None,
        runs=[" L ".join(f"{_num(x)} {_num(y)}" for x, y in run) for run in runs if len(run) > 1],
        markers=markers,
        latest=markers[-1] if latest is not None and not math.isnan(latest) else None,
        target=None if target is None else _num(py(target)),
        national=None if national is None else _num(py(national)),
        benchmarks=lines,
        colours={"line": LINE, "muted": MUTED, "target": TARGET, "national": NATIONAL},
    )
    return svg + "\n"  # as matplotlib's SVG ended: the page's layout stays the same
