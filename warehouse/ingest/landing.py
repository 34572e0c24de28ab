"""Find the extracts in a landing folder: <landing>/<la_code>/<YYYY-MM-DD>/*.csv.

The one scanner: the loader and the new-extract sensor both use it, so a folder the loader skips
never starts a run. Landing files are only ever read: never moved, renamed or changed. Anything
outside that layout is named in `LandingScan.ignored` (the loader warns with it), and a link that
resolves outside the landing folder is refused without being opened.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.domain.collection_year import collection_year, collection_year_start

# England and Wales upper-tier codes (E08000034); matched whole, so "E08000034\n" is not one, and
# ASCII digits only, so no look-alike folder (a Unicode digit) becomes a second council
LA_CODE = re.compile(r"[EW][0-9]{8}")
# ISO dates only: date.fromisoformat also reads 20250331 and 2025-W13-1, which would give one
# extract two folders
EXTRACT_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
REFERENCE_DIR = "reference"
# Officers' commentary for the board report (<landing>/commentary/<la_code>/<YYYY-MM>.md)
COMMENTARY_DIR = "commentary"
OUTSIDE_LINK = "a link to outside the landing folder, refused"


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relative_path: str  # relative to the landing folder, "/"-separated
    size: int
    mtime_ns: int
    ctime_ns: int  # inode change time: set by every write, which cp -p and rsync -a cannot undo


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
    ignored: list[str] = field(default_factory=list)  # what is outside the layout, and why


def _inside(path: Path, real_root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError):  # a link loop
        return False


def _entries(folder: Path, prefix: str, real_root: Path,
             ignored: list[str]) -> tuple[list[Path], list[Path]]:  # fmt: skip
    """A folder's sub-folders and regular files, by name. A link is followed only when it
    resolves inside landing; its target is never opened, only looked up."""
    folders, files = [], []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        path = Path(entry.path)
        if entry.is_symlink() and not _inside(path, real_root):
            slash = "/" if entry.is_dir() else ""
            ignored.append(f"{prefix}{entry.name}{slash}: {OUTSIDE_LINK}")
        elif entry.is_dir():
            folders.append(path)
        elif entry.is_file():
            files.append(path)
        else:  # a named pipe, a socket or a link to nothing
            ignored.append(f"{prefix}{entry.name}: not a regular file or folder, not read")
    return folders, files


def _landing_file(root: Path, path: Path) -> LandingFile:
    stat = path.stat()
    return LandingFile(path, path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns,
                       stat.st_ctime_ns)  # fmt: skip


def _extract(root: Path, la_code: str, folder: Path, real_root: Path,
             ignored: list[str]) -> Extract | None:  # fmt: skip
    """One extract folder's CSV files; None (with a warning) for a folder without one."""
    prefix = f"{la_code}/{folder.name}/"
    subfolders, files = _entries(folder, prefix, real_root, ignored)
    ignored.extend(f"{prefix}{p.name}/: a folder inside an extract folder, not read"
                   for p in subfolders)  # fmt: skip
    csvs = [p for p in files if p.suffix.lower() == ".csv"]
    ignored.extend(f"{prefix}{p.name}: not a CSV file, not read" for p in files if p not in csvs)
    if not csvs:
        ignored.append(f"{prefix}: an extract folder with no CSV file, ignored")
        return None
    extract_date = dt.date.fromisoformat(folder.name)
    files_found = tuple(_landing_file(root, p) for p in csvs)
    return Extract(la_code=la_code, extract_date=extract_date, folder=folder, files=files_found)


def _is_extract_date(name: str) -> bool:
    try:
        return bool(EXTRACT_DATE.fullmatch(name)) and bool(dt.date.fromisoformat(name))
    except ValueError:  # 2025-02-30
        return False


def scan(root: Path) -> LandingScan:
    result = LandingScan()
    if not root.is_dir():
        raise FileNotFoundError(f"Landing folder {root} does not exist (set CSC_LANDING_DIR)")
    real_root, ignored = root.resolve(), result.ignored
    la_dirs, loose = _entries(root, "", real_root, ignored)
    ignored.extend(f"{p.name}: a file outside any LA folder, not read" for p in loose)
    for la_dir in la_dirs:
        if la_dir.name == REFERENCE_DIR:
            _entries(la_dir, f"{REFERENCE_DIR}/", real_root, ignored)  # names refused links
            continue
        if la_dir.name == COMMENTARY_DIR:
            continue
        if not LA_CODE.fullmatch(la_dir.name):
            ignored.append(f"{la_dir.name}/: not an ONS LA code (e.g. E08000034)")
            continue
        extract_dirs, loose = _entries(la_dir, f"{la_dir.name}/", real_root, ignored)
        ignored.extend(f"{la_dir.name}/{p.name}: a file outside any extract folder "
                       "(<la_code>/<YYYY-MM-DD>/), not read" for p in loose)  # fmt: skip
        for extract_dir in extract_dirs:
            if not _is_extract_date(extract_dir.name):
                ignored.append(
                    f"{la_dir.name}/{extract_dir.name}/: not an extract date (YYYY-MM-DD)"
                )
                continue
            extract = _extract(root, la_dir.name, extract_dir, real_root, ignored)
            if extract is not None:
                result.extracts.append(extract)
    return result


def population_file(root: Path) -> Path | None:
    """reference/population.csv, unless missing or a link out of landing (which scan names)."""
    path = root / REFERENCE_DIR / "population.csv"
    return path if path.is_file() and _inside(path, root.resolve()) else None
