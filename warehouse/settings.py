"""Where the warehouse reads and writes, resolved when asked (never at import time).

Environment variables override the embedded defaults, so the demo needs nothing set:
CSC_LANDING_DIR (default: the bundled sample), CSC_WAREHOUSE_PATH (default
warehouse/warehouse.duckdb) and CSC_EXPORT_DIR (default warehouse/exports).
"""

from __future__ import annotations

import os
from pathlib import Path

# The warehouse's schemas. DuckDB names a database after its file, so a file named after one of
# them (raw.duckdb) would make every reference to that schema ambiguous.
SCHEMAS = ("raw", "staging", "history", "model", "reference", "marts", "quality")

PROJECT_DIR = Path(__file__).resolve().parent.parent
WAREHOUSE_DIR = Path(__file__).resolve().parent
SAMPLE_LANDING_DIR = PROJECT_DIR / "sample" / "landing"


def _from_env(name: str, default: Path, override: str | os.PathLike | None) -> Path:
    value = override or os.environ.get(name) or default
    return Path(value).expanduser().resolve()


def landing_dir(override: str | os.PathLike | None = None) -> Path:
    return _from_env("CSC_LANDING_DIR", SAMPLE_LANDING_DIR, override)


class WarehouseNameError(ValueError):
    """The warehouse file's name cannot be used."""


def warehouse_path(override: str | os.PathLike | None = None) -> Path:
    path = _from_env("CSC_WAREHOUSE_PATH", WAREHOUSE_DIR / "warehouse.duckdb", override)
    if path.stem.lower() in SCHEMAS:
        raise WarehouseNameError(
            f"CSC_WAREHOUSE_PATH: the warehouse file cannot be named {path.name}: DuckDB names "
            f"the database after the file, and {path.stem!r} is also one of the warehouse's "
            f"schemas ({', '.join(SCHEMAS)}). Choose another name, such as warehouse.duckdb."
        )
    return path


def export_dir(override: str | os.PathLike | None = None) -> Path:
    return _from_env("CSC_EXPORT_DIR", WAREHOUSE_DIR / "exports", override)
