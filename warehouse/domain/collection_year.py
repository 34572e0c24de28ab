"""The 903 collection year: 1 April to 31 March, named by the year of the 31 March that ends it
(2025 for 2024/25). The one rule in Python; warehouse/sql/macros.sql holds the same rule for SQL
(collection_year, collection_year_start), and a test holds the two equal."""

from __future__ import annotations

import datetime as dt


def collection_year(day: dt.date) -> int:
    """The collection year holding `day`: 2025 for any day from 1 April 2024 to 31 March 2025."""
    return day.year + 1 if day.month >= 4 else day.year


def collection_year_start(day: dt.date) -> dt.date:
    """1 April of the collection year holding `day`."""
    return dt.date(collection_year(day) - 1, 4, 1)


def collection_year_label(year: int) -> str:
    """2025 -> "2024/25"."""
    return f"{year - 1}/{str(year)[2:]}"
