"""The exceptions summary at the front of a page: what needs attention (off target, or moved the
worse way) and what improved, each with its figure, the previous period, England, the region,
the statistical neighbours and a trend arrow; figures over a small denominator are listed apart
("small numbers") rather than given a traffic light."""

from __future__ import annotations

from dataclasses import dataclass, field

from warehouse.report.indicator_view import IndicatorView

_STATUS_RANK = {"red": 0, "amber": 1, None: 2, "green": 3}


@dataclass
class Exceptions:
    attention: list[IndicatorView] = field(default_factory=list)
    improved: list[IndicatorView] = field(default_factory=list)
    small_numbers: list[IndicatorView] = field(default_factory=list)


def mark_small_numbers(views, small_denominator: int) -> None:
    """A percentage or average over fewer than `small_denominator` children gets no traffic
    light: one child would turn it red or green."""
    for v in views:
        c = v.current
        if c is None or c.suppressed or v.ind.unit not in {"pct", "days"}:
            continue
        if c.denominator is not None and 0 < c.denominator < small_denominator:
            v.small_numbers = True


def summarise(views: list[IndicatorView], theme_order: dict[str, int]) -> Exceptions:
    result = Exceptions()
    for v in views:
        if v.small_numbers and (v.rag is not None or v.direction in {"improved", "worsened"}):
            result.small_numbers.append(v)
        elif v.status == "red" or v.direction == "worsened":
            result.attention.append(v)
        elif v.direction == "improved":
            result.improved.append(v)
    result.attention.sort(key=lambda v: (_STATUS_RANK[v.status], theme_order[v.ind.theme]))
    result.improved.sort(key=lambda v: theme_order[v.ind.theme])
    result.small_numbers.sort(key=lambda v: theme_order[v.ind.theme])
    return result
