"""Dagster resources: the DuckDB warehouse and the folders a build reads and writes.

Each field is a resolved path, set from warehouse.config.Settings when the code location loads
(pipelines/resources.py), so the UI shows exactly where a build reads and writes."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from warehouse.config import check_restricted_dir, check_warehouse_name


class WarehouseResource(DuckDBResource):
    """The warehouse's DuckDB file (CSC_WAREHOUSE_PATH)."""

    @property
    def path(self) -> Path:
        return check_warehouse_name(Path(self.database))

    @contextmanager
    def get_connection(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with DuckDBResource.get_connection(self) as conn:
            yield conn


class LandingResource(dg.ConfigurableResource):
    """The landing folder: <landing>/<la_code>/<extract_date>/*.csv and <landing>/reference/."""

    path: str
    settle_seconds: float = 60.0
    """The sensor counts a folder once its newest file is this old (still being copied before)."""

    @property
    def root(self) -> Path:
        return Path(self.path)


class OutputsResource(dg.ConfigurableResource):
    """Where a build writes its files: Parquet exports, board reports and the restricted
    (child-level, owner-only) data-quality error lists."""

    export_dir: str
    report_dir: str
    restricted_dir: str

    @property
    def exports(self) -> Path:
        return Path(self.export_dir)

    @property
    def reports(self) -> Path:
        return Path(self.report_dir)

    @property
    def restricted(self) -> Path:
        check_restricted_dir(Path(self.restricted_dir), self.exports, self.reports)
        return Path(self.restricted_dir)


class ReferenceDataResource(dg.ConfigurableResource):
    """Reference packages: the ONS postcode directory's data folder (empty: the package's own)."""

    postcode_data_dir: str = ""
