"""Dates and numbers as the report writes them."""

from __future__ import annotations

import calendar
from datetime import date


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    """The month end `months` months from d's month (negative: earlier)."""
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
    """The size of a change, without its sign (the caller says up or down)."""
    size = abs(delta)
    if unit == "pct":
        return f"{size:.1f} points"
    if unit == "rate_per_10k":
        return f"{size:.1f}"
    if unit == "days":
        return f"{size:,.0f} days"
    return f"{size:,.0f}"


def fmt_count(unit: str, numerator: float | None, denominator: float | None) -> str | None:
    """The children behind a value ("12 of 40"), or None when the unit has no such count."""
    if unit == "pct" and numerator is not None and denominator is not None:
        return f"{numerator:,.0f} of {denominator:,.0f}"
    if unit == "rate_per_10k" and numerator is not None:
        return f"{numerator:,.0f} children"
    if unit == "days" and denominator is not None:
        return f"{denominator:,.0f} children"
    return None


def fmt_short(unit: str, v: float | None) -> str:
    """A value for a table cell: whole numbers without decimals, no 'per 10,000' or 'days'."""
    if v is None:
        return "–"
    text = f"{v:,.0f}" if float(v).is_integer() or unit in {"count", "days"} else f"{v:,.1f}"
    return text + "%" if unit == "pct" else text
