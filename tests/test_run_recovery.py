"""A killed run leaves nothing that blocks the next one (issue 12, item 13), and two runs never
write one warehouse at once. Small Dagster runs in child processes against a DAGSTER_HOME with the
project's dagster.yaml; the whole-build kill tests are in test_faults_crash.py."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets import keys, run_guard
from assets.resources import LandingResource, WarehouseBusyError, WarehouseResource

PROJECT = Path(__file__).resolve().parents[1]

# One asset on the warehouse pool, as every asset of the build: `kill` SIGKILLs its own process
# in the middle of the step (as `kill -9`, the out-of-memory killer or a reboot would).
RUN = textwrap.dedent('''
    import os, signal, sys
    import dagster as dg
    from assets import keys
    from assets.resources import WarehouseResource

    @dg.asset(pool=keys.WAREHOUSE_POOL)
    def table(duckdb: WarehouseResource):
        with duckdb.get_connection() as conn:
            conn.execute("CREATE OR REPLACE TABLE t AS SELECT 1 AS x")
            if sys.argv[1] == "kill":
                os.kill(os.getpid(), signal.SIGKILL)

    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([table], instance=instance,
                                resources={"duckdb": WarehouseResource(database=sys.argv[2])})
        print("RESULT", result.success, result.run_id)
''')


@pytest.fixture
def dagster_home(tmp_path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((PROJECT / "dagster_home" / "dagster.yaml").read_text())
    return home


def _run(dagster_home: Path, mode: str, database: Path, timeout: float = 120):
    script = dagster_home.parent / "one_asset.py"
    script.write_text(RUN)
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, str(script), mode, str(database)], env=env,
                          cwd=PROJECT, capture_output=True, text=True, timeout=timeout)


@pytest.mark.faults
def test_the_slot_of_a_killed_run_is_released_by_the_next_run(dagster_home, tmp_path):
    database = tmp_path / "data" / "warehouse.duckdb"
    killed = _run(dagster_home, "kill", database)
    assert killed.returncode == -signal.SIGKILL
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        held = instance.event_log_storage.get_concurrency_info(keys.WAREHOUSE_POOL)
        assert len(held.claimed_slots) == 1  # the killed run still holds the pool's one slot
        dead_run = held.claimed_slots[0].run_id

    # Before the fix this run waited forever ("Step still blocked by limit for pool").
    after = _run(dagster_home, "normal", database, timeout=60)
    assert after.returncode == 0, after.stderr[-3000:]
    assert "RESULT True" in after.stdout
    log = after.stdout + after.stderr
    assert f"Released the {keys.WAREHOUSE_POOL} slot held by run {dead_run}" in log
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        assert instance.get_run_by_id(dead_run).status == dg.DagsterRunStatus.FAILURE
        held = instance.event_log_storage.get_concurrency_info(keys.WAREHOUSE_POOL)
        assert held.claimed_slots == [] and held.pending_steps == []
    with duckdb.connect(str(database), read_only=True) as conn:
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]


def _instance_with_run(instance: dg.DagsterInstance) -> str:
    """A run in progress that holds the pool's slot (as a build in the middle of a step)."""
    run = instance.add_run(dg.DagsterRun(job_name=keys.BUILD_JOB,
                                         status=dg.DagsterRunStatus.STARTED))
    instance.event_log_storage.initialize_concurrency_limit_to_default(keys.WAREHOUSE_POOL)
    claim = instance.event_log_storage.claim_concurrency_slot(
        keys.WAREHOUSE_POOL, run.run_id, "table")
    assert claim.is_claimed
    return run.run_id


def test_a_live_runs_slot_is_kept(tmp_path):
    overrides = {"concurrency": {"pools": {"default_limit": 1}}}
    with dg.instance_for_test(overrides=overrides) as instance:
        run_id = _instance_with_run(instance)
        run_guard.hold_run_lock(instance, run_id)  # the run's process (this one) is alive
        assert run_guard.release_dead_runs(instance, own_run_id=None) == []
        held = instance.event_log_storage.get_concurrency_info(keys.WAREHOUSE_POOL)
        assert [s.run_id for s in held.claimed_slots] == [run_id]
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED


