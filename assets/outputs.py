"""Outputs layer: Parquet exports for BI tools and the analyst layer (views + descriptions).

The work itself is in warehouse/exports.py and warehouse/analyst.py (usable without Dagster);
these assets run it against the resources and report what they did as metadata.
Every asset here opens the DuckDB file, so all of them queue on the `duckdb_warehouse` pool.
"""

import dagster as dg

from assets.resources import WAREHOUSE_POOL, ExportResource, WarehouseResource
from warehouse import analyst
from warehouse import exports as export_files  # `exports` is the resource's parameter name

INDICATOR_VALUES = dg.AssetKey(["marts", "indicator_values"])
INDICATOR_CATALOGUE = dg.AssetKey(["marts", "indicator_catalogue"])
DQ_RESULTS = dg.AssetKey(["marts", "dq_results"])
MARTS = [INDICATOR_VALUES, INDICATOR_CATALOGUE, DQ_RESULTS]

EXPORT_KEYS = {
    "indicator_values": (dg.AssetKey(["exports", "indicator_values"]), INDICATOR_VALUES),
    "indicator_catalogue": (dg.AssetKey(["exports", "indicator_catalogue"]), INDICATOR_CATALOGUE),
    "dq_results": (dg.AssetKey(["exports", "dq_results"]), DQ_RESULTS),
}


class ExportConfig(dg.Config):
    """Run config of the Parquet exports."""

    suppress_small_numbers: bool = True
    """Blank counts 1 to threshold-1 and values derived from them (default on: files leave the
    warehouse). Turn off only for an export that stays inside the council's secure estate."""
    small_number_threshold: int = export_files.SMALL_NUMBER_THRESHOLD


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            deps=[upstream],
            group_name="outputs",
            kinds={"parquet"},
            description=f"Parquet export of {upstream.to_user_string()} for BI tools "
            "(small numbers suppressed by default).",
        )
        for key, upstream in EXPORT_KEYS.values()
    ],
    name="parquet_exports",
    pool=WAREHOUSE_POOL,
)
def parquet_exports(
    context: dg.AssetExecutionContext,
    config: ExportConfig,
    duckdb: WarehouseResource,
    exports: ExportResource,
):
    root = exports.root
    with duckdb.get_connection() as conn:
        results = export_files.export_all(
            conn,
            root,
            suppress=config.suppress_small_numbers,
            threshold=config.small_number_threshold,
            warehouse=str(duckdb.path),
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


VIEW_KEYS = {
    "marts.indicator_trend": dg.AssetKey(["marts", "indicator_trend"]),
    "marts.indicator_latest": dg.AssetKey(["marts", "indicator_latest"]),
}
DESCRIPTIONS_KEY = dg.AssetKey(["analyst", "table_descriptions"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            VIEW_KEYS["marts.indicator_trend"],
            deps=[INDICATOR_VALUES, INDICATOR_CATALOGUE],
            group_name="outputs",
            kinds={"duckdb"},
            description="View: every indicator value with the previous month, the change over "
            "12 months and the highest and lowest in the last 12 months.",
        ),
        dg.AssetSpec(
            VIEW_KEYS["marts.indicator_latest"],
            deps=[VIEW_KEYS["marts.indicator_trend"], INDICATOR_CATALOGUE],
            group_name="outputs",
            kinds={"duckdb"},
            description="View: the latest period per LA and indicator, with catalogue labels.",
        ),
        dg.AssetSpec(
            DESCRIPTIONS_KEY,
            deps=[*MARTS, *VIEW_KEYS.values()],
            group_name="outputs",
            kinds={"duckdb"},
            description="A description (COMMENT ON) on every warehouse table, view and column, "
            "from the indicator catalogue, the 903 schema and docs/CONTRACTS.md.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "every_table_and_column_described",
            asset=DESCRIPTIONS_KEY,
            description="No table, view or column of the warehouse is left without a comment.",
        )
    ],
    name="analyst_layer",
    pool=WAREHOUSE_POOL,
)
def analyst_layer(duckdb: WarehouseResource):
    with duckdb.get_connection() as conn:
        summary = analyst.build_analyst_layer(conn)
    for view in summary["views"]:
        yield dg.MaterializeResult(asset_key=VIEW_KEYS[view], metadata={"view": view})
    missing = summary["undescribed"]
    yield dg.MaterializeResult(
        asset_key=DESCRIPTIONS_KEY,
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
