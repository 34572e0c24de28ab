"""Build staging-shaped DataFrames without the warehouse, from 903 CSVs or hand-written records.

Used by the tests, the validator-agreement test and the benchmark. It follows the staging
contract (docs/CONTRACTS.md) closely enough for the suites: lower-case columns, codes trimmed and
upper case, dates parsed from dd/mm/YYYY, whole numbers typed, plus la_code, extract_date,
source_file and row_number (header = row 1). It is not the staging layer (assets/staging.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from warehouse.domain import schema
from warehouse.domain.collection_year import collection_year


def recognise(columns) -> str | None:
    """The 903 table whose columns a CSV's header contains (case/whitespace-insensitive)."""
    cols = {str(c).strip().upper() for c in columns}
    matches = [n for n, t in schema.tables().items() if set(t.columns) <= cols]
    return max(matches, key=lambda n: len(schema.table(n).columns)) if matches else None


def _typed(table: str, raw: pd.DataFrame, la_code: str, extract_date: date, source_file: str):
    spec = schema.table(table)
    out = pd.DataFrame(index=raw.index)
    for col, kind in spec.columns.items():
        if col not in raw.columns:
            continue
        values = raw[col].astype("string").str.strip().replace("", pd.NA)
        if kind == "date":
            out[col.lower()] = pd.to_datetime(values, format="%d/%m/%Y", errors="coerce")
        elif kind == "int":
            out[col.lower()] = pd.to_numeric(values, errors="coerce").astype("Int32")
        elif kind in ("code", "postcode"):
            out[col.lower()] = values.str.upper().astype("str").where(values.notna(), None)
        else:
            out[col.lower()] = values.astype("str").where(values.notna(), None)
    out.insert(0, "la_code", la_code)
    out.insert(1, "extract_date", pd.Timestamp(extract_date))
    out.insert(2, "source_file", source_file)
    out.insert(3, "row_number", raw.index + 2)
    if spec.annual:
        out["collection_year"] = collection_year(extract_date)
    return out.reset_index(drop=True)


def staging_frame(path: Path, la_code: str, extract_date: date) -> tuple[str, pd.DataFrame]:
    """One CSV as (table name, staging-shaped DataFrame)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.columns = [c.strip().upper() for c in raw.columns]
    table = recognise(raw.columns)
    if table is None:
        raise ValueError(f"{Path(path).name}: not a 903 table")
    return table, _typed(table, raw, la_code, extract_date, Path(path).name)


def staging_frames(folder: Path, la_code: str, extract_date: date) -> dict[str, pd.DataFrame]:
    """Every CSV of an extract folder, by table."""
    frames: dict[str, pd.DataFrame] = {}
    for path in sorted(Path(folder).glob("*.csv")):
        table, df = staging_frame(path, la_code, extract_date)
        frames[table] = pd.concat([frames[table], df], ignore_index=True) if table in frames else df
    return frames


def frame_from_records(
    table: str,
    records: list[dict[str, str | None]],
    la_code: str = "E08000035",
    extract_date: date = date(2025, 3, 31),
    source_file: str | None = None,
) -> pd.DataFrame:
    """A staging-shaped DataFrame from 903 records written as in a CSV (dates dd/mm/YYYY).

    Columns absent from the records are left out (so a test can drop a column on purpose).
    """
    raw = pd.DataFrame([{k.upper(): v for k, v in r.items()} for r in records], dtype=object)
    return _typed(table, raw, la_code, extract_date, source_file or f"{table}.csv")
