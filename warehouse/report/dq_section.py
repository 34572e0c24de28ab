"""The data-quality section of a page: only the checks of the latest extract that failed or got
worse since the previous extract, each with the indicators it distorts (the suites' `indicators`,
passed in by the caller). The full list stays in the restricted error report."""

from __future__ import annotations

from dataclasses import dataclass, field

from warehouse.domain import catalogue
from warehouse.report.page_data import DQCheck

# (table, expectation name) -> ids of the indicators the check distorts
CheckEffects = dict[tuple[str, str], tuple[str, ...]]


@dataclass
class DQRow:
    check: DQCheck
    status: str  # "failed", "failed, worse than before", "worse than before"
    effects: list[str] = field(default_factory=list)  # indicator names


def _worse(c: DQCheck) -> bool:
    return (c.unexpected_pct is not None and c.previous_pct is not None
            and c.unexpected_pct > c.previous_pct + 1e-9)


def dq_rows(checks: list[DQCheck], effects: CheckEffects | None) -> list[DQRow]:
    names = {i: ind.name for i, ind in catalogue.indicators().items()}
    rows = []
    for c in checks:
        worse = _worse(c)
        if c.success and not worse:
            continue
        status = ("failed, worse than before" if worse else "failed") if not c.success else (
            "worse than before")
        ids = (effects or {}).get((c.table_name, c.expectation), ())
        rows.append(DQRow(c, status, [names.get(i, i) for i in ids]))
    return rows
