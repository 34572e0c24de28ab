"""The history.* tables of docs/CONTRACTS.md, for building the model without the ingestion layer:
tests and benchmarks create them empty and insert hand-made rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import duckdb
import pandas as pd

from warehouse import sqlfiles
from warehouse.domain.schema import tables

HISTORY_TABLES = list(tables())  # header, episodes, ..., sw_episodes (the eleven contract tables)


def create_history_tables(conn: duckdb.DuckDBPyConnection) -> None:
    sqlfiles.run(conn, "model/_history_contract.sql", tables=list(tables().values()))


def _as_value(kind: str, value):
    if value is None or value == "":
        return None
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if kind == "int":
        return int(value)
    return value


def insert_rows(conn: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Mapping], *,
                la_code: str, extract_date: str | dt.date) -> int:
    """Insert rows given as {903 column (any case): value} into history.<table>.

    Dates may be ISO strings; missing columns are NULL."""
    spec = tables()[table]
    extract = dt.date.fromisoformat(extract_date) if isinstance(extract_date, str) else extract_date
    records = []
    for row in rows:
        given = {k.upper(): v for k, v in row.items()}
        record = {"la_code": la_code, "extract_date": extract, "source_file": "hand-built"}
        if spec.annual:
            record["collection_year"] = int(given.pop("COLLECTION_YEAR", extract.year))
        for column, kind in spec.columns.items():
            record[column.lower()] = _as_value(kind, given.get(column))
        records.append(record)
    if not records:
        return 0
    frame = pd.DataFrame.from_records(records)
    conn.register("rows_frame", frame)
    try:
        conn.execute(f"INSERT INTO history.{table} BY NAME SELECT * FROM rows_frame")
    finally:
        conn.unregister("rows_frame")
    return len(records)
