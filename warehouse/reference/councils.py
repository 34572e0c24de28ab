"""reference.councils and reference.statistical_neighbours from the vendored DfE files
(warehouse/reference/dfe/: the 2025 statistical-neighbour model, and the CLA file for each
council's ONS code and region)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse import sqlfiles

DFE_DIR = Path(__file__).with_name("dfe")
SN_MODEL = DFE_DIR / "sn_model_2025_wide.csv"
# Its LA rows carry both the DfE 3-digit code and the ONS code, with the region.
CODES_FILE = DFE_DIR / "cla_number_and_rate_per_10k_children.csv"
NEIGHBOURS = 10


def load_councils(conn: duckdb.DuckDBPyConnection) -> int:
    """Replace reference.councils; a council without an ONS code is an error naming it."""
    sqlfiles.run(conn, "reference/councils.sql", sn_model=SN_MODEL.as_posix(),
                 codes_file=CODES_FILE.as_posix())
    unmatched = conn.execute(
        "SELECT dfe_code, la_name FROM reference.councils WHERE la_code IS NULL"
    ).fetchall()
    if unmatched:
        names = ", ".join(f"{code} {name}" for code, name in unmatched)
        raise ValueError(f"{SN_MODEL.name}: no ONS code in {CODES_FILE.name} for {names}")
    return conn.execute("SELECT count(*) FROM reference.councils").fetchall()[0][0]


def load_statistical_neighbours(conn: duckdb.DuckDBPyConnection) -> int:
    """Replace reference.statistical_neighbours (after reference.councils); every council must
    have its ten neighbours, each a known council."""
    sqlfiles.run(conn, "reference/statistical_neighbours.sql", sn_model=SN_MODEL.as_posix())
    wrong = conn.execute(
        "SELECT c.la_code, count(n.neighbour_la_code) FROM reference.councils AS c "
        "LEFT JOIN reference.statistical_neighbours AS n USING (la_code) "
        f"GROUP BY 1 HAVING count(n.neighbour_la_code) <> {NEIGHBOURS} ORDER BY 1"
    ).fetchall()
    if wrong:
        listed = ", ".join(f"{code} ({n})" for code, n in wrong[:10])
        raise ValueError(f"{SN_MODEL.name}: councils without {NEIGHBOURS} known neighbours: "
                         f"{listed}")
    return conn.execute("SELECT count(*) FROM reference.statistical_neighbours").fetchall()[0][0]


def council_names(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """ONS code -> council name; empty when reference.councils is not built."""
    try:
        return dict(conn.execute("SELECT la_code, la_name FROM reference.councils").fetchall())
    except duckdb.CatalogException:
        return {}
