"""Data-quality benchmark: run the Great Expectations suites over a warehouse's staging tables.

Opens the DuckDB file read-only and validates every extract of every staging table as the build
does (expectations/chunks.validate_extracts: many extracts per Great Expectations run),
printing per table the extracts and rows validated, wall time and the process's peak memory.
Nothing is written. Not a test: figures are printed, never asserted.

    --per-extract   validate one extract per GX run instead (the former way), for comparison
    --incremental   on a temporary copy of the warehouse: the validate-and-store pass
                    (expectations/refresh.refresh_table) with no results stored, then again
                    with nothing changed
    --dagster       on a temporary copy with nothing validated: the whole quality layer as a build
                    runs it (every table's asset checks, then marts.dq_results and the error
                    reports) through Dagster in-process, printing each step's time; Great
                    Expectations is imported by the first step, as in a build

    .venv/bin/python benchmarks/quality_benchmark.py [--warehouse data/warehouse.duckdb]
                                                     [--tables episodes header ...]
                                                     [--per-extract] [--incremental] [--dagster]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _per_extract(conn, table):
    """The former way: one extract at a time, one GX run each."""
    import pyarrow as pa

    from expectations import sqlfiles
    from expectations.chunks import ExtractValidation, directory_postcodes, extract_frame
    from expectations.results import ValidationContext
    from expectations.runner import validate_table

    if not sqlfiles.table_exists(conn, "staging", table):
        return
    extracts = conn.execute(sqlfiles.render("extracts.sql", table=table)).df()
    for la_code, day in zip(extracts["la_code"], extracts["extract_date"], strict=True):
        frame = extract_frame(conn, table, la_code, day)
        header = extract_frame(conn, "header", la_code, day) if table == "episodes" else None
        known = None
        if table == "episodes":
            conn.register("dq_stale", extracts[extracts["la_code"].eq(la_code)
                                               & extracts["extract_date"].eq(day)])  # fmt: skip
            known = directory_postcodes(conn, pa.Table.from_pandas(frame, preserve_index=False))
            conn.unregister("dq_stale")
        ctx = ValidationContext(known_postcodes=known, header=header)
        yield ExtractValidation(table, la_code, day, len(frame), validate_table(table, frame, ctx))


def validate_all(warehouse: str, tables, per_extract: bool) -> None:
    import duckdb

    from expectations.chunks import validate_staging

    print(
        f"{'table':<16}{'extracts':>9}{'rows':>10}{'failed':>8}{'seconds':>9}{'rows/s':>9}"
        f"{'peak MiB':>10}"
    )
    total_rows = total_extracts = 0
    begun = time.perf_counter()
    with duckdb.connect(warehouse, read_only=True) as conn:
        for table in tables:
            t0 = time.perf_counter()
            extracts = rows = failed = 0
            validations = _per_extract(conn, table) if per_extract else validate_staging(
                conn, table
            )
            for validation in validations:
                extracts += 1
                rows += validation.rows
                failed += sum(r.failed for r in validation.results)
            seconds = time.perf_counter() - t0
            total_rows += rows
            total_extracts += extracts
            rate = rows / seconds if seconds else 0.0
            print(
                f"{table:<16}{extracts:>9}{rows:>10}{failed:>8}{seconds:>9.1f}{rate:>9.0f}"
                f"{peak_mib():>10.0f}"
            )
    elapsed = time.perf_counter() - begun
    print(
        f"{'all':<16}{total_extracts:>9}{total_rows:>10}{'':>8}{elapsed:>9.1f}"
        f"{(total_rows / elapsed if elapsed else 0):>9.0f}{peak_mib():>10.0f}"
    )


def incremental(warehouse: str, tables) -> None:
    import duckdb

    from expectations.refresh import refresh_table

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copy(warehouse, copy)
        with duckdb.connect(str(copy)) as conn:
            conn.execute("DROP SCHEMA IF EXISTS quality CASCADE")  # nothing validated yet
            for label in ("first pass (all extracts)", "second pass (nothing changed)"):
                t0 = time.perf_counter()
                validated = sum(refresh_table(conn, t).validated for t in tables)
                print(
                    f"{label:<32}{validated:>6} extract tables validated "
                    f"{time.perf_counter() - t0:>7.2f} s   peak {peak_mib():7.0f} MiB"
                )


def through_dagster(warehouse: str) -> None:
    import os

    import dagster as dg
    import duckdb

    from assets import quality
    from assets.resources import ExportResource, WarehouseResource

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copy(warehouse, copy)
        with duckdb.connect(str(copy)) as conn:  # nothing validated yet
            conn.execute("DROP SCHEMA IF EXISTS quality CASCADE")
            conn.execute("DROP TABLE IF EXISTS marts.dq_results")
        os.environ["CSC_RESTRICTED_DIR"] = str(Path(tmp) / "restricted")
        stubs = [dg.AssetSpec(quality.staging_key(t)) for t in quality.TABLES]  # already built
        instance = dg.DagsterInstance.ephemeral()
        t0 = time.perf_counter()
        result = dg.materialize(
            [*stubs, quality.dq_results_and_reports, quality.staging_quality],
            resources={
                "duckdb": WarehouseResource(database=str(copy)),
                "exports": ExportResource(path=str(Path(tmp) / "exports")),
            },
            selection=dg.AssetSelection.keys(quality.DQ_RESULTS_KEY, quality.DQ_REPORTS_KEY)
            | dg.AssetSelection.checks(*quality.staging_quality.check_keys),
            instance=instance,
        )
        wall = time.perf_counter() - t0
        starts: dict[str, float] = {}
        ends: dict[str, float] = {}
        for entry in instance.all_logs(result.run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type_value == "STEP_START":
                starts[event.step_key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                ends[event.step_key] = entry.timestamp
        for key in sorted(starts, key=starts.get):
            print(f"{key:<40}{ends.get(key, float('nan')) - starts[key]:>8.1f} s")
        steps = sum(ends[k] - starts[k] for k in starts if k in ends)
        print(f"{'all quality steps':<40}{steps:>8.1f} s")
        print(f"{'run (wall)':<40}{wall:>8.1f} s   peak {peak_mib():7.0f} MiB   success "
              f"{result.success}")  # fmt: skip


def main() -> None:
    from warehouse import config as settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=str(settings.warehouse_path()))
    parser.add_argument("--tables", nargs="*", default=None)
    parser.add_argument("--per-extract", action="store_true")
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument("--dagster", action="store_true")
    args = parser.parse_args()
    if args.dagster:
        through_dagster(args.warehouse)
        return

    started = time.perf_counter()
    from expectations.gx_engine import gx_context
    from expectations.suites import TABLES

    gx_context()  # import GX and build the context once, timed separately
    setup = time.perf_counter() - started
    print(f"setup (imports, GX context): {setup:6.1f} s   peak {peak_mib():7.0f} MiB")
    tables = args.tables or TABLES
    if args.incremental:
        incremental(args.warehouse, tables)
    else:
        validate_all(args.warehouse, tables, args.per_extract)


if __name__ == "__main__":
    main()
