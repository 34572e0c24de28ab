"""Build the model layer (warehouse/sql/model/*.sql) and its reference data.

Order: macros, then MODELS in order."""

from __future__ import annotations

import duckdb

from warehouse import sqlfiles
from warehouse.history_contract import HISTORY_TABLES

MODELS = [
    "episodes", "periods_of_care", "placements", "period_starts", "month_ends", "child_month",
]


def build_macros(conn: duckdb.DuckDBPyConnection) -> None:
    sqlfiles.run(conn, "model/macros.sql")


def build_model(conn: duckdb.DuckDBPyConnection, name: str) -> int:
    """(Re)build model.<name> and return its row count."""
    build_macros(conn)
    sqlfiles.run(conn, f"model/{name}.sql", history_tables=HISTORY_TABLES)
    return conn.execute(f"SELECT count(*) FROM model.{name}").fetchall()[0][0]


def build_all(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {name: build_model(conn, name) for name in MODELS}
