"""The Dagster code location: every asset, check, job, schedule and sensor of the warehouse."""

import dagster as dg

from assets import (
    benchmarks,
    history,
    indicators,
    ingest,
    keys,
    model,
    outputs,
    quality,
    report,
    staging,
)
from pipelines.resources import build_resources
from pipelines.schedules import schedules
from pipelines.sensors import sensors
from warehouse.config import Settings
from warehouse.runtime import tune_garbage_collection

# One module per layer; each exposes its assets and checks at module level.
LAYER_MODULES = [ingest, staging, history, model, indicators, quality, outputs, benchmarks, report]

all_assets = dg.load_assets_from_modules(LAYER_MODULES)
all_checks = dg.load_asset_checks_from_modules(LAYER_MODULES)

build_warehouse_job = dg.define_asset_job(keys.BUILD_JOB, selection=dg.AssetSelection.all())


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    """The code location for `settings` (default: the environment, then embedded defaults)."""
    return dg.Definitions(
        assets=all_assets,
        asset_checks=all_checks,
        jobs=[build_warehouse_job],
        # The monthly safety-net build and the new-extract sensor both run build_warehouse.
        schedules=schedules,
        sensors=sensors,
        resources=build_resources(settings),
        # DuckDB takes one writer per file: run every step in the one process.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    # Called when Dagster loads the code location, not at import: the environment is read then.
    return build_definitions()


tune_garbage_collection()
