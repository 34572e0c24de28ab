"""Caveats under an indicator: a denominator small enough that one child moves the figure a lot,
and recording problems (targets.yaml distortions) that make it unreliable."""

from __future__ import annotations

from warehouse.report.formatting import fmt_value
from warehouse.report.indicator_view import IndicatorView
from warehouse.report.targets import ReportSettings


def add_caveats(views: dict[str, IndicatorView], cfg: ReportSettings) -> None:
    """Append the caveats of each view in place (views by indicator id, all of the page)."""
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
