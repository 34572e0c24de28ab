"""Regional-hub benchmark: build the whole warehouse from many councils' extracts.

Generates (or reuses) a hub landing folder - 20 LAs, ten annual extracts each plus twelve
monthly extracts for the latest year - then materialises each layer through Dagster in its own
process, printing wall time and peak memory per stage, and the bare time DuckDB needs just to
read the same CSVs for comparison. Not a test: figures are printed, never asserted.

    .venv/bin/python benchmarks/hub_benchmark.py [--landing /tmp/hub] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Layers in build order; each is one Dagster asset group.
STAGES = ["ingest", "staging", "history", "model", "indicators", "quality", "outputs"]


def run_measured(args: list[str], env: dict) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, its peak RSS in MiB, exit code)."""
    with tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL,
                                stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if code:
            err.seek(0)
            sys.stderr.write(err.read()[-4000:])
    return wall, usage.ru_maxrss / 1024, code


def existing_groups(env: dict) -> set[str]:
    code = ("from pipelines.definitions import defs\n"
            "print(' '.join(sorted({a.group_names_by_key[k] for a in defs.assets "
            "for k in a.keys})))")
    out = subprocess.run([str(BIN / "python"), "-c", code], cwd=PROJECT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def bare_duckdb_read(landing: Path) -> tuple[float, int]:
    import duckdb

    started = time.perf_counter()
    conn = duckdb.connect()
    rows = 0
    for folder in sorted(landing.glob("*/*/")):
        for csv in folder.glob("*.csv"):
            rows += conn.execute(
                "SELECT count(*) FROM read_csv(?, all_varchar = true, header = true)", [str(csv)]
            ).fetchall()[0][0]
    return time.perf_counter() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, default=Path(tempfile.gettempdir()) / "csc_hub")
    parser.add_argument("--keep", action="store_true", help="keep the warehouse file")
    args = parser.parse_args()

    if not (args.landing / "reference" / "population.csv").exists():
        print(f"generating the hub into {args.landing} ...", flush=True)
        started = time.perf_counter()
        subprocess.run([str(BIN / "csc-synth"), "generate", "--preset", "hub", "--out",
                        str(args.landing)], check=True, stdout=subprocess.DEVNULL)
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    csvs = list(args.landing.glob("*/*/*.csv"))
    size_mb = sum(p.stat().st_size for p in csvs) / 2**20
    las = len({p.parts[-3] for p in csvs})
    extracts = len({p.parent for p in csvs})
    print(f"landing: {las} LAs, {extracts} extracts, {len(csvs)} files, {size_mb:.0f} MiB")

    work = Path(tempfile.mkdtemp(prefix="csc_bench_"))
    home = work / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "CSC_LANDING_DIR": str(args.landing),
           "CSC_WAREHOUSE_PATH": str(work / "warehouse.duckdb"),
           "CSC_EXPORT_DIR": str(work / "exports")}

    groups = existing_groups(env)
    print(f"\n{'stage':<12}{'wall s':>10}{'peak MiB':>12}")
    total = 0.0
    for stage in [s for s in STAGES if s in groups] + sorted(groups - set(STAGES)):
        wall, peak, code = run_measured(
            [str(BIN / "dagster"), "asset", "materialize", "-m", "pipelines.definitions",
             "--select", f"group:{stage}"], env)
        total += wall
        print(f"{stage:<12}{wall:>10.1f}{peak:>12.0f}{'  FAILED' if code else ''}", flush=True)
    print(f"{'total':<12}{total:>10.1f}")
    wall, peak, _ = run_measured([str(BIN / "dagster"), "asset", "materialize", "-m",
                                  "pipelines.definitions", "--select", "group:ingest"], env)
    print(f"{'re-run ingest (nothing new)':<28}{wall:>6.1f} s")
    wall, rows = bare_duckdb_read(args.landing)
    print(f"{'bare DuckDB read_csv of the same files':<40}{wall:>6.1f} s ({rows:,} rows)")
    size = (work / "warehouse.duckdb").stat().st_size / 2**20
    print(f"warehouse file: {size:.0f} MiB")
    if not args.keep:
        shutil.rmtree(work)
    else:
        print(f"kept: {work}")


if __name__ == "__main__":
    main()
