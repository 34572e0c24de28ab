"""Dagster resources: the DuckDB warehouse and the folders a build reads and writes.

Each field is a resolved path, set from warehouse.config.Settings when the code location loads
(pipelines/resources.py), so the UI shows exactly where a build reads and writes."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from warehouse.config import (
    DEFAULT_MAX_REMOVAL_SHARE,
    check_restricted_dir,
    check_warehouse_name,
)
from warehouse.private import duckdb_files, private_dir, private_files


class WarehouseResource(DuckDBResource):
    """The warehouse's DuckDB file (CSC_WAREHOUSE_PATH): every child's record, so the file and
    its folder are owner-only."""

    @property
    def path(self) -> Path:
        return check_warehouse_name(Path(self.database))

    @contextmanager
    def get_connection(self):
        # The folder first: DuckDB creates the file, and recreates its WAL at every checkpoint,
        # with the process umask (0644 as a rule); inside an owner-only folder no other account
        # can open them, and changing the process-wide umask for a build would make the exports
        # and the report owner-only too.
        private_dir(self.path.parent)
        private_files(*duckdb_files(self.path))  # an older warehouse, a WAL left by a crash
        with DuckDBResource.get_connection(self) as conn:
            # dagster_duckdb closes the connection only when the step succeeds: a failed step
            # would keep the file open (and its traceback alive) in the run's process
            try:
                private_files(*duckdb_files(self.path))
                yield conn
            finally:
                conn.close()


class LandingResource(dg.ConfigurableResource):
    """The landing folder: <landing>/<la_code>/<extract_date>/*.csv and <landing>/reference/."""

    path: str
    settle_seconds: float = 60.0
    """The sensor counts a folder once its newest file is this old (still being copied before)."""
    allow_removal: bool = False
    """Let a load remove every extract of a council, or more than max_removal_share of all
    extracts, whose folders left landing (CSC_ALLOW_REMOVAL; warehouse/ingest/removal.py)."""
    max_removal_share: float = DEFAULT_MAX_REMOVAL_SHARE
    """The share of the warehouse's extracts one load may remove (CSC_MAX_REMOVAL_SHARE)."""

    @property
    def root(self) -> Path:
        return Path(self.path)


class OutputsResource(dg.ConfigurableResource):
    """Where a build writes its files: Parquet exports, board reports and the restricted
    (child-level, owner-only) data-quality error lists."""

    export_dir: str
    report_dir: str
    restricted_dir: str
    allow_empty: bool = False
    """Let an export or report with nothing in it replace a published one (CSC_ALLOW_REMOVAL)."""

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
