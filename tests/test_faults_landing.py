"""Fault corpus, landing layout (issue 12, items 7-10): a duplicated table, files in the wrong
place, links out of landing, a same-size change with a preserved modification time. Each beside a
clean control council: the control's figures stay a clean build's, nothing leaks."""

from __future__ import annotations

import csv
import os
import shutil
from itertools import islice
from pathlib import Path

import duckdb
import pytest

from tests.helpers import fault_corpus
from tests.helpers.fault_corpus import CONTROL, EXTRACT, FAULTY
from warehouse.config import Settings

pytestmark = pytest.mark.faults

EXTRACTS_CHECK = ("raw/extracts", "all_extracts_loaded")


def raw_values(path: Path, columns=("UPN", "DOB"), rows: int = 5) -> list[str]:
    """A few cells of a corpus file that must never appear in the run's text."""
    with path.open(newline="") as f:
        return [row[c] for row in islice(csv.DictReader(f), rows) for c in columns if row.get(c)]


def loaded_files(settings: Settings, la_code: str) -> list[str]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        return [p for (p,) in conn.execute(
            "SELECT path FROM raw.files WHERE la_code = ? ORDER BY path", [la_code]).fetchall()]


@pytest.fixture(scope="module")
def clean_corpus(corpus_template_dir, tmp_path_factory) -> tuple[Path, set]:
    """A clean build of the corpus landing, kept: its folder and the faulty council's figures."""
    root = tmp_path_factory.mktemp("landing_clean")
    fault_corpus.make_landing(root / "landing")
    settings = Settings.under(root / "data", landing_dir=root / "landing")
    assert fault_corpus.build(settings, corpus_template_dir).success
    return root, fault_corpus.council_values(settings, FAULTY)


def test_two_files_of_one_table_fail_the_extract_naming_both(settings, corpus,
                                                             corpus_template_dir,
                                                             clean_reference):
    shutil.copy(corpus / "header.csv", corpus / "header (1).csv")
    # the same extract again under a date Python also reads, with a different file
    other = corpus.parent / "2025-W13-1"
    shutil.copytree(corpus, other)
    (other / "header (1).csv").unlink()
    result = fault_corpus.build(settings, corpus_template_dir)

    message = (f"{FAULTY}/{EXTRACT}/header (1).csv and {FAULTY}/{EXTRACT}/header.csv both hold "
               "the Header table: keep one file per table in an extract")
    assert fault_corpus.extract_status(settings, FAULTY) == ("failed", message)
    assert result.checks[EXTRACTS_CHECK] is False
    assert message in result.text()
    assert f"{FAULTY}/2025-W13-1/: not an extract date (YYYY-MM-DD)" in result.text()
    # neither copy of the Header loaded, nothing published for the council
    assert loaded_files(settings, FAULTY) == []
    assert fault_corpus.council_values(settings, FAULTY) == set()
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    fault_corpus.assert_no_leak(result, raw_values(corpus / "header.csv"))


def test_files_in_the_wrong_place_are_named_and_not_read(settings, corpus, corpus_template_dir,
                                                         clean_reference, clean_corpus):
    landing = settings.landing_dir
    corrected = (corpus / "episodes.csv").read_bytes().replace(b",C2,", b",V2,")
    (landing / "episodes.csv").write_bytes(corrected)
    (landing / FAULTY / "episodes.csv").write_bytes(corrected)
    (corpus / "old").mkdir()
    (corpus / "old" / "episodes.csv").write_bytes(corrected)
    (corpus / "episodes.csv.bak").write_bytes(corrected)
    (landing / FAULTY / "2025-04-30").mkdir()
    (landing / "commentary" / FAULTY).mkdir(parents=True)
    (landing / "commentary" / FAULTY / "2025-03.md").write_text("Officers' commentary")
    result = fault_corpus.build(settings, corpus_template_dir)

    assert result.success and result.checks[EXTRACTS_CHECK]
    text = result.text()
    for warning in (
        "episodes.csv: a file outside any LA folder, not read",
        f"{FAULTY}/episodes.csv: a file outside any extract folder (<la_code>/<YYYY-MM-DD>/), "
        "not read",
        f"{FAULTY}/{EXTRACT}/old/: a folder inside an extract folder, not read",
        f"{FAULTY}/{EXTRACT}/episodes.csv.bak: not a CSV file, not read",
        f"{FAULTY}/2025-04-30/: an extract folder with no CSV file, ignored",
    ):
        assert warning in text
    assert "commentary/: " not in text and "reference/: " not in text
    assert fault_corpus.extract_status(settings, FAULTY) == ("loaded", None)
    assert fault_corpus.council_values(settings, FAULTY) == clean_corpus[1]
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    fault_corpus.assert_no_leak(result, raw_values(corpus / "episodes.csv", ("CHILD", "DECOM")))


