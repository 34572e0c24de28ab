"""Files that cannot be read as they are, and extracts without a usable core table (issue 12,
items 1, 2, 4, 5 and 6): each fails only its own extract, naming the file (and row), and keeps
the extract's previous load; or, where the file can be read honestly, it loads."""

import datetime as dt
import errno
import os
import random
from pathlib import Path

import pytest

from tests.helpers.build import build_ingest_layers
from tests.helpers.landing_builder import copy_tiny_valid, extract_dir, write_table
from warehouse.ingest import csv_reader, landing, raw_loader
from warehouse.ingest.parse_files import parse_file

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny903_valid_2024_25"
GOOD_LA, BAD_LA = "E08000035", "E08000034"
BAD = f"{BAD_LA}/2025-03-31"
EPISODES = f"{BAD}/episodes.csv"


def landing_with_two_councils(landing_dir) -> Path:
    copy_tiny_valid(landing_dir, GOOD_LA)
    return copy_tiny_valid(landing_dir, BAD_LA)


def status(conn, la_code=BAD_LA):
    return conn.execute("SELECT status, message FROM raw.extracts WHERE la_code = ?",
                        [la_code]).fetchone()


def staged_councils(conn, table="episodes"):
    return conn.execute(f"SELECT la_code, count(*) FROM staging.{table} GROUP BY ALL ORDER BY 1"
                        ).fetchall()


def one_failure(report) -> str:
    assert [(f.la_code, f.extract_date) for f in report.failures] == [
        (BAD_LA, dt.date(2025, 3, 31))]
    return report.failures[0].message


def read_either(data: bytes):
    """As parse_file reads: Arrow for a regular file, row by row for anything else."""
    return csv_reader.parse_regular(data) or csv_reader.parse(data)


def with_episode_line(folder: Path, row: int, change) -> str:
    """Rewrite one line of episodes.csv (row numbers as a spreadsheet shows them)."""
    path = folder / "episodes.csv"
    lines = path.read_text().splitlines()
    lines[row - 1] = change(lines[row - 1])
    path.write_text("\n".join(lines) + "\n")
    return lines[row - 1]


# ---- item 1: a field longer than the csv module's limit ----------------------------------------
def test_reader_refuses_a_value_over_the_limit_naming_the_row_not_the_value():
    value = "Z" * (csv_reader.FIELD_LIMIT + 1)
    regular = f"CHILD,NOTE\n1,a\n2,{value}\n".encode()
    ragged = f"CHILD,NOTE\n1,a,extra\n2,{value}\n".encode()
    for read in (csv_reader.parse_regular, csv_reader.parse, read_either):
        for data in (regular, ragged):
            if read is csv_reader.parse_regular and data is ragged:
                continue  # not regular: Arrow steps aside
            with pytest.raises(csv_reader.CsvError) as caught:
                read(data)
            assert caught.value.row == 3
            assert "131,072" in str(caught.value) and "ZZZ" not in str(caught.value)


def test_a_huge_field_fails_only_its_extract_naming_file_and_row(conn, landing_dir):
    folder = landing_with_two_councils(landing_dir)
    with_episode_line(folder, 3, lambda line: line + ",x" + "Q" * 200_000)  # ragged: slow path
    message = one_failure(build_ingest_layers(conn, landing_dir)["ingest"])
    assert message.startswith(f"{EPISODES}, row 3: ")
    assert "QQQ" not in message
    assert status(conn) == ("failed", message)
    assert staged_councils(conn) == [(GOOD_LA, 4)]


# ---- item 2: a UTF-8 byte-order mark on a Windows-1252 file --------------------------------------
BOM_1252 = b"\xef\xbb\xbf" + "CHILD,NOTE\n1001,caf\u00e9 \u2013 \u00a3\n".encode("cp1252")


def test_bom_then_windows_1252_is_decoded_and_named_honestly():
    encoding, text = csv_reader.decode(BOM_1252)
    assert encoding == "cp1252 after a UTF-8 byte-order mark"
    assert text == "CHILD,NOTE\n1001,caf\u00e9 \u2013 \u00a3\n"
    for parse in (csv_reader.parse_regular, csv_reader.parse):
        parsed = parse(BOM_1252)
        assert (parsed.encoding, parsed.header) == (encoding, ["CHILD", "NOTE"])


