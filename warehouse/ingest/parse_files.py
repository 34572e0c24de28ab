"""Parse one landing file into a raw table: recognise it by its columns and carry every value
as text with its source file and row number. Touches no warehouse, so a batch of extracts is
parsed while the previous one is inserted (warehouse.ingest.raw_loader)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.ingest import csv_reader, landing
from warehouse.ingest.recognition import recognise


@dataclass
class ParsedFile:
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


def sha256_of(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _source_columns(n: int, file_id: str, extract: landing.Extract,
                    source_file: str) -> dict[str, pa.Array]:  # fmt: skip
    """Where each row came from; row numbers as a spreadsheet shows them (header = row 1)."""
    return {
        "file_id": pa.repeat(pa.scalar(file_id, pa.string()), n),
        "la_code": pa.repeat(pa.scalar(extract.la_code, pa.string()), n),
        "extract_date": pa.repeat(pa.scalar(extract.extract_date, pa.date32()), n),
        "source_file": pa.repeat(pa.scalar(source_file, pa.string()), n),
        "row_number": pa.array(np.arange(2, n + 2, dtype=np.int32)),
    }


def _first_positions(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(name, i)  # a repeated header name: the first one counts
    return positions


def _to_arrow(parsed: csv_reader.CsvText, table, extract: landing.Extract, file_id: str,
              source_file: str) -> pa.Table:
    positions = _first_positions(parsed.header)
    extra_positions = [(n, i) for n, i in positions.items() if n and n not in table.columns]
    columns = _source_columns(len(parsed.rows), file_id, extract, source_file)
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


def _columns_to_arrow(parsed: csv_reader.CsvColumns, table, extract: landing.Extract,
                      file_id: str, source_file: str) -> pa.Table:  # fmt: skip
    """The same table as `_to_arrow`, for a regular file without extra columns."""
    positions = _first_positions(parsed.header)
    columns = _source_columns(parsed.columns.num_rows, file_id, extract, source_file)
    for column in table.columns:
        columns[column] = parsed.columns.column(positions[column])
    columns["extra_columns"] = pa.nulls(parsed.columns.num_rows, pa.string())
    return pa.table(columns)


def _rows_run_together(arrow: pa.Table, table) -> tuple[int, str] | None:
    """(row number, column) of the first 903 value holding line breaks and commas: rows read as
    one value, behind a quote that closed only on a later row. No 903 value holds either."""
    found = []
    for column in table.columns:
        values = arrow.column(column)
        hit = pc.and_(pc.match_substring_regex(values, "[\r\n]"), pc.match_substring(values, ","))
        if pc.any(hit).as_py():
            found.append((pc.index(hit, True).as_py(), column))
    if not found:
        return None
    index, column = min(found)
    return arrow.column("row_number")[index].as_py(), column


def _failed(file: landing.LandingFile, sha: str, message: str, encoding=None) -> ParsedFile:
    return ParsedFile(file, sha, None, "failed", f"{file.relative_path}{message}", encoding)


def parse_file(file: landing.LandingFile, extract: landing.Extract) -> ParsedFile:
    """A file that cannot be read, or read as CSV, is 'failed' with a message naming it (and the
    row): its extract fails, and no other."""
    try:
        data = file.path.read_bytes()
    except OSError as error:  # its text names the absolute path: the relative one is enough
        return _failed(file, "", f": cannot be read ({type(error).__name__}: "
                                 f"{error.strerror or 'no reason given'})")
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return ParsedFile(file, sha, None, "empty", f"{file.relative_path}: empty file, ignored")
    # Arrow's reader for regular files; the row-by-row reader for anything irregular.
    try:
        parsed = csv_reader.parse_regular(data) or csv_reader.parse(data)
    except csv_reader.CsvError as error:
        return _failed(file, sha, f", {error}")
    if not any(parsed.header):
        message = f"{file.relative_path}: no header row, ignored"
        return ParsedFile(file, sha, None, "empty", message)
    recognition = recognise(parsed.header)
    if recognition.table is None:
        message = recognition.describe_failure(file.relative_path)
        status = "failed" if recognition.resembles else "ignored"
        return ParsedFile(file, sha, None, status, message, parsed.encoding)
    table = recognition.table
    result = ParsedFile(file, sha, table.name, "loaded", None, parsed.encoding)
    if isinstance(parsed, csv_reader.CsvColumns) and not recognition.extra:
        result.arrow = _columns_to_arrow(parsed, table, extract, result.file_id,
                                         file.relative_path)  # fmt: skip
    else:  # extra columns are kept as JSON, built row by row
        if isinstance(parsed, csv_reader.CsvColumns):
            try:
                parsed = csv_reader.parse(data)
            except csv_reader.CsvError as error:
                return _failed(file, sha, f", {error}", parsed.encoding)
        result.arrow = _to_arrow(parsed, table, extract, result.file_id, file.relative_path)
    # only a quote can run rows together
    run_together = _rows_run_together(result.arrow, table) if b'"' in data else None
    if run_together is not None:
        return _failed(file, sha, f", row {run_together[0]}, column {run_together[1]}: values "
                       "of several rows read as one (a quote that opens here closes only on a "
                       "later row)", parsed.encoding)
    if recognition.extra:
        result.message = f"extra columns kept in raw only: {', '.join(recognition.extra)}"
    return result
