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


# One row of each core table for a child ("0") no test uses, whose only episode ended in 2020:
# outside every window the tests build, so no history rule touches it.
CORE_FILLER = {
    "header": {"CHILD": "0", "SEX": "M", "DOB": "01/01/2010", "ETHNIC": "WBRI"},
    "episodes": {"CHILD": "0", "DECOM": "01/01/2020", "RNE": "S", "LS": "C2", "CIN": "N1",
                 "PLACE": "U6", "PLACE_PROVIDER": "PR1", "DEC": "02/01/2020", "REC": "E13",
                 "HOME_POST": "LS17 8JH", "PL_POST": "LS12 2RH", "URN": "SC999999"},
}


def complete_extracts(landing: Path) -> None:
    """Every extract needs a usable Header and Episodes (warehouse.ingest.completeness): give
    each hand-built extract that lacks one - a test about other tables - the filler row."""
    from warehouse.ingest import csv_reader
    from warehouse.ingest.recognition import recognise

    for folder in sorted(p for p in landing.glob("*/*") if p.is_dir()):
        held = set()
        for path in folder.glob("*"):
            parsed = csv_reader.parse(path.read_bytes())
            recognised = recognise(parsed.header).table if parsed.header else None
            held.add(recognised.name if recognised else None)
        for name, row in CORE_FILLER.items():
            if name not in held:
                write_table(folder, name, [row], file_name=f"{name}_filler.csv")
