"""The indicator catalogue (warehouse/domain/indicators.yaml) as Python objects.

One file drives the indicator runner, marts.indicator_catalogue, table/column comments and the
report's labels. Loading validates it, so a typo fails loudly rather than producing a silent gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from warehouse.domain.schema import tables

CATALOGUE_FILE = Path(__file__).with_name("indicators.yaml")

UNITS = {"count", "rate_per_10k", "pct", "days"}
POLARITIES = {"higher_better", "lower_better", "context"}
THEMES = {
    "entering_care", "children_in_care", "stability", "reviews", "missing", "health",
    "care_leavers", "adoption", "data_quality",
}
FREQUENCIES = {"monthly", "annual"}


@dataclass(frozen=True)
class Comparator:
    value: float
    year: int
    description: str


@dataclass(frozen=True)
class Selection:
    """A column of a DfE file, summed over the rows whose `where` columns take the listed values
    (no `where`: the one row the file has for a geography and year)."""

    column: str
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Published:
    """The DfE's published counterpart of an indicator (warehouse/reference/dfe/<file>): which
    rows and columns hold its value, numerator and denominator, and how its definition differs
    from the warehouse's. Without `value`, the value is numerator / denominator in the unit."""

    file: str
    filter: tuple[tuple[str, str], ...]
    numerator: Selection
    denominator: Selection | None
    value: Selection | None
    differs: str


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class LookBack:
    """The history a month end's value needs: published from the month end `months` calendar
    months after the coverage start's month (warehouse/sql/model/coverage.sql)."""

    name: str
    months: int
    rule: str


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    name: str
    unit: str
    polarity: str
    theme: str
    frequency: str
    family: str
    breakdowns: tuple[str, ...]
    definition: str
    source: str
    look_back: str | None = None
    history_from: str | None = None
    all_row: bool = True
    comparators: tuple[Comparator, ...] = field(default_factory=tuple)
    published: Published | None = None

    @property
    def has_denominator(self) -> bool:
        return self.unit != "count"


def _selection(raw: dict | None) -> Selection | None:
    if raw is None:
        return None
    where = tuple(
        (col, tuple(str(v) for v in (vals if isinstance(vals, list) else [vals])))
        for col, vals in (raw.get("where") or {}).items()
    )
    return Selection(str(raw["column"]), where)


def _published(raw: dict | None) -> Published | None:
    if raw is None:
        return None
    return Published(
        file=str(raw["file"]),
        filter=tuple((k, str(v)) for k, v in (raw.get("filter") or {}).items()),
        numerator=_selection(raw["numerator"]),
        denominator=_selection(raw.get("denominator")),
        value=_selection(raw.get("value")),
        differs=" ".join(str(raw["differs"]).split()),
    )


def _load() -> tuple[dict[str, Dimension], dict[str, Indicator], dict[str, LookBack]]:
    spec = yaml.safe_load(CATALOGUE_FILE.read_text())
    dims = {
        name: Dimension(name=name, label=d["label"], values=tuple(str(v) for v in d["values"]))
        for name, d in spec["dimensions"].items()
    }
    look_backs = {
        name: LookBack(name=name, months=int(lb["months"]), rule=" ".join(lb["rule"].split()))
        for name, lb in spec["look_backs"].items()
    }
    indicators: dict[str, Indicator] = {}
    for raw in spec["indicators"]:
        look_back = look_backs.get(raw.get("look_back"))
        # the look-back's rule is part of the published definition, written once in the catalogue
        rule = look_back.rule if look_back else ""
        definition = " ".join(f"{raw['definition']} {rule}".split())
        ind = Indicator(
            indicator_id=raw["indicator_id"],
            name=raw["name"],
            unit=raw["unit"],
            polarity=raw["polarity"],
            theme=raw["theme"],
            frequency=raw["frequency"],
            family=raw["family"],
            breakdowns=tuple(raw.get("breakdowns") or ()),
            definition=definition,
            source=raw["source"],
            look_back=raw.get("look_back"),
            history_from=raw.get("history_from"),
            all_row=bool(raw.get("all_row", True)),
            comparators=tuple(
                Comparator(float(c["value"]), int(c["year"]), " ".join(c["description"].split()))
                for c in raw.get("comparators") or ()
            ),
            published=_published(raw.get("published")),
        )
        problems = []
        if ind.indicator_id in indicators:
            problems.append("duplicate id")
        if ind.unit not in UNITS:
            problems.append(f"unit {ind.unit!r}")
        if ind.polarity not in POLARITIES:
            problems.append(f"polarity {ind.polarity!r}")
        if ind.theme not in THEMES:
            problems.append(f"theme {ind.theme!r}")
        if ind.frequency not in FREQUENCIES:
            problems.append(f"frequency {ind.frequency!r}")
        problems += [f"breakdown {b!r}" for b in ind.breakdowns if b not in dims]
        if look_back is None:
            problems.append(f"look_back {ind.look_back!r}")
        if ind.history_from is not None and ind.history_from not in tables():
            problems.append(f"history_from {ind.history_from!r}")
        pub = ind.published
        if pub and pub.value is None and (pub.denominator is None or ind.unit != "pct"):
            problems.append("published: no value column, and no denominator to make a percentage")
        if not ind.all_row and not ind.breakdowns:
            problems.append("no 'all' row and no breakdowns")
        if problems:
            raise ValueError(f"{CATALOGUE_FILE.name}: {ind.indicator_id}: " + ", ".join(problems))
        indicators[ind.indicator_id] = ind
    return dims, indicators, look_backs


@cache
def _catalogue() -> tuple[dict[str, Dimension], dict[str, Indicator], dict[str, LookBack]]:
    return _load()


def indicators() -> dict[str, Indicator]:
    """Every indicator, keyed by id, in catalogue order."""
    return _catalogue()[1]


def indicator(indicator_id: str) -> Indicator:
    return indicators()[indicator_id]


def dimensions() -> dict[str, Dimension]:
    return _catalogue()[0]


def look_backs() -> dict[str, LookBack]:
    return _catalogue()[2]


def families() -> dict[str, list[Indicator]]:
    """Indicators grouped by the warehouse/sql/indicators/<family>.sql file that computes them."""
    result: dict[str, list[Indicator]] = {}
    for ind in indicators().values():
        result.setdefault(ind.family, []).append(ind)
    return result


def expected_breakdowns(ind: Indicator) -> list[str]:
    """The breakdown values every (LA, period) must carry for this indicator (zero-filled)."""
    rows = ["all"] if ind.all_row else []
    for dim in ind.breakdowns:
        rows += [f"{dim}={v}" for v in dimensions()[dim].values]
    return rows
