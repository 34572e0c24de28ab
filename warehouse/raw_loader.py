"""Load landing extracts into the raw layer, incrementally.

An extract folder is loaded (or reloaded) as a whole, in one transaction, when any of its files
is new or changed; unchanged files are recognised by size and modification time, then by
checksum, and are not parsed again. A file missing required columns fails its own extract: the
extract's previous load, if any, is kept, the failure is recorded in raw.extracts, and other
extracts carry on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import csv_reader, landing, sqlfiles
from warehouse.recognition import recognise
from warehouse.schema import tables

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


@dataclass
class _ParsedFile:
    file: landing.LandingFile
    sha256: str
    table_name: str | None
    status: str  # loaded | empty | ignored
    message: str | None
    encoding: str | None = None
    arrow: pa.Table | None = None

    @property
    def file_id(self) -> str:
        return hashlib.sha1(f"{self.file.relative_path}\0{self.sha256}".encode()).hexdigest()[:16]


def create_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    sqlfiles.run(conn, "raw/create_raw.sql", tables=list(tables().values()))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _to_arrow(parsed: csv_reader.CsvText, table, extract: landing.Extract, file_id: str,
              source_file: str) -> pa.Table:
    positions: dict[str, int] = {}
    for i, name in enumerate(parsed.header):
        positions.setdefault(name, i)  # a repeated header name: the first one counts
    extra_positions = [(n, i) for n, i in positions.items() if n and n not in table.columns]
    n = len(parsed.rows)
    columns: dict[str, pa.Array] = {
        "file_id": pa.array([file_id] * n, pa.string()),
        "la_code": pa.array([extract.la_code] * n, pa.string()),
        "extract_date": pa.array([extract.extract_date] * n, pa.date32()),
        "source_file": pa.array([source_file] * n, pa.string()),
        "row_number": pa.array(
            range(parsed.first_data_row_number, parsed.first_data_row_number + n), pa.int32()
        ),
    }
    for column in table.columns:
        i = positions[column]
        columns[column] = pa.array([row[i] for row in parsed.rows], pa.string())
    extras = []
    for index, row in enumerate(parsed.rows):
        values = {name: row[i] for name, i in extra_positions if row[i].strip()}
        if index in parsed.overflow:
            values["_overflow"] = parsed.overflow[index]
        extras.append(json.dumps(values) if values else None)
    columns["extra_columns"] = pa.array(extras, pa.string())
    return pa.table(columns)


def _parse_file(file: landing.LandingFile, extract: landing.Extract) -> _ParsedFile:
    data = file.path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return _ParsedFile(file, sha, None, "empty", f"{file.relative_path}: empty file, ignored")
    parsed = csv_reader.parse(data)
    if not any(parsed.header):
        message = f"{file.relative_path}: no header row, ignored"
        return _ParsedFile(file, sha, None, "empty", message)
    recognition = recognise(parsed.header)
    if recognition.table is None:
        message = recognition.describe_failure(file.relative_path)
        status = "failed" if recognition.resembles else "ignored"
        return _ParsedFile(file, sha, None, status, message, parsed.encoding)
    table = recognition.table
    result = _ParsedFile(file, sha, table.name, "loaded", None, parsed.encoding)
    result.arrow = _to_arrow(parsed, table, extract, result.file_id, file.relative_path)
    if recognition.extra:
        result.message = f"extra columns kept in raw only: {', '.join(recognition.extra)}"
    return result


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
        _, sha, size, mtime, *_ = known[f.relative_path]
        if (size, mtime) != (f.size, f.mtime_ns) and _sha256(f.path) != sha:
            return False
    return True


def _delete_extract(conn, la_code: str, extract_date: dt.date) -> None:
    for t in tables().values():
        conn.execute(
            f"DELETE FROM raw.{t.name} WHERE la_code = ? AND extract_date = ?",
            [la_code, extract_date],
        )
    conn.execute(
        "DELETE FROM raw.files WHERE la_code = ? AND extract_date = ?", [la_code, extract_date]
    )


def _record_extract(conn, extract_key: tuple[str, dt.date], status: str, message: str | None,
                    file_count: int) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO raw.extracts VALUES (?, ?, ?, ?, ?, current_timestamp)",
        [*extract_key, status, message, file_count],
    )


def _load_extract(conn, extract: landing.Extract, report: IngestReport, reload: bool) -> None:
    parsed = [_parse_file(f, extract) for f in extract.files]
    key = (extract.la_code, extract.extract_date)
    for p in parsed:
        if p.status in ("empty", "ignored"):
            report.warnings.append(p.message)
        elif p.status == "loaded" and p.message:
            report.warnings.append(f"{p.file.relative_path}: {p.message}")
    failed = [p for p in parsed if p.status == "failed"]
    if failed:
        message = "; ".join(p.message for p in failed)
        report.failures.append(ExtractFailure(*key, message))
        _record_extract(conn, key, "failed", message, len(parsed))
        return
    conn.execute("BEGIN TRANSACTION")
    try:
        if reload:  # deleting scans every raw table: only worth it for an extract seen before
            _delete_extract(conn, *key)
        for p in parsed:
            rows = p.arrow.num_rows if p.arrow is not None else 0
            if p.arrow is not None:
                incoming = p.arrow  # noqa: F841 - scanned by name below
                conn.execute(f"INSERT INTO raw.{p.table_name} BY NAME SELECT * FROM incoming")
                report.rows_loaded[p.table_name] = report.rows_loaded.get(p.table_name, 0) + rows
            conn.execute(
                "INSERT INTO raw.files "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
                [p.file_id, *key, p.file.relative_path, p.table_name, p.sha256, p.file.size,
                 p.file.mtime_ns, p.encoding, rows, p.status, p.message],
            )
        _record_extract(conn, key, "loaded", None, len(parsed))
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    report.extracts_loaded += 1


def ingest_landing(conn: duckdb.DuckDBPyConnection, root: Path) -> IngestReport:
    """Bring raw in line with the landing folder; returns counts only (no child-level values)."""
    create_raw_schema(conn)
    scan = landing.scan(root)
    report = IngestReport(extracts_seen=len(scan.extracts), warnings=list(scan.ignored))
    known = _known_files(conn)
    seen_before = {(v[4], v[5]) for v in known.values()}
    present = set()
    for extract in scan.extracts:
        present.add((extract.la_code, extract.extract_date))
        if _unchanged(extract, known):
            report.extracts_unchanged += 1
            continue
        key = (extract.la_code, extract.extract_date)
        _load_extract(conn, extract, report, reload=key in seen_before)
    # An extract folder taken out of landing leaves the warehouse too.
    loaded = conn.execute("SELECT la_code, extract_date FROM raw.extracts").fetchall()
    for la_code, extract_date in loaded:
        if (la_code, extract_date) not in present:
            conn.execute("BEGIN TRANSACTION")
            _delete_extract(conn, la_code, extract_date)
            conn.execute(
                "DELETE FROM raw.extracts WHERE la_code = ? AND extract_date = ?",
                [la_code, extract_date],
            )
            conn.execute("COMMIT")
            report.extracts_removed += 1
    for message in report.warnings:
        log.warning(message)
    for failure in report.failures:
        log.error("Extract %s %s failed: %s", failure.la_code, failure.extract_date,
                  failure.message)
    return report
