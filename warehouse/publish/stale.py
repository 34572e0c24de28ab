"""Stale extracts: those that failed to load, so their council's figures rest on an older load.

A failed extract keeps its previous load, if any (warehouse/ingest/raw_loader.py); otherwise the
council's figures come from its last good extract. The exports' manifest lists every one, the
board page of an affected council says so, and the build's last check fails the run on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from warehouse import sqlfiles


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


@dataclass(frozen=True)
class StaleExtract:
    la_code: str
    extract_date: date
    message: str  # names files and columns only: safe to show and share
    previous_load: datetime | None  # when this extract's load still in use was made
    last_good_extract: date | None  # the council's latest extract that loaded

    @property
    def figures_rest_on(self) -> str:
        if self.previous_load is not None:
            return (f"the previous load of this extract, loaded {_day(self.previous_load)} "
                    f"{self.previous_load:%H:%M}")
        if self.last_good_extract is not None:
            return f"the last good extract, of {_day(self.last_good_extract)}"
        return "nothing: the council has no loaded extract"

    @property
    def affects_latest(self) -> bool:
        """Whether the council's current figures would have come from this extract (no later
        extract of the council loaded)."""
        return self.last_good_extract is None or self.extract_date >= self.last_good_extract

    def as_manifest(self) -> dict:
        return {
            "la_code": self.la_code,
            "extract_date": self.extract_date.isoformat(),
            "message": self.message,
            "previous_load": self.previous_load.isoformat(timespec="seconds")
            if self.previous_load else None,
            "last_good_extract": self.last_good_extract.isoformat()
            if self.last_good_extract else None,
            "figures_rest_on": self.figures_rest_on,
        }


def stale_extracts(conn: duckdb.DuckDBPyConnection) -> list[StaleExtract]:
    """Every failed extract, by LA and date (none when the warehouse has no raw layer)."""
    try:
        rows = conn.execute(sqlfiles.render("outputs/stale_extracts.sql")).fetchall()
    except duckdb.CatalogException:
        return []
    return [StaleExtract(la, d, message or "", loaded_at, last_good)
            for la, d, message, loaded_at, last_good in rows]
