"""Dagster resources: the DuckDB warehouse and the folders it reads and writes."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from warehouse import settings

# DuckDB allows one read-write process per file: every asset that opens it queues on this pool
# (its limit is set in dagster_home/dagster.yaml).
WAREHOUSE_POOL = "duckdb_warehouse"


class WarehouseResource(DuckDBResource):
    """DuckDBResource whose path falls back to CSC_WAREHOUSE_PATH, then the embedded default.

    Resolved at execution time, so definitions load without any environment set.
    """

    database: str = ""

    @property
    def path(self) -> Path:
        return settings.warehouse_path(self.database or None)

    @contextmanager
    def get_connection(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        resolved = self.model_copy(update={"database": str(self.path)})
        with DuckDBResource.get_connection(resolved) as conn:
            yield conn


class LandingResource(dg.ConfigurableResource):
    """The landing folder: <landing>/<la_code>/<extract_date>/*.csv and <landing>/reference/."""

    path: str = ""

    @property
    def root(self) -> Path:
        return settings.landing_dir(self.path or None)


class ExportResource(dg.ConfigurableResource):
    """Where Parquet exports and rendered reports are written."""

    path: str = ""

    @property
    def root(self) -> Path:
        return settings.export_dir(self.path or None)
