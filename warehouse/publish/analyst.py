"""The analyst layer: friendly views over the marts and a description on every table and column.

Descriptions come from warehouse/sql/analyst/descriptions.yaml, the indicator catalogue
(warehouse/domain/indicators.yaml) and the 903 schema (warehouse/domain/ssda903.yaml); see that
YAML's header for the order of preference. They are applied to whatever tables exist when this
runs, and a comment already set by the asset that built a table is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from warehouse import sqlfiles
from warehouse.domain import catalogue, schema

DESCRIPTIONS_FILE = Path(__file__).parents[1] / "sql" / "analyst" / "descriptions.yaml"
VIEWS = ("indicator_trend", "indicator_latest")  # in creation order (latest reads trend)


@cache
def _descriptions() -> dict:
    return yaml.safe_load(DESCRIPTIONS_FILE.read_text())


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _catalogue_columns(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[2]
        for row in conn.execute(sqlfiles.render("analyst/list_columns.sql")).fetchall()
        if row[0] == "marts" and row[1] == "indicator_catalogue"
    ]


def create_views(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Create (or replace) marts.indicator_trend and marts.indicator_latest."""
    columns = _catalogue_columns(conn)
    for view in VIEWS:
        sqlfiles.run(conn, f"analyst/{view}.sql", catalogue_columns=columns)
    return [f"marts.{v}" for v in VIEWS]


# --------------------------------------------------------------------------- descriptions


def _table_903(table: str) -> schema.Table | None:
    return schema.tables().get(table)


def table_description(schema_name: str, table: str) -> str:
    d = _descriptions()
    known = d["tables"].get(f"{schema_name}.{table}")
    if known:
        return _clean(known)
    t903 = _table_903(table)
    layer = _clean(d["schemas"].get(schema_name, f"Tables of the {schema_name} schema."))
    if t903 and schema_name in {"raw", "staging", "history"}:
        return f"SSDA903 {t903.title} table. {layer}"
    return f"{schema_name}.{table}. {layer}"


def _indicator_column(schema_name: str, table: str, column: str) -> str | None:
    """Descriptions generated from the indicator catalogue for marts columns."""
    if schema_name != "marts":
        return None
    if column == "indicator_id":
        ids = list(catalogue.indicators())
        return (
            f"Stable indicator id, one of {len(ids)} in marts.indicator_catalogue "
            f"(e.g. {', '.join(ids[:3])})."
        )
    if column == "breakdown":
        dims = catalogue.dimensions()
        parts = "; ".join(f"{name} ({_clean(dim.label)})" for name, dim in dims.items())
        return f"'all' for the headline row, or 'dimension=value' with dimension one of: {parts}."
    return None


def column_description(schema_name: str, table: str, column: str, data_type: str) -> str:
    d = _descriptions()
    exact = d["columns"].get(f"{schema_name}.{table}.{column}")
    if exact:
        return _clean(exact)
    from_catalogue = _indicator_column(schema_name, table, column)
    if from_catalogue:
        return from_catalogue
    field = column.upper()
    meaning = d["fields_903"].get(field)
    if meaning:
        t903 = _table_903(table)
        col_type = t903.columns.get(field) if t903 else None
        if schema_name == "raw":
            how = "as received, text"
        elif col_type:
            how = d["types_903"][col_type]
        else:
            how = data_type
        where = f"SSDA903 {t903.title}.{field}" if t903 and col_type else f"SSDA903 {field}"
        return f"{_clean(meaning).rstrip('.')} ({where}; {how})."
    common = d["common_columns"].get(column)
    if common:
        return _clean(common)
    return f"{column.replace('_', ' ').capitalize()} ({data_type})."


@dataclass(frozen=True)
class Comment:
    kind: str  # TABLE, VIEW or COLUMN
    target: str  # quoted identifier
    text: str  # quoted literal


def _ident(*parts: str) -> str:
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def planned_comments(conn: duckdb.DuckDBPyConnection, *, overwrite: bool = False) -> list[Comment]:
    """COMMENT ON statements for every table, view and column still without a description."""
    tables = conn.execute(sqlfiles.render("analyst/list_tables.sql")).fetchall()
    columns = conn.execute(sqlfiles.render("analyst/list_columns.sql")).fetchall()
    comments: list[Comment] = []
    for schema_name, table, kind, existing in tables:
        if overwrite or not existing:
            text = table_description(schema_name, table)
            comments.append(Comment(kind, _ident(schema_name, table), _literal(text)))
    for schema_name, table, column, data_type, existing in columns:
        if overwrite or not existing:
            text = column_description(schema_name, table, column, data_type)
            comments.append(Comment("COLUMN", _ident(schema_name, table, column), _literal(text)))
    return comments


def describe_warehouse(conn: duckdb.DuckDBPyConnection, *, overwrite: bool = False) -> int:
    """Comment every table, view and column that has no description yet; returns how many."""
    comments = planned_comments(conn, overwrite=overwrite)
    if comments:
        sqlfiles.run(conn, "analyst/comments.sql", comments=comments)
    return len(comments)


def undescribed(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables, views and columns that still carry no description."""
    tables = conn.execute(sqlfiles.render("analyst/list_tables.sql")).fetchall()
    columns = conn.execute(sqlfiles.render("analyst/list_columns.sql")).fetchall()
    missing = [f"{s}.{t}" for s, t, _kind, comment in tables if not comment]
    missing += [f"{s}.{t}.{c}" for s, t, c, _type, comment in columns if not comment]
    return missing


def build_analyst_layer(conn: duckdb.DuckDBPyConnection) -> dict:
    """Views, then descriptions (so the views get theirs too). Returns a summary."""
    views = create_views(conn)
    applied = describe_warehouse(conn)
    tables = conn.execute(sqlfiles.render("analyst/list_tables.sql")).fetchall()
    columns = conn.execute(sqlfiles.render("analyst/list_columns.sql")).fetchall()
    return {
        "views": views,
        "comments_applied": applied,
        "tables_described": len(tables),
        "columns_described": len(columns),
        "undescribed": undescribed(conn),
    }
