"""Indicator layer: marts.indicator_catalogue from warehouse/indicators.yaml, then one asset per
indicator family (warehouse/sql/indicators/<family>.sql) writing its slice of
marts.indicator_values, then a check of the whole table. Metadata is aggregate only."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.history import history_key as history
from assets.model import WORKING_DAYS_KEY, model
from assets.resources import WAREHOUSE_POOL
from warehouse import catalogue, indicator_runner

GROUP = "indicators"
CATALOGUE_KEY = dg.AssetKey(["marts", "indicator_catalogue"])


# What each family's SQL reads (besides model.month_ends and the catalogue's dimensions).
FAMILY_DEPS: dict[str, list[dg.AssetKey]] = {
    "children_in_care": [model("child_month"), dg.AssetKey(["reference", "population"])],
    "entering_leaving": [model("period_starts"), model("periods_of_care")],
    "stability": [model("child_month"), model("placements")],
    "reviews": [
        model("child_month"), model("periods_of_care"), history("reviews"),
        WORKING_DAYS_KEY,
    ],
    "missing": [model("episodes"), history("missing")],
    "social_workers": [model("child_month"), history("sw_episodes")],
    "adoption": [
        model("child_month"), model("periods_of_care"), model("placements"), model("episodes"),
        history("placed_adoption"), history("ad1"),
    ],
    "annual_returns": [history("oc2"), history("oc3"), history("header")],
    "data_quality": [
        model("period_starts"), model("child_month"), model("episodes"),
        model("periods_of_care"),
    ],
}


@dg.asset(
    key=CATALOGUE_KEY,
    group_name=GROUP,
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="marts.indicator_catalogue and marts.indicator_dimensions from "
    "warehouse/indicators.yaml (ids, names, units, polarity, definitions, sources, comparators).",
)
def indicator_catalogue(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        n = indicator_runner.build_catalogue(conn)
    themes = sorted({i.theme for i in catalogue.indicators().values()})
    return dg.MaterializeResult(
        metadata={"dagster/row_count": n, "families": len(catalogue.families()),
                  "themes": ", ".join(themes)}
    )


def family_key(family: str) -> dg.AssetKey:
    return dg.AssetKey(["indicators", family])


def _family_ids(family: str) -> list[str]:
    return [i.indicator_id for i in catalogue.families()[family]]


def _family_result(conn, family: str) -> dg.MaterializeResult:
    ids = _family_ids(family)
    rows = indicator_runner.build_family(conn, family, check=False)
    problems = indicator_runner.completeness_problems(conn, ids)
    first, last, las = conn.execute(
        "SELECT min(period_end)::VARCHAR, max(period_end)::VARCHAR, "
        "count(DISTINCT la_code) FROM marts.indicator_values WHERE indicator_id IN "
        "(SELECT unnest(?::VARCHAR[]))",
        [ids],
    ).fetchall()[0]
    latest = indicator_runner.headline(conn, ids)
    metadata = {
        "dagster/row_count": rows,
        "indicators": len(ids),
        "las": las,
        "first_period_end": first or "",
        "last_period_end": last or "",
    }
    metadata.update({
        f"latest_{k}": dg.MetadataValue.float(round(v, 2)) if v is not None else "n/a"
        for k, v in latest.items()
    })
    return dg.MaterializeResult(
        asset_key=family_key(family),
        metadata=metadata,
        check_results=[dg.AssetCheckResult(
            asset_key=family_key(family),
            check_name="complete_and_unique", passed=not problems,
            metadata={k: v for k, v in problems.items()} or {"missing": 0, "duplicate": 0},
        )],
    )


@dg.multi_asset(
    name="indicator_families",
    specs=[
        dg.AssetSpec(
            family_key(family),
            deps=[CATALOGUE_KEY, model("month_ends"), *FAMILY_DEPS[family]],
            group_name=GROUP,
            kinds={"duckdb"},
            description=f"marts.indicator_values rows of {family}: "
            + ", ".join(_family_ids(family))
            + f" (warehouse/sql/indicators/{family}.sql).",
        )
        for family in catalogue.families()
    ],
    check_specs=[
        dg.AssetCheckSpec("complete_and_unique", asset=family_key(family),
                          description="every LA, period and listed breakdown has exactly one row")
        for family in catalogue.families()
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def indicator_families(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """One step computes every selected family: a step each cost more than most families."""
    with duckdb.get_connection() as conn:
        for family in catalogue.families():
            if family_key(family) in context.selected_asset_keys:
                yield _family_result(conn, family)


@dg.asset(
    key=["marts", "indicator_values"],
    deps=[family_key(family) for family in catalogue.families()],
    group_name=GROUP,
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="marts.indicator_values: every catalogue indicator for every LA and period end "
    "(la_code, indicator_id, period_end, breakdown, numerator, denominator, value).",
)
def indicator_values(duckdb: DuckDBResource) -> dg.MaterializeResult:
    ids = list(catalogue.indicators())
    with duckdb.get_connection() as conn:
        problems = indicator_runner.completeness_problems(conn, ids)
        rows, las, indicators, last = conn.execute(
            "SELECT count(*), count(DISTINCT la_code), count(DISTINCT indicator_id), "
            "max(period_end)::VARCHAR FROM marts.indicator_values"
        ).fetchall()[0]
    if problems:
        raise indicator_runner.IncompleteIndicators(f"marts.indicator_values: {problems}")
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, "las": las, "indicators": indicators,
                  "catalogue_indicators": len(ids), "last_period_end": last or ""}
    )
