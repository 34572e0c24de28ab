"""Write small landing folders for tests, in the real 903 CSV format."""

from __future__ import annotations

import shutil
from pathlib import Path

from warehouse.domain.schema import table

# The DfE-valid tiny extract from the project brief (4 children in Leeds, 2024/25).
TINY_VALID = Path(__file__).resolve().parents[1] / "fixtures" / "tiny903_valid_2024_25"


def extract_dir(landing: Path, la_code: str, extract_date: str) -> Path:
    path = landing / la_code / extract_date
    path.mkdir(parents=True, exist_ok=True)
    return path


def copy_tiny_valid(landing: Path, la_code: str = "E08000035",
                    extract_date: str = "2025-03-31") -> Path:
    folder = extract_dir(landing, la_code, extract_date)
    for f in TINY_VALID.glob("*.csv"):
        shutil.copy(f, folder / f.name)
    return folder


def write_table(folder: Path, name: str, rows: list[dict], file_name: str | None = None,
                encoding: str = "utf-8", columns: list[str] | None = None) -> Path:
    """rows: dicts of 903 column -> text; missing columns are written blank."""
    columns = columns or table(name).column_names
    lines = [",".join(columns)]
    lines += [",".join(str(r.get(c, "")) for c in columns) for r in rows]
    path = folder / (file_name or f"{name}.csv")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_population(landing: Path, rows: list[tuple[str, int, float]]) -> Path:
    folder = landing / "reference"
    folder.mkdir(exist_ok=True)
    path = folder / "population.csv"
    lines = "".join(f"{a},{b},{c}\n" for a, b, c in rows)
    path.write_text("la_code,year,population_0_17\n" + lines)
    return path
