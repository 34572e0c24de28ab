"""The one door for configuration: where the warehouse reads and writes.

Every setting has an embedded default, so the demo needs nothing set; an environment variable
overrides it. Nothing else in the shipped packages reads the environment: the Dagster resources
(assets/resources.py) are built from a `Settings` (pipelines/resources.py) and show each
destination in the UI, and tests build their own `Settings`.

| variable | default |
|---|---|
| CSC_LANDING_DIR | the bundled sample, `sample/landing` |
| CSC_DATA_DIR | `data/` in the project folder (git-ignored) |
| CSC_WAREHOUSE_PATH | `<data>/warehouse.duckdb` |
| CSC_EXPORT_DIR | `<data>/exports` |
| CSC_REPORT_DIR | `<data>/reports` |
| CSC_RESTRICTED_DIR | `<data>/restricted` (child-level error lists, owner-only) |
| CSC_SENSOR_SETTLE_SECONDS | 60: a landing folder counts once its newest file is this old |
| QLACREF_DATA_DIR | unset: the ONS postcode package's own data (the package's variable) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

# The warehouse's schemas. DuckDB names a database after its file, so a file named after one of
# them (raw.duckdb) would make every reference to that schema ambiguous.
SCHEMAS = ("raw", "staging", "history", "model", "reference", "marts", "quality")

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_LANDING_DIR = PROJECT_DIR / "sample" / "landing"
DEFAULT_DATA_DIR = PROJECT_DIR / "data"
DEFAULT_SETTLE_SECONDS = 60.0

# Settings field -> environment variable
ENVIRONMENT = {
    "landing_dir": "CSC_LANDING_DIR",
    "data_dir": "CSC_DATA_DIR",
    "warehouse_path": "CSC_WAREHOUSE_PATH",
    "export_dir": "CSC_EXPORT_DIR",
    "report_dir": "CSC_REPORT_DIR",
    "restricted_dir": "CSC_RESTRICTED_DIR",
    "sensor_settle_seconds": "CSC_SENSOR_SETTLE_SECONDS",
    "postcode_data_dir": "QLACREF_DATA_DIR",
}


class ConfigurationError(ValueError):
    """A setting cannot be used; the message says which and why."""


class WarehouseNameError(ConfigurationError):
    """The warehouse file's name cannot be used."""


def _path(value: str | os.PathLike) -> Path:
    return Path(value).expanduser().resolve()


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    data_dir: Path
    warehouse_path: Path
    export_dir: Path
    report_dir: Path
    restricted_dir: Path
    sensor_settle_seconds: float = DEFAULT_SETTLE_SECONDS
    postcode_data_dir: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Settings from the environment (or `environ`), then `overrides` (field=value)."""
        env = os.environ if environ is None else environ
        given = {f: env[v] for f, v in ENVIRONMENT.items() if env.get(v)}
        given.update({k: v for k, v in overrides.items() if v not in (None, "")})
        return cls.under(given.pop("data_dir", DEFAULT_DATA_DIR), **given)

    @classmethod
    def under(cls, data_dir: str | os.PathLike, **given) -> Settings:
        """Every destination under `data_dir` unless given; the landing defaults to the sample."""
        unknown = set(given) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigurationError(f"unknown settings: {', '.join(sorted(unknown))}")
        data = _path(data_dir)
        settings = cls(
            landing_dir=_path(given.get("landing_dir", SAMPLE_LANDING_DIR)),
            data_dir=data,
            warehouse_path=_path(given.get("warehouse_path", data / "warehouse.duckdb")),
            export_dir=_path(given.get("export_dir", data / "exports")),
            report_dir=_path(given.get("report_dir", data / "reports")),
            restricted_dir=_path(given.get("restricted_dir", data / "restricted")),
            sensor_settle_seconds=_seconds(given.get("sensor_settle_seconds",
                                                     DEFAULT_SETTLE_SECONDS)),  # fmt: skip
            postcode_data_dir=str(given.get("postcode_data_dir", "") or ""),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        check_warehouse_name(self.warehouse_path)
        check_restricted_dir(self.restricted_dir, self.export_dir, self.report_dir)


def _seconds(value) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"CSC_SENSOR_SETTLE_SECONDS must be a number of seconds, not {value!r}"
        ) from None
    if seconds < 0:
        raise ConfigurationError("CSC_SENSOR_SETTLE_SECONDS cannot be negative")
    return seconds


def check_warehouse_name(path: Path) -> Path:
    if path.stem.lower() in SCHEMAS:
        raise WarehouseNameError(
            f"CSC_WAREHOUSE_PATH: the warehouse file cannot be named {path.name}: DuckDB names "
            f"the database after the file, and {path.stem!r} is also one of the warehouse's "
            f"schemas ({', '.join(SCHEMAS)}). Choose another name, such as warehouse.duckdb."
        )
    return path


def check_restricted_dir(restricted: Path, *published: Path) -> None:
    """The restricted (child-level) folder may not sit in or over a published folder."""
    for folder in published:
        if restricted == folder or restricted.is_relative_to(folder):
            raise ConfigurationError(
                "CSC_RESTRICTED_DIR: the restricted folder holds case-level data and cannot be "
                f"inside a published folder ({folder})"
            )