def test_links_out_of_landing_are_refused_and_never_read(settings, corpus, corpus_template_dir,
                                                         clean_reference, clean_corpus, tmp_path):
    landing = settings.landing_dir
    outside = tmp_path / "outside"
    shutil.copytree(corpus, outside / "E08000036" / EXTRACT)
    shutil.copytree(corpus, outside / "2025-04-30")
    (outside / "header.csv").write_bytes(
        (corpus / "header.csv").read_bytes().replace(b"\n1", b"\n9"))  # other children
    (corpus / "passwd.csv").symlink_to("/etc/passwd")
    (corpus / "header2.csv").symlink_to(outside / "header.csv")
    (landing / "E08000036").symlink_to(outside / "E08000036")
    (landing / FAULTY / "2025-04-30").symlink_to(outside / "2025-04-30")
    # a link that stays inside landing is followed
    (landing / FAULTY / "originals").mkdir()
    (corpus / "oc3.csv").rename(landing / FAULTY / "originals" / "oc3.csv")
    (corpus / "oc3.csv").symlink_to(Path("..", "originals", "oc3.csv"))
    result = fault_corpus.build(settings, corpus_template_dir)

    assert result.success and result.checks[EXTRACTS_CHECK]
    text = result.text()
    for name in (f"{FAULTY}/{EXTRACT}/passwd.csv", f"{FAULTY}/{EXTRACT}/header2.csv",
                 "E08000036/", f"{FAULTY}/2025-04-30/"):
        assert f"{name}: a link to outside the landing folder, refused" in text
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        assert conn.execute("SELECT la_code, strftime(extract_date, '%Y-%m-%d'), status "
                            "FROM raw.extracts ORDER BY ALL").fetchall() == [
            (FAULTY, EXTRACT, "loaded"), (CONTROL, EXTRACT, "loaded")]
    assert f"{FAULTY}/{EXTRACT}/oc3.csv" in loaded_files(settings, FAULTY)
    assert not any(p.endswith(("passwd.csv", "header2.csv")) for p in loaded_files(settings,
                                                                                    FAULTY))
    assert fault_corpus.council_values(settings, FAULTY) == clean_corpus[1]
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    fault_corpus.assert_no_leak(result, ["root:x:0:0", *raw_values(outside / "header.csv")])


def test_same_size_change_with_preserved_mtime_is_reloaded(tmp_path, corpus_template_dir,
                                                           clean_reference, clean_corpus):
    """rsync -a of a same-length correction (C2 -> V2): the rebuilt warehouse equals a build of
    the corrected landing from scratch."""
    clean_root, clean_faulty = clean_corpus
    shutil.copytree(clean_root, tmp_path / "run", symlinks=True)  # copy2 keeps mtimes
    settings = Settings.under(tmp_path / "run" / "data", landing_dir=tmp_path / "run" / "landing")
    episodes = settings.landing_dir / FAULTY / EXTRACT / "episodes.csv"
    before = episodes.stat()
    corrected = episodes.read_bytes().replace(b",C2,", b",V2,")
    episodes.write_bytes(corrected)
    os.utime(episodes, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = episodes.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    result = fault_corpus.build(settings, corpus_template_dir)

    assert result.success and result.checks[EXTRACTS_CHECK]
    scratch = Settings.under(tmp_path / "scratch", landing_dir=settings.landing_dir)
    assert fault_corpus.build(scratch, corpus_template_dir).success
    rebuilt = fault_corpus.council_values(settings, FAULTY)
    assert rebuilt == fault_corpus.council_values(scratch, FAULTY)
    assert rebuilt != clean_faulty  # the correction changes the council's figures
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        conn.execute(f"ATTACH '{scratch.warehouse_path}' AS scratch (READ_ONLY)")
        for table in ("marts.indicator_values", "staging.episodes", "history.episodes"):
            differ = conn.execute(
                f"SELECT count(*) FROM ((SELECT * FROM {table} EXCEPT ALL "
                f"SELECT * FROM scratch.{table}) UNION ALL (SELECT * FROM scratch.{table} "
                f"EXCEPT ALL SELECT * FROM {table}))").fetchone()[0]
            assert differ == 0, table
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    fault_corpus.assert_no_leak(result, raw_values(episodes, ("CHILD", "DECOM")))