def test_bom_then_windows_1252_header_loads(conn, landing_dir):
    folder = landing_with_two_councils(landing_dir)
    header = (TINY / "header.csv").read_text().replace("A123456789012", "A12345678901\u00e9")
    (folder / "header.csv").write_bytes(b"\xef\xbb\xbf" + header.encode("cp1252"))
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert not report.failures
    assert conn.execute("SELECT encoding FROM raw.files WHERE la_code = ? AND table_name = "
                        "'header'", [BAD_LA]).fetchone() == (
        "cp1252 after a UTF-8 byte-order mark",)
    assert conn.execute("SELECT upn FROM staging.header WHERE la_code = ? AND child = '1001'",
                        [BAD_LA]).fetchone() == ("A12345678901\u00c9",)  # a code: upper-cased


# ---- item 4: a file that cannot be read ---------------------------------------------------------
def unreadable(monkeypatch, name: str, error: OSError) -> None:
    """Reading `name` raises `error` (tests run as root, where chmod 000 does not stop a read)."""
    read_bytes = Path.read_bytes

    def refuse(path):
        if path.name == name and BAD_LA in path.parts:
            raise error
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    open_ = Path.open

    def refuse_open(path, *args, **kwargs):  # the loader's checksum streams the file
        if path.name == name and BAD_LA in path.parts:
            raise error
        return open_(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse_open)


@pytest.mark.parametrize("error, reason", [
    (PermissionError(errno.EACCES, "Permission denied"), "PermissionError: Permission denied"),
    (OSError(errno.EIO, "Input/output error"), "OSError: Input/output error"),
])  # fmt: skip
def test_unreadable_file_fails_only_its_extract(conn, landing_dir, monkeypatch, error, reason):
    landing_with_two_councils(landing_dir)
    unreadable(monkeypatch, "reviews.csv", error)
    message = one_failure(build_ingest_layers(conn, landing_dir)["ingest"])
    assert message == f"{BAD}/reviews.csv: cannot be read ({reason})"
    assert staged_councils(conn) == [(GOOD_LA, 4)]


def test_parse_file_reports_an_unreadable_file(landing_dir, monkeypatch):
    folder = copy_tiny_valid(landing_dir, BAD_LA)
    unreadable(monkeypatch, "oc2.csv", PermissionError(errno.EACCES, "Permission denied",
                                                        str(folder / "oc2.csv")))
    extract = landing.scan(landing_dir).extracts[0]
    (oc2,) = [f for f in extract.files if f.path.name == "oc2.csv"]
    parsed = parse_file(oc2, extract)
    assert (parsed.status, parsed.message) == (
        "failed", f"{BAD}/oc2.csv: cannot be read (PermissionError: Permission denied)")
    assert str(landing_dir) not in parsed.message  # the relative path only


def test_file_unreadable_after_a_load_keeps_the_previous_load(conn, landing_dir, monkeypatch):
    folder = landing_with_two_councils(landing_dir)
    build_ingest_layers(conn, landing_dir)
    os.utime(folder / "episodes.csv", ns=(1, 1))  # changed on the share, now unreadable
    unreadable(monkeypatch, "episodes.csv", OSError(errno.EIO, "Input/output error"))
    message = one_failure(build_ingest_layers(conn, landing_dir)["ingest"])
    assert message == f"{EPISODES}: cannot be read (OSError: Input/output error)"
    assert staged_councils(conn) == [(BAD_LA, 4), (GOOD_LA, 4)]


# ---- item 5: an unterminated quote --------------------------------------------------------------
def test_reader_finds_a_quote_left_open_to_the_end_of_the_file():
    data = b"CHILD,LS,CIN\n1,C2,N1\n2,\"C2,N1\n3,C2,N1\n4,C2,N1\n"
    assert csv_reader.parse_regular(data) is None
    with pytest.raises(csv_reader.CsvError) as caught:
        csv_reader.parse(data)
    assert caught.value.row == 3
    assert "never closed" in str(caught.value)


