"""One page of the monthly highlight report for the board: an LA and a month end.

What goes on a page, worked out from the published (small-number suppressed) indicator values,
the catalogue (warehouse/domain/indicators.yaml: labels, themes, polarity, national comparators)
and warehouse/report/targets.yaml (targets, RAG thresholds, caveats):

- indicators grouped by theme, each with its value and count, the previous period, a trend chart
  (13 month ends, or 5 years for annual measures), its target and RAG status, the national
  comparator, one sentence of narrative, and caveats (small denominators, suppressed figures,
  recording problems that distort it);
- the DfE's published benchmarks (marts.indicator_comparators): England, the region, the
  statistical neighbours' median, the council's quartile, and its own published figure beside the
  warehouse's (warehouse/report/benchmarks.py);
- an exceptions summary: what needs attention and what improved (exceptions.py);
- officers' commentary placed beside its theme (commentary.py);
- the data-quality checks of the LA's latest extract that failed or got worse (dq_section.py);
- a notice when an extract of the LA failed to load, so the figures rest on an older load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb

from warehouse.domain import catalogue
from warehouse.publish import exports
from warehouse.publish.stale import StaleExtract
from warehouse.reference.councils import council_names
from warehouse.report import charts
from warehouse.report.benchmarks import Benchmarks, fetch_benchmarks
from warehouse.report.caveats import add_caveats
from warehouse.report.commentary import Commentary
from warehouse.report.dq_section import CheckEffects, DQRow, dq_rows
from warehouse.report.exceptions import Exceptions, mark_small_numbers, summarise
from warehouse.report.formatting import add_months, long_date
from warehouse.report.indicator_view import IndicatorView
from warehouse.report.narrative import indicator_sentence, placement_mix_sentence
from warehouse.report.page_data import DQCheck, PageData, fetch_page_data
from warehouse.report.targets import ReportSettings, load_settings, rag_status

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
    exceptions: Exceptions
    commentary: Commentary
    dq_rows: list[DQRow]
    small_denominator: int = 20
    stale: list[StaleExtract] = field(default_factory=list)

    @property
    def bench_year(self) -> int | None:
        """The year most of the page's benchmarks are for (others are marked with theirs)."""
        years = [v.bench.period_end.year for _, _, views in self.themes for v in views if v.bench]
        return max(set(years), key=years.count) if years else None

    @property
    def who(self) -> str:
        return self.la_name or self.la_code

    @property
    def month(self) -> str:
        return self.period_end.strftime("%B %Y")

    @property
    def title(self) -> str:
        who = f"{self.la_name} ({self.la_code})" if self.la_name else self.la_code
        return f"Children in care: highlight report, {who}, {self.period_end.strftime('%B %Y')}"


def _comparator(ind: catalogue.Indicator, d: date) -> catalogue.Comparator | None:
    """The latest national figure for a year up to d's, else the earliest one there is."""
    if not ind.comparators:
        return None
    earlier = [c for c in ind.comparators if c.year <= d.year]
    pool = earlier or list(ind.comparators)
    return max(pool, key=lambda c: c.year)


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
    benchmarks: dict[str, Benchmarks] | None = None,
    commentary: Commentary | None = None,
    check_effects: CheckEffects | None = None,
    la_name: str | None = None,
) -> Page:
    """One page's content; page_data and benchmarks: its data when fetched already
    (fetch_page_data, fetch_benchmarks); check_effects: the indicators each data-quality check
    distorts (expectations' suites)."""
    cfg = report_settings or load_settings()
    targets = cfg.targets_for(la_code)
    d = period_end
    if page_data is None:
        page_data = fetch_page_data(conn, [(la_code, d)], suppress, threshold)[la_code, d]
    data = page_data.series
    if benchmarks is None:
        benchmarks = fetch_benchmarks(conn, [(la_code, d)])[la_code, d]
    views: dict[str, IndicatorView] = {}
    for ind in catalogue.indicators().values():
        by_breakdown = data.get(ind.indicator_id, {})
        if not ind.all_row:
            rows = [
                (b.split("=", 1)[-1], pts[d]) for b, pts in sorted(by_breakdown.items()) if d in pts
            ]
            view = IndicatorView(ind, d if rows else None, None, None, "", [], breakdown_rows=rows)
            view.narrative = placement_mix_sentence(view)
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
        view.bench = benchmarks.get(ind.indicator_id)
        if view.bench is not None:
            own = points.get(view.bench.period_end)
            view.bench.own_value = None if own is None or own.suppressed else own.value
        view.narrative = indicator_sentence(view)
        views[ind.indicator_id] = view

    add_caveats(views, cfg)
    mark_small_numbers(views.values(), cfg.small_denominator)
    if with_charts:
        for view in views.values():
            if view.series and any(v is not None for _, v in view.series):
                national = view.comparator.value if view.comparator else None
                lines = []
                b = view.bench
                if b is not None:
                    national = None  # the published England figure replaces the catalogue's
                    lines = [(name, value) for name, value in
                             (("England", b.england), ("Stat. neighbours", b.neighbours))
                             if value is not None]
                if view.ind.unit == "count":
                    national, lines = None, []  # England's count is not on an LA's scale
                view.chart_svg = charts.trend_svg(
                    view.series,
                    chart_id=f"{la_code}-{view.ind.indicator_id}",
                    label=f"{view.ind.name}, trend to {long_date(d)}",
                    annual=view.ind.frequency == "annual",
                    target=view.target.target if view.target else None,
                    national=national,
                    percent=view.ind.unit == "pct",
                    benchmarks=lines,
                )

    themes = []
    for theme, label in THEMES.items():
        members = [v for v in views.values() if v.ind.theme == theme]
        if members:
            themes.append((theme, label, members))
    order = {theme: i for i, theme in enumerate(THEMES)}
    exceptions = summarise(list(views.values()), order)
    return Page(
        la_code=la_code,
        la_name=la_name or council_names(conn).get(la_code) or cfg.la_names.get(la_code),
        period_end=d,
        suppress=suppress,
        threshold=threshold,
        themes=themes,
        improvement=exceptions.improved,
        issues=exceptions.attention,
        dq_extract=page_data.dq_extract,
        dq_checks=page_data.dq_checks,
        generated_at=datetime.now(UTC).strftime("%d %B %Y %H:%M UTC"),
        stale=page_data.stale,
        exceptions=exceptions,
        commentary=commentary or Commentary(),
        dq_rows=dq_rows(page_data.dq_checks, check_effects),
        small_denominator=cfg.small_denominator,
    )
