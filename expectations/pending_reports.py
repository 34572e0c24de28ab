"""The councils' error reports, kept in step with the stored results: written again only for
extracts whose validation changed, removed for extracts that left staging, from bulk reads of
the stored results and failing records (expectations/sql/report_*.sql)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from expectations import sqlfiles
from expectations.chunks import read_frame
from expectations.error_report import CSV_NAME, HTML_NAME, write_error_report
from expectations.results import ExpectationResult
from expectations.store import RECORDS_PER_RULE
from expectations.suites import TABLES, load_suite


def _report_inputs(conn, cap: int) -> tuple[dict, dict]:
    """The stored results (by extract, then table, in suite order) of the extracts in the
    registered frame dq_report, and the failing rows their reports list (the first `cap` of
    each expectation) read from staging (by extract, then table: those rows, indexed by their
    position in the extract)."""
    failing: dict[tuple, list[int]] = {}
    for la, day, table, name, index in sqlfiles.query(conn, "report_failing_rows.sql", cap=cap):
        failing.setdefault((la, day, table, name), []).append(int(index))
    stored: dict[tuple, dict[str, dict[str, ExpectationResult]]] = {}
    rows = sqlfiles.query(conn, "report_results.sql")
    for la, day, table, name, severity, success, evaluated, unexpected, pct, note in rows:
        stored.setdefault((la, day), {}).setdefault(table, {})[name] = ExpectationResult(
            table, name, severity, success, int(evaluated), int(unexpected), pct, note,
            failing_rows=tuple(failing.get((la, day, table, name), ())),
        )  # fmt: skip
    results: dict[tuple, dict[str, list[ExpectationResult]]] = {}
    for key, by_table in stored.items():
        results[key] = {
            table: [by_table[table][e.name] for e in load_suite(table).expectations
                    if e.name in by_table[table]]
            for table in TABLES
            if table in by_table
        }  # fmt: skip
    frames: dict[tuple, dict[str, pd.DataFrame]] = {}
    for table in sorted({t for (_la, _day, t, _name) in failing}):
        sql = sqlfiles.render("report_failing_records.sql", table=table, cap=cap)
        records = read_frame(conn, sql).set_index("dq_row_index", drop=True)
        records.index.name = None
        # boxed once here, not once per extract (the values a row Series would hold)
        records = records.astype(object)
        # ordered by extract: each extract's rows are a slice (cheaper than a groupby)
        keys = list(zip(records["la_code"], pd.to_datetime(records["extract_date"]).dt.date,
                        strict=True))  # fmt: skip
        starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
        for start, end in zip(starts, [*starts[1:], len(keys)], strict=True):
            frames.setdefault(keys[start], {})[table] = records.iloc[start:end]
    return results, frames


def write_pending_reports(conn, restricted: Path, published: Sequence[Path] = (),
                          cap: int = RECORDS_PER_RULE) -> tuple[int, int, int]:
    """Write the error reports of the extracts whose results changed and remove those of
    extracts that left staging, under `restricted` (never inside a `published` folder). Each
    lists the first `cap` failing rows of a rule and counts the rest. Returns (reports written,
    reports removed, failing records listed)."""
    todo = sqlfiles.query(conn, "report_extracts.sql")
    gone = [(la, day) for la, day, present in todo if not present]
    pending = [(la, day) for la, day, present in todo if present]
    for la_code, extract_date in gone:
        _remove_report(restricted, la_code, extract_date)
    _mark(conn, "report_removed.sql", gone)
    if not pending:
        return 0, len(gone), 0
    conn.register("dq_report", pd.DataFrame(pending, columns=["la_code", "extract_date"]))
    try:
        results, frames = _report_inputs(conn, cap)
    finally:
        conn.unregister("dq_report")
    written: list[tuple] = []
    records = 0
    try:
        for la_code, extract_date in pending:
            key = (la_code, pd.Timestamp(extract_date).date())
            by_table = results.get(key, {})
            # only the tables with failing rows have (only those) rows to list
            tables = {t: f for t, f in frames.get(key, {}).items()
                      if any(r.failed and r.failing_rows for r in by_table.get(t, ()))}  # fmt: skip
            files = write_error_report(la_code, extract_date, by_table, tables, restricted,
                                       published, indexed=True, cap=cap)  # fmt: skip
            written.append((la_code, extract_date))
            records += files.failing_records
    finally:
        _mark(conn, "report_written.sql", written)
    return len(written), len(gone), records


def _mark(conn, path: str, extracts: list[tuple]) -> None:
    """Run a bookkeeping statement over the given extracts (registered as dq_report_done)."""
    if not extracts:
        return
    conn.register("dq_report_done", pd.DataFrame(extracts, columns=["la_code", "extract_date"]))
    try:
        conn.execute(sqlfiles.render(path))
    finally:
        conn.unregister("dq_report_done")


def _remove_report(restricted: Path, la_code: str, extract_date: date) -> None:
    folder = restricted / la_code / pd.Timestamp(extract_date).date().isoformat()
    for name in (HTML_NAME, CSV_NAME):
        (folder / name).unlink(missing_ok=True)
        (folder / f".{name}.tmp").unlink(missing_ok=True)  # half-written by a killed build
    if folder.is_dir() and not any(folder.iterdir()):
        shutil.rmtree(folder)
