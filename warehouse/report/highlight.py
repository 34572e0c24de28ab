"""The monthly highlight report for the board: one self-contained HTML page per LA and month.

What goes on a page, worked out here from the published (small-number suppressed) indicator
values, the catalogue (warehouse/indicators.yaml: labels, themes, polarity, national comparators)
and warehouse/report_targets.yaml (targets, RAG thresholds, caveats):

- indicators grouped by theme, each with its value and count, the previous period, a trend chart
  (13 month ends, or 5 years for annual measures), its target and RAG status, the national
  comparator, one sentence of narrative, and caveats (small denominators, suppressed figures,
  recording problems that distort it);
- a summary sorting indicators into "Improvement" and "Current issues" by polarity;
- the data-quality checks of the LA's latest extract.

Pages are written to <report_dir>/<la_code>/<YYYY-MM>.html (report_dir: CSC_REPORT_DIR, default
`reports` beside the export folder, i.e. warehouse/reports) with an index.html listing them. The
page loads nothing from the network: CSS and SVG charts are inline.
"""

from __future__ import annotations

import calendar
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import duckdb
import jinja2
import yaml

from warehouse import sqlfiles
from warehouse.domain import catalogue
from warehouse.publish import exports
from warehouse.report import charts

TEMPLATE_DIR = Path(__file__).with_name("templates")
TARGETS_FILE = Path(__file__).with_name("targets.yaml")

THEMES = {
    "entering_care": "Entering and leaving care",
    "children_in_care": "Children in care",
    "stability": "Stability",
    "reviews": "Reviews",
    "missing": "Missing from care",
    "health": "Health",
    "care_leavers": "Care leavers",
    "adoption": "Adoption",
    "data_quality": "Data quality",
}
RAG_LABELS = {"green": "On target", "amber": "Near target", "red": "Off target"}


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    target: float
    amber: float | None = None


@dataclass(frozen=True)
class Distortion:
    measure: str
    above: float
    affects: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class ReportSettings:
    defaults: dict[str, Target]
    overrides: dict[str, dict[str, Target | None]]
    small_denominator: int
    distortions: tuple[Distortion, ...]
    la_names: dict[str, str] = field(default_factory=dict)
    materiality: dict[str, float] = field(default_factory=dict)

    def targets_for(self, la_code: str) -> dict[str, Target]:
        result = dict(self.defaults)
        for ind, t in self.overrides.get(la_code, {}).items():
            if t is None:
                result.pop(ind, None)
            else:
                result[ind] = t
        return result


def _target(raw: dict | None) -> Target | None:
    if raw is None or raw.get("target") is None:
        return None
    amber = raw.get("amber")
    return Target(float(raw["target"]), None if amber is None else float(amber))


@cache
def _load_settings(path: str) -> ReportSettings:
    spec = yaml.safe_load(Path(path).read_text()) or {}
    known = catalogue.indicators()
    defaults = {k: _target(v) for k, v in (spec.get("defaults") or {}).items()}
    overrides = {
        la: {k: _target(v) for k, v in (items or {}).items()}
        for la, items in (spec.get("la_overrides") or {}).items()
    }
    for ind_id, t in [*defaults.items(), *[i for o in overrides.values() for i in o.items()]]:
        if ind_id not in known:
            raise ValueError(f"{Path(path).name}: unknown indicator {ind_id!r}")
        polarity = known[ind_id].polarity
        if t and t.amber is not None:
            wrong = (polarity == "higher_better" and t.amber > t.target) or (
                polarity == "lower_better" and t.amber < t.target
            )
            if wrong:
                raise ValueError(
                    f"{Path(path).name}: {ind_id}: amber {t.amber} is on the good side of "
                    f"target {t.target} for a {polarity} indicator"
                )
    caveats = spec.get("caveats") or {}
    distortions = tuple(
        Distortion(
            d["measure"], float(d["above"]), tuple(d["affects"]), " ".join(d["note"].split())
        )
        for d in caveats.get("distortions") or ()
    )
    return ReportSettings(
        defaults={k: v for k, v in defaults.items() if v},
        overrides=overrides,
        small_denominator=int(caveats.get("small_denominator", 20)),
        distortions=distortions,
        la_names=dict(spec.get("la_names") or {}),
        materiality={k: float(v) for k, v in (spec.get("materiality") or {}).items()},
    )


