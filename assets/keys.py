"""Every asset key, group, pool and the job name, declared once.

Keys follow the warehouse's `schema.table` names, so `table_key("model.episodes")` is the asset
that builds model.episodes: asset dependencies are derived from the tables each SQL file reads
(warehouse.sqlfiles.tables_read)."""

import dagster as dg

# DuckDB allows one read-write process per file: every asset that opens it queues on this pool
# (its limit is set in dagster_home/dagster.yaml).
WAREHOUSE_POOL = "duckdb_warehouse"
BUILD_JOB = "build_warehouse"


class Group:
    INGEST = "ingest"
    STAGING = "staging"
    HISTORY = "history"
    MODEL = "model"
    INDICATORS = "indicators"
    QUALITY = "quality"
    OUTPUTS = "outputs"
    BENCHMARKS = "benchmarks"


def raw(name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", name])


def staging(name: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", name])


def history(name: str) -> dg.AssetKey:
    return dg.AssetKey(["history", name])


def model(name: str) -> dg.AssetKey:
    return dg.AssetKey(["model", name])


def reference(name: str) -> dg.AssetKey:
    return dg.AssetKey(["reference", name])


def family(name: str) -> dg.AssetKey:
    return dg.AssetKey(["indicators", name])


def export(name: str) -> dg.AssetKey:
    return dg.AssetKey(["exports", name])


RAW_EXTRACTS = raw("extracts")
POPULATION = reference("population")
POSTCODES = reference("postcodes")
LA_UPPER_TIER = reference("la_upper_tier")
WORKING_DAYS = reference("working_days")
COUNCILS = reference("councils")
STATISTICAL_NEIGHBOURS = reference("statistical_neighbours")
DFE_PUBLISHED = reference("dfe_published")
INDICATOR_CATALOGUE = dg.AssetKey(["marts", "indicator_catalogue"])
INDICATOR_VALUES = dg.AssetKey(["marts", "indicator_values"])
DQ_RESULTS = dg.AssetKey(["marts", "dq_results"])
DQ_REPORTS = dg.AssetKey(["outputs", "dq_error_reports"])
INDICATOR_TREND = dg.AssetKey(["marts", "indicator_trend"])
INDICATOR_LATEST = dg.AssetKey(["marts", "indicator_latest"])
INDICATOR_COMPARATORS = dg.AssetKey(["marts", "indicator_comparators"])
INDICATOR_BENCHMARKS = dg.AssetKey(["marts", "indicator_benchmarks"])
INDICATOR_PARITY = dg.AssetKey(["marts", "indicator_parity"])
TABLE_DESCRIPTIONS = dg.AssetKey(["analyst", "table_descriptions"])
HIGHLIGHT_REPORT = dg.AssetKey(["reports", "highlight_report"])

# Tables made by an asset of another name (the catalogue asset also writes the dimensions).
_MADE_BY = {"marts.indicator_dimensions": INDICATOR_CATALOGUE}


def table_key(qualified: str) -> dg.AssetKey:
    """The asset that builds the table `schema.table`."""
    return _MADE_BY.get(qualified, dg.AssetKey(qualified.split(".")))


def keys_for_tables(tables) -> list[dg.AssetKey]:
    return sorted({table_key(t) for t in tables}, key=lambda k: k.to_user_string())
