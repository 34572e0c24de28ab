"""The one sentence of narrative under each indicator, written from its figures alone."""

from __future__ import annotations

from warehouse.report.formatting import fmt_change, fmt_count, fmt_value, long_date
from warehouse.report.indicator_view import IndicatorView

# What fmt_change writes for a change that rounds away: "little changed", not "up 0.0 points"
_ROUNDS_TO_NOTHING = {"0", "0.0", "0.0 points", "0 days"}


def indicator_sentence(v: IndicatorView) -> str:
    """Value, count, change, highest or lowest in 12 months."""
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
    elif fmt_change(ind.unit, c.value - p.value) in _ROUNDS_TO_NOTHING:
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


def placement_mix_sentence(v: IndicatorView) -> str:
    """For an indicator shown only by breakdown (no headline row): its largest group."""
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
