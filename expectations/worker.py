"""A worker process that validates runs of staging extracts with Great Expectations.

Validation is pure Python (GX, pandas). On a thread it competes with the rest of the step for the
GIL; in a worker process it runs on the other core. The worker imports GX as soon as it starts,
while the parent does other work (the ingest step starts it). It is the standard library's process
pool with one worker: requests and replies (chunks.read_chunk's Arrow tables, chunk_results'
frames) are pickled by the pool, and a worker that dies breaks the pool, which is then replaced.
A worker whose build is killed (`kill -9`, out of memory) exits by itself: it watches the build's
process, since nothing else would end it (it holds its own request pipe open, and the fork server
waits for it).

A failure comes back as the exception's type only: messages may quote values. The caller's
validation then fails and is left to the table's checks, which validate in-process.

    frames = worker.shared().submit(table, chunk, inputs).result()
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import select
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pandas as pd

from expectations.chunks import ChunkInputs


class ValidationProcessError(RuntimeError):
    """Validation in the worker failed (its message names the exception type only)."""


def _exit_with(parent: int) -> None:
    """End this process as soon as the process `parent` has ended."""
    try:
        handle = os.pidfd_open(parent)  # Linux: readable once the process ends
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
            time.sleep(1.0)
    os._exit(0)


def _warm_up(parent: int) -> None:
    threading.Thread(target=_exit_with, args=(parent,), name="exit-with-build",
                     daemon=True).start()  # fmt: skip
    from expectations import gx_engine
    from warehouse.runtime import tune_garbage_collection

    tune_garbage_collection()
    gx_engine.gx_context()  # import GX now, before the first request


def _validate(table: str, chunk: pd.DataFrame, inputs: ChunkInputs) -> dict[str, pd.DataFrame]:
    from expectations import chunks

    try:
        return chunks.chunk_results(table, chunk, inputs)
    except Exception as exc:
        # the type only: a message may quote values, and it crosses into the parent's logs
        raise ValidationProcessError(f"{type(exc).__name__} in the validation process") from None


class ValidationWorker:
    """A pool of one worker process; requests are validated in the order submitted."""

    def __init__(self) -> None:
        # forkserver: the worker starts from a clean server process (not a fork of this one,
        # whose DuckDB threads may hold locks), and exits without tearing down GX and pandas
        # (about 1 s the parent would otherwise wait for at the end of every run).
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("forkserver"),
            initializer=_warm_up, initargs=(os.getpid(),),
        )
        self._broken = False
        self._pool.submit(int).add_done_callback(self._watch)  # starts the worker now

    def _watch(self, future: Future) -> None:
        if isinstance(future.exception(), BrokenProcessPool):
            self._broken = True

    @property
    def alive(self) -> bool:
        return not self._broken

    def submit(self, table: str, chunk: pd.DataFrame, inputs: ChunkInputs
               ) -> Future[dict[str, pd.DataFrame]]:  # fmt: skip
        """chunks.chunk_results(table, chunk, inputs), computed in the worker (refresh.Submit).
        A worker that has died fails the Future with ValidationProcessError."""
        result: Future = Future()

        def relay(done: Future) -> None:
            exc = done.exception()
            if isinstance(exc, BrokenProcessPool):
                self._broken = True
                exc = ValidationProcessError("the validation process has ended")
            if exc is not None:
                result.set_exception(exc)
            else:
                result.set_result(done.result())

        try:
            self._pool.submit(_validate, table, chunk, inputs).add_done_callback(relay)
        except (BrokenProcessPool, RuntimeError):
            self._broken = True
            result.set_exception(ValidationProcessError("the validation process has ended"))
        return result

    def validate(self, table: str, chunk: pd.DataFrame, inputs: ChunkInputs
                 ) -> dict[str, pd.DataFrame]:  # fmt: skip
        return self.submit(table, chunk, inputs).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


_shared: ValidationWorker | None = None
_shared_lock = threading.Lock()


def shared() -> ValidationWorker:
    """The validation worker, started on first use (again if it has died)."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.alive:
            if _shared is not None:
                _shared.close()
            _shared = ValidationWorker()
        return _shared


def start() -> None:
    """Start the worker now, so that its Great Expectations import overlaps other work."""
    shared()


@atexit.register
def _close_shared() -> None:
    if _shared is not None:
        _shared.close()
