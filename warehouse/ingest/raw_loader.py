"""Load landing extracts into the raw layer, incrementally.

An extract folder is loaded (or reloaded) as a whole, in one transaction, when any of its files
is new or changed; unchanged files are recognised by their checksum, taken of every file on every
run (a same-size change with its modification time kept, as `cp -p` or `rsync -a` leave it, is
still seen), and are not parsed again. A file that cannot be read, or read as CSV, or lacks
required columns, two files holding the same table, and an extract without a usable Header and
Episodes (warehouse.ingest.completeness), fail their own extract: its previous load, if any, is
kept, the failure is recorded in raw.extracts, and other extracts carry on.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import sqlfiles
from warehouse.domain.schema import tables
from warehouse.ingest import completeness, landing, removal
from warehouse.ingest.parse_files import ParsedFile, parse_file, sha256_of

log = logging.getLogger(__name__)


@dataclass
class ExtractFailure:
    la_code: str
    extract_date: dt.date
    message: str  # names files and columns only: safe to show and share


@dataclass
class IngestReport:
    extracts_seen: int = 0
    extracts_loaded: int = 0
    extracts_unchanged: int = 0
    extracts_removed: int = 0
    failures: list[ExtractFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_loaded: dict[str, int] = field(default_factory=dict)  # table -> rows loaded this run


def create_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    sqlfiles.run(conn, "raw/create_raw.sql", tables=list(tables().values()))


def _known_files(conn) -> dict[str, tuple]:
    rows = conn.execute(
        "SELECT path, file_id, sha256, size_bytes, mtime_ns, la_code, extract_date FROM raw.files"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def _unchanged(extract: landing.Extract, known: dict[str, tuple]) -> bool:
    known_here = {
        p for p, v in known.items() if v[4] == extract.la_code and v[5] == extract.extract_date
    }
    if known_here != {f.relative_path for f in extract.files}:
        return False
    for f in extract.files:
        _, sha, size, *_ = known[f.relative_path]
        # size and modification time cannot be trusted: cp -p and rsync -a keep them
        try:
            if f.size != size or sha256_of(f.path) != sha:
                return False
        except OSError:  # unreadable now: parsing it again fails the extract, naming it
            return False
    return True


def _delete_extracts(conn, keys: list[tuple[str, dt.date]], *, forget: bool = False) -> None:
    """Remove extracts' rows and files from raw, one pass over each table however many
    extracts; `forget` also drops their raw.extracts record (the folder left landing)."""
    gone = pa.table({"la_code": pa.array([k[0] for k in keys], pa.string()),
                     "extract_date": pa.array([k[1] for k in keys], pa.date32())})  # fmt: skip
    conn.register("raw_gone_extracts", gone)
    try:
        for name in [*tables(), "files", *(["extracts"] if forget else [])]:
            conn.execute(
                f"DELETE FROM raw.{name} WHERE (la_code, extract_date) IN "
                "(SELECT (la_code, extract_date) FROM raw_gone_extracts)"
            )
    finally:
        conn.unregister("raw_gone_extracts")


def _record_extract(conn, extract_key: tuple[str, dt.date], status: str, message: str | None,
                    file_count: int) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO raw.extracts VALUES (?, ?, ?, ?, ?, current_timestamp)",
        [*extract_key, status, message, file_count],
    )


_FILES_SCHEMA = pa.schema([
    ("file_id", pa.string()), ("la_code", pa.string()), ("extract_date", pa.date32()),
    ("path", pa.string()), ("table_name", pa.string()), ("sha256", pa.string()),
    ("size_bytes", pa.int64()), ("mtime_ns", pa.int64()), ("encoding", pa.string()),
    ("row_count", pa.int32()), ("status", pa.string()), ("message", pa.string()),
])  # fmt: skip


def _file_row(p: ParsedFile, key: tuple[str, dt.date]) -> dict:
    return {
        "file_id": p.file_id, "la_code": key[0], "extract_date": key[1],
        "path": p.file.relative_path, "table_name": p.table_name, "sha256": p.sha256,
        "size_bytes": p.file.size, "mtime_ns": p.file.mtime_ns, "encoding": p.encoding,
        "row_count": p.arrow.num_rows if p.arrow is not None else 0, "status": p.status,
        "message": p.message,
    }  # fmt: skip


def _parse_safely(file: landing.LandingFile, extract: landing.Extract) -> ParsedFile:
    try:
        return parse_file(file, extract)
    except Exception as error:  # one file's surprise fails its own extract, not the landing's
        # the error's text may quote the file: its type only
        return ParsedFile(file, "", None, "failed",
                          f"{file.relative_path}: could not be read ({type(error).__name__})")


def _duplicated_tables(parsed: list[ParsedFile]) -> list[str]:
    """One message per table held by more than one file (`header.csv` and `header (1).csv`):
    which one the council meant cannot be guessed, and loading both would count twice."""
    paths: dict[str, list[str]] = {}
    for p in parsed:
        if p.status == "loaded":
            paths.setdefault(p.table_name, []).append(p.file.relative_path)
    messages = []
    for name, files in paths.items():
        if len(files) > 1:
            *first, last = sorted(files)
            both = "both" if len(files) == 2 else "all"
            messages.append(f"{', '.join(first)} and {last} {both} hold the {tables()[name].title} "
                            "table: keep one file per table in an extract")
    return messages


def _parse_extract(extract: landing.Extract, report: IngestReport) -> list[ParsedFile] | None:
    """Parse an extract's files; None (with the failure recorded in the report) when a file
    that looks like a 903 table cannot be read or used, so the extract's previous load stays."""
    parsed = [_parse_safely(f, extract) for f in extract.files]
    for p in parsed:
        if p.status in ("empty", "ignored"):
            report.warnings.append(p.message)
        elif p.status == "loaded" and p.message:
            report.warnings.append(f"{p.file.relative_path}: {p.message}")
    problems = [p.message for p in parsed if p.status == "failed"]
    problems += _duplicated_tables(parsed)
    if problems:
        message = "; ".join(problems)
        report.failures.append(ExtractFailure(extract.la_code, extract.extract_date, message))
        return None
    return parsed


