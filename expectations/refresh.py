"""Validation of staging extracts with the Great Expectations suites, stored in the warehouse.

The data is validated once: a staging table's extracts (la_code, extract_date) are validated only
when what their validation reads changed (expectations/fingerprints.py), by whichever comes first:
the staging step (in the validation process, expectations/worker.py, see `Prevalidation`), the
table's asset checks or dq_results_and_reports. The results go to marts.dq_results
(expectations/store.py). All new extracts of a table are validated together, in runs of about
CHUNK_ROWS rows (expectations/chunks.py).
"""

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd

from expectations.chunks import ChunkInputs, chunk_results, read_chunk, split_chunks
from expectations.fingerprints import EXTRA_INPUTS, Slices, table_slices
from expectations.store import (
    RESULT_COLUMNS,
    SLICE,
    Refresh,
    Validated,
    create_tables,
    result_frame,
    store,
)
from expectations.suites import TABLES

# submit(table, chunk, inputs) -> a Future of chunk_results' frames, computed wherever it runs
Submit = Callable[[str, pd.DataFrame, ChunkInputs], "Future[dict[str, pd.DataFrame]]"]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    full = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(full, ignore_index=True) if len(full) > 1 else full[0]


@dataclass(frozen=True)
class PendingValidation:
    """A table's changed extracts, read and being validated (`parts`: one per run of
    extracts); `result` waits for them."""

    table: str
    slices: Slices
    parts: list[Future]

    def result(self) -> Validated:
        table, stale, gone = self.table, self.slices.stale, self.slices.gone
        if stale.empty and not gone:
            return Validated(table, None, Refresh(validated=0, removed=0, failed=0))
        parts = [part.result() for part in self.parts]
        validated = [
            {"la_code": la, "extract_date": d, "table_name": table, "fingerprint": fp}
            for la, d, fp in zip(stale["la_code"], pd.to_datetime(stale["extract_date"]).dt.date,
                                 stale["fingerprint"], strict=True)  # fmt: skip
        ]
        drop = [{"la_code": la, "extract_date": d, "table_name": table} for la, d in gone]
        drop += [{k: v[k] for k in SLICE} for v in validated]
        frames = {
            "dq_drop": result_frame(drop, SLICE),
            **{name: _concat([result_frame([], columns), *(p[name] for p in parts)])
               for name, columns in RESULT_COLUMNS.items()},
            "dq_validated": result_frame(validated, [*SLICE, "fingerprint"]),
        }  # fmt: skip
        failed = int((frames["dq_rows"]["success"] == False).sum())  # noqa: E712 (nullable)
        return Validated(table, frames, Refresh(len(validated), len(gone), failed))


def begin_validation(conn, table: str, submit: Submit | None = None) -> PendingValidation:
    """Read the extracts of staging.<table> whose inputs changed since their last validation
    (and note the extracts no longer in staging), and validate them: with `submit` (see
    Submit), wherever it sends them, else here and now. Reads only (create_tables must have
    run)."""
    slices = table_slices(conn, table)
    parts: list[Future] = []
    for chunk in split_chunks(slices.stale):
        inputs = read_chunk(conn, table, chunk)
        if submit is not None:
            parts.append(submit(table, chunk, inputs))
        else:
            parts.append(Future())
            parts[-1].set_result(chunk_results(table, chunk, inputs, conn))
    return PendingValidation(table, slices, parts)


def validate_changed(conn, table: str) -> Validated:
    """Validate the extracts of staging.<table> whose inputs changed since their last validation
    and note the extracts no longer in staging; reads only (create_tables must have run)."""
    return begin_validation(conn, table).result()


def refresh_table(conn, table: str) -> Refresh:
    """Validate the extracts of staging.<table> whose inputs changed since their last validation
    and store the results; drop the results of extracts no longer in staging."""
    create_tables(conn)
    return store(conn, validate_changed(conn, table))


class Prevalidation:
    """Validates staging tables while the staging step stages the next ones.

    A worker thread reads each staged table's changed extracts through its own cursor (DuckDB
    releases the GIL) and submits them (`submit`: normally to the validation process, which runs
    Great Expectations and pandas on the other core instead of competing with the step for the
    GIL; else validated on the worker thread). Only tables already committed are read. A table
    is read once it and the tables its rules read (EXTRA_INPUTS) that this step stages are
    staged. The results are stored by the calling thread in `finish`. A validation that fails is
    left to the table's checks, which validate it again and fail loudly.

        with Prevalidation(conn, tables=[...], submit=...) as pre:
            for table in ...: stage(table); pre.staged(table)
            refreshed, failed = pre.finish()
    """

    def __init__(self, conn, tables: Iterable[str], submit: Submit | None = None):
        self._conn = conn
        self._todo = [t for t in tables if t in TABLES]
        self._submit = submit
        self._staged: set[str] = set()
        self._reads: dict[str, Future] = {}
        create_tables(conn)
        self._cursor = conn.cursor()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="prevalidate")

    def staged(self, table: str) -> None:
        self._staged.add(table)
        for t in self._todo:
            inputs = [t, *(x for x in EXTRA_INPUTS.get(t, []) if x in self._todo)]
            if t not in self._reads and self._staged.issuperset(inputs):
                self._reads[t] = self._pool.submit(begin_validation, self._cursor, t,
                                                   self._submit)  # fmt: skip

    def finish(self) -> tuple[dict[str, Refresh], list[str]]:
        """Store what was validated. Returns each stored table's counts, and the tables whose
        validation failed (the error's type only: messages may quote values)."""
        refreshed, failed = {}, []
        for table, read in self._reads.items():
            try:
                validated = read.result().result()
            except Exception as exc:  # the table's checks validate it again, and raise
                failed.append(f"{table} ({type(exc).__name__})")
                continue
            refreshed[table] = store(self._conn, validated)
        return refreshed, failed

    def __enter__(self) -> "Prevalidation":
        return self

    def __exit__(self, *exc) -> None:
        for read in self._reads.values():
            read.cancel()
        self._pool.shutdown(wait=True)
        self._cursor.close()
