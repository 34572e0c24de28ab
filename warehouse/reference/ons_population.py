"""The ONS 0-17 population as the default for a council with no row at all in population.csv.

population.csv wins wherever it has the council (and its year rule is unchanged: the latest
estimate for a year on or before the month end's); only a council it lacks entirely gets the
ONS mid-year estimates (the DfE's copy in warehouse/reference/dfe, mid-2012 to mid-2024)."""

from __future__ import annotations

import duckdb

from warehouse import sqlfiles
from warehouse.reference.councils import DFE_DIR

ONS_FILE = DFE_DIR / "ons_mid-year_population_estimates_2012_to_2024.csv"


def add_defaults(conn: duckdb.DuckDBPyConnection, la_codes) -> list[str]:
    """Add the ONS rows of each of `la_codes` that reference.population has no row for; return
    the councils that got them (the caller warns about each)."""
    codes = sorted(set(la_codes))
    if not codes:
        return []
    before = _councils(conn)
    sql = sqlfiles.render("reference/population_defaults.sql", ons_file=ONS_FILE.as_posix())
    conn.execute(sql, {"la_codes": codes})
    return sorted(_councils(conn) - before)


def _councils(conn: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT DISTINCT la_code FROM reference.population")
            .fetchall()}
