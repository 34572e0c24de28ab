"""The councils' error report lists the first N failing rows of each rule and counts the rest
(issue 12, item 15: a million duplicate rows once wrote a 686 MB CSV in 5.9 GB of memory). The
cap is tested with a small N; it never changes marts.dq_results."""

import pandas as pd

from expectations import chunks, fingerprints, pending_reports, refresh
from expectations.error_report import CSV_NAME, HTML_NAME
from tests.test_quality_assets import EPISODES, LA, MARCH, load_staging

COPIES = 7


def _duplicated_march():
    """The first episode seven times over: no_duplicate_rows fails on the copies, rows 3 to 8."""
    return [dict(EPISODES[0]) for _ in range(COPIES)] + [dict(r) for r in EPISODES[1:]]


def _dq_results(conn):
    return conn.execute("SELECT * FROM marts.dq_results ORDER BY ALL").fetchall()


def _unexpected(conn, expectation):
    return conn.execute("SELECT unexpected FROM marts.dq_results WHERE extract_date = ? AND "
                        "table_name = 'episodes' AND expectation = ?",
                        [MARCH, expectation]).fetchone()[0]


def test_the_report_lists_the_first_n_rows_of_a_rule_and_counts_the_rest(conn, tmp_path):
    load_staging(conn, _duplicated_march())
    for table in ("header", "episodes"):
        refresh.refresh_table(conn, table)
    before = _dq_results(conn)
    assert _unexpected(conn, "no_duplicate_rows") == COPIES - 1

    written, _, _ = pending_reports.write_pending_reports(conn, tmp_path / "r", cap=3)

    assert written == 2
    assert _dq_results(conn) == before  # the cap never changes the counts
    folder = tmp_path / "r" / LA / MARCH.isoformat()
    rows = pd.read_csv(folder / CSV_NAME, dtype=str, keep_default_na=False)
    rule = rows[rows["rule"] == "no_duplicate_rows"]
    # file order (a row per reported column), then the count
    assert list(dict.fromkeys(rule["row_number"])) == ["3", "4", "5", ""]
    assert (rule["row_number"] == "").sum() == 1
    summary = rule.iloc[-1]
    assert summary["child"] == "" and summary["value"] == ""
    assert summary["what_to_fix"] == ("3 more rows fail this rule: not listed (only the first "
                                      "3 of each rule are)")
    # every rule lists at most 3 rows; only a rule with more has a count row
    listed = rows[rows["row_number"] != ""].groupby("rule")["row_number"].nunique()
    assert listed.max() <= 3
    counted = set(rows.loc[rows["row_number"] == "", "rule"])
    assert counted == set(listed[listed == 3].index) & counted and counted
    html = " ".join((folder / HTML_NAME).read_text().split())
    assert "first 3 of 6" in html
    assert "lists at most the first 3 failing rows of each check" in html


def test_validation_keeps_only_the_first_rows_of_a_rule_and_exact_counts(conn):
    load_staging(conn, _duplicated_march())
    refresh.refresh_table(conn, "header")
    stale = fingerprints.table_slices(conn, "episodes").stale
    inputs = chunks.read_chunk(conn, "episodes", stale)
    everything = chunks.chunk_results("episodes", stale, inputs, conn, keep=None)
    capped = chunks.chunk_results("episodes", stale, inputs, conn, keep=3)

    pd.testing.assert_frame_equal(capped["dq_rows"], everything["dq_rows"])
    full = everything["dq_failing"].groupby(["extract_date", "expectation"])["row_index"]
    kept = capped["dq_failing"].groupby(["extract_date", "expectation"])["row_index"]
    assert full.size().max() >= COPIES - 1
    assert {k: sorted(v)[:3] for k, v in full.apply(list).items()} == \
        {k: list(v) for k, v in kept.apply(list).items()}
