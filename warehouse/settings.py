"""Where the warehouse reads and writes, resolved when asked (never at import time).

Environment variables override the embedded defaults, so the demo needs nothing set:
CSC_LANDING_DIR (default: the bundled sample), CSC_WAREHOUSE_PATH (default
warehouse/warehouse.duckdb) and CSC_EXPORT_DIR (default warehouse/exports).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
WAREHOUSE_DIR = Path(__file__).resolve().parent
SAMPLE_LANDING_DIR = PROJECT_DIR / "sample" / "landing"


def _from_env(name: str, default: Path, override: str | os.PathLike | None) -> Path:
    value = override or os.environ.get(name) or default
    return Path(value).expanduser().resolve()


def landing_dir(override: str | os.PathLike | None = None) -> Path:
    return _from_env("CSC_LANDING_DIR", SAMPLE_LANDING_DIR, override)


def warehouse_path(override: str | os.PathLike | None = None) -> Path:
    return _from_env("CSC_WAREHOUSE_PATH", WAREHOUSE_DIR / "warehouse.duckdb", override)


def export_dir(override: str | os.PathLike | None = None) -> Path:
    return _from_env("CSC_EXPORT_DIR", WAREHOUSE_DIR / "exports", override)
