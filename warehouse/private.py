"""Owner-only files and folders, for what holds child-level records: the warehouse file, its
write-ahead log and its folder (expectations/error_report.py does the same for the error lists).
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)  # mkdir's mode is masked by the umask, and the folder may be older


def private_files(*paths: Path) -> None:
    """Make those of `paths` that exist owner-only."""
    for path in paths:
        with suppress(FileNotFoundError):
            os.chmod(path, FILE_MODE)


def duckdb_files(database: Path) -> tuple[Path, Path]:
    """A DuckDB database file and its write-ahead log."""
    return database, database.with_name(database.name + ".wal")
