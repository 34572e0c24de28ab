"""History layer: one consistent record per LA across all its extracts, repairs logged
(warehouse.build.history).

One step rebuilds every selected table (as in staging: a step per table cost more than the work);
each table is its own asset."""

import dagster as dg

from assets import keys
from assets.resources import WarehouseResource
from warehouse.build import history
from warehouse.domain.schema import tables


@dg.multi_asset(
    name="history_tables",
    specs=[
        dg.AssetSpec(
            keys.history(t.name),
            deps=[keys.staging(t.name)],
            group_name=keys.Group.HISTORY,
            kinds={"duckdb"},
            description=f"history.{t.name}: one {t.title} record per "
            f"{' + '.join(t.natural_key)}{' + collection year' if t.annual else ''} per LA; the "
            "latest extract wins. Repairs are in history.repairs (rules: "
            "docs/history_rules.md).",
        )
        for t in tables().values()
    ],
    can_subset=True,
    pool=keys.WAREHOUSE_POOL,
)
def history_tables(context: dg.AssetExecutionContext, duckdb: WarehouseResource):
    selected = context.selected_asset_keys
    with duckdb.get_connection() as conn:
        for t in tables().values():
            key = keys.history(t.name)
            if key not in selected:
                continue
            repairs = history.build_history(conn, t.name)
            rows, las = history.table_summary(conn, t.name)
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "dagster/row_count": rows,
                    "las": las,
                    "repairs": sum(repairs.values()),
                    **{f"repairs_{rule}": n for rule, n in repairs.items()},
                },
            )
