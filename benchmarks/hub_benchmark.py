"""Regional-hub benchmark: build the whole warehouse from many councils' extracts.

Generates (or reuses) a hub landing folder - 20 LAs, ten annual extracts each plus twelve
monthly extracts for the latest year - then runs the full build exactly as `make build` does (one
`dagster asset materialize --select '*'` run), and prints:

- its wall time, peak memory and cores kept busy, and per stage (asset group; a table's
  data-quality checks count as "<group> checks") the time its steps took, from the run's event
  log, with the peak memory and cores busy of the process tree while they ran (sampled every
  0.2 s); the time outside steps split into start-up and planning, between steps and exit;
- a fixed Python loop timed before and after, to tell a slow build from a slow shared host;
- a second run with nothing new in landing;
- the bare time DuckDB needs just to read the same CSVs, told their layout, for comparison.

Not a test: figures are printed, never asserted.

    .venv/bin/python benchmarks/hub_benchmark.py [--landing /tmp/csc_hub] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Layers in build order, for printing.
STAGES = ["ingest", "staging", "staging checks", "history", "model", "indicators", "quality",
          "outputs"]  # fmt: skip
BUILD = [str(BIN / "dagster"), "asset", "materialize", "-m", "pipelines.definitions",
         "--select", "*"]  # fmt: skip


TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _usage(pid: int) -> tuple[int, float]:
    """Resident memory (bytes) and CPU time used so far (seconds, all threads) of a process and
    the processes it started (Linux /proc); cheap enough to sample while the build runs."""
    total, cpu, stack = 0, 0.0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{p}/stat") as stat:
                # fields after the parenthesised command name; utime and stime are 14 and 15
                fields = stat.read().rsplit(")", 1)[1].split()
                cpu += (int(fields[11]) + int(fields[12])) / TICK
            with open(f"/proc/{p}/task/{p}/children") as children:
                stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total, cpu


Sample = tuple[float, int, float]  # unix time, RSS bytes, CPU seconds so far


def run_sampled(args: list[str], env: dict) -> tuple[float, int, list[Sample], int, float]:
    """Run a command; return (wall seconds, peak RSS bytes, samples taken every 0.2 s, exit
    code, unix time it started)."""
    samples: list[Sample] = []
    with tempfile.TemporaryFile("w+") as err:
        began = time.time()
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL,
                                stderr=err)  # fmt: skip
        finished = threading.Event()

        def sample() -> None:
            while not finished.wait(0.2):
                samples.append((time.time(), *_usage(proc.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        finished.set()
        sampler.join()
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if code:
            err.seek(0)
            sys.stderr.write(err.read()[-4000:])
    # the kernel's peak of the process itself, or the sampled tree's if that was larger
    peak = max([usage.ru_maxrss * 1024, *(rss for _, rss, _ in samples)])
    return wall, peak, samples, code, began


def _cores_busy(inside: list[Sample], spans: list[tuple[float, float]]) -> float:
    """Average number of cores the build kept busy during a stage's steps: CPU seconds over
    wall seconds between consecutive samples that fall in the same step."""
    cpu = wall = 0.0
    for (t0, _, c0), (t1, _, c1) in zip(inside, inside[1:], strict=False):
        if any(a <= t0 and t1 <= b for a, b in spans):
            cpu, wall = cpu + c1 - c0, wall + t1 - t0
    return cpu / wall if wall else 0.0


def step_windows(home: Path) -> dict[str, list[tuple[float, float]]]:
    """Stage -> [(start, end)] of the latest run's steps in the given DAGSTER_HOME."""
    code = r"""
import json
import dagster as dg
from pipelines.definitions import defs
groups = {k: a.group_names_by_key[k] for a in defs.assets for k in a.keys}
instance = dg.DagsterInstance.get()
run = instance.get_runs(limit=1)[0]
start, end, stage = {}, {}, {}
for e in instance.all_logs(run.run_id):
    ev = e.dagster_event
    if ev is None:
        continue
    kind = ev.event_type_value
    if kind == "PIPELINE_START":
        start[""], stage[""] = e.timestamp, "run"
    elif kind in ("PIPELINE_SUCCESS", "PIPELINE_FAILURE"):
        end[""] = e.timestamp
    if e.step_key is None:
        continue
    if kind == "STEP_START":
        start[e.step_key] = e.timestamp
    elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
        end[e.step_key] = e.timestamp
    elif kind == "ASSET_MATERIALIZATION":
        stage[e.step_key] = groups.get(ev.asset_key, "other")
    elif kind == "ASSET_CHECK_EVALUATION" and e.step_key not in stage:
        key = ev.event_specific_data.asset_key
        stage.setdefault("?" + e.step_key, groups.get(key, "other") + " checks")
out = {}
for step, t0 in start.items():
    name = stage.get(step) or stage.get("?" + step, "other")
    out.setdefault(name, []).append((t0, end.get(step, t0)))
print(json.dumps(out))
"""
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    done = subprocess.run([str(BIN / "python"), "-c", code], cwd=PROJECT, env=env,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        return {}
    return {k: [tuple(w) for w in v] for k, v in json.loads(done.stdout).items()}


def host_check() -> float:
    """Seconds a fixed single-core Python loop takes: the same on every run of one machine, so
    it shows how much a shared host slowed a run down (build figures scale with it)."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - started


def bare_duckdb_read(landing: Path) -> tuple[float, int]:
    """DuckDB reading every CSV as text, given each file group's layout (no sniffing)."""
    import duckdb

    started = time.perf_counter()
    by_header: dict[bytes, list[str]] = defaultdict(list)
    for csv in sorted(landing.glob("*/*/*.csv")):
        with open(csv, "rb") as handle:
            by_header[handle.readline()].append(str(csv))
    conn = duckdb.connect()
    rows = 0
    for header, files in by_header.items():
        width = len(header.split(b","))
        columns = {f"c{i}": "VARCHAR" for i in range(width)}
        rows += conn.execute(
            "SELECT count(*) FROM read_csv(?, columns = ?, header = true, auto_detect = false, "
            "null_padding = true, ignore_errors = true)",
            [files, columns],
        ).fetchall()[0][0]
    return time.perf_counter() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, default=Path(tempfile.gettempdir()) / "csc_hub")
    parser.add_argument("--keep", action="store_true", help="keep the warehouse and outputs")
    args = parser.parse_args()

    if not (args.landing / "reference" / "population.csv").exists():
        print(f"generating the hub into {args.landing} ...", flush=True)
        started = time.perf_counter()
        subprocess.run([str(BIN / "csc-synth"), "generate", "--preset", "hub", "--out",
                        str(args.landing)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    csvs = list(args.landing.glob("*/*/*.csv"))
    size_mb = sum(p.stat().st_size for p in csvs) / 2**20
    las = len({p.parts[-3] for p in csvs})
    extracts = len({p.parent for p in csvs})
    print(f"landing: {las} LAs, {extracts} extracts, {len(csvs)} files, {size_mb:.0f} MiB")
    print(f"machine: {os.cpu_count()} CPUs; host check (a fixed Python loop): "
          f"{host_check():.2f} s")

    work = Path(tempfile.mkdtemp(prefix="csc_bench_"))
    home = work / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "CSC_LANDING_DIR": str(args.landing),
           "CSC_DATA_DIR": str(work)}

    wall, peak, samples, code, began = run_sampled(BUILD, env)
    if code:
        sys.exit(f"the build failed (exit {code})")
    windows = step_windows(home)
    ((run_start, run_end),) = windows.pop("run")
    print(f"\nfull build (dagster asset materialize --select '*'): {wall:.1f} s wall, "
          f"peak {peak / 2**20:.0f} MiB, {samples[-1][2] / wall if samples else 0:.2f} cores busy")
    print(f"\n{'stage':<16}{'steps':>6}{'step s':>9}{'peak MiB':>10}{'cores':>7}")
    in_steps = 0.0
    for stage in [s for s in STAGES if s in windows] + sorted(set(windows) - set(STAGES)):
        spans = windows[stage]
        seconds = sum(end - start for start, end in spans)
        in_steps += seconds
        inside = [(t, rss, cpu) for t, rss, cpu in samples if any(a <= t <= b for a, b in spans)]
        stage_peak = max((rss for _, rss, _ in inside), default=0)
        print(f"{stage:<16}{len(spans):>6}{seconds:>9.1f}{stage_peak / 2**20:>10.0f}"
              f"{_cores_busy(inside, spans):>7.2f}")
    before, after = run_start - began, began + wall - run_end
    print(f"{'outside steps':<16}{'':>6}{wall - in_steps:>9.1f}   start-up and planning "
          f"{before:.1f}, between steps {wall - in_steps - before - after:.1f}, exit {after:.1f}")

    print(f"host check after the build: {host_check():.2f} s")

    wall, _, _, _, _ = run_sampled(BUILD, env)
    print(f"\nsecond full build, nothing new in landing: {wall:.1f} s")
    wall, rows = bare_duckdb_read(args.landing)
    print(f"bare DuckDB read_csv of the same files: {wall:.1f} s ({rows:,} rows)")
    size = (work / "warehouse.duckdb").stat().st_size / 2**20
    print(f"warehouse file: {size:.0f} MiB")
    if not args.keep:
        shutil.rmtree(work)
    else:
        print(f"kept: {work}")


if __name__ == "__main__":
    main()
