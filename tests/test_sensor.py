"""The new-extract sensor and the monthly schedule."""

from __future__ import annotations

import os
import time
from pathlib import Path
from unittest import mock

import dagster as dg
import pytest

from assets.resources import LandingResource
from pipelines import schedules, sensors

LA = "E08000034"


def _land(landing: Path, la: str, extract_date: str, age_seconds: float = 600) -> Path:
    folder = landing / la / extract_date
    folder.mkdir(parents=True)
    for name in ("header.csv", "episodes.csv"):
        f = folder / name
        f.write_text("CHILD,SEX\n1,1\n")
        past = time.time() - age_seconds
        os.utime(f, (past, past))
    return folder


@pytest.fixture
def instance():
    with dg.instance_for_test() as inst:
        yield inst


def _tick(instance, landing: Path, cursor: str | None, settle: float = 60, after: float = 600):
    """Evaluate the sensor `after` seconds from now: a file's inode change time, from which a
    copy settles, cannot be backdated like its modification time."""
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"landing": LandingResource(path=str(landing), settle_seconds=settle)},
    )
    clock = time.time
    with mock.patch.object(sensors.time, "time", lambda: clock() + after):
        result = sensors.new_extract_sensor(context)
    return result, result.cursor


def test_one_run_per_new_extract_folder(instance, tmp_path):
    landing = tmp_path / "landing"
    (landing / "reference").mkdir(parents=True)
    (landing / "reference" / "population.csv").write_text("la_code,year,population_0_17\n")
    _land(landing, LA, "2025-03-31")

    result, cursor = _tick(instance, landing, None)
    assert len(result.run_requests) == 1
    request = result.run_requests[0]
    assert request.run_key.startswith(f"{LA}/2025-03-31:")
    assert request.tags["csc/la_code"] == LA
    assert request.tags["csc/extract_date"] == "2025-03-31"

    # Re-evaluated with the cursor: nothing new, no run.
    result, cursor = _tick(instance, landing, cursor)
    assert result.run_requests == []
    assert "no new extract" in result.skip_reason.skip_message

    # Another folder lands: exactly one new run, with its own run key.
    _land(landing, LA, "2025-04-30")
    result, cursor = _tick(instance, landing, cursor)
    assert [r.run_key.split(":")[0] for r in result.run_requests] == [f"{LA}/2025-04-30"]
    assert result.run_requests[0].run_key != request.run_key

    result, cursor = _tick(instance, landing, cursor)
    assert result.run_requests == []


def test_replaced_files_are_a_new_extract_but_the_same_files_are_not(instance, tmp_path):
    landing = tmp_path / "landing"
    folder = _land(landing, LA, "2025-03-31")
    first, cursor = _tick(instance, landing, None)
    # The same content copied again with the same times: no new run.
    second, cursor = _tick(instance, landing, cursor)
    assert second.run_requests == []
    # The council re-sends a corrected file: a new run with a new key.
    (folder / "episodes.csv").write_text("CHILD,SEX\n1,1\n2,2\n")
    past = time.time() - 600
    os.utime(folder / "episodes.csv", (past, past))
    third, cursor = _tick(instance, landing, cursor)
    assert len(third.run_requests) == 1
    assert third.run_requests[0].run_key != first.run_requests[0].run_key


def test_same_size_rewrite_with_preserved_mtime_starts_a_run(instance, tmp_path):
    """cp -p / rsync -a / a same-length correction keeps size and mtime, but not the inode
    change time."""
    landing = tmp_path / "landing"
    folder = _land(landing, LA, "2025-03-31")
    first, cursor = _tick(instance, landing, None, settle=0)
    episodes = folder / "episodes.csv"
    stat = episodes.stat()
    time.sleep(0.01)  # a later inode change time than the first tick saw
    episodes.write_text("CHILD,SEX\n1,2\n")
    os.utime(episodes, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (episodes.stat().st_size, episodes.stat().st_mtime_ns) == (stat.st_size,
                                                                      stat.st_mtime_ns)
    second, cursor = _tick(instance, landing, cursor, settle=0)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_a_copy_with_preserved_times_still_landing_waits(instance, tmp_path):
    """Copied with cp -p, a file's mtime is old however recent the copy: the wait counts from
    the inode change time."""
    landing = tmp_path / "landing"
    _land(landing, LA, "2025-03-31", age_seconds=3600)
    result, cursor = _tick(instance, landing, None, settle=60, after=0)
    assert result.run_requests == []
    assert "still landing" in result.skip_reason.skip_message
    result, cursor = _tick(instance, landing, cursor, settle=60, after=61)
    assert len(result.run_requests) == 1


def test_folder_still_landing_waits(instance, tmp_path):
    landing = tmp_path / "landing"
    _land(landing, LA, "2025-03-31", age_seconds=0)
    result, cursor = _tick(instance, landing, None, settle=60, after=0)
    assert result.run_requests == []
    assert "still landing" in result.skip_reason.skip_message
    result, cursor = _tick(instance, landing, cursor, settle=60, after=61)
    assert len(result.run_requests) == 1


def test_backlog_starts_one_run_per_la(instance, tmp_path):
    landing = tmp_path / "landing"
    for d in ("2025-01-31", "2025-02-28", "2025-03-31"):
        _land(landing, LA, d)
    _land(landing, "E06000001", "2025-03-31")
    (landing / "not-an-la" / "2025-03-31").mkdir(parents=True)
    (landing / LA / "notes").mkdir()
    result, cursor = _tick(instance, landing, None)
    assert sorted(r.run_key.split(":")[0] for r in result.run_requests) == [
        "E06000001/2025-03-31",
        f"{LA}/2025-03-31",
    ]
    kirklees = next(r for r in result.run_requests if r.tags["csc/la_code"] == LA)
    assert kirklees.tags["csc/extracts"] == "2025-01-31,2025-02-28,2025-03-31"
    result, cursor = _tick(instance, landing, cursor)
    assert result.run_requests == []


def test_missing_landing_folder_skips(instance, tmp_path):
    result, _ = _tick(instance, tmp_path / "nowhere", None)
    assert result.run_requests == []


def test_schedule_and_sensor_target_the_build_job():
    schedule = schedules.monthly_build_schedule
    assert schedule.cron_schedule == "0 6 5 * *"
    assert schedule.execution_timezone == "Europe/London"
    assert schedule.job_name == "build_warehouse"
    assert sensors.new_extract_sensor.job_name == "build_warehouse"


def test_sensor_and_loader_accept_the_same_folders(instance, tmp_path):
    """One scanner for both: a folder the loader skips never starts a run."""
    from warehouse.ingest import landing as landing_scan

    landing = tmp_path / "landing"
    _land(landing, LA, "2025-03-31")
    _land(landing, "S12000036", "2025-03-31")  # Edinburgh: no 903 return in Scotland
    _land(landing, "E0800003", "2025-03-31")  # a digit short
    _land(landing, "E09000021x", "2025-03-31")
    _land(landing, LA, "20250331")  # the same date again, not as YYYY-MM-DD
    _land(landing, LA, "2025-W13-1")
    result, _ = _tick(instance, landing, None)
    started = sorted(r.run_key.split(":")[0] for r in result.run_requests)
    loaded = sorted(f"{e.la_code}/{e.extract_date}" for e in landing_scan.scan(landing).extracts)
    assert started == loaded == [f"{LA}/2025-03-31"]
    ignored = "\n".join(landing_scan.scan(landing).ignored)
    for name in ("S12000036/", "E0800003/", "E09000021x/", "20250331/", "2025-W13-1/"):
        assert name in ignored
