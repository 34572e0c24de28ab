"""Run the warehouse's .sql files. SQL lives in files under warehouse/sql (and the data-quality
SQL under expectations/sql); some are Jinja templates rendered from the table schema so that one
file serves all eleven 903 tables."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import jinja2

SQL_DIR = Path(__file__).with_name("sql")

# schema.table references in a rendered SQL file: what a model reads, for the asset graph
_TABLE_REFERENCE = re.compile(
    r"\b(raw|staging|history|model|reference|marts|quality)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE
)
_CREATES = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+|TEMPORARY\s+)?(?:TABLE|VIEW|MACRO)\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?([a-z_]+\.[a-z_][a-z0-9_]*)",
    re.IGNORECASE,
)
_COMMENTS = re.compile(r"--[^\n]*")


class SqlFolder:
    """A folder of .sql files (Jinja templates; plain SQL passes through unchanged)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(root),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )

    def render(self, relative_path: str, **params: Any) -> str:
        return self._env.get_template(relative_path).render(**params)

    def run(self, conn: duckdb.DuckDBPyConnection, relative_path: str, **params: Any) -> None:
        """Execute every statement in a SQL file; results are discarded."""
        conn.execute(self.render(relative_path, **params))

    def run_in_transaction(self, conn: duckdb.DuckDBPyConnection, relative_path: str,
                           **params: Any) -> None:
        """Execute a SQL file all or nothing: a failure leaves the tables as they were."""
        conn.execute("BEGIN TRANSACTION")
        try:
            self.run(conn, relative_path, **params)
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise

    def query(self, conn: duckdb.DuckDBPyConnection, relative_path: str,
              **params: Any) -> list[tuple]:
        """Execute a single-query SQL file and fetch all rows before the connection is reused."""
        return conn.execute(self.render(relative_path, **params)).fetchall()

    def tables_read(self, relative_path: str, **params: Any) -> set[str]:
        """The `schema.table` names the rendered file reads (what it creates excluded)."""
        sql = _COMMENTS.sub("", self.render(relative_path, **params))
        created = {name.lower() for name in _CREATES.findall(sql)}
        found = {f"{s}.{t}".lower() for s, t in _TABLE_REFERENCE.findall(sql)}
        return found - created


@cache
def _warehouse_sql() -> SqlFolder:
    return SqlFolder(SQL_DIR)


def render(relative_path: str, **params: Any) -> str:
    """Render warehouse/sql/<relative_path> with Jinja (plain SQL passes through unchanged)."""
    return _warehouse_sql().render(relative_path, **params)


def run(conn: duckdb.DuckDBPyConnection, relative_path: str, **params: Any) -> None:
    _warehouse_sql().run(conn, relative_path, **params)


def run_in_transaction(conn: duckdb.DuckDBPyConnection, relative_path: str, **params: Any) -> None:
    _warehouse_sql().run_in_transaction(conn, relative_path, **params)


def query(conn: duckdb.DuckDBPyConnection, relative_path: str, **params: Any) -> list[tuple]:
    return _warehouse_sql().query(conn, relative_path, **params)


def tables_read(relative_path: str, **params: Any) -> set[str]:
    return _warehouse_sql().tables_read(relative_path, **params)
