"""Ingest layer: landing extracts -> raw.<table> (text, nothing dropped), and the reference
population (warehouse.ingest, warehouse.reference.population)."""

import dagster as dg

from assets import keys
from assets.resources import LandingResource, WarehouseResource
from expectations import worker
from warehouse.domain.schema import tables
from warehouse.ingest import landing as landing_folder
from warehouse.ingest import raw_loader
from warehouse.ingest.landing import population_file
from warehouse.ingest.removal import RemovalPolicy
from warehouse.reference import ons_population, population


class IngestConfig(dg.Config):
    """Run config of the landing load."""

    allow_removal: bool = False
    """Remove the extracts whose folders left landing even when that is every extract of a
    council or more than the set share of all extracts (CSC_ALLOW_REMOVAL does the same for
    every run). Off, such a load fails and removes nothing: an unmounted share looks like that."""


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            keys.RAW_EXTRACTS,
            group_name=keys.Group.INGEST,
            kinds={"duckdb"},
            description="raw.files and raw.extracts: every landing file and extract seen, with "
            "its checksum and load status. Unchanged files are not read again.",
        ),
        *[
            dg.AssetSpec(
                keys.raw(t.name),
                group_name=keys.Group.INGEST,
                kinds={"duckdb"},
                deps=[keys.RAW_EXTRACTS],
                description=f"raw.{t.name}: the {t.title} files of every extract, as text, with "
                "source file, row number, LA and extract date.",
            )
            for t in tables().values()
        ],
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "all_extracts_loaded",
            asset=keys.RAW_EXTRACTS,
            description="Every extract folder in landing loaded; a failed one names its files "
            "and missing columns. Not blocking, so that the other councils' figures are still "
            "built and published; the build's last check (every_extract_current) fails the run.",
        )
    ],
    pool=keys.WAREHOUSE_POOL,
)
def landing_extracts(context: dg.AssetExecutionContext, config: IngestConfig,
                     duckdb: WarehouseResource, landing: LandingResource):
    # Staging validates each table with Great Expectations in a worker process: started here, it
    # imports GX (about 4 s of Python) on the core the loader leaves idle.
    worker.start()
    with duckdb.get_connection() as conn:
        policy = RemovalPolicy(allow=config.allow_removal or landing.allow_removal,
                               max_share=landing.max_removal_share)
        report = raw_loader.ingest_landing(conn, landing.root, policy)
        summary = raw_loader.summarise(conn)
    for message in report.warnings:
        context.log.warning(message)
    for la_code, extract_date, message in summary.failed:
        context.log.error(f"Extract {la_code}/{extract_date} not loaded: {message}")
    yield dg.MaterializeResult(
        asset_key=keys.RAW_EXTRACTS,
        metadata={
            "landing_dir": dg.MetadataValue.path(str(landing.root)),
            "extracts_in_landing": report.extracts_seen,
            "extracts_loaded_this_run": report.extracts_loaded,
            "extracts_unchanged": report.extracts_unchanged,
            "extracts_removed": report.extracts_removed,
            "extracts_failed": len(summary.failed),
            "warnings": len(report.warnings),
            "dagster/row_count": summary.extracts,
        },
    )
    yield dg.AssetCheckResult(
        asset_key=keys.RAW_EXTRACTS,
        check_name="all_extracts_loaded",
        passed=not summary.failed,
        severity=dg.AssetCheckSeverity.ERROR,
        # Failure messages name LA folders, files and columns: no child-level values.
        metadata={
            "failed_extracts": len(summary.failed),
            "failures": dg.MetadataValue.md(
                "\n".join(f"- {la}/{date}: {msg}" for la, date, msg in summary.failed) or "none"
            ),
        },
    )
    for name, (rows, files) in summary.tables.items():
        yield dg.MaterializeResult(
            asset_key=keys.raw(name),
            metadata={
                "dagster/row_count": rows,
                "files": files,
                "rows_loaded_this_run": report.rows_loaded.get(name, 0),
            },
        )


@dg.asset(
    key=keys.POPULATION,
    group_name=keys.Group.INGEST,
    kinds={"duckdb"},
    # after the extracts: which years each council's rates need comes from raw.extracts
    deps=[keys.RAW_EXTRACTS],
    pool=keys.WAREHOUSE_POOL,
    description="reference.population: ONS mid-year population aged 0-17 per LA and year, from "
    "<landing>/reference/population.csv; a council with extracts but no row there gets the ONS "
    "estimates vendored in warehouse/reference/dfe. "
    "Conflicting rows for one LA and year fail the load "
    "(the previous population stays); a rate using another year's estimate is reported.",
)
def population_reference(context: dg.AssetExecutionContext, duckdb: WarehouseResource,
                         landing: LandingResource) -> dg.MaterializeResult:
    path = population_file(landing.root)
    councils = {e.la_code for e in landing_folder.scan(landing.root).extracts}
    if path is None:
        context.log.warning("No reference/population.csv in landing: every council's 0-17 "
                            "population is the ONS default")
    with duckdb.get_connection() as conn:
        load = population.load_population(conn, path)
        las = population.la_count(conn)
        defaulted = ons_population.add_defaults(conn, councils)
        fallbacks = population.fallbacks(conn)
    # messages name files, rows, columns, LA codes and years: never a value
    for message in load.warnings:
        context.log.warning(message)
    if load.rejected:
        context.log.warning(f"reference/population.csv: {load.rejected} row(s) rejected; see "
                            "staging.rejected_rows")
    for message in population.fallback_messages(fallbacks):
        context.log.warning(message)
    for la_code in defaulted:
        context.log.warning(f"population.csv has no row for {la_code}: its rates per 10,000 use "
                            "the ONS mid-year estimates (warehouse/reference/dfe)")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": load.loaded,
            "rows_rejected": load.rejected,
            "duplicate_rows_collapsed": load.duplicates,
            "las": las,
            "councils_using_another_years_population": len({f.la_code for f in fallbacks}),
            "years_using_another_years_population": sum(
                f.population_year is not None for f in fallbacks),
            "years_without_a_population": sum(f.population_year is None for f in fallbacks),
            "las_on_ons_default": dg.MetadataValue.json(defaulted),
        }
    )
