"""Hand-made marts tables (the contracts in docs/CONTRACTS.md) for the outputs and report tests.

Every figure here is chosen so that the tests can state the expected result by hand.
Months run from 31 Jan 2024 to 31 Mar 2025 (15 month ends); LA_A has every month, LA_B misses
28 Feb 2025 (to check that "previous month" means the calendar month, not the previous row).
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import duckdb

from warehouse.domain import catalogue

LA_A = "E08000034"
LA_B = "E06000001"


def month_ends(first: date = date(2024, 1, 31), count: int = 15) -> list[date]:
    result, year, month = [], first.year, first.month
    for _ in range(count):
        result.append(date(year, month, calendar.monthrange(year, month)[1]))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return result


MONTHS = month_ends()  # MONTHS[-1] == 2025-03-31, MONTHS[-2] == 2025-02-28, MONTHS[2] == 2024-03-31

# Numerators of cla_3plus_placements_12m_pct for LA_A (denominator 100 every month).
THREE_PLUS = [10, 11, 12, 9, 8, 10, 12, 13, 14, 12, 11, 10, 9, 8, 15]
# Long-term stability numerators over a denominator of 80: 70.0% ... then 65.0% and 72.5%.
STABILITY = [56] * 13 + [52, 58]
MISSING = [6, 7, 5, 6, 8, 6, 5, 7, 6, 5, 6, 7, 6, 5, 2]  # denominator 100; 2 is suppressed
CARE_ORDER_AT_HOME = [5] * 13 + [3, 0]  # 3 suppressed, 0 shown


def _rows() -> list[tuple]:
    rows: list[tuple] = []

    def add(la, ind, d, num, den, value, breakdown="all"):
        rows.append((la, ind, d, breakdown, num, den, value))

    for i, d in enumerate(MONTHS):
        cla = 100 + i
        add(LA_A, "cla_count", d, cla, None, cla)
        add(LA_A, "cla_count", d, 3, None, 3, "uasc=Y")
        add(LA_A, "cla_count", d, cla - 3, None, cla - 3, "uasc=N")
        add(LA_A, "cla_rate_per_10k", d, cla, 50000, cla / 50000 * 10000)
        add(LA_A, "cla_3plus_placements_12m_pct", d, THREE_PLUS[i], 100, THREE_PLUS[i])
        add(LA_A, "cla_long_term_stability_pct", d, STABILITY[i], 80, 100 * STABILITY[i] / 80)
        add(LA_A, "cla_missing_month_pct", d, MISSING[i], 100, MISSING[i])
        add(
            LA_A,
            "cla_care_order_at_home_count",
            d,
            CARE_ORDER_AT_HOME[i],
            None,
            CARE_ORDER_AT_HOME[i],
        )
        add(
            LA_A,
            "cla_placement_group_pct",
            d,
            70,
            cla,
            100 * 70 / cla,
            "placement_group=foster_other",
        )
        add(
            LA_A, "cla_placement_group_pct", d, 2, cla, 100 * 2 / cla, "placement_group=secure_home"
        )
        over20 = 20 if i == 14 else 18
        add(LA_A, "cla_over_20_miles_pct", d, over20, 90, 100 * over20 / 90)
        add(LA_A, "dq_cla_no_postcode_pct", d, 12, cla, 100 * 12 / cla)
        reviews = 14 if i == 14 else 13
        add(LA_A, "cla_reviews_in_timescale_pct", d, reviews, 15, 100 * reviews / 15)
        if d != date(2025, 2, 28):
            add(LA_B, "cla_count", d, 40 + i, None, 40 + i)
    # Average days to adoption: 2,400 days over 6 children (400.0) at the latest month end;
    # 1,800 over 4 the month before (a denominator of 4 children: suppressed).
    add(LA_A, "adoption_a10_avg_days_12m", MONTHS[-2], 1800, 4, 450.0)
    add(LA_A, "adoption_a10_avg_days_12m", MONTHS[-1], 2400, 6, 400.0)
    # Annual measure, dated 31 March.
    add(LA_A, "cla_health_assessment_pct", date(2024, 3, 31), 40, 50, 80.0)
    add(LA_A, "cla_health_assessment_pct", date(2025, 3, 31), 45, 50, 90.0)
    return rows


DQ_ROWS = [
    (
        LA_A,
        date(2025, 3, 31),
        "episodes",
        "expect_column_values_to_not_be_null(PL_POST)",
        "warning",
        False,
        500,
        40,
        8.0,
    ),
    (
        LA_A,
        date(2025, 3, 31),
        "header",
        "expect_column_values_to_be_unique(CHILD)",
        "error",
        False,
        300,
        2,
        100 * 2 / 300,
    ),
    (
        LA_A,
        date(2025, 3, 31),
        "header",
        "expect_column_values_to_be_in_set(SEX)",
        "error",
        True,
        300,
        0,
        0.0,
    ),
    (
        LA_B,
        date(2024, 12, 31),
        "episodes",
        "expect_column_values_to_not_be_null(PL_POST)",
        "warning",
        True,
        3,
        0,
        0.0,
    ),
]


def build_marts(conn: duckdb.DuckDBPyConnection) -> None:
    """Create marts.indicator_values, marts.indicator_catalogue and marts.dq_results."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    conn.execute(
        "CREATE OR REPLACE TABLE marts.indicator_values (la_code VARCHAR, indicator_id VARCHAR, "
        "period_end DATE, breakdown VARCHAR, numerator DOUBLE, denominator DOUBLE, value DOUBLE)"
    )
    conn.executemany("INSERT INTO marts.indicator_values VALUES (?, ?, ?, ?, ?, ?, ?)", _rows())
    conn.execute(
        "CREATE OR REPLACE TABLE marts.indicator_catalogue (indicator_id VARCHAR, name VARCHAR, "
        "unit VARCHAR, polarity VARCHAR, theme VARCHAR, frequency VARCHAR, definition VARCHAR, "
        "source VARCHAR)"
    )
    conn.executemany(
        "INSERT INTO marts.indicator_catalogue VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i.indicator_id,
                i.name,
                i.unit,
                i.polarity,
                i.theme,
                i.frequency,
                i.definition,
                i.source,
            )
            for i in catalogue.indicators().values()
        ],
    )
    conn.execute(
        "CREATE OR REPLACE TABLE marts.dq_results (la_code VARCHAR, extract_date DATE, "
        "table_name VARCHAR, expectation VARCHAR, severity VARCHAR, success BOOLEAN, "
        "evaluated BIGINT, unexpected BIGINT, unexpected_pct DOUBLE)"
    )
    conn.executemany("INSERT INTO marts.dq_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", DQ_ROWS)


def make_warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as conn:
        build_marts(conn)
    return path
