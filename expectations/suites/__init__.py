"""The data-quality suites as data: one YAML file per staging table, plus the code lists.

Loading them needs no Great Expectations (so Dagster can declare its checks cheaply); running
them is `expectations.runner.validate_table`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SUITES_DIR = Path(__file__).resolve().parent
CODE_LISTS_FILE = SUITES_DIR.parent / "code_lists.yaml"

SEVERITIES = ("structural", "recording")
TABLES = (
    "header",
    "episodes",
    "reviews",
    "uasc",
    "oc2",
    "oc3",
    "ad1",
    "placed_adoption",
    "prev_perm",
    "missing",
    "sw_episodes",
)
# Keys of a suite entry that describe it rather than being arguments of the GX expectation.
_DESCRIPTIVE = {
    "name",
    "severity",
    "expect",
    "derived",
    "types",
    "indicators",
    "validator_rule",
    "columns",
    "fix",
}


@dataclass(frozen=True)
class Expectation:
    """One expectation of a suite, as declared in expectations/suites/<table>.yaml."""

    table: str
    name: str
    severity: str
    kind: str  # "gx" (a Great Expectations expectation), "derived" (pandas rule), "types"
    expect: str | None = None  # GX expectation type, e.g. expect_column_values_to_be_in_set
    derived: str | None = None  # name of the rule in expectations/derived.py
    types: dict[str, str] = field(default_factory=dict)
    kwargs: dict[str, Any] = field(default_factory=dict)  # arguments of the GX expectation
    indicators: tuple[str, ...] = ()
    validator_rule: str | None = None
    report_columns: tuple[str, ...] = ()
    fix: str = ""

    def required_columns(self) -> tuple[str, ...]:
        """Columns the expectation reads (besides those a derived rule declares)."""
        cols: list[str] = []
        for key in ("column", "column_A", "column_B"):
            if key in self.kwargs:
                cols.append(self.kwargs[key])
        cols.extend(self.kwargs.get("column_list", []))
        cols.extend(self.kwargs.get("key", []))  # derived key rules
        return tuple(cols)


@dataclass(frozen=True)
class Suite:
    table: str
    expectations: tuple[Expectation, ...]

    def get(self, name: str) -> Expectation:
        for e in self.expectations:
            if e.name == name:
                return e
        raise KeyError(f"{self.table}: no expectation {name!r}")

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.expectations]


def _parse(table: str, entry: dict[str, Any]) -> Expectation:
    name = entry["name"]
    severity = entry["severity"]
    if severity not in SEVERITIES:
        raise ValueError(f"{table}.{name}: severity must be one of {SEVERITIES}")
    kinds = [k for k in ("expect", "derived", "types") if k in entry]
    if len(kinds) != 1:
        raise ValueError(f"{table}.{name}: give exactly one of expect / derived / types")
    kind = {"expect": "gx", "derived": "derived", "types": "types"}[kinds[0]]
    kwargs = {k: v for k, v in entry.items() if k not in _DESCRIPTIVE}
    report_columns = entry.get("columns")
    if report_columns is None:
        report_columns = [kwargs["column"]] if "column" in kwargs else []
    return Expectation(
        table=table,
        name=name,
        severity=severity,
        kind=kind,
        expect=entry.get("expect"),
        derived=entry.get("derived"),
        types=dict(entry.get("types", {})),
        kwargs=kwargs,
        indicators=tuple(entry.get("indicators", ())),
        validator_rule=str(entry["validator_rule"]) if "validator_rule" in entry else None,
        report_columns=tuple(report_columns),
        fix=" ".join(str(entry.get("fix", "")).split()),
    )


@cache
def load_suite(table: str) -> Suite:
    path = SUITES_DIR / f"{table}.yaml"
    spec = yaml.safe_load(path.read_text())
    if spec.get("table") != table:
        raise ValueError(f"{path.name}: table must be {table!r}")
    exps = tuple(_parse(table, e) for e in spec["expectations"])
    names = [e.name for e in exps]
    if len(set(names)) != len(names):
        raise ValueError(f"{path.name}: expectation names must be unique")
    return Suite(table=table, expectations=exps)


def all_suites() -> dict[str, Suite]:
    return {t: load_suite(t) for t in TABLES}


@cache
def _code_lists() -> dict[str, dict[int, tuple[str, ...]]]:
    raw = yaml.safe_load(CODE_LISTS_FILE.read_text())
    return {
        name: {int(year): tuple(str(c) for c in codes) for year, codes in by_year.items()}
        for name, by_year in raw.items()
    }


def code_list(name: str, collection_year: int | None) -> tuple[str, ...]:
    """The codes of list `name` in force for a collection year (2025 = 2024/25).

    The entry used is the latest one starting on or before the year; older years get the
    earliest entry; no year (unknown) gets the latest.
    """
    by_year = _code_lists()[name]
    years = sorted(by_year)
    if collection_year is None:
        return by_year[years[-1]]
    chosen = years[0]
    for y in years:
        if y <= collection_year:
            chosen = y
    return by_year[chosen]


def code_list_names() -> list[str]:
    return list(_code_lists())


def indicators_by_check() -> dict[tuple[str, str], tuple[str, ...]]:
    """(table, expectation name) -> the indicators the check distorts (the suites' `indicators`),
    for the board report's data-quality section."""
    return {(table, e.name): e.indicators for table, suite in all_suites().items()
            for e in suite.expectations if e.indicators}
