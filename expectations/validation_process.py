"""A child process that validates runs of staging extracts with Great Expectations.

Validation is pure Python (GX, pandas). On a worker thread it competes with the rest of the step
for the GIL; in a child process it runs on the other core. The child imports GX as soon as it
starts, while the parent does other work (the ingest step starts it). The parent sends each run
of extracts as Arrow IPC streams (refresh.read_chunk) and gets back refresh.chunk_results' frames.

A failure comes back as the exception's type only: messages may quote values. When the child
has gone, its caller's validation fails and is left to the table's checks, which validate
in-process.

    frames = validation_process.shared().validate(table, chunk, inputs)  # or .submit: a Future
"""

import atexit
import contextlib
import os
import pickle
import subprocess
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa

from expectations.refresh import ChunkInputs

MODULE = "expectations.validation_process"
PROJECT_DIR = Path(__file__).resolve().parents[1]


class ValidationProcessError(RuntimeError):
    """Validation in the child failed (its message names the exception type only)."""


def _write_table(out: BinaryIO, table: pa.Table) -> None:
    with pa.ipc.new_stream(out, table.schema) as writer:
        writer.write_table(table)


def _read_table(source: BinaryIO) -> pa.Table:
    return pa.ipc.open_stream(source).read_all()


def _send_request(out: BinaryIO, table: str, chunk: pd.DataFrame, inputs: ChunkInputs) -> None:
    head = (table, chunk, inputs.header_read, inputs.header is not None, inputs.known_postcodes)
    pickle.dump(head, out, protocol=pickle.HIGHEST_PROTOCOL)
    _write_table(out, inputs.rows)
    if inputs.header is not None:
        _write_table(out, inputs.header)
    out.flush()


def _read_request(source: BinaryIO) -> tuple[str, pd.DataFrame, ChunkInputs]:
    table, chunk, header_read, has_header, known = pickle.load(source)
    rows = _read_table(source)
    header = _read_table(source) if has_header else None
    return table, chunk, ChunkInputs(rows, header_read, header, known)


class ValidationProcess:
    """The child process and the pipes to it; one request at a time."""

    def __init__(self) -> None:
        # the project importable in the child however the parent found it (installed, or a
        # code location's working directory)
        path = os.pathsep.join(p for p in (str(PROJECT_DIR), os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "PYTHONPATH": path}
        self._proc = subprocess.Popen([sys.executable, "-m", MODULE], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, env=env)  # fmt: skip
        self._lock = threading.Lock()
        # sends queued requests in order, each once the child has answered the one before
        self._sender = ThreadPoolExecutor(1, thread_name_prefix="validation-process")

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def validate(self, table: str, chunk: pd.DataFrame, inputs: ChunkInputs
                 ) -> dict[str, pd.DataFrame]:  # fmt: skip
        """refresh.chunk_results(table, chunk, inputs), computed in the child."""
        with self._lock:
            try:
                _send_request(self._proc.stdin, table, chunk, inputs)
                status, payload = pickle.load(self._proc.stdout)
            except Exception as exc:
                # a request or reply cut short leaves the pipes out of step: a new child is
                # started for the next caller (shared)
                self._proc.kill()
                self._proc.wait()
                raise ValidationProcessError(
                    f"the validation process has ended ({type(exc).__name__})"
                ) from None
        if status != "ok":
            raise ValidationProcessError(f"{payload} in the validation process")
        return payload

    def submit(self, table: str, chunk: pd.DataFrame, inputs: ChunkInputs
               ) -> "Future[dict[str, pd.DataFrame]]":  # fmt: skip
        """`validate`, queued: returns at once (refresh.Submit)."""
        return self._sender.submit(self.validate, table, chunk, inputs)

    def close(self) -> None:
        """Let the child finish (it exits when its input closes); kill it if it hangs."""
        self._sender.shutdown(wait=False, cancel_futures=True)
        if self._proc.stdin and not self._proc.stdin.closed:
            with contextlib.suppress(OSError):  # a child that died leaves a broken pipe
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()


_shared: ValidationProcess | None = None
_shared_lock = threading.Lock()


def shared() -> ValidationProcess:
    """The process's validation child, started on first use (again if it has ended)."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.alive:
            if _shared is not None:
                _shared.close()
            _shared = ValidationProcess()
        return _shared


def start() -> None:
    """Start the child now, so that its Great Expectations import overlaps other work."""
    shared()


@atexit.register
def _close_shared() -> None:
    if _shared is not None:
        _shared.close()


def main() -> None:
    # The pipe to the parent is the original stdout; anything the libraries print goes to
    # stderr instead, where it cannot corrupt a reply.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = sys.stdin.buffer

    from expectations import refresh, runner
    from pipelines.runtime import tune_garbage_collection

    tune_garbage_collection()
    runner.gx_context()  # import GX now, before the first request
    while True:
        try:
            request = _read_request(requests)
        except EOFError:
            # Nothing to save: skip tearing down GX and pandas (about 1 s the parent would
            # wait for at the end of every run).
            replies.close()
            sys.stderr.flush()
            os._exit(0)
        try:
            reply = ("ok", refresh.chunk_results(*request))
        except Exception as exc:  # the type only: a message may quote values
            reply = ("error", type(exc).__name__)
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()


if __name__ == "__main__":
    main()
