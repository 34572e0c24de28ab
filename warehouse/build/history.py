"""Build the history layer of one 903 table from staging: one consistent record per LA across
its extracts, every repair logged in history.repairs (docs/history_rules.md).

Returns counts only, safe for logs and Dagster metadata."""

from __future__ import annotations

import duckdb

from warehouse import sqlfiles
from warehouse.build.staging import create_staging_schema
from warehouse.domain.schema import table


def build_history(conn: duckdb.DuckDBPyConnection, name: str) -> dict[str, int]:
    """Rebuild history.<name> from staging; returns repairs made, by rule."""
    create_staging_schema(conn)
    sqlfiles.run(conn, "staging/create_table.sql", t=table(name))
    sqlfiles.run(conn, "history/create_history.sql")
    sqlfiles.run_in_transaction(conn, "history/build_table.sql", t=table(name))
    rows = conn.execute(
        "SELECT rule, count(*) FROM history.repairs WHERE table_name = ? "
        "GROUP BY rule ORDER BY rule",
        [name],
    ).fetchall()
    return dict(rows)


def table_summary(conn: duckdb.DuckDBPyConnection, name: str) -> tuple[int, int]:
    """(rows, LAs) of history.<name>."""
    return conn.execute(
        f"SELECT count(*), count(DISTINCT la_code) FROM history.{name}"
    ).fetchall()[0]
