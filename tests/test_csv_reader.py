"""The Arrow fast path of the CSV reader gives exactly what the row-by-row reader gives, and
steps aside for files it cannot read the same way."""

from pathlib import Path

import pytest

from warehouse.ingest import csv_reader

SAMPLE = Path(__file__).resolve().parents[1] / "sample" / "landing"


def _rows(columns: csv_reader.CsvColumns) -> list[list[str]]:
    return [list(r.values()) for r in columns.columns.to_pylist()]


def _same_as_row_reader(data: bytes) -> csv_reader.CsvColumns:
    fast = csv_reader.parse_regular(data)
    slow = csv_reader.parse(data)
    assert fast is not None
    assert (fast.encoding, fast.header) == (slow.encoding, slow.header)
    assert _rows(fast) == slow.rows
    assert not slow.overflow
    return fast


REGULAR = {
    "plain": b"CHILD,SEX,DOB\n1001,1,01/02/2010\n1002,2,03/04/2011\n",
    "utf-8 BOM, CRLF": b"\xef\xbb\xbfCHILD,SEX,DOB\r\n1001,1,01/02/2010\r\n",
    "cp1252": "CHILD,NOTE\n1001,caf\u00e9 \u2013 \u00a3\n".encode("cp1252"),
    "utf-16": "CHILD,NOTE\n1001,x\n".encode("utf-16"),
    "blank row inside": b"CHILD,SEX\n1001,1\n\n1002,2\n",
    "no final newline": b"CHILD,SEX\n1001,1",
    "bare CR line ends": b"CHILD,SEX\r1001,1\r1002,2\r",
    "quoted comma, quote and newline": b'CHILD,NOTE\n1001,"a, ""b""\nc"\n1002,x\n',
    "looks like numbers and nulls": b"CHILD,SEX,HOME_POST\n0001234,1.0,NA\n1234.0, 2 ,null\n",
    "messy header": b" child , Home  post ,dob\n1,2,3\n",
    "only a header": b"CHILD,SEX,DOB\n",
    "empty values": b"CHILD,SEX,DOB\n,,\n1001,,\n",
    # the first physical line is narrower (or wider) than the header: values stay text
    "header with a quoted line break": b'CHILD,"HOME\nPOST",DOB,UPN\n0001,x,00,0.10\n',
    "header with a quoted comma": b'CHILD,"A,B",DOB\n0001,x,00\n',
}


@pytest.mark.parametrize("name", sorted(REGULAR))
def test_fast_path_matches_row_reader(name):
    _same_as_row_reader(REGULAR[name])


def test_blank_row_keeps_its_row_number():
    fast = _same_as_row_reader(REGULAR["blank row inside"])
    # spreadsheet rows: header 1, "1001" 2, blank 3, "1002" 4
    assert _rows(fast) == [["1001", "1"], ["", ""], ["1002", "2"]]


IRREGULAR = {
    "short row": b"CHILD,SEX,DOB\n1001,1\n",
    "long row": b"CHILD,SEX\n1001,1,extra\n",
    "blank line before the header": b"\nCHILD,SEX\n1001,1\n",
    "empty header row": b",,\nCHILD,SEX,DOB\n1001,1,x\n",
}


@pytest.mark.parametrize("name", sorted(IRREGULAR))
def test_irregular_files_fall_back(name):
    assert csv_reader.parse_regular(IRREGULAR[name]) is None


def test_whole_sample_extract_reads_the_same():
    extract = sorted(p for p in SAMPLE.glob("*/*") if p.is_dir())[-1]
    files = sorted(extract.glob("*.csv"))
    assert len(files) >= 8
    for path in files:
        _same_as_row_reader(path.read_bytes())


def test_a_file_quoting_every_value_stays_on_the_fast_path():
    # some case-management exports quote every value: closed quotes on the last line are fine
    fast = _same_as_row_reader(b'"CHILD","SEX"\r\n"1001","1"\r\n"1002","2"\r\n')
    assert _rows(fast) == [["1001", "1"], ["1002", "2"]]
