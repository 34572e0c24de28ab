"""Data-quality benchmark: run the Great Expectations suites over a warehouse's staging tables.

Opens the DuckDB file read-only, validates every staging table one extract at a time exactly as
the quality assets do (assets/quality.validate_staging), and prints, per table, the extracts and
rows validated, wall time and the process's peak memory. Nothing is written. Not a test: figures
are printed, never asserted.

    .venv/bin/python benchmarks/quality_benchmark.py [--warehouse warehouse/warehouse.duckdb]
                                                     [--tables episodes header ...]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    from warehouse import settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=str(settings.warehouse_path()))
    parser.add_argument("--tables", nargs="*", default=None)
    args = parser.parse_args()

    import duckdb

    started = time.perf_counter()
    from assets.quality import validate_staging
    from expectations.runner import gx_context
    from expectations.suites import TABLES

    gx_context()  # import GX and build the context once, timed separately
    setup = time.perf_counter() - started
    print(f"setup (imports, GX context): {setup:6.1f} s   peak {peak_mib():7.0f} MiB")
    print(
        f"{'table':<16}{'extracts':>9}{'rows':>10}{'failed':>8}{'seconds':>9}{'rows/s':>9}"
        f"{'peak MiB':>10}"
    )
    total_rows = total_extracts = 0
    begun = time.perf_counter()
    with duckdb.connect(args.warehouse, read_only=True) as conn:
        for table in args.tables or TABLES:
            t0 = time.perf_counter()
            extracts = rows = failed = 0
            for validation in validate_staging(conn, table):
                extracts += 1
                rows += len(validation.frame)
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


if __name__ == "__main__":
    main()
