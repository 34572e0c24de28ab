"""Build marts.indicator_catalogue and marts.indicator_values from the model layer.

Each family file warehouse/sql/indicators/<family>.sql is one SELECT producing contract rows
(la_code, indicator_id, period_end, breakdown, numerator, denominator, value) for the indicators
the catalogue assigns to it; the runner replaces that family's slice of marts.indicator_values and
checks it is complete (every LA, period and listed breakdown) and unique."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse import catalogue, sqlfiles


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
    sqlfiles.run(conn, "indicators/_write_family.sql", family_file=f"indicators/{family}.sql",
                 indicator_ids=ids)
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


def build_all(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    build_catalogue(conn)
    return {family: build_family(conn, family) for family in catalogue.families()}


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


def build_from_history(conn: duckdb.DuckDBPyConnection, *, postcode_frame=None,
                       full_postcodes: bool = False) -> dict[str, int]:
    """Everything downstream of history: reference data, model, catalogue, every family.

    `postcode_frame` stands in for the postcode directory (tests); with `full_postcodes` the
    package's directory is loaded (skipped when already current)."""
    from warehouse import model_layer, postcodes, working_days

    postcodes.load_la_upper_tier(conn)
    working_days.load_working_days(conn)
    if postcode_frame is not None:
        postcodes.load_postcodes(conn, frame=postcode_frame)
    elif full_postcodes:
        postcodes.load_postcodes(conn)
    model_layer.build_all(conn)
    return build_all(conn)
