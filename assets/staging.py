"""Staging layer: each raw 903 table typed and cleaned; unusable rows kept aside with a reason
(warehouse.build.staging).

One step stages every selected table (a step per table costs more in Dagster's bookkeeping than
staging a small table does); each table is still its own asset, selectable on its own. Each
staged table is validated with its Great Expectations suite in the worker process while the next
one stages (expectations.refresh.Prevalidation); the table's checks then summarise stored
results."""

import dagster as dg

from assets import keys
from assets.resources import WarehouseResource
from expectations import worker
from expectations.refresh import Prevalidation
from warehouse.build import staging
from warehouse.domain.schema import tables


@dg.multi_asset(
    name="staging_tables",
    specs=[
        dg.AssetSpec(
            keys.staging(t.name),
            deps=[keys.raw(t.name)],
            group_name=keys.Group.STAGING,
            kinds={"duckdb"},
            description=f"staging.{t.name}: {t.title} rows typed (dates, codes upper case, "
            "postcodes normalised). Unusable rows are in staging.rejected_rows, unreadable "
            "values in staging.value_issues.",
        )
        for t in tables().values()
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "reconciles_with_raw",
            asset=keys.staging(t.name),
            blocking=True,
            description="raw rows = staged rows + rejected rows: nothing silently dropped.",
        )
        for t in tables().values()
    ],
    can_subset=True,
    pool=keys.WAREHOUSE_POOL,
)
def staging_tables(context: dg.AssetExecutionContext, duckdb: WarehouseResource):
    selected = [t for t in tables().values() if keys.staging(t.name) in context.selected_asset_keys]
    submit = worker.shared().submit
    with duckdb.get_connection() as conn, Prevalidation(conn, [t.name for t in selected],
                                                        submit) as pre:  # fmt: skip
        for t in selected:
            key = keys.staging(t.name)
            new_files = staging.stage_table(conn, t.name)
            # its Great Expectations suite runs in the worker process, on the other core,
            # while the next tables stage
            pre.staged(t.name)
            counts = staging.reconcile(conn, t.name)
            value_issues = staging.value_issue_count(conn, t.name)
            if counts.rejected_rows:
                context.log.warning(
                    f"{t.title}: {counts.rejected_rows} row(s) rejected; see "
                    "staging.rejected_rows"
                )
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "dagster/row_count": counts.staged_rows,
                    "rows_rejected": counts.rejected_rows,
                    "values_blanked": value_issues,
                    "files_staged_this_run": new_files,
                },
                check_results=[
                    dg.AssetCheckResult(
                        asset_key=key,
                        check_name="reconciles_with_raw",
                        passed=counts.balanced,
                        metadata={
                            "raw_rows": counts.raw_rows,
                            "staged_rows": counts.staged_rows,
                            "rejected_rows": counts.rejected_rows,
                        },
                    )
                ],
            )
        refreshed, failed = pre.finish()
    validated = sum(r.validated for r in refreshed.values())
    context.log.info(f"{validated} extract table(s) validated beside the staging SQL")
    if failed:
        context.log.warning(
            f"validation failed for {', '.join(failed)}; the table's checks validate it again"
        )
