"""The data-quality SQL (expectations/sql): fingerprints, stored results, error-report reads."""

from pathlib import Path

from warehouse.sqlfiles import SqlFolder

_SQL = SqlFolder(Path(__file__).with_name("sql"))

render = _SQL.render
run = _SQL.run
query = _SQL.query


def table_exists(conn, schema: str, table: str) -> bool:
    return bool(query(conn, "table_exists.sql", schema=schema, table=table)[0][0])
