"""Cleaning is total: no value in a cell can make staging raise (issue 12, item 3). A value a
column cannot hold is blanked and logged in staging.value_issues, like any unreadable value."""

import duckdb
import jinja2
import pytest

from tests.helpers.build import build_ingest_layers
from tests.helpers.landing_builder import complete_extracts, extract_dir, write_table
from warehouse import sqlfiles
from warehouse.build import staging

OC2 = {"CHILD": "7001", "DOB": "15/06/2012", "SDQ_SCORE": "14", "SDQ_REASON": "",
       "CONVICTED": "0", "HEALTH_CHECK": "1", "IMMUNISATIONS": "1", "TEETH_CHECK": "1",
       "HEALTH_ASSESSMENT": "1", "SUBSTANCE_MISUSE": "0"}
NHS_NUMBER = "9434765919"  # ten digits: above the largest INTEGER
HUGE = "99999999999999999999"

# Values a shared drive really holds, and those that overflow a type or a calendar.
HOSTILE = [
    HUGE, f"{HUGE}.0", NHS_NUMBER, "2147483648", "-2147483649", "1" * 400, "1e400", "-0",
    "99999", "99999.0", "00000", "01/01/99999", "99/99/9999", "31/02/2024", "01/01/0000",
    "0001-01-01", "99999-01-01", "294248-01-01", "9999999-12-31", "01-Jan-99999",
    "1 January 99999999", "2024-01-01 99:99:99", "2024-01-01T23:59:60", "32/13/24",
    "2024-01-01 00:00:00.9999999999999", "\u0661\u0662\u0663", "\uff11\uff12", "0x10", "+5",
    "NaN", "inf", "-", ".", "", " ", "\u00a0", "'", '"', "\\", "%", "\x00",
]
TYPES = ["id", "code", "text", "int", "postcode", "date"]


@pytest.mark.parametrize("column_type", TYPES)
def test_every_cleaning_macro_is_total(column_type):
    """No text makes a cleaning macro raise: it returns a value or NULL."""
    sql = jinja2.Environment(loader=jinja2.FileSystemLoader(sqlfiles.SQL_DIR)).from_string(
        "{% import 'macros.sql' as m %}SELECT {{ m.clean(t, 'x') }} FROM v"
    ).render(t=column_type)
    with duckdb.connect() as conn:
        conn.execute("CREATE TABLE v AS SELECT unnest(?::VARCHAR[]) AS x", [HOSTILE])
        assert len(conn.execute(sql).fetchall()) == len(HOSTILE)


def test_a_whole_number_too_large_is_blanked_and_logged_and_others_still_stage(conn,
                                                                             landing_dir):
    faulty = extract_dir(landing_dir, "E08000034", "2025-03-31")
    write_table(faulty, "oc2", [{**OC2, "SDQ_SCORE": NHS_NUMBER},
                                {**OC2, "CHILD": "7002", "SDQ_SCORE": HUGE},
                                {**OC2, "CHILD": "7003", "SDQ_SCORE": "-2147483649"},
                                {**OC2, "CHILD": "7004"}])
    control = extract_dir(landing_dir, "E08000035", "2025-03-31")
    write_table(control, "oc2", [OC2])
    complete_extracts(landing_dir)  # a usable Header and Episodes, so the extracts load
    build_ingest_layers(conn, landing_dir)
    assert conn.execute("SELECT la_code, child, sdq_score FROM staging.oc2 "
                        "ORDER BY la_code, child").fetchall() == [
        ("E08000034", "7001", None), ("E08000034", "7002", None), ("E08000034", "7003", None),
        ("E08000034", "7004", 14), ("E08000035", "7001", 14)]
    issues = conn.execute("SELECT la_code, row_number, column_name, value, reason "
                          "FROM staging.value_issues ORDER BY row_number").fetchall()
    reason = "SDQ_SCORE is not a whole number this column can hold; left blank"
    assert issues == [("E08000034", 2, "SDQ_SCORE", NHS_NUMBER, reason),
                      ("E08000034", 3, "SDQ_SCORE", HUGE, reason),
                      ("E08000034", 4, "SDQ_SCORE", "-2147483649", reason)]


def test_a_staging_error_never_quotes_a_value(conn, landing_dir, monkeypatch):
    """Should typing still fail, DuckDB's message (which quotes the value) stays out of the error
    Dagster stores."""
    write_table(extract_dir(landing_dir, "E08000034", "2025-03-31"), "oc2", [OC2])

    def failing(*_args, **_kwargs):
        raise duckdb.ConversionException(f"Could not convert string '{NHS_NUMBER}' to INT32")

    monkeypatch.setattr(sqlfiles, "run_in_transaction", failing)
    with pytest.raises(staging.StagingError) as raised:
        staging.stage_table(conn, "oc2")
    assert "staging.oc2" in str(raised.value) and NHS_NUMBER not in str(raised.value)
    assert raised.value.__suppress_context__ and raised.value.__cause__ is None
