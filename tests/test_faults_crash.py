"""Builds killed mid-way, and two builds at once (issue 12: item 13 and its "Done when").

Each build is the CLI `make build` runs (`dagster asset materialize --select '*'`) in a child
process with its own DAGSTER_HOME (the project's dagster.yaml). A build is killed with SIGKILL
as soon as its stdout says the chosen step started; the run's event log then proves the kill
landed in that step. The next build must finish by itself (before the fix it waited forever for
the pool slot the killed run held) and leave a warehouse, exports and error reports identical
to an uninterrupted build's (scripts/compare_builds.py: EXCEPT ALL both ways)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from assets import keys
from scripts import compare_builds
from tests.helpers.landing_builder import copy_tiny_valid, write_population

pytestmark = pytest.mark.faults

PROJECT = Path(__file__).resolve().parents[1]
DAGSTER = Path(sys.executable).with_name("dagster")
BUILD_TIMEOUT = 900  # generous: a build of this landing takes well under a minute
KILL_POINTS = {"ingest": "landing_extracts", "staging": "staging_tables",
               "exports": "parquet_exports"}


def _landing_a(landing: Path) -> None:
    copy_tiny_valid(landing, "E08000035", "2025-03-31")
    write_population(landing, [("E08000035", 2024, 180000.0), ("E08000034", 2024, 98000.0)])


def _landing_b(landing: Path) -> None:
    """A plus a second council whose Episodes repeat a row (a failing record to report) and a
    later extract of the first council: every stage has new work."""
    _landing_a(landing)
    folder = copy_tiny_valid(landing, "E08000034", "2025-03-31")
    episodes = folder / "episodes.csv"
    lines = episodes.read_text().splitlines(keepends=True)
    episodes.write_text("".join([*lines, lines[1]]))
    copy_tiny_valid(landing, "E08000035", "2025-06-30")


class Place:
    """A data folder, a landing and a Dagster instance of their own."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.landing = root / "landing"
        self.data = root / "data"
        self.home = root / "dagster_home"
        self.home.mkdir(parents=True)
        shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", self.home / "dagster.yaml")

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DAGSTER_HOME": str(self.home), "CSC_DATA_DIR": str(self.data),
                "CSC_LANDING_DIR": str(self.landing), "PYTHONPATH": str(PROJECT)}

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(
            [str(DAGSTER), "asset", "materialize", "-m", "pipelines.definitions", "--select", "*"],
            cwd=PROJECT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)

    def build(self) -> str:
        """A whole build; returns its log."""
        process = self.start()
        try:
            out, _ = process.communicate(timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
            pytest.fail("the build did not finish (blocked by a killed run?):\n" + out[-3000:])
        assert process.returncode == 0, out[-5000:]
        return out

    def build_killed_in(self, step: str) -> None:
        """A build SIGKILLed as its step `step` starts; its processes must all end with it."""
        process = self.start()
        started = f'Started execution of step "{step}"'
        log = []
        for line in process.stdout:
            log.append(line)
            if started in line:
                process.send_signal(signal.SIGKILL)
                break
        process.wait()
        assert process.returncode == -signal.SIGKILL, "".join(log)[-3000:]
        self.assert_killed_during(step)
        self.assert_no_process_left()

    def assert_killed_during(self, step: str) -> None:
        with dg.DagsterInstance.from_config(str(self.home)) as instance:
            runs = instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
            assert len(runs) == 1  # the killed run: never finished
            events = [e.dagster_event for e in instance.all_logs(runs[0].run_id)
                      if e.dagster_event and e.dagster_event.step_key == step]
            kinds = {e.event_type_value for e in events}
            assert "STEP_START" in kinds and "STEP_SUCCESS" not in kinds, kinds

    def assert_no_process_left(self) -> None:
        """Nothing the killed build started (the validation worker, its fork server) runs on."""
        deadline = time.monotonic() + 60
        while (left := _processes_with(str(self.data))) and time.monotonic() < deadline:
            time.sleep(0.5)
        for pid in left:  # never leave them behind, even when failing
            os.kill(pid, signal.SIGKILL)
        assert left == [], "processes of the killed build still running"

    def compare(self, reference: Place) -> None:
        # raw.files records where the landing was and its files' times: another folder here
        ignore = compare_builds.TIMESTAMPS | {"path", "mtime_ns"}
        ref, got = reference.data, self.data
        assert compare_builds.compare_warehouses(ref / "warehouse.duckdb",
                                                 got / "warehouse.duckdb", ignore) == 0
        assert compare_builds.compare_exports(ref / "exports", got / "exports", ignore) == 0
        assert compare_builds.compare_files(ref / "restricted", got / "restricted",
                                            "restricted") == 0
        assert compare_builds.compare_files(ref / "reports", got / "reports", "reports") == 0
        leftovers = [p.name for p in (got / "exports").iterdir()
                     if ".tmp-" in p.name]  # fmt: skip
        assert leftovers == []


def _processes_with(marker: str) -> list[int]:
    """Live processes whose environment holds `marker` (the build's own data folder)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker.encode() not in (proc / "environ").read_bytes():
                continue
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(int(proc.name))
    return found


def _built_on_a_then_landing_b(place: Place) -> Place:
    """A build of landing A (a previous load, exports, reports), then landing B in its place."""
    _landing_a(place.landing)
    place.build()
    shutil.rmtree(place.landing)
    _landing_b(place.landing)
    return place


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Place:
    """Landing A then landing B, each built without interruption. (The report folder keeps
    earlier runs' pages, so the reference goes through the same two landings.)"""
    place = _built_on_a_then_landing_b(Place(tmp_path_factory.mktemp("reference")))
    place.build()
    return place


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_builds_killed_in_ingest_staging_and_exports_then_rebuilt(reference, tmp_path):
    place = _built_on_a_then_landing_b(Place(tmp_path))
    # each build recovers from the one killed before it, then is killed in the next stage
    for point in ("ingest", "staging", "exports"):
        place.build_killed_in(KILL_POINTS[point])
    log = place.build()
    assert f"Released the {keys.WAREHOUSE_POOL} slot held by run" in log
    with dg.DagsterInstance.from_config(str(place.home)) as instance:
        runs = instance.get_runs()
        assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS,
                                            *[dg.DagsterRunStatus.FAILURE] * 3,
                                            dg.DagsterRunStatus.SUCCESS]
    place.compare(reference)


def test_two_builds_at_once_one_waits_for_the_other(reference, tmp_path):
    place = _built_on_a_then_landing_b(Place(tmp_path))
    first, second = place.start(), place.start()
    outs = [p.communicate(timeout=BUILD_TIMEOUT)[0] for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outs[0][-3000:] + outs[1][-3000:]
    waited = [o for o in outs if "Another build holds the warehouse" in o]
    assert len(waited) == 1
    assert str(place.data / "warehouse.duckdb") in waited[0]
    place.compare(reference)
