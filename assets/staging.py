"""Staging layer: each raw 903 table typed and cleaned; unusable rows kept aside with a reason.

One step stages every selected table (a step per table costs more in Dagster's bookkeeping than
staging a small table does); each table is still its own asset, selectable on its own. Each
staged table is validated with its Great Expectations suite in a child process while the next one
stages (expectations.refresh.Prevalidation); the table's checks then summarise stored results."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.ingest import raw_key
from assets.resources import WAREHOUSE_POOL
from expectations import validation_process
from expectations.refresh import Prevalidation
from warehouse import layers
from warehouse.schema import tables

GROUP = "staging"


def staging_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", name])


@dg.multi_asset(
    name="staging_tables",
    specs=[
        dg.AssetSpec(
            staging_key(t.name),
            deps=[raw_key(t.name)],
            group_name=GROUP,
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
            asset=staging_key(t.name),
            blocking=True,
            description="raw rows = staged rows + rejected rows: nothing silently dropped.",
        )
        for t in tables().values()
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def staging_tables(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    selected = [t for t in tables().values() if staging_key(t.name) in context.selected_asset_keys]
    submit = validation_process.shared().submit
    with duckdb.get_connection() as conn, Prevalidation(conn, [t.name for t in selected],
                                                        submit) as pre:  # fmt: skip
        for t in selected:
            key = staging_key(t.name)
            new_files = layers.stage_table(conn, t.name)
            # its Great Expectations suite runs in the validation process, on the other
            # core, while the next tables stage
            pre.staged(t.name)
            counts = layers.reconcile(conn, t.name)
            value_issues = layers.value_issue_count(conn, t.name)
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