@dataclass
class _ParsedBatch:
    good: list[tuple[landing.Extract, bool, list[ParsedFile]]]
    failed: list[tuple[landing.Extract, ExtractFailure]]
    warnings: list[str]


def _parse_batch(batch: list[tuple[landing.Extract, bool]]) -> _ParsedBatch:
    """Parse a batch of extracts without touching the warehouse (runs beside the inserts)."""
    notes = IngestReport()
    result = _ParsedBatch([], [], notes.warnings)
    parsed = [(extract, reload, _parse_extract(extract, notes)) for extract, reload in batch]
    failures = iter(notes.failures)
    counts = completeness.row_counts([p for *_, files in parsed for p in files or []])
    for extract, reload, files in parsed:
        if files is None:
            result.failed.append((extract, next(failures)))
        elif (problem := completeness.problem(extract, files, counts)) is not None:
            failure = ExtractFailure(extract.la_code, extract.extract_date, problem)
            result.failed.append((extract, failure))
        else:
            result.good.append((extract, reload, files))
    return result


def _load_batch(conn, batch: _ParsedBatch, report: IngestReport) -> None:
    """Load a parsed batch of new or changed extracts (inside the caller's transaction): one
    INSERT per raw table rather than one per file, which is what makes a first load of a
    regional hub quick."""
    report.warnings.extend(batch.warnings)
    for extract, failure in batch.failed:
        report.failures.append(failure)
        _record_extract(conn, (extract.la_code, extract.extract_date), "failed",
                        failure.message, len(extract.files))  # fmt: skip
    good = batch.good
    if not good:
        return
    by_table: dict[str, list[pa.Table]] = {}
    file_rows = []
    for extract, _, parsed in good:
        key = (extract.la_code, extract.extract_date)
        for p in parsed:
            if p.arrow is not None:
                by_table.setdefault(p.table_name, []).append(p.arrow)
            file_rows.append(_file_row(p, key))
    # deleting scans every raw table: only for extracts seen before
    reloaded = [(e.la_code, e.extract_date) for e, reload, _ in good if reload]
    if reloaded:
        _delete_extracts(conn, reloaded)
    for name, parts in by_table.items():
        # one contiguous table: DuckDB inserts it about twice as fast as many small chunks
        incoming = pa.concat_tables(parts).combine_chunks()  # noqa: F841 - scanned below
        conn.execute(f"INSERT INTO raw.{name} BY NAME SELECT * FROM incoming")
        report.rows_loaded[name] = report.rows_loaded.get(name, 0) + incoming.num_rows
    files = pa.Table.from_pylist(file_rows, schema=_FILES_SCHEMA)  # noqa: F841
    conn.execute("INSERT INTO raw.files SELECT *, current_timestamp FROM files")
    extracts = pa.table({  # noqa: F841
        "la_code": [e.la_code for e, _, _ in good],
        "extract_date": pa.array([e.extract_date for e, _, _ in good], pa.date32()),
        "file_count": pa.array([len(p) for _, _, p in good], pa.int32()),
    })
    conn.execute(
        "INSERT OR REPLACE INTO raw.extracts SELECT la_code, extract_date, 'loaded', NULL, "
        "file_count, current_timestamp FROM extracts"
    )
    report.extracts_loaded += len(good)


