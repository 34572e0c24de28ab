"""Build layers without Dagster, for tests: the same warehouse functions the assets call, in the
order the asset graph runs them (model order: warehouse.build.model.MODELS, derived from the SQL).
"""

from __future__ import annotations

import duckdb

from warehouse.build import history, indicators, model, staging
from warehouse.domain import catalogue
from warehouse.domain.schema import tables
from warehouse.ingest import landing, raw_loader
from warehouse.reference import population, postcodes, working_days


def build_ingest_layers(conn: duckdb.DuckDBPyConnection, landing_root) -> dict:
    """raw -> staging -> history for every table (as the ingest, staging and history assets)."""
    report = raw_loader.ingest_landing(conn, landing_root)
    population.load_population(conn, landing.population_file(landing_root))
    repairs = {}
    for name in tables():
        staging.stage_table(conn, name)
        repairs[name] = history.build_history(conn, name)
    return {"ingest": report, "repairs": repairs}


def build_model_layer(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {name: model.build_model(conn, name) for name in model.MODELS}


def build_indicators(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    indicators.build_catalogue(conn)
    return {family: indicators.build_family(conn, family) for family in catalogue.families()}


def build_from_history(conn: duckdb.DuckDBPyConnection, *, postcode_frame=None,
                       full_postcodes: bool = False) -> dict[str, int]:
    """Everything downstream of history: reference data, model, catalogue, every family.

    `postcode_frame` stands in for the postcode directory; with `full_postcodes` the package's
    directory is loaded (skipped when already current)."""
    postcodes.load_la_upper_tier(conn)
    working_days.load_working_days(conn)
    if postcode_frame is not None:
        postcodes.load_postcodes(conn, frame=postcode_frame)
    elif full_postcodes:
        postcodes.load_postcodes(conn)
    build_model_layer(conn)
    return build_indicators(conn)
