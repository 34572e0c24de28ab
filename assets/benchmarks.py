"""Benchmarks: the DfE's published statistics as reference tables (councils, statistical
neighbours, published figures; files in warehouse/reference/dfe), then the comparators mart and
its views. The marts' dependencies are the tables their SQL reads (warehouse.reference.comparators).
"""

import dagster as dg

from assets import keys
from assets.resources import WarehouseResource
from warehouse.reference import comparators, councils

REFERENCE = {
    keys.COUNCILS: "reference.councils: every English upper-tier council with its ONS and DfE "
    "codes, name and region (DfE 2025 statistical-neighbour model).",
    keys.STATISTICAL_NEIGHBOURS: "reference.statistical_neighbours: each council's 10 "
    "statistical neighbours (DfE 2025 model), closest first, with closeness.",
    keys.DFE_PUBLISHED: "reference.dfe_published: the DfE's published figures of every catalogue "
    "indicator with a counterpart (England, regions, LAs; suppression markers kept).",
}


@dg.multi_asset(
    name="dfe_reference",
    specs=[dg.AssetSpec(key, group_name=keys.Group.BENCHMARKS, kinds={"duckdb"}, description=text,
                        deps=[keys.COUNCILS] if key == keys.STATISTICAL_NEIGHBOURS else [])
           for key, text in REFERENCE.items()],
    can_subset=True,
    pool=keys.WAREHOUSE_POOL,
)
def dfe_reference(context: dg.AssetExecutionContext, duckdb: WarehouseResource):
    selected = context.selected_asset_keys
    with duckdb.get_connection() as conn:
        if keys.COUNCILS in selected or keys.STATISTICAL_NEIGHBOURS in selected:
            rows = councils.load_councils(conn)
            if keys.COUNCILS in selected:
                yield dg.MaterializeResult(asset_key=keys.COUNCILS,
                                           metadata={"dagster/row_count": rows})
        if keys.STATISTICAL_NEIGHBOURS in selected:
            rows = councils.load_statistical_neighbours(conn)
            yield dg.MaterializeResult(asset_key=keys.STATISTICAL_NEIGHBOURS,
                                       metadata={"dagster/row_count": rows})
        if keys.DFE_PUBLISHED in selected:
            rows = comparators.load_dfe_published(conn)
            yield dg.MaterializeResult(asset_key=keys.DFE_PUBLISHED,
                                       metadata={"dagster/row_count": rows})


MARTS = {
    "indicator_comparators": (keys.INDICATOR_COMPARATORS, "marts.indicator_comparators: per "
                              "indicator, 31 March and geography (England, region, statistical "
                              "neighbours' median, each council with rank and quartile)."),
    "indicator_benchmarks": (keys.INDICATOR_BENCHMARKS, "View: each council's latest values "
                             "beside England, its region, its statistical neighbours and its own "
                             "published figure."),
    "indicator_parity": (keys.INDICATOR_PARITY, "View: the warehouse's 31 March values beside "
                         "the DfE's published ones, with a flag where they differ."),
}


@dg.multi_asset(
    name="indicator_comparators",
    specs=[dg.AssetSpec(key, group_name=keys.Group.BENCHMARKS, kinds={"duckdb"}, description=text,
                        deps=keys.keys_for_tables(comparators.mart_inputs(name)))
           for name, (key, text) in MARTS.items()],
    pool=keys.WAREHOUSE_POOL,
)
def indicator_comparators(duckdb: WarehouseResource):
    with duckdb.get_connection() as conn:
        rows = comparators.build_marts(conn)
    for name, (key, _) in MARTS.items():
        yield dg.MaterializeResult(asset_key=key, metadata={"dagster/row_count": rows[name]})
