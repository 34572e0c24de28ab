"""Find the extracts in a landing folder: <landing>/<la_code>/<YYYY-MM-DD>/*.csv.

The one scanner: the loader and the new-extract sensor both use it, so a folder the loader skips
never starts a run. Landing files are only ever read: never moved, renamed or changed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.domain.collection_year import collection_year, collection_year_start

# England and Wales upper-tier codes (E08000034); matched whole, so "E08000034\n" is not one
LA_CODE = re.compile(r"[EW]\d{8}")
# ISO dates only: date.fromisoformat also reads 20250331 and 2025-W13-1, which would give one
# extract two folders
EXTRACT_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
REFERENCE_DIR = "reference"
# Officers' commentary for the board report (<landing>/commentary/<la_code>/<YYYY-MM>.md)
COMMENTARY_DIR = "commentary"


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relative_path: str  # relative to the landing folder, "/"-separated
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Extract:
    la_code: str
    extract_date: dt.date
    folder: Path
    files: tuple[LandingFile, ...]

    @property
    def collection_year(self) -> int:
        return collection_year(self.extract_date)

    @property
    def window_start(self) -> dt.date:
        return collection_year_start(self.extract_date)


@dataclass
class LandingScan:
    extracts: list[Extract] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # folders/files outside the layout, with why


def _landing_file(root: Path, path: Path) -> LandingFile:
    stat = path.stat()
    return LandingFile(path, path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns)


def scan(root: Path) -> LandingScan:
    result = LandingScan()
    if not root.is_dir():
        raise FileNotFoundError(f"Landing folder {root} does not exist (set CSC_LANDING_DIR)")
    for la_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if la_dir.name in (REFERENCE_DIR, COMMENTARY_DIR):
            continue
        if not LA_CODE.fullmatch(la_dir.name):
            result.ignored.append(f"{la_dir.name}/: not an ONS LA code (e.g. E08000034)")
            continue
        for extract_dir in sorted(p for p in la_dir.iterdir() if p.is_dir()):
            try:
                if not EXTRACT_DATE.fullmatch(extract_dir.name):
                    raise ValueError(extract_dir.name)
                extract_date = dt.date.fromisoformat(extract_dir.name)
            except ValueError:
                result.ignored.append(
                    f"{la_dir.name}/{extract_dir.name}/: not an extract date (YYYY-MM-DD)"
                )
                continue
            csvs = sorted(
                p for p in extract_dir.iterdir() if p.is_file() and p.suffix.lower() == ".csv"
            )
            others = sorted(
                p.name for p in extract_dir.iterdir() if p.is_file() and p.suffix.lower() != ".csv"
            )
            result.ignored.extend(
                f"{la_dir.name}/{extract_dir.name}/{name}: not a CSV file" for name in others
            )
            result.extracts.append(
                Extract(
                    la_code=la_dir.name,
                    extract_date=extract_date,
                    folder=extract_dir,
                    files=tuple(_landing_file(root, p) for p in csvs),
                )
            )
    return result


def population_file(root: Path) -> Path | None:
    path = root / REFERENCE_DIR / "population.csv"
    return path if path.is_file() else None
