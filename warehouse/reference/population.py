"""reference.population from <landing>/reference/population.csv (ONS mid-year estimates).

Rules (README "Population for rates"): a row needs an ONS LA code (as the landing scanner reads
folder names, case aside), a year and a positive finite population, else it is rejected into
staging.rejected_rows naming file, row and column. Rows repeating an LA and year with the same
population are loaded once, with a warning; with different populations the load fails and the
previous population stays. Messages name files, rows and columns, never values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import sqlfiles
from warehouse.ingest import csv_reader
from warehouse.ingest.landing import LA_CODE, REFERENCE_DIR

COLUMNS = ("LA_CODE", "YEAR", "POPULATION_0_17")
# How many years from its own a rate's population estimate may be: the default of
# population_year in warehouse/sql/macros.sql, which applies it (named here for messages).
REACH = 2
# Row numbers a message lists at most.
LISTED = 10


class PopulationError(ValueError):
    """population.csv cannot be loaded; the message names the file, rows and columns."""


@dataclass(frozen=True)
class PopulationLoad:
    loaded: int  # rows in reference.population
    rejected: int  # rows in staging.rejected_rows
    duplicates: int  # rows repeating another row exactly, loaded once
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Fallback:
    """A calendar year of a council's month ends whose rates do not use that year's estimate:
    they use `population_year`'s, or there is none within REACH years (None: no rate)."""

    la_code: str
    year: int
    population_year: int | None


def load_population(conn: duckdb.DuckDBPyConnection, path: Path | None) -> PopulationLoad:
    """Replace reference.population; unusable rows go to staging.rejected_rows.

    Raises PopulationError (nothing changed) when the file cannot be read, lacks one of the
    three columns or gives one LA and year two different populations."""
    sqlfiles.run(conn, "staging/create_staging.sql")
    sqlfiles.run(conn, "reference/create_population.sql")
    if path is None:
        return PopulationLoad(0, 0, 0)
    name = f"{REFERENCE_DIR}/{path.name}"
    try:
        parsed = csv_reader.read(path)
    except (OSError, ValueError, UnicodeError) as exc:  # the type only: messages quote bytes
        raise PopulationError(f"{name}: cannot be read ({type(exc).__name__})") from None
    missing = [c for c in COLUMNS if c not in parsed.header]
    if missing:
        raise PopulationError(f"{name}: lacks required column(s) {', '.join(missing)}")
    index = {c: parsed.header.index(c) for c in COLUMNS}
    rows: dict[tuple[str, int], list[tuple[int, float]]] = {}
    rejected = []
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
        key = (values["LA_CODE"].upper(), int(float(values["YEAR"])))
        rows.setdefault(key, []).append((row_number, float(values["POPULATION_0_17"])))
    _refuse_conflicts(name, rows)
    warnings = [f"{name}: rows {_rows(n for n, _ in found)} repeat the same LA_CODE, YEAR and "
                "POPULATION_0_17; loaded once" for found in rows.values() if len(found) > 1]
    keys = sorted(rows)
    incoming = pa.table({  # noqa: F841 - scanned by name below
        "la_code": pa.array([k[0] for k in keys], pa.string()),
        "year": pa.array([k[1] for k in keys], pa.int32()),
        "population_0_17": pa.array([rows[k][0][1] for k in keys], pa.float64()),
    })
    conn.execute("BEGIN TRANSACTION")
    conn.execute("DELETE FROM reference.population")
    conn.execute("INSERT INTO reference.population SELECT * FROM incoming")
    conn.execute("DELETE FROM staging.rejected_rows WHERE table_name = 'population'")
    if rejected:
        conn.executemany(
            "INSERT INTO staging.rejected_rows VALUES ('reference', '', DATE '1900-01-01', "
            "'population', ?, ?, ?, ?, ?)",
            [(name, *r) for r in rejected],
        )
    conn.execute("COMMIT")
    duplicates = sum(len(found) - 1 for found in rows.values())
    return PopulationLoad(len(keys), len(rejected), duplicates, warnings)


def _rows(numbers) -> str:
    numbers = [str(n) for n in numbers]
    if len(numbers) > LISTED:
        numbers = [*numbers[:LISTED], f"{len(numbers) - LISTED} more"]
    return numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"


def _refuse_conflicts(name: str, rows: dict[tuple[str, int], list[tuple[int, float]]]) -> None:
    """One LA and year with two populations: which is right cannot be known (picking one put
    rates 2,000 times out), so nothing is loaded."""
    conflicts = [found for found in rows.values() if len({p for _, p in found}) > 1]
    if not conflicts:
        return
    listed = "; ".join(f"rows {_rows(n for n, _ in found)}" for found in conflicts[:LISTED])
    extra = len(conflicts) - LISTED
    more = f" (and {extra} more LA and year pairs)" if extra > 0 else ""
    raise PopulationError(
        f"{name}: different POPULATION_0_17 for the same LA_CODE and YEAR in {listed}{more}; "
        "population not loaded (the previous one is kept): correct the file"
    )


def _problem(values: dict[str, str]) -> tuple[str, str] | None:
    if not values["LA_CODE"]:
        return "LA_CODE", "LA_CODE is blank"
    if not LA_CODE.fullmatch(values["LA_CODE"].upper()):
        return "LA_CODE", "LA_CODE is not an ONS LA code (e.g. E08000034)"
    try:
        year = float(values["YEAR"])
        if not year.is_integer() or not 1990 <= year <= 2100:
            raise ValueError
    except ValueError:
        return "YEAR", "YEAR is not a year"
    try:
        population = float(values["POPULATION_0_17"])
        # nan and inf compare false with 0 and would pass a bare "> 0"
        if not math.isfinite(population) or population <= 0:
            raise ValueError
    except ValueError:
        return "POPULATION_0_17", "POPULATION_0_17 is not a positive number"
    return None


def la_count(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute("SELECT count(DISTINCT la_code) FROM reference.population").fetchall()[0][0]


def fallbacks(conn: duckdb.DuckDBPyConnection) -> list[Fallback]:
    """The calendar years of each council's month ends (raw.extracts) whose rates use another
    year's estimate or none, by council and year."""
    sqlfiles.run(conn, "reference/create_population.sql")
    if not conn.execute("SELECT 1 FROM duckdb_tables() WHERE schema_name = 'raw' "
                        "AND table_name = 'extracts'").fetchall():
        return []
    return [Fallback(*r) for r in sqlfiles.query(conn, "reference/population_fallbacks.sql")]


def fallback_messages(found: Sequence[Fallback]) -> list[str]:
    """One warning per council and kind of fallback (years only: no values)."""
    source = f"{REFERENCE_DIR}/population.csv"
    by_council: dict[str, list[Fallback]] = {}
    for f in found:
        by_council.setdefault(f.la_code, []).append(f)
    messages = []
    for la_code, items in by_council.items():
        other = [f for f in items if f.population_year is not None]
        if other:
            uses = "; ".join(f"for {f.year} use the {f.population_year}" for f in other)
            absent = ", ".join(str(f.year) for f in other)
            messages.append(f"{la_code}: rates per 10,000 {uses} population estimate (no "
                            f"{absent} row in {source})")
        none = [str(f.year) for f in items if f.population_year is None]
        if none:
            messages.append(f"{la_code}: no population estimate within {REACH} years of "
                            f"{', '.join(none)} in {source}: no rate per 10,000 for those "
                            "month ends")
    return messages
