"""Read a landing CSV exactly as the council sent it: every value as text, nothing dropped.

Case-management systems and spreadsheets write UTF-8 with or without a byte-order mark, or
Windows-1252; header names arrive with stray spaces and any case.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

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


def read(path: Path) -> CsvText:
    return parse(path.read_bytes())
