"""What validation takes besides the rows (ValidationContext) and gives back (ExpectationResult)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from expectations.suites import Expectation
from warehouse.domain.collection_year import collection_year


@dataclass(frozen=True)
class ExpectationResult:
    """The outcome of one expectation on one table (one extract).

    `failing_rows` are positions in the validated DataFrame and `failing_row_numbers` the
    matching `row_number`s of the source file: they feed the restricted error report only and
    are kept out of repr, logs and Dagster metadata.
    """

    table_name: str
    expectation: str
    severity: str
    success: bool | None  # None: not evaluated (a column or an input was missing)
    evaluated: int  # values (rows) the expectation looked at
    unexpected: int
    unexpected_pct: float | None
    note: str | None = None
    failing_rows: tuple[int, ...] = field(default=(), repr=False)
    failing_row_numbers: tuple[int, ...] = field(default=(), repr=False)

    @property
    def failed(self) -> bool:
        return self.success is False


@dataclass
class ValidationContext:
    """What a suite needs besides the table itself.

    collection_year: the year containing 31 March (2025 = 2024/25) whose code lists apply;
        None = inferred from the table's `collection_year` or `extract_date` column.
    known_postcodes: postcodes of the ONS Postcode Directory (any spacing/case; a set, list or
        Series), or None to skip the "postcode found" rules. Passing only the postcodes that
        occur in the table is enough.
    header: the Header rows of the same extract (columns child, dob), or None to skip the
        rules that need them.
    """

    collection_year: int | None = None
    known_postcodes: Iterable[str] | None = None
    header: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if self.known_postcodes is not None and not isinstance(self.known_postcodes, frozenset):
            values = pd.Series(list(self.known_postcodes), dtype="string")
            normalised = values.str.upper().str.replace(r"\s+", "", regex=True).dropna()
            self.known_postcodes = frozenset(normalised)

    def for_table(self, df: pd.DataFrame) -> ValidationContext:
        if self.collection_year is not None:
            return self
        return ValidationContext(
            collection_year=infer_collection_year(df),
            known_postcodes=self.known_postcodes,
            header=self.header,
        )


def collection_year_of(extract_date: date | pd.Timestamp) -> int:
    """The collection year (year containing 31 March) an extract date falls in."""
    ts = pd.Timestamp(extract_date)
    return collection_year(ts.date())


def infer_collection_year(df: pd.DataFrame) -> int | None:
    if "collection_year" in df.columns and df["collection_year"].notna().any():
        return int(df["collection_year"].dropna().max())
    if "extract_date" in df.columns and df["extract_date"].notna().any():
        return collection_year_of(pd.to_datetime(df["extract_date"]).max())
    return None


def not_evaluated(exp: Expectation, note: str) -> ExpectationResult:
    """The result of an expectation that could not be evaluated (`note` says why)."""
    return ExpectationResult(
        table_name=exp.table,
        expectation=exp.name,
        severity=exp.severity,
        success=None,
        evaluated=0,
        unexpected=0,
        unexpected_pct=None,
        note=note,
    )


def summarise(results: Iterable[ExpectationResult]) -> dict[str, int]:
    """Counts for logs: how many expectations passed, failed, were not evaluated."""
    results = list(results)
    return {
        "expectations": len(results),
        "failed": sum(r.success is False for r in results),
        "failed_structural": sum(
            r.success is False and r.severity == "structural" for r in results
        ),
        "not_evaluated": sum(r.success is None for r in results),
    }
