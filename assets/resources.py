"""Dagster resources: the DuckDB warehouse and the folders a build reads and writes.

Each field is a resolved path, set from warehouse.config.Settings when the code location loads
(pipelines/resources.py), so the UI shows exactly where a build reads and writes."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from assets import run_guard
from assets.run_guard import WarehouseBusyError
from warehouse.config import (
    DEFAULT_MAX_REMOVAL_SHARE,
    check_restricted_dir,
    check_warehouse_name,
)
from warehouse.private import duckdb_files, private_dir, private_files

__all__ = ["WarehouseBusyError"]


class WarehouseResource(DuckDBResource):
    """The warehouse's DuckDB file (CSC_WAREHOUSE_PATH): every child's record, so the file and
    its folder are owner-only.

    In a run it holds the warehouse for the whole run (a second build waits, then fails naming
    the file) and first releases what a killed build left behind (assets/run_guard.py)."""

    build_wait_seconds: float = 1800.0
    """How long a build waits for another build of the same warehouse before failing."""
    open_wait_seconds: float = 60.0
    """How long a step waits for another process (an analyst's session) to close the file."""

    @property
    def path(self) -> Path:
        return check_warehouse_name(Path(self.database))

    def _in_its_folder(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self.path

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        if context.instance is None or context.dagster_run is None:
            yield self
            return
        run_id = context.run_id
        run_lock = run_guard.hold_run_lock(context.instance, run_id)
        warehouse = run_guard.WarehouseLock(self._in_its_folder())
        try:
            warehouse.acquire(self.build_wait_seconds, context.log.warning, run_id)
            try:
                run_guard.release_dead_runs(context.instance, run_id, context.log.warning)
                yield self
            finally:
                warehouse.release()
        finally:
            run_lock.end()

    @contextmanager
    def get_connection(self):
        self._in_its_folder()
        # The folder first: DuckDB creates the file, and recreates its WAL at every checkpoint,
        # with the process umask (0644 as a rule); inside an owner-only folder no other account
        # can open them, and changing the process-wide umask for a build would make the exports
        # and the report owner-only too.
        private_dir(self.path.parent)
        private_files(*duckdb_files(self.path))  # an older warehouse, a WAL left by a crash
        deadline = time.monotonic() + self.open_wait_seconds
        while True:
            try:
                conn = duckdb.connect(self.database, config={"custom_user_agent": "dagster",
                                                             **self.connection_config})
                break
            except duckdb.IOException as exc:
                if "Could not set lock" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    # DuckDB's message names the file and the holder's program and PID only
                    raise WarehouseBusyError(
                        f"The warehouse {self.path} is open in another process, and DuckDB "
                        "allows one writer per file: close it there (an analyst's session, "
                        f"another build) and start again. DuckDB says: {exc}") from None
                time.sleep(1.0)
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
