"""Indicator layer: marts.indicator_catalogue from warehouse/domain/indicators.yaml, then one
asset per indicator family (warehouse/sql/indicators/<family>.sql) writing its slice of
marts.indicator_values, then a check of the whole table. Each family's dependencies are the
tables its SQL reads. Metadata is aggregate only."""

import dagster as dg

from assets import keys
from assets.resources import WarehouseResource
from warehouse.build import indicators as indicator_build
from warehouse.domain import catalogue


@dg.asset(
    key=keys.INDICATOR_CATALOGUE,
    group_name=keys.Group.INDICATORS,
    kinds={"duckdb"},
    pool=keys.WAREHOUSE_POOL,
    description="marts.indicator_catalogue and marts.indicator_dimensions from "
    "warehouse/domain/indicators.yaml (ids, names, units, polarity, definitions, sources, "
    "comparators).",
)
def indicator_catalogue(duckdb: WarehouseResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        n = indicator_build.build_catalogue(conn)
    themes = sorted({i.theme for i in catalogue.indicators().values()})
    return dg.MaterializeResult(
        metadata={"dagster/row_count": n, "families": len(catalogue.families()),
                  "themes": ", ".join(themes)}
    )


def _family_ids(family: str) -> list[str]:
    return [i.indicator_id for i in catalogue.families()[family]]


def _family_result(conn, family: str) -> dg.MaterializeResult:
    ids = _family_ids(family)
    rows = indicator_build.build_family(conn, family, check=False)
    problems = indicator_build.completeness_problems(conn, ids)
    latest = indicator_build.headline(conn, ids)
    metadata = {"dagster/row_count": rows, "indicators": len(ids),
                **indicator_build.values_summary(conn, ids)}
    metadata.update({
        f"latest_{k}": dg.MetadataValue.float(round(v, 2)) if v is not None else "n/a"
        for k, v in latest.items()
    })
    return dg.MaterializeResult(
        asset_key=keys.family(family),
        metadata=metadata,
        check_results=[dg.AssetCheckResult(
            asset_key=keys.family(family),
            check_name="complete_and_unique", passed=not problems,
            metadata={k: v for k, v in problems.items()} or {"missing": 0, "duplicate": 0},
        )],
    )


def _family_deps(family: str) -> list[dg.AssetKey]:
    return keys.keys_for_tables({"marts.indicator_catalogue",
                                 *indicator_build.family_inputs(family)})


@dg.multi_asset(
    name="indicator_families",
    specs=[
        dg.AssetSpec(
            keys.family(family),
            deps=_family_deps(family),
            group_name=keys.Group.INDICATORS,
            kinds={"duckdb"},
            description=f"marts.indicator_values rows of {family}: "
            + ", ".join(_family_ids(family))
            + f" (warehouse/sql/indicators/{family}.sql).",
        )
        for family in catalogue.families()
    ],
    check_specs=[
        dg.AssetCheckSpec("complete_and_unique", asset=keys.family(family),
                          description="every LA, published period (model.coverage) and listed "
                          "breakdown has exactly one row")
        for family in catalogue.families()
    ],
    can_subset=True,
    pool=keys.WAREHOUSE_POOL,
)
def indicator_families(context: dg.AssetExecutionContext, duckdb: WarehouseResource):
    """One step computes every selected family: a step each cost more than most families."""
    with duckdb.get_connection() as conn:
        for family in catalogue.families():
            if keys.family(family) in context.selected_asset_keys:
                yield _family_result(conn, family)


@dg.asset(
    key=keys.INDICATOR_VALUES,
    deps=[keys.family(family) for family in catalogue.families()],
    group_name=keys.Group.INDICATORS,
    kinds={"duckdb"},
    pool=keys.WAREHOUSE_POOL,
    description="marts.indicator_values: every catalogue indicator for every LA and period end "
    "(la_code, indicator_id, period_end, breakdown, numerator, denominator, value).",
)
def indicator_values(duckdb: WarehouseResource) -> dg.MaterializeResult:
    ids = list(catalogue.indicators())
    with duckdb.get_connection() as conn:
        problems = indicator_build.completeness_problems(conn, ids)
        summary = indicator_build.table_summary(conn)
    if problems:
        raise indicator_build.IncompleteIndicators(f"marts.indicator_values: {problems}")
    return dg.MaterializeResult(metadata={**summary, "catalogue_indicators": len(ids)})