# Extracts parsed and inserted together: bounds memory (about 50 MB of Arrow per batch on a
# hub's extracts, two batches in flight) while keeping statements few.
LOAD_BATCH_EXTRACTS = 50


def ingest_landing(conn: duckdb.DuckDBPyConnection, root: Path,
                   removal_policy: removal.RemovalPolicy | None = None) -> IngestReport:
    """Bring raw in line with the landing folder; returns counts only (no child-level values).

    Raises removal.RemovalRefused, having changed nothing, when extracts whose folders left
    landing are more than the policy lets one load remove (see warehouse/ingest/removal.py)."""
    create_raw_schema(conn)
    scan = landing.scan(root)
    report = IngestReport(extracts_seen=len(scan.extracts), warnings=list(scan.ignored))
    present = {(e.la_code, e.extract_date) for e in scan.extracts}
    held = conn.execute("SELECT la_code, extract_date FROM raw.extracts").fetchall()
    removed = [key for key in held if key not in present]
    removal.check(held, removed, removal_policy or removal.RemovalPolicy(), root)
    known = _known_files(conn)
    seen_before = {(v[4], v[5]) for v in known.values()}
    to_load: list[tuple[landing.Extract, bool]] = []
    for extract in scan.extracts:
        key = (extract.la_code, extract.extract_date)
        if _unchanged(extract, known):
            report.extracts_unchanged += 1
        else:
            to_load.append((extract, key in seen_before))
    batches = [to_load[i : i + LOAD_BATCH_EXTRACTS] for i in range(0, len(to_load),
                                                              LOAD_BATCH_EXTRACTS)]  # fmt: skip
    # One transaction for the whole load: DuckDB commits appends to tables that already hold
    # rows slowly (a commit per batch tripled the hub's insert time), and a failure leaves raw
    # as it was. Memory stays bounded: DuckDB writes a large transaction's rows to the file as
    # it goes, and at most two batches of Arrow are in flight.
    conn.execute("BEGIN TRANSACTION")
    try:
        # Arrow parses and DuckDB inserts with the GIL released: the next batch is parsed
        # while the previous one is inserted, keeping both cores busy.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv-parse") as parser:
            pending = parser.submit(_parse_batch, batches[0]) if batches else None
            for following in [*batches[1:], None]:
                if pending is None:
                    break
                parsed = pending.result()
                pending = parser.submit(_parse_batch, following) if following else None
                _load_batch(conn, parsed, report)
        # An extract folder taken out of landing leaves the warehouse too (within the guard).
        if removed:
            _delete_extracts(conn, removed, forget=True)
            report.extracts_removed += len(removed)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    for message in report.warnings:
        log.warning(message)
    for failure in report.failures:
        log.error("Extract %s %s failed: %s", failure.la_code, failure.extract_date,
                  failure.message)
    return report


@dataclass(frozen=True)
class RawSummary:
    """What raw holds after a load: counts and failure messages (file and column names only)."""

    extracts: int
    tables: dict[str, tuple[int, int]]  # table -> (rows, files)
    failed: list[tuple[str, str, str]]  # (la_code, extract_date, message)


def summarise(conn: duckdb.DuckDBPyConnection) -> RawSummary:
    counts = {
        t: conn.execute(f"SELECT count(*), count(DISTINCT file_id) FROM raw.{t}").fetchall()[0]
        for t in tables()
    }
    failed = conn.execute(
        "SELECT la_code, strftime(extract_date, '%Y-%m-%d'), message FROM raw.extracts "
        "WHERE status = 'failed' ORDER BY ALL"
    ).fetchall()
    (extracts,) = conn.execute("SELECT count(*) FROM raw.extracts").fetchall()[0]
    return RawSummary(extracts, counts, failed)
