"""Staging layer: each raw 903 table typed and cleaned; unusable rows kept aside with a reason."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.resources import WAREHOUSE_POOL
from warehouse import layers
from warehouse.schema import Table, tables

GROUP = "staging"


def staging_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", name])


def build_staging_asset(t: Table) -> dg.AssetsDefinition:
    @dg.asset(
        key=staging_key(t.name),
        deps=[dg.AssetKey(["raw", t.name])],
        group_name=GROUP,
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        description=f"staging.{t.name}: {t.title} rows typed (dates, codes upper case, "
        "postcodes normalised). Unusable rows are in staging.rejected_rows, unreadable values "
        "in staging.value_issues.",
        check_specs=[
            dg.AssetCheckSpec(
                "reconciles_with_raw",
                asset=staging_key(t.name),
                blocking=True,
                description="raw rows = staged rows + rejected rows: nothing silently dropped.",
            )
        ],
    )
    def _staging(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        with duckdb.get_connection() as conn:
            new_files = layers.stage_table(conn, t.name)
            counts = layers.reconcile(conn, t.name)
            value_issues = layers.value_issue_count(conn, t.name)
        if counts.rejected_rows:
            context.log.warning(
                f"{t.title}: {counts.rejected_rows} row(s) rejected; see staging.rejected_rows"
            )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": counts.staged_rows,
                "rows_rejected": counts.rejected_rows,
                "values_blanked": value_issues,
                "files_staged_this_run": new_files,
            },
            check_results=[
                dg.AssetCheckResult(
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

    return _staging


staging_assets = [build_staging_asset(t) for t in tables().values()]
