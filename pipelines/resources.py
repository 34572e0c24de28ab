"""Resource instances for the code location. Paths resolve from the environment at run time."""

from assets.resources import ExportResource, LandingResource, WarehouseResource


def build_resources() -> dict:
    return {
        "duckdb": WarehouseResource(),
        "landing": LandingResource(),
        "exports": ExportResource(),
    }
