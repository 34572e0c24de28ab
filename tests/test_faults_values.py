"""Fault corpus, values (issue 12): faults in a cell's content, each in one whole build beside a
clean control council."""

import csv

import duckdb
import pytest

from tests.helpers import fault_corpus

pytestmark = pytest.mark.faults

NHS_NUMBER = "9434765919"
HUGE = "99999999999999999999"


def _set_cells(path, changes: dict[int, dict[str, str]]) -> None:
    """Set cells of a CSV file by file row number (the header is row 1) and column."""
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for row_number, cells in changes.items():
        for column, value in cells.items():
            rows[row_number - 1][header.index(column)] = value
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)


def test_a_whole_number_out_of_range_is_blanked_and_logged(settings, corpus, corpus_template_dir,
                                                           clean_reference):
    """Item 3: an NHS number and a 20-digit number in SDQ_SCORE once made DuckDB's cast raise,
    stopping staging for every council and quoting the value in Dagster's event log."""
    _set_cells(corpus / "oc2.csv", {2: {"SDQ_SCORE": NHS_NUMBER}, 5: {"SDQ_SCORE": HUGE}})
    result = fault_corpus.build(settings, corpus_template_dir)

    assert result.success
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    assert fault_corpus.extract_status(settings, fault_corpus.FAULTY) == ("loaded", None)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        issues = conn.execute(
            "SELECT la_code, source_file, row_number, column_name FROM staging.value_issues "
            "WHERE table_name = 'oc2' ORDER BY row_number").fetchall()
        blanked = conn.execute(
            "SELECT count(*) FROM staging.oc2 WHERE la_code = ? AND row_number IN (2, 5) "
            "AND sdq_score IS NULL", [fault_corpus.FAULTY]).fetchone()[0]
    oc2 = f"{fault_corpus.FAULTY}/{fault_corpus.EXTRACT}/oc2.csv"
    assert issues == [(fault_corpus.FAULTY, oc2, 2, "SDQ_SCORE"),
                      (fault_corpus.FAULTY, oc2, 5, "SDQ_SCORE")]
    assert blanked == 2
    fault_corpus.assert_no_leak(result, [NHS_NUMBER, HUGE])
