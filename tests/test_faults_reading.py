"""Fault corpus, files that cannot be read as they are (issue 12, items 1, 2, 4, 5 and 6): each
fault beside a clean control council, one whole build each. The faulty extract either loads
correctly or fails naming the file (and row); no figure is published from a failed extract; the
control's figures equal a clean build's; no raw value reaches the run's events."""

import errno
import os
import random
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.helpers import fault_corpus
from tests.helpers.fault_corpus import EXTRACT, FAULTY

pytestmark = pytest.mark.faults

FOLDER = f"{FAULTY}/{EXTRACT}"


@pytest.fixture
def faulty_reference(clean_corpus_values) -> set:
    """The faulty council's figures in a clean build: what a correct load (or its previous load)
    publishes."""
    return clean_corpus_values[FAULTY]


def assert_failed(settings, result, message_start: str, la_code: str = FAULTY) -> str:
    status, message = fault_corpus.extract_status(settings, la_code)
    assert status == "failed" and message.startswith(message_start), message
    assert result.checks[("raw/extracts", "all_extracts_loaded")] is False
    return message


def raw_rows(settings, table: str, la_code: str = FAULTY) -> int:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        return conn.execute(f"SELECT count(*) FROM raw.{table} WHERE la_code = ?",
                            [la_code]).fetchone()[0]


def test_a_value_over_128_kib_fails_only_its_extract(settings, corpus, corpus_template_dir,
                                                      clean_reference):
    # A notes column with a pasted blob in row 10: read row by row (extra columns), where the csv
    # module's field limit stopped the whole ingest, naming no file.
    path = corpus / "episodes.csv"
    lines = path.read_text().splitlines()
    blob = "PASTED-" + "".join(random.Random(1).choices("abcdefgh ", k=140_000))
    lines = [f"{lines[0]},Notes", *(f"{x}," for x in lines[1:])]
    lines[9] += blob
    path.write_text("\n".join(lines) + "\n")
    result = fault_corpus.build(settings, corpus_template_dir)
    assert_failed(settings, result, f"{FOLDER}/episodes.csv, row 10: a value is longer than "
                                    "131,072 characters")
    assert fault_corpus.council_values(settings, FAULTY) == set()
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    fault_corpus.assert_no_leak(result, [blob[:40], lines[9][:40]])


def test_a_byte_order_mark_on_windows_1252_text_loads(settings, corpus, corpus_template_dir,
                                                      clean_reference, faulty_reference):
    path = corpus / "header.csv"
    lines = path.read_text().splitlines()
    note = "R\u00e9viewed \u2013 caf\u00e9 notes"
    text = "\n".join([f"{lines[0]},Worker Note", *(f"{x},{note}" for x in lines[1:])]) + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))
    result = fault_corpus.build(settings, corpus_template_dir)
    assert fault_corpus.extract_status(settings, FAULTY) == ("loaded", None)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        assert conn.execute("SELECT encoding FROM raw.files WHERE la_code = ? AND table_name = "
                            "'header'", [FAULTY]).fetchone() == (
            "cp1252 after a UTF-8 byte-order mark",)
    assert fault_corpus.council_values(settings, FAULTY) == faulty_reference
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    fault_corpus.assert_no_leak(result, [note])


def test_an_unreadable_file_fails_only_its_extract(settings, corpus, corpus_template_dir,
                                                   clean_reference, monkeypatch):
    # The tests run as root, where chmod 000 does not stop a read: the share's I/O error instead.
    read_bytes = Path.read_bytes

    def failing_disk(path):
        if path == corpus / "reviews.csv":
            raise OSError(errno.EIO, "Input/output error", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", failing_disk)
    result = fault_corpus.build(settings, corpus_template_dir)
    message = assert_failed(settings, result, f"{FOLDER}/reviews.csv: cannot be read")
    assert message == f"{FOLDER}/reviews.csv: cannot be read (OSError: Input/output error)"
    assert fault_corpus.council_values(settings, FAULTY) == set()
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    fault_corpus.assert_no_leak(result, [str(corpus / "reviews.csv")])  # the relative path only


def test_an_unterminated_quote_fails_the_extract_and_its_previous_load_stays(
        settings, corpus, corpus_template_dir, clean_reference, faulty_reference):
    fault_corpus.load_raw(settings, corpus_template_dir)
    path = corpus / "episodes.csv"
    lines = path.read_text().splitlines()
    row = next(i for i, x in enumerate(lines) if i > 50 and ",C2," in x) + 1
    clean_line = lines[row - 1]
    lines[row - 1] = clean_line.replace(",C2,", ',"C2,', 1)
    path.write_text("\n".join(lines) + "\n")
    os.utime(path, ns=(1, 1))
    result = fault_corpus.build(settings, corpus_template_dir)
    assert_failed(settings, result, f"{FOLDER}/episodes.csv, row {row}: a quote opened in this "
                                    "row is never closed")
    assert raw_rows(settings, "episodes") == len(lines) - 1  # the previous load, every row
    assert fault_corpus.council_values(settings, FAULTY) == faulty_reference
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    fault_corpus.assert_no_leak(result, [clean_line, lines[row - 1], lines[-1]])


def test_extracts_without_a_usable_header_and_episodes(settings, corpus, corpus_template_dir,
                                                       clean_reference, faulty_reference):
    """Four councils beside the control, one build: Episodes in UTF-16 without a byte-order mark
    (loads), a Header of random bytes, no Header, Episodes with no usable row (each fails)."""
    text = (corpus / "episodes.csv").read_text()
    (corpus / "episodes.csv").write_bytes(text.encode("utf-16-le"))
    noise, no_header, rejected = "E08000032", "E08000033", "E08000036"
    for la in (noise, no_header, rejected):
        shutil.copytree(fault_corpus.SOURCE, settings.landing_dir / la / EXTRACT)
    (settings.landing_dir / noise / EXTRACT / "header.csv").write_bytes(
        random.Random(3).randbytes(20_000))
    (settings.landing_dir / no_header / EXTRACT / "header.csv").unlink()
    unreadable = text.replace("/20", "/X")  # no DECOM can be read
    (settings.landing_dir / rejected / EXTRACT / "episodes.csv").write_text(unreadable)
    result = fault_corpus.build(settings, corpus_template_dir)

    assert fault_corpus.extract_status(settings, FAULTY) == ("loaded", None)
    assert fault_corpus.council_values(settings, FAULTY) == faulty_reference
    assert_failed(settings, result, f"{noise}/{EXTRACT}: no Header table (files not "
                                    "recognised: header.csv)", noise)
    assert_failed(settings, result, f"{no_header}/{EXTRACT}: no Header table; an extract needs "
                                    "a usable Header and Episodes", no_header)
    episodes = len(text.splitlines()) - 1
    assert_failed(settings, result, f"{rejected}/{EXTRACT}/episodes.csv: {episodes:,} of "
                                    f"{episodes:,} Episodes rows cannot be used", rejected)
    for la in (noise, no_header, rejected):
        assert fault_corpus.council_values(settings, la) == set()
        assert raw_rows(settings, "episodes", la) == 0
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    fault_corpus.assert_no_leak(result, unreadable.splitlines()[1:4])
