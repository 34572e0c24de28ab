"""The resources of the code location, built from the one configuration module."""

from __future__ import annotations

from assets.resources import (
    LandingResource,
    OutputsResource,
    ReferenceDataResource,
    WarehouseResource,
)
from warehouse.config import Settings


def build_resources(settings: Settings | None = None) -> dict:
    """Resource instances for `settings` (default: the environment, then embedded defaults)."""
    s = settings or Settings.from_env()
    return {
        "duckdb": WarehouseResource(database=str(s.warehouse_path)),
        "landing": LandingResource(path=str(s.landing_dir),
                                   settle_seconds=s.sensor_settle_seconds,
                                   allow_removal=s.allow_removal,
                                   max_removal_share=s.max_removal_share),
        "outputs": OutputsResource(export_dir=str(s.export_dir), report_dir=str(s.report_dir),
                                   restricted_dir=str(s.restricted_dir),
                                   allow_empty=s.allow_removal),
        "reference_data": ReferenceDataResource(postcode_data_dir=s.postcode_data_dir),
    }
