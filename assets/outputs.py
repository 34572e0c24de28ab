"""Outputs layer: Parquet exports for BI tools and the analyst layer (views + descriptions).

The work itself is in warehouse/publish/ (exports.py, analyst.py; usable without Dagster);
these assets run it against the resources and report what they did as metadata.
Every asset here opens the DuckDB file, so all of them queue on the `duckdb_warehouse` pool.
"""

import dagster as dg

from assets import keys
from assets.resources import OutputsResource, WarehouseResource
from warehouse.publish import analyst
from warehouse.publish import exports as export_files

MARTS = [keys.INDICATOR_VALUES, keys.INDICATOR_CATALOGUE, keys.DQ_RESULTS]

# export name -> (its asset, the mart it copies)
EXPORT_KEYS = {
    "indicator_values": (keys.export("indicator_values"), keys.INDICATOR_VALUES),
    "indicator_catalogue": (keys.export("indicator_catalogue"), keys.INDICATOR_CATALOGUE),
    "dq_results": (keys.export("dq_results"), keys.DQ_RESULTS),
}


class ExportConfig(dg.Config):
    """Run config of the Parquet exports."""

    suppress_small_numbers: bool = True
    """Blank counts 1 to threshold-1 and values derived from them (default on: files leave the
    warehouse). Turn off only for an export that stays inside the council's secure estate."""
    small_number_threshold: int = export_files.SMALL_NUMBER_THRESHOLD
    allow_removal: bool = False
    """Publish an export with no rows over a published one with rows (CSC_ALLOW_REMOVAL does
    the same for every run). Off, such a run fails and leaves the published exports alone."""


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            deps=[upstream],
            group_name=keys.Group.OUTPUTS,
            kinds={"parquet"},
            description=f"Parquet export of {upstream.to_user_string()} for BI tools "
            "(small numbers suppressed by default).",
        )
        for key, upstream in EXPORT_KEYS.values()
    ],
    name="parquet_exports",
    pool=keys.WAREHOUSE_POOL,
)
def parquet_exports(
    context: dg.AssetExecutionContext,
    config: ExportConfig,
    duckdb: WarehouseResource,
    outputs: OutputsResource,
):
    root = outputs.exports
    with duckdb.get_connection() as conn:
        results = export_files.export_all(
            conn,
            root,
            suppress=config.suppress_small_numbers,
            threshold=config.small_number_threshold,
            warehouse=str(duckdb.path),
            allow_empty=config.allow_removal or outputs.allow_empty,
        )
    if not config.suppress_small_numbers:
        context.log.warning("Small-number suppression is OFF for this export: %s", root)
    for name, result in results.items():
        key = EXPORT_KEYS[name][0]
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "dagster/row_count": result.rows,
                "suppressed_rows": result.suppressed_rows,
                "small_number_suppression": config.suppress_small_numbers,
                "files": result.files,
                "partitions": len(result.partitions),
            },
        )


VIEW_KEYS = {"marts.indicator_trend": keys.INDICATOR_TREND,
             "marts.indicator_latest": keys.INDICATOR_LATEST}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            VIEW_KEYS["marts.indicator_trend"],
            deps=[keys.INDICATOR_VALUES, keys.INDICATOR_CATALOGUE],
            group_name=keys.Group.OUTPUTS,
            kinds={"duckdb"},
            description="View: every indicator value with the previous month, the change over "
            "12 months and the highest and lowest in the last 12 months.",
        ),
        dg.AssetSpec(
            VIEW_KEYS["marts.indicator_latest"],
            deps=[VIEW_KEYS["marts.indicator_trend"], keys.INDICATOR_CATALOGUE],
            group_name=keys.Group.OUTPUTS,
            kinds={"duckdb"},
            description="View: the latest period per LA and indicator, with catalogue labels.",
        ),
        dg.AssetSpec(
            keys.TABLE_DESCRIPTIONS,
            deps=[*MARTS, *VIEW_KEYS.values()],
            group_name=keys.Group.OUTPUTS,
            kinds={"duckdb"},
            description="A description (COMMENT ON) on every warehouse table, view and column, "
            "from the indicator catalogue, the 903 schema and docs/CONTRACTS.md.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "every_table_and_column_described",
            asset=keys.TABLE_DESCRIPTIONS,
            description="No table, view or column of the warehouse is left without a comment.",
        )
    ],
    name="analyst_layer",
    pool=keys.WAREHOUSE_POOL,
)
def analyst_layer(duckdb: WarehouseResource):
    with duckdb.get_connection() as conn:
        summary = analyst.build_analyst_layer(conn)
    for view in summary["views"]:
        yield dg.MaterializeResult(asset_key=VIEW_KEYS[view], metadata={"view": view})
    missing = summary["undescribed"]
    yield dg.MaterializeResult(
        asset_key=keys.TABLE_DESCRIPTIONS,
        metadata={
            "comments_applied": summary["comments_applied"],
            "tables_and_views": summary["tables_described"],
            "columns": summary["columns_described"],
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="every_table_and_column_described",
                passed=not missing,
                metadata={"undescribed": dg.MetadataValue.json(missing[:50])},
            )
        ],
    )
