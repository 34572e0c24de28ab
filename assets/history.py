"""History layer: one consistent record per LA across all its extracts, repairs logged.

One step rebuilds every selected table (as in staging: a step per table cost more than the work);
each table is its own asset."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.resources import WAREHOUSE_POOL
from assets.staging import staging_key
from warehouse import layers
from warehouse.schema import tables

GROUP = "history"


def history_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["history", name])


@dg.multi_asset(
    name="history_tables",
    specs=[
        dg.AssetSpec(
            history_key(t.name),
            deps=[staging_key(t.name)],
            group_name=GROUP,
            kinds={"duckdb"},
            description=f"history.{t.name}: one {t.title} record per "
            f"{' + '.join(t.natural_key)}{' + collection year' if t.annual else ''} per LA; the "
            "latest extract wins. Repairs are in history.repairs (rules: "
            "docs/history_rules.md).",
        )
        for t in tables().values()
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def history_tables(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    selected = context.selected_asset_keys
    with duckdb.get_connection() as conn:
        for t in tables().values():
            key = history_key(t.name)
            if key not in selected:
                continue
            repairs = layers.build_history(conn, t.name)
            rows, las = conn.execute(
                f"SELECT count(*), count(DISTINCT la_code) FROM history.{t.name}"
            ).fetchall()[0]
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "dagster/row_count": rows,
                    "las": las,
                    "repairs": sum(repairs.values()),
                    **{f"repairs_{rule}": n for rule, n in repairs.items()},
                },
            )
