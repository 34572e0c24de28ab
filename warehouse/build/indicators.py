"""Build marts.indicator_catalogue and marts.indicator_values from the model layer.

Each family file warehouse/sql/indicators/<family>.sql is one SELECT producing contract rows
(la_code, indicator_id, period_end, breakdown, numerator, denominator, value) for the indicators
the catalogue assigns to it; the runner replaces that family's slice of marts.indicator_values,
keeping the month ends model.coverage publishes each indicator for, and checks it is complete
(every LA, published period and listed breakdown) and unique."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse import sqlfiles
from warehouse.build.model import model_macros
from warehouse.domain import catalogue

WRITE_FAMILY = "indicators/_write_family.sql"
VALUES_TABLE = "marts.indicator_values"


class IncompleteIndicators(RuntimeError):
    pass


def _sql_list(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def catalogue_frame() -> pd.DataFrame:
    rows = []
    for order, ind in enumerate(catalogue.indicators().values(), start=1):
        latest = max(ind.comparators, key=lambda c: c.year, default=None)
        rows.append({
            "indicator_id": ind.indicator_id, "name": ind.name, "unit": ind.unit,
            "polarity": ind.polarity, "definition": ind.definition, "source": ind.source,
            "theme": ind.theme, "frequency": ind.frequency,
            "breakdowns": ",".join(ind.breakdowns), "has_all_row": ind.all_row,
            "family": ind.family,
            "comparator_value": latest.value if latest else None,
            "comparator_year": latest.year if latest else None,
            "comparator_description": latest.description if latest else None,
            "sort_order": order,
        })
    return pd.DataFrame(rows)


def dimensions_frame() -> pd.DataFrame:
    rows = [
        {"dim": dim.name, "value": value, "label": dim.label, "sort_order": i}
        for dim in catalogue.dimensions().values()
        for i, value in enumerate(dim.values, start=1)
    ]
    return pd.DataFrame(rows)


def build_catalogue(conn: duckdb.DuckDBPyConnection) -> int:
    """(Re)build marts.indicator_catalogue and marts.indicator_dimensions; create
    marts.indicator_values if absent."""
    conn.register("catalogue_frame", catalogue_frame())
    conn.register("dimensions_frame", dimensions_frame())
    try:
        sqlfiles.run(conn, "indicators/_marts.sql")
    finally:
        conn.unregister("catalogue_frame")
        conn.unregister("dimensions_frame")
    return len(catalogue.indicators())


def build_family(conn: duckdb.DuckDBPyConnection, family: str, *, check: bool = True) -> int:
    """Replace the family's rows in marts.indicator_values; return the number of rows written."""
    members = catalogue.families()[family]
    ids = _sql_list(i.indicator_id for i in members)
    sqlfiles.run(conn, WRITE_FAMILY, family_file=f"indicators/{family}.sql", indicator_ids=ids)
    rows = conn.execute(
        f"SELECT count(*) FROM marts.indicator_values WHERE indicator_id IN ({ids})"
    ).fetchall()[0][0]
    if check:
        problems = completeness_problems(conn, [i.indicator_id for i in members])
        if problems:
            raise IncompleteIndicators(f"{family}: {problems}")
    return rows


def completeness_problems(conn: duckdb.DuckDBPyConnection, indicator_ids: list[str]) -> dict:
    """{'missing': n, 'duplicate': n} for rows the contract requires, when any n > 0."""
    expected = ", ".join(
        f"({_sql_list([ind.indicator_id, ind.frequency, b])})"
        for ind in (catalogue.indicator(i) for i in indicator_ids)
        for b in catalogue.expected_breakdowns(ind)
    )
    rows = sqlfiles.query(conn, "indicators/_completeness.sql", expected_values=expected)
    return {problem: n for problem, n in rows if n}


def headline(conn: duckdb.DuckDBPyConnection, indicator_ids: list[str]) -> dict[str, float | None]:
    """Latest 'all' value of each indicator summed (counts) or averaged (others) across LAs, for
    asset metadata: aggregates only."""
    result = {}
    for indicator_id in indicator_ids:
        rows = conn.execute(
            "SELECT max(period_end), sum(numerator), sum(denominator), count(*) "
            "FROM marts.indicator_values WHERE indicator_id = ? AND breakdown = 'all' "
            "AND period_end = (SELECT max(period_end) FROM marts.indicator_values "
            "WHERE indicator_id = ? AND breakdown = 'all')",
            [indicator_id, indicator_id],
        ).fetchall()
        _, numerator, denominator, _ = rows[0]
        ind = catalogue.indicator(indicator_id)
        if numerator is None:
            result[indicator_id] = None
        elif ind.unit == "count":
            result[indicator_id] = float(numerator)
        elif ind.unit == "pct":
            result[indicator_id] = 100 * numerator / denominator if denominator else None
        elif ind.unit == "rate_per_10k":
            result[indicator_id] = numerator / denominator * 10000 if denominator else None
        else:
            result[indicator_id] = numerator / denominator if denominator else None
    return result


def family_inputs(family: str) -> frozenset[str]:
    """The `schema.table` names a family's build reads: indicators/<family>.sql and what
    _write_family.sql adds (model.coverage); model macros and the table written excluded."""
    read = sqlfiles.tables_read(WRITE_FAMILY, family_file=f"indicators/{family}.sql",
                                indicator_ids="''")
    return frozenset(read - model_macros() - {VALUES_TABLE})


def values_summary(conn: duckdb.DuckDBPyConnection, indicator_ids: list[str]) -> dict:
    """First and last period end and LAs of these indicators' rows in marts.indicator_values."""
    first, last, las = conn.execute(
        "SELECT min(period_end)::VARCHAR, max(period_end)::VARCHAR, count(DISTINCT la_code) "
        "FROM marts.indicator_values WHERE indicator_id IN (SELECT unnest(?::VARCHAR[]))",
        [indicator_ids],
    ).fetchall()[0]
    return {"las": las, "first_period_end": first or "", "last_period_end": last or ""}


def table_summary(conn: duckdb.DuckDBPyConnection) -> dict:
    rows, las, indicators, last = conn.execute(
        "SELECT count(*), count(DISTINCT la_code), count(DISTINCT indicator_id), "
        "max(period_end)::VARCHAR FROM marts.indicator_values"
    ).fetchall()[0]
    return {"dagster/row_count": rows, "las": las, "indicators": indicators,
            "last_period_end": last or ""}
