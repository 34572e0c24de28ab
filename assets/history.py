"""History layer: one consistent record per LA across all its extracts, repairs logged."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.resources import WAREHOUSE_POOL
from warehouse import layers
from warehouse.schema import Table, tables

GROUP = "history"


def build_history_asset(t: Table) -> dg.AssetsDefinition:
    @dg.asset(
        key=["history", t.name],
        deps=[dg.AssetKey(["staging", t.name])],
        group_name=GROUP,
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        description=f"history.{t.name}: one {t.title} record per "
        f"{' + '.join(t.natural_key)}{' + collection year' if t.annual else ''} per LA; the "
        "latest extract wins. Repairs are in history.repairs (rules: docs/history_rules.md).",
    )
    def _history(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        with duckdb.get_connection() as conn:
            repairs = layers.build_history(conn, t.name)
            rows, las = conn.execute(
                f"SELECT count(*), count(DISTINCT la_code) FROM history.{t.name}"
            ).fetchall()[0]
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": rows,
                "las": las,
                "repairs": sum(repairs.values()),
                **{f"repairs_{rule}": n for rule, n in repairs.items()},
            }
        )

    return _history


history_assets = [build_history_asset(t) for t in tables().values()]
