"""Each expectation's stored results summed over every extract of its table, for the checks'
summaries (counts only: no child values, no row numbers)."""

from __future__ import annotations

from dataclasses import dataclass

from expectations import sqlfiles
from expectations.suites import load_suite


@dataclass(frozen=True)
class Totals:
    """One expectation's stored results over every extract of its table."""

    extracts: int = 0
    extracts_checked: int = 0  # evaluated (not skipped for a missing column or input)
    extracts_failing: int = 0
    evaluated: int = 0  # rows
    unexpected: int = 0  # rows
    notes: tuple[str, ...] = ()


def expectation_totals(conn, table: str) -> dict[str, Totals]:
    """Each expectation's Totals, summed in DuckDB (an expectation with no results: zeros)."""
    cursor = conn.execute(sqlfiles.render("expectation_totals.sql"), {"table": table})
    found = {name: Totals(*(int(v) for v in counts), tuple(notes or ()))
             for name, *counts, notes in cursor.fetchall()}  # fmt: skip
    return {e.name: found.get(e.name, Totals()) for e in load_suite(table).expectations}


@dataclass(frozen=True)
class ResultsSummary:
    """marts.dq_results as a whole: rows, extracts and failed expectations by severity."""

    rows: int
    extracts: int
    failed_structural: int
    failed_recording: int


def results_summary(conn) -> ResultsSummary:
    return ResultsSummary(*sqlfiles.query(conn, "dq_summary.sql")[0])
