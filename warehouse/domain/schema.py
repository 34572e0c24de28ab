"""The SSDA903 table definitions (warehouse/domain/ssda903.yaml) as Python objects."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

SCHEMA_FILE = Path(__file__).with_name("ssda903.yaml")
COLUMN_TYPES = {"id", "code", "date", "postcode", "int", "text"}


@dataclass(frozen=True)
class Table:
    name: str  # snake_case warehouse name, e.g. "placed_adoption"
    title: str  # the DfE name, e.g. "PlacedAdoption"
    columns: dict[str, str]  # 903 column name (upper case) -> column type
    key: tuple[str, ...]
    natural_key: tuple[str, ...]
    event_date: str | None = None
    end_date: str | None = None
    end_reason: str | None = None
    sequential: bool = False
    complete_in_window: bool = False
    annual: bool = False

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)

    def sql_name(self, column: str) -> str:
        """Warehouse column name: the 903 name in lower case."""
        return column.lower()


@cache
def tables() -> dict[str, Table]:
    spec = yaml.safe_load(SCHEMA_FILE.read_text())["tables"]
    result = {}
    for name, t in spec.items():
        unknown = set(t["columns"].values()) - COLUMN_TYPES
        if unknown:
            raise ValueError(f"{SCHEMA_FILE.name}: table {name} uses unknown types {unknown}")
        result[name] = Table(
            name=name,
            title=t["title"],
            columns=dict(t["columns"]),
            key=tuple(t["key"]),
            natural_key=tuple(t["natural_key"]),
            event_date=t.get("event_date"),
            end_date=t.get("end_date"),
            end_reason=t.get("end_reason"),
            sequential=bool(t.get("sequential", False)),
            complete_in_window=bool(t.get("complete_in_window", False)),
            annual=bool(t.get("annual", False)),
        )
    return result


def table(name: str) -> Table:
    return tables()[name]