def load_settings(path: str | os.PathLike | None = None) -> ReportSettings:
    return _load_settings(str(Path(path or TARGETS_FILE).resolve()))


def rag_status(value: float | None, polarity: str, target: Target | None) -> str | None:
    """green / amber / red against the target, or None (no target, no value, or context)."""
    if value is None or target is None or polarity not in {"higher_better", "lower_better"}:
        return None
    higher = polarity == "higher_better"
    if (value >= target.target) if higher else (value <= target.target):
        return "green"
    if target.amber is not None and (
        (value >= target.amber) if higher else (value <= target.amber)
    ):
        return "amber"
    return "red"


# --------------------------------------------------------------------------- formatting


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return month_end(index // 12, index % 12 + 1)


def long_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def fmt_value(unit: str, v: float | None) -> str:
    if v is None:
        return "–"
    if unit == "pct":
        return f"{v:.1f}%"
    if unit == "rate_per_10k":
        return f"{v:.1f} per 10,000"
    if unit == "days":
        return f"{v:,.0f} days"
    return f"{v:,.0f}"


def fmt_change(unit: str, delta: float) -> str:
    size = abs(delta)
    if unit == "pct":
        return f"{size:.1f} points"
    if unit == "rate_per_10k":
        return f"{size:.1f}"
    if unit == "days":
        return f"{size:,.0f} days"
    return f"{size:,.0f}"


def fmt_count(unit: str, numerator: float | None, denominator: float | None) -> str | None:
    if unit == "pct" and numerator is not None and denominator is not None:
        return f"{numerator:,.0f} of {denominator:,.0f}"
    if unit == "rate_per_10k" and numerator is not None:
        return f"{numerator:,.0f} children"
    if unit == "days" and denominator is not None:
        return f"{denominator:,.0f} children"
    return None


# --------------------------------------------------------------------------- the page's data


@dataclass
class Point:
    period_end: date
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool


@dataclass
class IndicatorView:
    ind: catalogue.Indicator
    period_end: date | None
    current: Point | None
    previous: Point | None
    previous_label: str  # "the end of February 2025" / "31 March 2024"
    series: list[tuple[date, float | None]]
    highest_12m: bool = False
    lowest_12m: bool = False
    target: Target | None = None
    rag: str | None = None
    comparator: catalogue.Comparator | None = None
    caveats: list[str] = field(default_factory=list)
    breakdown_rows: list[tuple[str, Point]] = field(default_factory=list)
    narrative: str = ""
    chart_svg: str = ""
    materiality: float = 0.0  # a smaller change counts as unchanged when sorting the summary

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    @property
    def direction(self) -> str | None:
        """improved / worsened / unchanged by polarity; None for context or no comparison."""
        change = self.change
        if change is None or self.ind.polarity not in {"higher_better", "lower_better"}:
            return None
        if abs(change) < max(self.materiality, 1e-9):
            return "unchanged"
        better = change > 0 if self.ind.polarity == "higher_better" else change < 0
        return "improved" if better else "worsened"

    @property
    def value_text(self) -> str:
        if self.current is None:
            return "No data"
        if self.current.suppressed:
            return "Fewer than 5"
        return fmt_value(self.ind.unit, self.current.value)

    @property
    def count_text(self) -> str | None:
        c = self.current
        if c is None or c.suppressed:
            return None
        return fmt_count(self.ind.unit, c.numerator, c.denominator)

    @property
    def previous_text(self) -> str:
        p = self.previous
        if p is None:
            return "–"
        return "fewer than 5" if p.suppressed else fmt_value(self.ind.unit, p.value)

    @property
    def change_text(self) -> str | None:
        change = self.change
        if change is None:
            return None
        if abs(change) < 1e-9:
            return "no change"
        arrow = "▲" if change > 0 else "▼"
        return f"{arrow} {fmt_change(self.ind.unit, change)}"

    @property
    def target_text(self) -> str | None:
        if self.target is None:
            return None
        return fmt_value(self.ind.unit, self.target.target)

    @property
    def comparator_text(self) -> str | None:
        c = self.comparator
        if c is None:
            return None
        return f"{c.description}: {fmt_value(self.ind.unit, c.value)}"

    @property
    def anchor(self) -> str:
        return f"ind-{self.ind.indicator_id}"


def _narrative(v: IndicatorView) -> str:
    """One sentence from the data: value, count, change, highest or lowest in 12 months."""
    ind, c = v.ind, v.current
    if c is None or v.period_end is None:
        return f"{ind.name}: no figure for this period."
    when = long_date(v.period_end)
    if c.suppressed:
        return f"{ind.name}: fewer than 5 children at {when}, so the figure is not shown."
    if c.value is None:
        return f"{ind.name}: no figure at {when}, as there was no one to measure it over."
    count = fmt_count(ind.unit, c.numerator, c.denominator)
    head = f"{ind.name}: {fmt_value(ind.unit, c.value)}"
    head += f" ({count})" if count else ""
    head += f" at {when}"
    p = v.previous
    if p is None:
        tail = f", with no figure for {v.previous_label} to compare"
    elif p.suppressed or p.value is None:
        tail = f", with the figure for {v.previous_label} not shown (fewer than 5)"
    elif abs(c.value - p.value) < 1e-9:
        tail = f", unchanged from {v.previous_label}"
    elif fmt_change(ind.unit, c.value - p.value) in {"0", "0.0", "0.0 points", "0 days"}:
        tail = f", little changed from {fmt_value(ind.unit, p.value)} at {v.previous_label}"
    else:
        word = "up" if c.value > p.value else "down"
        tail = (
            f", {word} {fmt_change(ind.unit, c.value - p.value)} from "
            f"{fmt_value(ind.unit, p.value)} at {v.previous_label}"
        )
    if v.highest_12m:
        tail += " and the highest in the last 12 months"
    elif v.lowest_12m:
        tail += " and the lowest in the last 12 months"
    return head + tail + "."


def _placement_mix_narrative(v: IndicatorView) -> str:
    shown = [(b, p) for b, p in v.breakdown_rows if not p.suppressed and p.value is not None]
    if not shown or v.period_end is None:
        return f"{v.ind.name}: no figure for this period."
    label, top = max(shown, key=lambda bp: bp[1].value)
    count = fmt_count(v.ind.unit, top.numerator, top.denominator)
    return (
        f"{v.ind.name}: the largest group at {long_date(v.period_end)} was "
        f"{label.replace('_', ' ')}, {fmt_value(v.ind.unit, top.value)}"
        + (f" ({count})" if count else "")
        + "."
    )


def _comparator(ind: catalogue.Indicator, d: date) -> catalogue.Comparator | None:
    if not ind.comparators:
        return None
    earlier = [c for c in ind.comparators if c.year <= d.year]
    pool = earlier or list(ind.comparators)
    return max(pool, key=lambda c: c.year)


@dataclass
class DQCheck:
    table_name: str
    expectation: str
    severity: str
    success: bool
    evaluated: float | None
    unexpected: float | None
    unexpected_pct: float | None
    suppressed: bool


@dataclass
class Page:
    la_code: str
    la_name: str | None
    period_end: date
    suppress: bool
    threshold: int
    themes: list[tuple[str, str, list[IndicatorView]]]
    improvement: list[IndicatorView]
    issues: list[IndicatorView]
    dq_extract: date | None
    dq_checks: list[DQCheck]
    generated_at: str

    @property
    def title(self) -> str:
        who = f"{self.la_name} ({self.la_code})" if self.la_name else self.la_code
        return f"Children in care: highlight report, {who}, {self.period_end.strftime('%B %Y')}"


PageKey = tuple[str, date]  # (la_code, month end)


@dataclass
class PageData:
    """What the warehouse holds for one page: indicator points by indicator, breakdown and month
    end; the data-quality extract and its checks (extract None: no results up to the month)."""

    series: dict[str, dict[str, dict[date, Point]]] = field(default_factory=dict)
    dq_extract: date | None = None
    dq_checks: list[DQCheck] = field(default_factory=list)


def fetch_page_data(
    conn: duckdb.DuckDBPyConnection, pages: list[PageKey], suppress: bool, threshold: int
) -> dict[PageKey, PageData]:
    """The data of all the pages at once: one query for the values and one for the checks."""
    data = {key: PageData() for key in pages}
    params = {"la_codes": [la for la, _ in pages], "period_ends": [d for _, d in pages]}
    sql = sqlfiles.render(
        "outputs/report_series.sql",
        values_query=exports.export_query(
            "indicator_values", suppress=suppress, threshold=threshold
        ),
    )
    for la, page_end, ind_id, pe, breakdown, num, den, value, suppressed in conn.execute(
        sql, params
    ).fetchall():
        data[la, page_end].series.setdefault(ind_id, {}).setdefault(breakdown, {})[pe] = Point(
            pe, num, den, value, bool(suppressed)
        )
    try:
        dq_query = exports.export_query("dq_results", suppress=suppress, threshold=threshold)
        rows = conn.execute(
            sqlfiles.render("outputs/report_dq.sql", dq_query=dq_query), params
        ).fetchall()
    except duckdb.CatalogException:  # marts.dq_results not built: the section says so
        rows = []
    for la, page_end, extract_date, *check in rows:
        page = data[la, page_end]
        page.dq_extract = extract_date
        page.dq_checks.append(DQCheck(*check))
    return data


def build_page(
    conn: duckdb.DuckDBPyConnection,
    la_code: str,
    period_end: date,
    *,
    suppress: bool = True,
    threshold: int = exports.SMALL_NUMBER_THRESHOLD,
    report_settings: ReportSettings | None = None,
    with_charts: bool = True,
    page_data: PageData | None = None,
) -> Page:
    """One page's content; page_data: its data when fetched already (fetch_page_data)."""
    cfg = report_settings or load_settings()
    targets = cfg.targets_for(la_code)
    d = period_end
    if page_data is None:
        page_data = fetch_page_data(conn, [(la_code, d)], suppress, threshold)[la_code, d]
    data = page_data.series
    views: dict[str, IndicatorView] = {}
    for ind in catalogue.indicators().values():
        by_breakdown = data.get(ind.indicator_id, {})
        if not ind.all_row:
            rows = [
                (b.split("=", 1)[-1], pts[d]) for b, pts in sorted(by_breakdown.items()) if d in pts
            ]
            view = IndicatorView(ind, d if rows else None, None, None, "", [], breakdown_rows=rows)
            view.narrative = _placement_mix_narrative(view)
            views[ind.indicator_id] = view
            continue
        points = by_breakdown.get("all", {})
        if ind.frequency == "annual":
            dates = sorted(p for p in points if p.month == 3 and p.day == 31)
            shown = dates[-1] if dates else None
            prev_date = date(shown.year - 1, 3, 31) if shown else None
            chart_dates = [date(shown.year - k, 3, 31) for k in range(4, -1, -1)] if shown else []
            previous_label = long_date(prev_date) if prev_date else ""
        else:
            shown = d
            prev_date = add_months(d, -1)
            chart_dates = [add_months(d, -k) for k in range(12, -1, -1)]
            previous_label = f"the end of {prev_date.strftime('%B %Y')}"
        current = points.get(shown) if shown else None
        previous = points.get(prev_date) if prev_date else None
        series = [
            (cd, None if cd not in points or points[cd].suppressed else points[cd].value)
            for cd in chart_dates
        ]
        view = IndicatorView(
            ind, shown if current else None, current, previous, previous_label, series
        )
        if ind.frequency == "monthly" and current and current.value is not None:
            window = [v for _, v in series[-12:] if v is not None]
            if len(window) >= 3 and max(window) > min(window):
                view.highest_12m = current.value >= max(window)
                view.lowest_12m = current.value <= min(window)
        view.materiality = cfg.materiality.get(ind.unit, 0.0)
        view.target = targets.get(ind.indicator_id)
        shown_value = None if current is None or current.suppressed else current.value
        view.rag = rag_status(shown_value, ind.polarity, view.target)
        view.comparator = _comparator(ind, d)
        view.narrative = _narrative(view)
        views[ind.indicator_id] = view

    _add_caveats(views, cfg)
    if with_charts:
        for view in views.values():
            if view.series and any(v is not None for _, v in view.series):
                national = view.comparator.value if view.comparator else None
                if view.ind.unit == "count":
                    national = None  # England's count is not on an LA's scale
                view.chart_svg = charts.trend_svg(
                    view.series,
                    chart_id=f"{la_code}-{view.ind.indicator_id}",
                    label=f"{view.ind.name}, trend to {long_date(d)}",
                    annual=view.ind.frequency == "annual",
                    target=view.target.target if view.target else None,
                    national=national,
                    percent=view.ind.unit == "pct",
                )

    themes = []
    for theme, label in THEMES.items():
        members = [v for v in views.values() if v.ind.theme == theme]
        if members:
            themes.append((theme, label, members))
    order = {theme: i for i, theme in enumerate(THEMES)}
    rag_rank = {"red": 0, "amber": 1, None: 2, "green": 3}
    issues = sorted(
        (v for v in views.values() if v.rag == "red" or v.direction == "worsened"),
        key=lambda v: (rag_rank[v.rag], order[v.ind.theme]),
    )
    improvement = [v for v in views.values() if v.direction == "improved" and v.rag != "red"]
    improvement.sort(key=lambda v: order[v.ind.theme])
    return Page(
        la_code=la_code,
        la_name=cfg.la_names.get(la_code),
        period_end=d,
        suppress=suppress,
        threshold=threshold,
        themes=themes,
        improvement=improvement,
        issues=issues,
        dq_extract=page_data.dq_extract,
        dq_checks=page_data.dq_checks,
        generated_at=datetime.now(UTC).strftime("%d %B %Y %H:%M UTC"),
    )


def _add_caveats(views: dict[str, IndicatorView], cfg: ReportSettings) -> None:
    for view in views.values():
        c = view.current
        if c is None or c.suppressed:
            continue
        den = c.denominator
        if view.ind.unit in {"pct", "days"} and den is not None and 0 < den < cfg.small_denominator:
            if view.ind.unit == "pct":
                view.caveats.append(
                    f"Small denominator: {den:,.0f}, so one more or one fewer moves it by "
                    f"{100 / den:.1f} points."
                )
            else:
                view.caveats.append(
                    f"An average over {den:,.0f} children: one long or short case moves it a lot."
                )
    for rule in cfg.distortions:
        measure = views.get(rule.measure)
        if measure is None or measure.current is None or measure.current.suppressed:
            continue
        value = measure.current.value
        if value is None or value <= rule.above:
            continue
        for affected in rule.affects:
            target = views.get(affected)
            if target is not None and target.current is not None:
                target.caveats.append(
                    "Data quality: " + rule.note.format(value=fmt_value("pct", value))
                )


# --------------------------------------------------------------------------- rendering


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["fmt_pct"] = lambda v: "–" if v is None else f"{v:.1f}%"
    env.filters["fmt_int"] = lambda v: "–" if v is None else f"{v:,.0f}"
    return env


def render_page(page: Page) -> str:
    return (
        _env()
        .get_template("highlight.html.j2")
        .render(page=page, rag_labels=RAG_LABELS, css=_env().get_template("style.css.j2").render())
    )


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def page_path(out_dir: Path, la_code: str, period_end: date) -> Path:
    return out_dir / la_code / f"{period_end:%Y-%m}.html"


def write_reports(
    conn: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    months: int = 1,
    la_codes: list[str] | None = None,
    suppress: bool = True,
    threshold: int = exports.SMALL_NUMBER_THRESHOLD,
    report_settings: ReportSettings | None = None,
) -> list[Path]:
    """Write the latest `months` pages of every LA (or those given) and refresh index.html."""
    rows = conn.execute(sqlfiles.render("outputs/report_months.sql")).fetchall()
    wanted: dict[str, list[date]] = {}
    for la, pe in rows:
        if la_codes is None or la in la_codes:
            wanted.setdefault(la, [])
            if len(wanted[la]) < months:
                wanted[la].append(pe)
    pages = [(la, d) for la, dates in sorted(wanted.items()) for d in dates]
    data = fetch_page_data(conn, pages, suppress, threshold) if pages else {}
    written = []
    for la, d in pages:
        page = build_page(
            conn,
            la,
            d,
            suppress=suppress,
            threshold=threshold,
            report_settings=report_settings,
            page_data=data[la, d],
        )
        path = page_path(out_dir, la, d)
        _write_atomically(path, render_page(page))
        written.append(path)
    write_index(out_dir)
    return written


def write_index(out_dir: Path) -> Path:
    pages = sorted(out_dir.glob("*/*.html"), key=lambda p: (p.parent.name, p.stem), reverse=True)
    items = [(p.relative_to(out_dir).as_posix(), p.parent.name, p.stem) for p in pages]
    text = _env().get_template("index.html.j2").render(items=items)
    path = out_dir / "index.html"
    _write_atomically(path, text)
    return path
