"""Memory benchmark for issue 12, item 15: a whole CLI build of a landing whose one council's
Episodes file holds a million duplicate rows (about 70 MB), beside a clean control council.

The landing and the build's data folder are made in a temporary folder and removed after. The
build's process tree (Dagster and the validation worker) is sampled every 0.2 s; its peak RSS,
the wall time and the size of the failing-records CSV are printed, never asserted.

    .venv/bin/python benchmarks/duplicate_rows_memory.py [--rows 1000000] [--keep]
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

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "sample" / "landing" / "E08000034" / "2025-03-31"
FAULTY, CONTROL = "E08000034", "E08000035"


def make_landing(root: Path, extra_rows: int) -> None:
    for la in (FAULTY, CONTROL):
        shutil.copytree(SOURCE, root / la / "2025-03-31")
    header, *body = (SOURCE / "episodes.csv").read_bytes().splitlines(keepends=True)
    with open(root / FAULTY / "2025-03-31" / "episodes.csv", "wb") as fh:
        fh.write(header)
        fh.writelines(body)
        for start in range(0, extra_rows, len(body)):
            fh.writelines(body[: min(len(body), extra_rows - start)])
    (root / "reference").mkdir()
    (root / "reference" / "population.csv").write_text(
        f"la_code,year,population_0_17\n{FAULTY},2024,98000\n{CONTROL},2024,180000\n")


def _tree_rss(pid: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="duplicate rows added")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="duplicate_rows_"))
    try:
        make_landing(folder / "landing", args.rows)
        env = {**os.environ, "CSC_LANDING_DIR": str(folder / "landing"),
               "CSC_DATA_DIR": str(folder / "data"), "PYTHONPATH": str(ROOT),
               "DAGSTER_HOME": os.environ.get("DAGSTER_HOME", str(ROOT / "dagster_home"))}
        dagster = Path(sys.executable).with_name("dagster")
        start = time.monotonic()
        build = subprocess.Popen([str(dagster), "asset", "materialize", "-m",
                                  "pipelines.definitions", "--select", "*"], env=env, cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0
        while build.poll() is None:
            peak = max(peak, _tree_rss(build.pid))
            time.sleep(0.2)
        csvs = list((folder / "data" / "restricted" / FAULTY).rglob("*.csv"))
        size = sum(p.stat().st_size for p in csvs)
        print(f"exit {build.returncode}; {time.monotonic() - start:.0f} s; peak RSS of the "
              f"build's processes {peak / 2**30:.2f} GiB; failing-records CSV "
              f"{size / 2**20:.1f} MiB")
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
