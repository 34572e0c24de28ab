"""Run the warehouse's .sql files. SQL lives in files under warehouse/sql; some are Jinja
templates rendered from the table schema so that one file serves all eleven 903 tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import jinja2

SQL_DIR = Path(__file__).with_name("sql")

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(SQL_DIR),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def render(relative_path: str, **params: Any) -> str:
    """Render warehouse/sql/<relative_path> with Jinja (plain SQL passes through unchanged)."""
    return _env.get_template(relative_path).render(**params)


def run(conn: duckdb.DuckDBPyConnection, relative_path: str, **params: Any) -> None:
    """Execute every statement in a SQL file; results are discarded."""
    conn.execute(render(relative_path, **params))


def run_in_transaction(conn: duckdb.DuckDBPyConnection, relative_path: str, **params: Any) -> None:
    """Execute a SQL file all or nothing: a failure leaves the tables as they were."""
    conn.execute("BEGIN TRANSACTION")
    try:
        run(conn, relative_path, **params)
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise


def query(conn: duckdb.DuckDBPyConnection, relative_path: str, **params: Any) -> list[tuple]:
    """Execute a single-query SQL file and fetch all rows before the connection is reused."""
    return conn.execute(render(relative_path, **params)).fetchall()
