"""Ingest layer: landing extracts -> raw.<table> (text, nothing dropped), and the
reference population."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.resources import WAREHOUSE_POOL, LandingResource
from expectations import validation_process
from warehouse import population, raw_loader
from warehouse.landing import population_file
from warehouse.schema import tables

GROUP = "ingest"
EXTRACTS_KEY = dg.AssetKey(["raw", "extracts"])


def raw_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", name])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            EXTRACTS_KEY,
            group_name=GROUP,
            kinds={"duckdb"},
            description="raw.files and raw.extracts: every landing file and extract seen, with "
            "its checksum and load status. Unchanged files are not read again.",
        ),
        *[
            dg.AssetSpec(
                raw_key(t.name),
                group_name=GROUP,
                kinds={"duckdb"},
                deps=[EXTRACTS_KEY],
                description=f"raw.{t.name}: the {t.title} files of every extract, as text, with "
                "source file, row number, LA and extract date.",
            )
            for t in tables().values()
        ],
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "all_extracts_loaded",
            asset=EXTRACTS_KEY,
            description="Every extract folder in landing loaded; a failed one names its files "
            "and missing columns.",
        )
    ],
    pool=WAREHOUSE_POOL,
)
def landing_extracts(context: dg.AssetExecutionContext, duckdb: DuckDBResource,
                     landing: LandingResource):
    # Staging validates each table with Great Expectations in a child process: started here, it
    # imports GX (about 4 s of Python) on the core the loader leaves idle.
    validation_process.start()
    with duckdb.get_connection() as conn:
        report = raw_loader.ingest_landing(conn, landing.root)
        counts = {
            t: conn.execute(f"SELECT count(*), count(DISTINCT file_id) FROM raw.{t}").fetchall()[0]
            for t in tables()
        }
        failed = conn.execute(
            "SELECT la_code, strftime(extract_date, '%Y-%m-%d'), message FROM raw.extracts "
            "WHERE status = 'failed' ORDER BY ALL"
        ).fetchall()
        (extract_count,) = conn.execute("SELECT count(*) FROM raw.extracts").fetchall()[0]
    for message in report.warnings:
        context.log.warning(message)
    for la_code, extract_date, message in failed:
        context.log.error(f"Extract {la_code}/{extract_date} not loaded: {message}")
    yield dg.MaterializeResult(
        asset_key=EXTRACTS_KEY,
        metadata={
            "landing_dir": str(landing.root),
            "extracts_in_landing": report.extracts_seen,
            "extracts_loaded_this_run": report.extracts_loaded,
            "extracts_unchanged": report.extracts_unchanged,
            "extracts_removed": report.extracts_removed,
            "extracts_failed": len(failed),
            "warnings": len(report.warnings),
            "dagster/row_count": extract_count,
        },
    )
    yield dg.AssetCheckResult(
        asset_key=EXTRACTS_KEY,
        check_name="all_extracts_loaded",
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        # Failure messages name LA folders, files and columns: no child-level values.
        metadata={
            "failed_extracts": len(failed),
            "failures": dg.MetadataValue.md(
                "\n".join(f"- {la}/{date}: {msg}" for la, date, msg in failed) or "none"
            ),
        },
    )
    for name, (rows, files) in counts.items():
        yield dg.MaterializeResult(
            asset_key=raw_key(name),
            metadata={
                "dagster/row_count": rows,
                "files": files,
                "rows_loaded_this_run": report.rows_loaded.get(name, 0),
            },
        )


@dg.asset(
    key=["reference", "population"],
    group_name=GROUP,
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="reference.population: ONS mid-year population aged 0-17 per LA and year, from "
    "<landing>/reference/population.csv.",
)
def population_reference(context: dg.AssetExecutionContext, duckdb: DuckDBResource,
                         landing: LandingResource) -> dg.MaterializeResult:
    path = population_file(landing.root)
    if path is None:
        context.log.warning(
            "No reference/population.csv in landing: rates per 10,000 will be empty"
        )
    with duckdb.get_connection() as conn:
        loaded, rejected = population.load_population(conn, path)
        (las,) = conn.execute(
            "SELECT count(DISTINCT la_code) FROM reference.population"
        ).fetchall()[0]
    return dg.MaterializeResult(
        metadata={"dagster/row_count": loaded, "rows_rejected": rejected, "las": las}
    )

