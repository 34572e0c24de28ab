"""A killed build does not block the next one, and one build at a time writes a warehouse.

Dagster holds a pool slot (one for `duckdb_warehouse`, dagster_home/dagster.yaml) from the start
of a step to its end. A build killed in a step (`kill -9`, the out-of-memory killer, a reboot)
never ends it: its run stays "started", its slot stays taken, and every later build waits for it
forever. Dagster's daemon frees slots only of runs marked finished
(`run_monitoring.free_slots_after_run_end_seconds`), which a killed run never is, and cannot tell
that a `dagster asset materialize` process has gone. So each run of the build:

- holds a lock on a file in the instance's storage (`<storage>/<run_id>/csc_run.lock`) while it
  runs: the kernel releases it however the process ends, so a run whose lock is free and not
  marked "ended" (written when the run closes normally) died mid-run;
- at its start, after taking the warehouse, marks such runs failed and frees their slots
  (Dagster's own `report_run_failed` and `free_concurrency_slots_for_run`), saying so in its log;
  the sensor does the same on each tick, so runs queued by the daemon do not wait for them either;
- holds a second lock beside the warehouse file (`<warehouse>.build.lock`) for the whole run: a
  second build of the same warehouse waits for the first, then fails naming the warehouse.

A run without a lock file (one from before this version, or from another machine sharing the
instance) cannot be checked: it is left alone, with a warning saying how to free its slot.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from assets.keys import WAREHOUSE_POOL

RUN_LOCK_NAME = "csc_run.lock"
ENDED = "ended"
IN_PROGRESS = (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING)
POLL_SECONDS = 1.0


class WarehouseBusyError(RuntimeError):
    """Another build or process holds the warehouse; the message names the file."""


def _open_lock_file(path: Path) -> int:
    """The lock file, owner-only (it sits beside the warehouse of every child's record)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode(), 0)


def _read(fd: int) -> str:
    return os.pread(fd, 4096, 0).decode(errors="replace").strip()


def _whoami(run_id: str | None) -> str:
    since = datetime.now(UTC).isoformat(timespec="seconds")
    run = f"run {run_id}, " if run_id else ""
    return f"{run}process {os.getpid()} on {socket.gethostname()}, since {since}"


# --------------------------------------------------------------------------- a run is alive


class RunLock:
    """Held by a run's process while it runs; `end` marks a normal end before releasing it."""

    def __init__(self, path: Path, run_id: str) -> None:
        self.path = path
        self._fd: int | None = _open_lock_file(path)
        if not _try_lock(self._fd):
            os.close(self._fd)
            raise RuntimeError(f"run {run_id} is already running in another process")
        _write(self._fd, _whoami(run_id))

    def end(self) -> None:
        if self._fd is not None:
            _write(self._fd, ENDED)
            os.close(self._fd)  # releases the lock
            self._fd = None


def run_lock_path(instance: dg.DagsterInstance, run_id: str) -> Path:
    return Path(instance.storage_directory()) / run_id / RUN_LOCK_NAME


def hold_run_lock(instance: dg.DagsterInstance, run_id: str) -> RunLock:
    return RunLock(run_lock_path(instance, run_id), run_id)


def _process_state(instance: dg.DagsterInstance, run_id: str) -> str:
    """'alive', 'ended' (closed normally), 'dead' (ended mid-run) or 'unknown' (no lock file)."""
    path = run_lock_path(instance, run_id)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return "unknown"
    try:
        if not _try_lock(fd):
            return "alive"
        return "ended" if _read(fd) == ENDED else "dead"
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- dead runs


def _pool_holders(instance: dg.DagsterInstance) -> set[str]:
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return set()
    info = storage.get_concurrency_info(WAREHOUSE_POOL)
    return {s.run_id for s in info.claimed_slots} | {p.run_id for p in info.pending_steps}


def release_dead_runs(instance: dg.DagsterInstance, own_run_id: str | None,
                      warn: Callable[[str], object] = print) -> list[str]:  # fmt: skip
    """Mark failed every run whose process ended mid-run, free its slots of the warehouse pool,
    and return their ids; `warn` receives one line per run released (or that cannot be checked)."""
    holders = _pool_holders(instance)
    in_progress = {r.run_id for r in instance.get_runs(dg.RunsFilter(statuses=list(IN_PROGRESS)))}
    released = []
    for run_id in sorted((holders | in_progress) - {own_run_id}):
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            if run_id in holders:  # a finished run keeps no slot
                instance.event_log_storage.free_concurrency_slots_for_run(run_id)
                warn(f"Released the {WAREHOUSE_POOL} slot held by run {run_id}, which had "
                     "already ended.")  # fmt: skip
                released.append(run_id)
            continue
        state = _process_state(instance, run_id)
        if state == "dead":
            instance.report_run_failed(
                run, message="The process running this build ended in the middle of the run "
                "(killed, out of memory or a reboot); marked failed by "
                + (f"run {own_run_id}." if own_run_id else "the new-extract sensor."))  # fmt: skip
            if run_id in holders:
                instance.event_log_storage.free_concurrency_slots_for_run(run_id)
                warn(f"Released the {WAREHOUSE_POOL} slot held by run {run_id}, a dead run: its "
                     "process ended in the middle of the run (killed, out of memory or a "
                     "reboot). That run is now marked failed; this build redoes its work.")
            else:
                warn(f"Run {run_id} is marked failed: its process ended in the middle of the run "
                     "(killed, out of memory or a reboot).")  # fmt: skip
            released.append(run_id)
        elif state == "unknown" and run_id in holders:
            warn(f"Run {run_id} holds the {WAREHOUSE_POOL} slot and cannot be checked (it "
                 "started before this version, or on another machine). If it is no longer "
                 "running, mark it failed or free its slot in the Dagster UI (Deployment, "
                 "Concurrency); until then this build waits for it.")  # fmt: skip
    return released


# --------------------------------------------------------------------------- one build at a time


class WarehouseLock:
    """A lock beside the warehouse file, held by a build for its whole run."""

    def __init__(self, database: Path) -> None:
        self.database = Path(database)
        self.path = self.database.with_name(self.database.name + ".build.lock")
        self._fd: int | None = None

    def acquire(self, wait_seconds: float, waiting: Callable[[str], object] | None,
                run_id: str | None = None) -> None:  # fmt: skip
        """Take the warehouse, waiting up to `wait_seconds` for another build to finish (told
        once to `waiting`), else raise WarehouseBusyError naming the warehouse and the holder."""
        fd = _open_lock_file(self.path)
        deadline = time.monotonic() + max(wait_seconds, 0)
        told = False
        while not _try_lock(fd):
            holder = _read(fd) or "holder unknown"
            if time.monotonic() >= deadline:
                os.close(fd)
                raise WarehouseBusyError(
                    f"Another build holds the warehouse {self.database} ({holder}) and did not "
                    f"finish within {wait_seconds:g} s. DuckDB allows one writer per file: wait "
                    "for that build to finish, then start this one again.")
            if not told and waiting is not None:
                waiting(f"Another build holds the warehouse {self.database} ({holder}): waiting "
                        f"up to {wait_seconds:g} s for it to finish.")  # fmt: skip
                told = True
            time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0.01)))
        _write(fd, _whoami(run_id))
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None
