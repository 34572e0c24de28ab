"""The DfE's published comparators of an indicator as a page shows them: England, the region,
the statistical neighbours' median, the council's own published figure with its quartile among
councils, and the parity of the warehouse's 31 March value with the published one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from warehouse import sqlfiles
from warehouse.report.formatting import fmt_value

# the DfE rounds rates and percentages to whole numbers: a smaller gap is rounding
PARITY_TOLERANCE = 0.5
MARKERS = {"c": "suppressed", "z": "not applicable", "x": "not available", "k": "under 0.5",
           "u": "low reliability", "low": "low"}


@dataclass
class Benchmarks:
    period_end: date  # the 31 March they are for
    england: float | None = None
    region: float | None = None
    region_name: str = ""
    neighbours: float | None = None
    neighbours_with_value: int | None = None
    published: float | None = None  # the council's own published figure
    published_marker: str | None = None
    rank: int | None = None
    rank_of: int | None = None
    quartile: int | None = None
    note: str = ""
    own_value: float | None = None  # the warehouse's figure at the same 31 March

    @property
    def year_text(self) -> str:
        return f"31 March {self.period_end.year}"

    @property
    def differs(self) -> bool | None:
        if self.own_value is None or self.published is None:
            return None
        return abs(self.own_value - self.published) > PARITY_TOLERANCE

    def parity_text(self, unit: str) -> str | None:
        """'DfE published 64.0 per 10,000 at 31 March 2025; warehouse 63.1: differs'."""
        if self.published is None and self.published_marker is None:
            return None
        published = (fmt_value(unit, self.published) if self.published is not None
                     else f"not published ({MARKERS.get(self.published_marker, 'suppressed')})")
        text = f"DfE published {published} at {self.year_text}"
        if self.own_value is not None and self.published is not None:
            text += f"; warehouse {fmt_value(unit, self.own_value)}"
            text += ": differs" if self.differs else ": agrees (to rounding)"
        return text


PageKey = tuple[str, date]


def fetch_benchmarks(conn: duckdb.DuckDBPyConnection,
                     pages: list[PageKey]) -> dict[PageKey, dict[str, Benchmarks]]:
    """Each page's benchmarks by indicator id; none when the comparators are not built."""
    result: dict[PageKey, dict[str, Benchmarks]] = {key: {} for key in pages}
    params = {"la_codes": [la for la, _ in pages], "period_ends": [d for _, d in pages]}
    try:
        rows = conn.execute(sqlfiles.render("outputs/report_benchmarks.sql"), params).fetchall()
    except duckdb.CatalogException:  # no comparator layer in this warehouse
        return result
    for (la, page_end, ind, year_end, level, name, value, marker, with_value, rank, rank_of,
         quartile, note) in rows:
        b = result[la, page_end].setdefault(ind, Benchmarks(year_end, note=note or ""))
        if level == "england":
            b.england = value
        elif level == "region":
            b.region, b.region_name = value, name or ""
        elif level == "statistical_neighbours":
            b.neighbours, b.neighbours_with_value = value, with_value
        else:
            b.published, b.published_marker = value, marker
            b.rank, b.rank_of, b.quartile = rank, rank_of, quartile
    return result
