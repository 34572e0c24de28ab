"""Build the model layer (warehouse/sql/model/<name>.sql, one file per table) from history.

The build order and each model's inputs come from the SQL itself: `model_inputs` lists the tables
a file reads, and MODELS orders the files so every model follows the models it reads."""

from __future__ import annotations

import re
from functools import cache
from graphlib import TopologicalSorter

import duckdb

from warehouse import sqlfiles
from warehouse.domain import catalogue
from warehouse.domain.schema import tables

MODEL_DIR = sqlfiles.SQL_DIR / "model"
MACROS_FILE = "model/macros.sql"
_NOT_MODELS = {"macros", "_history_contract"}
HISTORY_TABLES = list(tables())  # what model/month_ends.sql spans


@cache
def coverage_measures() -> tuple[dict, ...]:
    """Each indicator's look-back (warehouse/domain/indicators.yaml), for model/coverage.sql."""
    look_backs = catalogue.look_backs()
    return tuple(
        {"indicator_id": i.indicator_id, "frequency": i.frequency, "look_back": i.look_back,
         "months": look_backs[i.look_back].months, "history_from": i.history_from}
        for i in catalogue.indicators().values()
    )


def _template_params() -> dict:
    return {"history_tables": HISTORY_TABLES, "measures": coverage_measures()}


@cache
def model_macros() -> frozenset[str]:
    text = (sqlfiles.SQL_DIR / MACROS_FILE).read_text()
    return frozenset(m.lower() for m in re.findall(r"MACRO\s+(model\.\w+)", text, re.IGNORECASE))


@cache
def model_inputs(name: str) -> frozenset[str]:
    """The `schema.table` names model/<name>.sql reads (its macros excluded)."""
    read = sqlfiles.tables_read(f"model/{name}.sql", **_template_params())
    return frozenset(read - model_macros())


def _model_names() -> list[str]:
    return sorted(p.stem for p in MODEL_DIR.glob("*.sql") if p.stem not in _NOT_MODELS)


def _build_order() -> list[str]:
    names = _model_names()
    graph = {n: sorted(t.split(".", 1)[1] for t in model_inputs(n)
                       if t.startswith("model.")) for n in names}  # fmt: skip
    return list(TopologicalSorter(graph).static_order())


MODELS = _build_order()


def build_macros(conn: duckdb.DuckDBPyConnection) -> None:
    sqlfiles.run(conn, MACROS_FILE)


def build_model(conn: duckdb.DuckDBPyConnection, name: str) -> int:
    """(Re)build model.<name> and return its row count."""
    build_macros(conn)
    sqlfiles.run(conn, f"model/{name}.sql", **_template_params())
    return conn.execute(f"SELECT count(*) FROM model.{name}").fetchall()[0][0]


def table_summary(conn: duckdb.DuckDBPyConnection, name: str) -> dict:
    """Rows, LAs and (for the month-end tables) the first and last month end of model.<name>."""
    rows, las = conn.execute(
        f"SELECT count(*), count(DISTINCT la_code) FROM model.{name}"
    ).fetchall()[0]
    summary = {"dagster/row_count": rows, "las": las}
    if name in ("month_ends", "child_month"):
        first, last = conn.execute(
            f"SELECT min(period_end)::VARCHAR, max(period_end)::VARCHAR FROM model.{name}"
        ).fetchall()[0]
        summary.update({"first_period_end": first or "", "last_period_end": last or ""})
    return summary
