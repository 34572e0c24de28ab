"""reference.population from <landing>/reference/population.csv (ONS mid-year estimates)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import sqlfiles
from warehouse.ingest import csv_reader

COLUMNS = ("LA_CODE", "YEAR", "POPULATION_0_17")


def load_population(conn: duckdb.DuckDBPyConnection, path: Path | None) -> tuple[int, int]:
    """Replace reference.population; unusable rows go to staging.rejected_rows.

    Returns (rows loaded, rows rejected). A file without the three columns raises an error
    naming the file and the missing columns.
    """
    sqlfiles.run(conn, "staging/create_staging.sql")
    sqlfiles.run(conn, "reference/create_population.sql")
    if path is None:
        return 0, 0
    parsed = csv_reader.read(path)
    missing = [c for c in COLUMNS if c not in parsed.header]
    if missing:
        raise ValueError(f"{path.name}: lacks required column(s) {', '.join(missing)}")
    index = {c: parsed.header.index(c) for c in COLUMNS}
    good, rejected = [], []
    for offset, row in enumerate(parsed.rows):
        row_number = parsed.first_data_row_number + offset
        values = {c: row[index[c]].strip() for c in COLUMNS}
        if not any(values.values()):
            rejected.append((row_number, None, None, "blank row"))
            continue
        problem = _problem(values)
        if problem:
            rejected.append((row_number, problem[0], values[problem[0]], problem[1]))
            continue
        good.append((values["LA_CODE"].upper(), int(float(values["YEAR"])),
                     float(values["POPULATION_0_17"])))
    incoming = pa.table({  # noqa: F841 - scanned by name below
        "la_code": pa.array([g[0] for g in good], pa.string()),
        "year": pa.array([g[1] for g in good], pa.int32()),
        "population_0_17": pa.array([g[2] for g in good], pa.float64()),
    })
    conn.execute("BEGIN TRANSACTION")
    conn.execute("DELETE FROM reference.population")
    conn.execute("INSERT INTO reference.population SELECT * FROM incoming")
    conn.execute("DELETE FROM staging.rejected_rows WHERE table_name = 'population'")
    if rejected:
        conn.executemany(
            "INSERT INTO staging.rejected_rows VALUES ('reference', '', DATE '1900-01-01', "
            "'population', ?, ?, ?, ?, ?)",
            [(f"reference/{path.name}", *r) for r in rejected],
        )
    conn.execute("COMMIT")
    return len(good), len(rejected)


def _problem(values: dict[str, str]) -> tuple[str, str] | None:
    if not values["LA_CODE"]:
        return "LA_CODE", "LA_CODE is blank"
    try:
        year = float(values["YEAR"])
        if not year.is_integer() or not 1990 <= year <= 2100:
            raise ValueError
    except ValueError:
        return "YEAR", "YEAR is not a year"
    try:
        if float(values["POPULATION_0_17"]) <= 0:
            raise ValueError
    except ValueError:
        return "POPULATION_0_17", "POPULATION_0_17 is not a positive number"
    return None


def la_count(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute("SELECT count(DISTINCT la_code) FROM reference.population").fetchall()[0][0]
