"""Operator mistakes, whole builds (issue 12, items 12, 14 and 16): an empty landing folder (an
unmounted share) must not empty the warehouse and its outputs; a failed extract must fail the
run while the other councils' figures are still published, and the outputs must name it; the
warehouse file and its folder are owner-only."""

from __future__ import annotations

import dataclasses
import json
import shutil
import stat

import duckdb
import pytest

from tests.helpers import fault_corpus
from tests.helpers.fault_corpus import CONTROL, EXTRACT, FAULTY

pytestmark = pytest.mark.faults

FINAL_CHECK = ("reports/highlight_report", "every_extract_current")


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _snapshot(settings) -> dict:
    """What the warehouse and its outputs hold, to compare before and after a refused run."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        held = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("raw.extracts", "raw.episodes", "staging.episodes",
                          "history.episodes", "marts.indicator_values", "marts.dq_results")
        }
    files = {
        str(p.relative_to(settings.data_dir)): p.read_bytes()
        for folder in (settings.export_dir, settings.report_dir, settings.restricted_dir)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }
    return {"tables": held, "files": files}


def test_empty_landing_is_refused_and_nothing_is_removed(settings, corpus, corpus_template_dir):
    first = fault_corpus.build(settings, corpus_template_dir)
    assert first.success
    before = _snapshot(settings)
    assert before["tables"]["marts.indicator_values"] > 0
    assert any(name.endswith("index.html") for name in before["files"])

    # item 16: the warehouse file (every child's record) and its folder are owner-only
    assert _mode(settings.warehouse_path) == 0o600
    assert _mode(settings.warehouse_path.parent) == 0o700

    # the share is not mounted: the landing folder exists but is empty
    for child in settings.landing_dir.iterdir():
        shutil.rmtree(child)
    result = fault_corpus.build(settings, corpus_template_dir)

    assert not result.success
    text = result.text()
    assert "Refusing to remove 2 of the warehouse's 2 extracts" in text
    assert f"{FAULTY} (1 of 1, all of them)" in text and f"{CONTROL} (1 of 1" in text
    assert "CSC_ALLOW_REMOVAL" in text and "allow_removal" in text
    assert _snapshot(settings) == before


def test_allowed_removal_of_a_council_removes_it(settings, corpus, corpus_template_dir,
                                                 clean_reference):
    assert fault_corpus.build(settings, corpus_template_dir).success
    shutil.rmtree(settings.landing_dir / FAULTY)

    allowed = dataclasses.replace(settings, allow_removal=True)
    result = fault_corpus.build(allowed, corpus_template_dir)

    assert result.success
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    assert fault_corpus.council_values(settings, FAULTY) == set()
    assert fault_corpus.extract_status(settings, FAULTY) is None
    values = settings.export_dir / "indicator_values"
    assert not (values / f"la_code={FAULTY}").exists()
    assert (values / f"la_code={CONTROL}").is_dir()


def test_failed_extract_fails_the_run_and_the_outputs_name_it(settings, corpus,
                                                              corpus_template_dir,
                                                              clean_reference):
    assert fault_corpus.build(settings, corpus_template_dir).success
    previous = fault_corpus.council_values(settings, FAULTY)
    reviews = corpus / "reviews.csv"
    lines = reviews.read_text().splitlines()
    # a re-export that lost its REVIEW_CODE column: the extract fails, its previous load stays
    reviews.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    raw_values = lines[1].split(",")[:3]

    result = fault_corpus.build(settings, corpus_template_dir)

    assert not result.success  # `make build` exits non-zero
    assert result.checks[("raw/extracts", "all_extracts_loaded")] is False
    assert result.checks[FINAL_CHECK] is False
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    assert fault_corpus.council_values(settings, FAULTY) == previous
    status, message = fault_corpus.extract_status(settings, FAULTY)
    assert status == "failed" and "reviews.csv" in message and "REVIEW_CODE" in message

    # the exports were published, and their manifest names the stale extract
    manifest = json.loads((settings.export_dir / "manifest.json").read_text())
    [stale] = manifest["stale_extracts"]
    assert (stale["la_code"], stale["extract_date"]) == (FAULTY, EXTRACT)
    assert "reviews.csv" in stale["message"]
    assert stale["figures_rest_on"].startswith("the previous load of this extract")
    assert (settings.export_dir / "indicator_values" / f"la_code={CONTROL}").is_dir()

    # the affected council's board page says so; the control's does not
    [faulty_page] = sorted((settings.report_dir / FAULTY).glob("*.html"))
    [control_page] = sorted((settings.report_dir / CONTROL).glob("*.html"))
    notice = "rest on the previous load of that extract"
    assert notice in faulty_page.read_text()
    assert notice not in control_page.read_text()
    fault_corpus.assert_no_leak(result, raw_values)
