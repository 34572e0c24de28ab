"""Build the staging layer of one 903 table from raw: typed rows, rejected rows, value issues.

Each function returns counts only, safe for logs and Dagster metadata.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from warehouse import sqlfiles
from warehouse.domain.schema import table, tables


class StagingError(RuntimeError):
    """Typing a table's rows failed; the message names the table and the error's type only."""


@dataclass(frozen=True)
class Reconciliation:
    raw_rows: int
    staged_rows: int
    rejected_rows: int

    @property
    def balanced(self) -> bool:
        return self.raw_rows == self.staged_rows + self.rejected_rows


def create_staging_schema(conn: duckdb.DuckDBPyConnection) -> None:
    sqlfiles.run(conn, "raw/create_raw.sql", tables=list(tables().values()))
    sqlfiles.run(conn, "staging/create_staging.sql")


def stage_table(conn: duckdb.DuckDBPyConnection, name: str) -> int:
    """Type the raw rows of files not staged before; returns how many files were new."""
    create_staging_schema(conn)
    (before,) = conn.execute(
        "SELECT count(*) FROM staging.staged_files WHERE table_name = ?", [name]
    ).fetchall()[0]
    try:
        sqlfiles.run_in_transaction(conn, "staging/stage_table.sql", t=table(name))
    except duckdb.Error as exc:
        # Only a bug can get here (the cleaning macros are total), but DuckDB's message quotes
        # the value it failed on and Dagster stores it: keep the error's type only.
        raise StagingError(
            f"staging.{name}: {type(exc).__name__} while typing the raw rows (nothing staged)"
        ) from None
    (after,) = conn.execute(
        "SELECT count(*) FROM staging.staged_files WHERE table_name = ?", [name]
    ).fetchall()[0]
    return max(after - before, 0)


def reconcile(conn: duckdb.DuckDBPyConnection, name: str) -> Reconciliation:
    row = sqlfiles.query(conn, "staging/reconcile.sql", t=table(name))[0]
    return Reconciliation(*row)


def value_issue_count(conn: duckdb.DuckDBPyConnection, name: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM staging.value_issues WHERE table_name = ?", [name]
    ).fetchall()[0][0]