@pytest.mark.parametrize("data", [
    b"CHILD,LS\n1,C2\n2,\"C2\n3,C2\n4,C2\n",  # in the last column: Arrow reads it as one value
    b"CHILD,LS\n1,C2\n2,\"C2\n3,C2\n4,C2",
    b"CHILD,LS\n1,C2\n2,\"C2\n",  # on the last row, swallowing only the line end
    b"CHILD,LS\n1,C2\n2,\"",
])  # fmt: skip
def test_open_quote_in_the_last_column_is_found_too(data):
    with pytest.raises(csv_reader.CsvError) as caught:
        read_either(data)
    assert caught.value.row == 3


@pytest.mark.parametrize("data", [
    b'CHILD,NOTE\n1,"a\nb"\n2,x\n',  # a quoted line break, closed
    b'CHILD,NOTE\n1,"a ""quoted"" word"\n',
    b'CHILD,NOTE\n1,x"y\n2,"z"\n',  # a quote inside an unquoted value is a character
    b'CHILD,NOTE\n1,""\n',
    b'CHILD,NOTE\n1,"multi\nline"',  # the last value closed at the end of the file
])  # fmt: skip
def test_closed_quotes_are_not_mistaken_for_open_ones(data):
    parsed = read_either(data)
    assert parsed.header == ["CHILD", "NOTE"]


def test_rows_run_together_in_a_903_column_fail_the_extract(conn, landing_dir):
    # The quote opened in LS closes on a later quote: no open quote at the end of the file, but
    # LS holds two rows' worth of text.
    folder = landing_with_two_councils(landing_dir)
    with_episode_line(folder, 3, lambda line: line.replace(",C2,", ',"C2,'))
    with_episode_line(folder, 5, lambda line: line.replace(",SC999999", ',"SC999999"'))
    message = one_failure(build_ingest_layers(conn, landing_dir)["ingest"])
    assert message.startswith(f"{EPISODES}, row 3, column LS: ")
    assert "SC999999" not in message and "1002" not in message


def test_unterminated_quote_fails_the_extract_and_keeps_its_previous_load(conn, landing_dir):
    folder = landing_with_two_councils(landing_dir)
    build_ingest_layers(conn, landing_dir)
    before = conn.execute("SELECT * FROM raw.episodes ORDER BY ALL").fetchall()
    with_episode_line(folder, 3, lambda line: line.replace(",C2,", ',"C2,'))
    os.utime(folder / "episodes.csv", ns=(1, 1))
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    message = one_failure(report)
    assert message.startswith(f"{EPISODES}, row 3: ")
    assert status(conn) == ("failed", message)
    assert conn.execute("SELECT * FROM raw.episodes ORDER BY ALL").fetchall() == before
    assert staged_councils(conn) == [(BAD_LA, 4), (GOOD_LA, 4)]


# ---- item 6: an extract without a usable Header and Episodes ------------------------------------
def test_utf16_without_a_byte_order_mark_is_detected():
    text = "CHILD,NOTE\r\n1001,caf\u00e9\r\n"
    for codec in ("utf-16-le", "utf-16-be"):
        assert csv_reader.decode(text.encode(codec)) == (codec, text)
        parsed = csv_reader.parse_regular(text.encode(codec))
        assert parsed.encoding == codec and parsed.header == ["CHILD", "NOTE"]


def test_random_bytes_are_not_taken_for_utf16():
    data = random.Random(1).randbytes(4096)
    encoding, _ = csv_reader.decode(data)
    assert not encoding.startswith("utf-16")


def test_utf16_episodes_without_bom_load(conn, landing_dir):
    folder = landing_with_two_councils(landing_dir)
    (folder / "episodes.csv").write_bytes((TINY / "episodes.csv").read_text().encode("utf-16-le"))
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert not report.failures
    assert staged_councils(conn) == [(BAD_LA, 4), (GOOD_LA, 4)]
    assert conn.execute("SELECT encoding FROM raw.files WHERE la_code = ? AND table_name = "
                        "'episodes'", [BAD_LA]).fetchone() == ("utf-16-le",)


def test_header_of_random_bytes_fails_the_extract(conn, landing_dir):
    folder = landing_with_two_councils(landing_dir)
    noise = bytes(b for b in random.Random(2).randbytes(3000) if b not in b'"\r\n')
    (folder / "header.csv").write_bytes(noise)  # one line of noise: a quote could open a value
    message = one_failure(build_ingest_layers(conn, landing_dir)["ingest"])
    assert message == (f"{BAD}: no Header table (files not recognised: header.csv); an extract "
                       "needs a usable Header and Episodes")
    assert staged_councils(conn, "header") == [(GOOD_LA, 4)]


