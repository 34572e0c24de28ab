"""Benchmark the indicator layer on an existing warehouse (not a test).

    .venv/bin/python benchmarks/indicators_benchmark.py path/to/warehouse.duckdb [--copy]

Needs the history.* and reference.population tables (docs/CONTRACTS.md). Builds reference data,
each model table, the catalogue and each indicator family, printing wall time and peak memory
(this process's peak RSS, which includes DuckDB's native allocations) per stage. With --copy the
warehouse is copied to a temporary file first so the original is left untouched.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warehouse.build import indicators as indicator_runner  # noqa: E402
from warehouse.build import model as model_layer  # noqa: E402
from warehouse.domain import catalogue  # noqa: E402
from warehouse.reference import postcodes, working_days  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--copy", action="store_true", help="work on a temporary copy")
    args = parser.parse_args()
    path = args.warehouse
    if args.copy:
        tmp = Path(tempfile.mkdtemp()) / path.name
        shutil.copy(path, tmp)
        path = tmp
    conn = duckdb.connect(str(path))
    stages = [
        ("reference.la_upper_tier", lambda: postcodes.load_la_upper_tier(conn)),
        ("reference.working_days", lambda: working_days.load_working_days(conn)),
        ("reference.postcodes", lambda: postcodes.load_postcodes(conn)["rows"]),
        *[(f"model.{name}", lambda name=name: model_layer.build_model(conn, name))
          for name in model_layer.MODELS],
        ("marts.indicator_catalogue", lambda: indicator_runner.build_catalogue(conn)),
        *[(f"indicators.{fam}", lambda fam=fam: indicator_runner.build_family(conn, fam))
          for fam in catalogue.families()],
    ]
    print(f"warehouse: {path}")
    print(f"{'stage':<34}{'rows':>12}{'seconds':>10}{'peak RSS MB':>14}")
    total = time.perf_counter()
    for name, stage in stages:
        start = time.perf_counter()
        rows = stage()
        print(f"{name:<34}{rows:>12,}{time.perf_counter() - start:>10.2f}{peak_rss_mb():>14.0f}")
    las, periods = conn.execute(
        "SELECT count(DISTINCT la_code), count(*) FROM model.month_ends").fetchall()[0]
    print(f"{'total':<34}{'':>12}{time.perf_counter() - total:>10.2f}{peak_rss_mb():>14.0f}")
    print(f"{las} LAs, {periods} LA-month ends")
    conn.close()


if __name__ == "__main__":
    main()