def test_a_run_that_cannot_be_checked_is_left_with_a_warning(tmp_path):
    """No liveness lock (a run from before this version, or another machine's): not touched."""
    overrides = {"concurrency": {"pools": {"default_limit": 1}}}
    with dg.instance_for_test(overrides=overrides) as instance:
        run_id = _instance_with_run(instance)
        warnings = []
        assert run_guard.release_dead_runs(instance, None, warn=warnings.append) == []
        assert len(warnings) == 1 and run_id in warnings[0]
        held = instance.event_log_storage.get_concurrency_info(keys.WAREHOUSE_POOL)
        assert [s.run_id for s in held.claimed_slots] == [run_id]


def test_a_second_build_waits_then_fails_clearly_naming_the_warehouse(tmp_path):
    database = tmp_path / "data" / "warehouse.duckdb"
    holder = run_guard.WarehouseLock(database)
    holder.acquire(wait_seconds=0, waiting=None)
    try:
        waited = []
        with pytest.raises(WarehouseBusyError) as busy:
            run_guard.WarehouseLock(database).acquire(wait_seconds=0.3, waiting=waited.append)
        assert str(database) in str(busy.value) and "another build" in str(busy.value).lower()
        assert waited and str(database) in waited[0]
    finally:
        holder.release()
    again = run_guard.WarehouseLock(database)
    again.acquire(wait_seconds=0, waiting=None)  # free once the first has finished
    again.release()


def test_a_warehouse_open_elsewhere_is_named_in_a_clear_error(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(database)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); time.sleep(60)", str(database)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        resource = WarehouseResource(database=str(database), open_wait_seconds=0.5)
        with pytest.raises(WarehouseBusyError) as busy, resource.get_connection():
            pass
        message = str(busy.value)
        assert str(database) in message and f"PID {holder.pid}" in message
    finally:
        holder.kill()
        holder.wait()


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # exited, waiting to be reaped by whoever adopted it


@pytest.mark.faults
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_validation_worker_exits_when_the_build_is_killed(tmp_path):
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import multiprocessing.forkserver as fs, time
            from expectations import worker
            pool = worker.shared()._pool
            pool.submit(int).result()
            print(*pool._processes, fs._forkserver._forkserver_pid, flush=True)
            time.sleep(600)
        """)], cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)},
        stdout=subprocess.PIPE, text=True)
    try:
        children = [int(p) for p in parent.stdout.readline().split()]
        assert len(children) == 2  # the pool's worker and the fork server that started it
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(_gone(p) for p in children):
            time.sleep(0.2)
        left = [p for p in children if not _gone(p)]
        for pid in left:  # do not leave them behind when the test fails
            os.kill(pid, signal.SIGKILL)
        assert left == [], "the validation worker outlived the killed build"
    finally:
        if parent.poll() is None:
            parent.kill()


def test_lock_files_are_owner_only(tmp_path):
    lock = run_guard.WarehouseLock(tmp_path / "warehouse.duckdb")
    lock.acquire(wait_seconds=0, waiting=None)
    try:
        assert lock.path.stat().st_mode & 0o777 == 0o600
        with open(lock.path) as f, pytest.raises(BlockingIOError):
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        lock.release()


def test_the_sensor_releases_a_dead_run_so_queued_runs_can_start(tmp_path):
    from pipelines import sensors

    overrides = {"concurrency": {"pools": {"default_limit": 1}}}
    with dg.instance_for_test(overrides=overrides) as instance:
        run_id = _instance_with_run(instance)
        lock = run_guard.hold_run_lock(instance, run_id)
        os.close(lock._fd)  # its process dies: the lock is free, the run never ended
        context = dg.build_sensor_context(instance=instance, resources={
            "landing": LandingResource(path=str(tmp_path / "landing"))})
        sensors.new_extract_sensor(context)
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        held = instance.event_log_storage.get_concurrency_info(keys.WAREHOUSE_POOL)
        assert held.claimed_slots == []
