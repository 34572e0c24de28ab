"""What the warehouse holds for the report's pages: published (suppressed as configured)
indicator points and the data-quality checks of each LA's latest extract, read for all the pages
of a run at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from warehouse import sqlfiles
from warehouse.publish import exports
from warehouse.publish.stale import StaleExtract, stale_extracts


@dataclass
class Point:
    period_end: date
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool


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
    previous_pct: float | None = None  # the same check on the extract before (None: none)


PageKey = tuple[str, date]  # (la_code, month end)


@dataclass
class PageData:
    """What the warehouse holds for one page: indicator points by indicator, breakdown and month
    end; the data-quality extract and its checks (extract None: no results up to the month);
    the LA's failed extracts its current figures would have come from."""

    series: dict[str, dict[str, dict[date, Point]]] = field(default_factory=dict)
    dq_extract: date | None = None
    dq_checks: list[DQCheck] = field(default_factory=list)
    stale: list[StaleExtract] = field(default_factory=list)


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
    stale = [s for s in stale_extracts(conn) if s.affects_latest]
    for (la, _), page in data.items():
        page.stale = [s for s in stale if s.la_code == la]
    return data
