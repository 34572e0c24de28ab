"""The one door for configuration: where the warehouse reads and writes.

Every setting has an embedded default, so the demo needs nothing set; an environment variable
overrides it. Nothing else in the shipped packages reads the environment: the Dagster resources
(assets/resources.py) are built from a `Settings` (pipelines/resources.py) and show each
destination in the UI, and tests build their own `Settings`.

| variable | default |
|---|---|
| CSC_LANDING_DIR | the bundled sample, `sample/landing` |
| CSC_DATA_DIR | `data/` in the project folder (git-ignored) |
| CSC_WAREHOUSE_PATH | `<data>/warehouse.duckdb` (owner-only: the file 0600, its folder 0700) |
| CSC_EXPORT_DIR | `<data>/exports` |
| CSC_REPORT_DIR | `<data>/reports` |
| CSC_RESTRICTED_DIR | `<data>/restricted` (child-level error lists, owner-only) |
| CSC_SENSOR_SETTLE_SECONDS | 60: a landing folder counts once its newest file is this old |
| CSC_ALLOW_REMOVAL | off; `1` lets a build past the removal guard (below) |
| CSC_MAX_REMOVAL_SHARE | 0.2: the share of all extracts one build may remove |
| QLACREF_DATA_DIR | unset: the ONS postcode package's own data (the package's variable) |

The removal guard: an empty or half-mounted landing share looks like extracts taken out of
landing. Unless removal is allowed (CSC_ALLOW_REMOVAL, or the run config `allow_removal` of the
ingest, export and report assets), a build refuses to remove every extract of a council, or more
than one extract when they are over CSC_MAX_REMOVAL_SHARE of the warehouse's extracts; and it
never publishes an empty export or report over a non-empty one.
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
DEFAULT_MAX_REMOVAL_SHARE = 0.2

# Settings field -> environment variable
ENVIRONMENT = {
    "landing_dir": "CSC_LANDING_DIR",
    "data_dir": "CSC_DATA_DIR",
    "warehouse_path": "CSC_WAREHOUSE_PATH",
    "export_dir": "CSC_EXPORT_DIR",
    "report_dir": "CSC_REPORT_DIR",
    "restricted_dir": "CSC_RESTRICTED_DIR",
    "sensor_settle_seconds": "CSC_SENSOR_SETTLE_SECONDS",
    "allow_removal": "CSC_ALLOW_REMOVAL",
    "max_removal_share": "CSC_MAX_REMOVAL_SHARE",
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
    allow_removal: bool = False
    max_removal_share: float = DEFAULT_MAX_REMOVAL_SHARE

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
            allow_removal=_flag(given.get("allow_removal", False)),
            max_removal_share=_share(given.get("max_removal_share", DEFAULT_MAX_REMOVAL_SHARE)),
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


_YES = {"1", "true", "yes", "on"}
_NO = {"0", "false", "no", "off", ""}


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in _YES | _NO:
        raise ConfigurationError(f"CSC_ALLOW_REMOVAL must be 1 or 0 (yes or no), not {value!r}")
    return text in _YES


def _share(value) -> float:
    try:
        share = float(value)
    except (TypeError, ValueError):
        share = -1.0
    if not 0 <= share <= 1:
        raise ConfigurationError(
            f"CSC_MAX_REMOVAL_SHARE must be a share between 0 and 1 (0.2 is 20%), not {value!r}"
        )
    return share


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
