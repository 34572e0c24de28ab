"""Read a landing CSV exactly as the council sent it: every value as text, nothing dropped.

Case-management systems and spreadsheets write UTF-8 with or without a byte-order mark, or
Windows-1252; header names arrive with stray spaces and any case.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# csv's own limit on one value, in characters: no 903 value comes near it, so a longer one is a
# runaway quote or a pasted blob, and fails its file on either reader
FIELD_LIMIT = 131_072


class CsvError(ValueError):
    """A file that cannot be read as CSV; the message names the row, never a value."""

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(f"row {row}: {reason}")
        self.row = row
        self.reason = reason


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


def _single_byte(data: bytes) -> tuple[str, str]:
    """Windows-1252, which maps every byte but five; those five fall back to Latin-1 so no byte
    is ever lost."""
    try:
        return "cp1252", data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", data.decode("latin-1")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 written without a byte-order mark (a common Windows export): CSV text is nearly
    all ASCII, so one byte of each pair is NUL - the high byte, after (LE) or before (BE)."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs == 0 or b"\0" not in sample:
        return None
    nul_first, nul_second = sample[0:2 * pairs:2].count(0), sample[1:2 * pairs:2].count(0)
    if nul_second >= 0.3 * pairs and nul_first <= 0.01 * pairs:
        return "utf-16-le"
    if nul_first >= 0.3 * pairs and nul_second <= 0.01 * pairs:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Return (encoding, text): the encoding as found, named honestly. Undecodable UTF-8 is
    taken as Windows-1252, with or without a UTF-8 byte-order mark in front of it."""
    if data.startswith(_UTF8_BOM):
        try:
            return "utf-8-sig", data[3:].decode("utf-8")
        except UnicodeDecodeError:  # an export tool put the mark on Windows-1252 text
            encoding, text = _single_byte(data[3:])
            return f"{encoding} after a UTF-8 byte-order mark", text
    utf16 = "utf-16" if data.startswith(_UTF16_BOMS) else _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return utf16, data.decode(utf16)
        except UnicodeDecodeError:  # not UTF-16 after all: read it byte by byte below
            pass
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        return _single_byte(data)


def normalise_column_name(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).upper()


_TOO_LONG = f"a value is longer than {FIELD_LIMIT:,} characters, the most one may hold"


def _reason(error: csv.Error) -> str:
    if "field limit" in str(error):
        return _TOO_LONG
    return f"not readable as CSV ({error})"  # the csv module's messages quote no values


def _quote_open_at_end(tail: str) -> bool:
    """Whether the file's last record (`tail`) ends inside a quoted value. A quote added at the
    end closes such a value and changes nothing; after a closed record it changes the result."""
    try:
        return (list(csv.reader(io.StringIO(tail, newline="")))
                == list(csv.reader(io.StringIO(tail + '"', newline=""))))  # fmt: skip
    except csv.Error:
        return False


def _records(text: str):
    """(spreadsheet row number, values) of each record; a record the csv module refuses, or a
    quote never closed (the rest of the file read as one value), raises CsvError."""
    reader = csv.reader(io.StringIO(text, newline=""))
    number, last_start = 0, 0
    while True:
        start = reader.line_num  # physical lines before this record
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise CsvError(number + 1, _reason(error)) from None
        number, last_start = number + 1, start
        yield number, row
    if number and '"' in text:
        tail = "".join(itertools.islice(io.StringIO(text, newline=""), last_start, None))
        if _quote_open_at_end(tail):
            raise CsvError(number, "a quote opened in this row is never closed, so the rest of "
                                   "the file would be one value (an unterminated quote)")


def parse(data: bytes) -> CsvText:
    encoding, text = decode(data)
    records = _records(text)
    header: list[str] = []
    for _, row in records:
        header = [normalise_column_name(c) for c in row]
        if any(header):
            break
    width = len(header)
    rows: list[list[str]] = []
    overflow: dict[int, list[str]] = {}
    for _, row in records:
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


def _last_line(body: bytes) -> bytes:
    end = len(body)
    while end and body[end - 1] in b"\r\n":
        end -= 1
    start = max(body.rfind(b"\n", 0, end), body.rfind(b"\r", 0, end)) + 1
    return body[start:end]


def _check_lengths(table: pa.Table) -> None:
    """The csv module's limit on one value, held on Arrow's reader too (row 1 = the header)."""
    too_long = []
    for column in table.columns:
        lengths = pc.utf8_length(column)
        if pc.max(lengths).as_py() > FIELD_LIMIT:
            too_long.append(pc.index(pc.greater(lengths, FIELD_LIMIT), True).as_py())
    if too_long:
        raise CsvError(min(too_long) + 1, _TOO_LONG)


def parse_regular(data: bytes) -> CsvColumns | None:
    """Parse with Arrow's C++ reader when the file is regular: a non-blank header on the first
    line and every row exactly as wide. Gives the same values and row numbers as `parse` (a
    test holds them equal); None for anything else - ragged rows, leading blank rows, very wide
    files - which `parse` then reads row by row. A value over FIELD_LIMIT raises CsvError."""
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
    # Arrow reads a quote left open to the end of the file as a last value holding the rest of
    # the file: a line break in that value, or a quote the last line leaves open, sends the file
    # to `parse`, which tells an open quote from a closed one however many lines a record spans.
    last, last_line = table.column(table.num_columns - 1)[-1].as_py(), _last_line(body)
    if ("\n" in last or "\r" in last
            or b'"' in last_line and _quote_open_at_end(last_line.decode("utf-8", "replace"))):
        return None
    if len(body) > FIELD_LIMIT:  # a smaller file holds no value that long
        _check_lengths(table)
    header = [normalise_column_name(column[0].as_py()) for column in table.columns]
    if not any(header):
        return None
    return CsvColumns(encoding=encoding, header=header, columns=table.slice(1))


def read(path: Path) -> CsvText:
    return parse(path.read_bytes())
