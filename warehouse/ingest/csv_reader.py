"""Read a landing CSV exactly as the council sent it: every value as text, nothing dropped.

Case-management systems and spreadsheets write UTF-8 with or without a byte-order mark, or
Windows-1252; header names arrive with stray spaces and any case.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

_BOMS = (("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))


@dataclass
class CsvText:
    encoding: str
    header: list[str]  # normalised: trimmed, upper case, inner whitespace collapsed
    rows: list[list[str]]  # data rows, padded to the header's width
    overflow: dict[int, list[str]]  # index in rows -> values beyond the header's width

    @property
    def first_data_row_number(self) -> int:
        """Row numbers as a spreadsheet shows them: the header is row 1."""
        return 2


def decode(data: bytes) -> tuple[str, str]:
    """Return (encoding, text). Undecodable UTF-8 is taken as Windows-1252, which maps
    every byte but five; those five fall back to Latin-1 so no byte is ever lost."""
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            return encoding, data.decode(encoding)
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return "cp1252", data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", data.decode("latin-1")


def normalise_column_name(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).upper()


def parse(data: bytes) -> CsvText:
    encoding, text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    for row in reader:
        header = [normalise_column_name(c) for c in row]
        if any(header):
            break
    width = len(header)
    rows: list[list[str]] = []
    overflow: dict[int, list[str]] = {}
    for row in reader:
        if len(row) > width:
            extra = row[width:]
            if any(v.strip() for v in extra):
                overflow[len(rows)] = extra
            row = row[:width]
        elif len(row) < width:
            row = row + [""] * (width - len(row))
        rows.append(row)
    return CsvText(encoding=encoding, header=header, rows=rows, overflow=overflow)


@dataclass
class CsvColumns:
    """A regular file (see `parse_regular`) as columns: what `parse` gives, without Python rows."""

    encoding: str
    header: list[str]  # normalised as in CsvText
    columns: pa.Table  # data rows only; column i holds the values under header[i], as text


_MAX_FAST_COLUMNS = 1024


@functools.cache
def _as_text(width: int) -> pa_csv.ConvertOptions:
    """Every value of the first `width` columns as text, "" kept as "" (never NULL), whatever it
    looks like. Sized to the file: Arrow copies the whole type map on every call."""
    return pa_csv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(width)},
                                 strings_can_be_null=False)  # fmt: skip


_READ = pa_csv.ReadOptions(autogenerate_column_names=True)
# Blank lines stay rows (of empty values) so row numbers match what a spreadsheet shows.
_PARSE = pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False)


def parse_regular(data: bytes) -> CsvColumns | None:
    """Parse with Arrow's C++ reader when the file is regular: a non-blank header on the first
    line and every row exactly as wide. Gives the same values and row numbers as `parse` (a
    test holds them equal); None for anything else - ragged rows, leading blank rows, very wide
    files - which `parse` then reads row by row."""
    encoding, text = decode(data)
    if encoding == "utf-8":
        body = data
    elif encoding == "utf-8-sig":
        body = data[3:]
    else:
        body = text.encode("utf-8")
    # the header line's fields, or more if one of them quotes a comma
    width = min(body[: body.find(b"\n")].count(b",") + 1, _MAX_FAST_COLUMNS)
    try:
        table = pa_csv.read_csv(io.BytesIO(body), read_options=_READ, parse_options=_PARSE,
                                convert_options=_as_text(width))  # fmt: skip
        if any(t != pa.string() for t in table.schema.types):  # wider than its first line
            table = pa_csv.read_csv(io.BytesIO(body), read_options=_READ, parse_options=_PARSE,
                                    convert_options=_as_text(_MAX_FAST_COLUMNS))  # fmt: skip
    except pa.ArrowInvalid:  # its message quotes the offending row: never pass it on
        return None
    if table.num_rows == 0 or table.num_columns > _MAX_FAST_COLUMNS:
        return None
    header = [normalise_column_name(column[0].as_py()) for column in table.columns]
    if not any(header):
        return None
    return CsvColumns(encoding=encoding, header=header, columns=table.slice(1))


def read(path: Path) -> CsvText:
    return parse(path.read_bytes())