def test_missing_header_fails_the_extract(conn, landing_dir):
    folder = landing_with_two_councils(landing_dir)
    (folder / "header.csv").unlink()
    message = one_failure(build_ingest_layers(conn, landing_dir)["ingest"])
    assert message == f"{BAD}: no Header table; an extract needs a usable Header and Episodes"
    assert staged_councils(conn) == [(GOOD_LA, 4)]


def test_episodes_without_data_rows_fail_the_extract(conn, landing_dir):
    folder = landing_with_two_councils(landing_dir)
    write_table(folder, "episodes", [])
    message = one_failure(build_ingest_layers(conn, landing_dir)["ingest"])
    assert message == f"{EPISODES}: the Episodes table has no data rows"


def test_episodes_whose_every_row_is_rejected_fail_and_keep_the_previous_load(conn, landing_dir):
    folder = landing_with_two_councils(landing_dir)
    build_ingest_layers(conn, landing_dir)
    episodes = (TINY / "episodes.csv").read_text()
    (folder / "episodes.csv").write_text(episodes.replace("/20", "/XX"))  # no DECOM readable
    os.utime(folder / "episodes.csv", ns=(1, 1))
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    message = one_failure(report)
    assert message == (f"{EPISODES}: 4 of 4 Episodes rows cannot be used (a blank or unreadable "
                       "CHILD or DECOM); more than 50% fails the extract")
    assert status(conn) == ("failed", message)
    assert staged_councils(conn) == [(BAD_LA, 4), (GOOD_LA, 4)]
    assert conn.execute("SELECT count(*) FROM staging.rejected_rows").fetchone() == (0,)


def test_the_usable_share_counts_rows_with_content_only(conn, landing_dir):
    folder = extract_dir(landing_dir, BAD_LA, "2025-03-31")
    for name in ("header", "episodes"):
        (folder / f"{name}.csv").write_text((TINY / f"{name}.csv").read_text())
    # 4 good rows, 4 with an unreadable DECOM (50%: still usable), and trailing blank rows
    good = (TINY / "episodes.csv").read_text().splitlines()
    bad = [line.replace("/20", "/XX") for line in good[1:]]
    blank = ["," * 12] * 5
    (folder / "episodes.csv").write_text("\n".join([*good, *bad, *blank]) + "\n")
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert not report.failures
    assert conn.execute("SELECT count(*) FROM staging.rejected_rows").fetchone() == (9,)
    # one more unusable row tips it over
    (folder / "episodes.csv").write_text("\n".join([*good, *bad, bad[0]]) + "\n")
    message = one_failure(build_ingest_layers(conn, landing_dir)["ingest"])
    assert message.startswith(f"{EPISODES}: 5 of 9 Episodes rows cannot be used")


def test_a_monthly_extract_may_lack_other_tables(conn, landing_dir):
    folder = copy_tiny_valid(landing_dir, BAD_LA, "2025-05-31")
    for name in ("oc2", "oc3", "previous_permanence"):
        (folder / f"{name}.csv").unlink()
    write_table(folder, "reviews", [{"CHILD": "1001", "DOB": "15/06/2012"}])  # all rejected
    report = build_ingest_layers(conn, landing_dir)["ingest"]
    assert not report.failures
    assert status(conn) == ("loaded", None)


# ---- any other surprise in one file --------------------------------------------------------------
def test_a_reader_error_fails_only_its_extract_without_its_text(conn, landing_dir, monkeypatch):
    landing_with_two_councils(landing_dir)
    parse = raw_loader.parse_file

    def breaks_on_one_file(file, extract):
        if file.relative_path == f"{BAD}/oc3.csv":
            raise RuntimeError("cannot handle row '1004,10/10/2006'")  # an error quoting data
        return parse(file, extract)

    monkeypatch.setattr(raw_loader, "parse_file", breaks_on_one_file)
    message = one_failure(build_ingest_layers(conn, landing_dir)["ingest"])
    assert message == f"{BAD}/oc3.csv: could not be read (RuntimeError)"
    assert staged_councils(conn) == [(GOOD_LA, 4)]
