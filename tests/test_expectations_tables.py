"""The suites of the smaller tables: a clean case passes and each fault is counted."""

from __future__ import annotations

from datetime import date

import pytest

from expectations.results import ValidationContext
from expectations.runner import validate_table
from tests.helpers.frames import frame_from_records

CLEAN = {
    "reviews": [
        {"CHILD": "1", "DOB": "15/06/2012", "REVIEW": "06/06/2024", "REVIEW_CODE": "PN1"},
        {"CHILD": "1", "DOB": "15/06/2012", "REVIEW": "30/08/2024", "REVIEW_CODE": "PN0"},
    ],
    "uasc": [{"CHILD": "1", "SEX": "M", "DOB": "15/06/2008", "DUC": "01/01/2025"}],
    "oc2": [
        {"CHILD": "1", "DOB": "03/09/2008", "SDQ_SCORE": "14", "SDQ_REASON": None,
         "CONVICTED": "0", "HEALTH_CHECK": None, "IMMUNISATIONS": "1", "TEETH_CHECK": "1",
         "HEALTH_ASSESSMENT": "1", "SUBSTANCE_MISUSE": "0", "INTERVENTION_RECEIVED": None,
         "INTERVENTION_OFFERED": None},
        {"CHILD": "2", "DOB": "03/09/2020", "SDQ_SCORE": None, "SDQ_REASON": "SDQ1",
         "CONVICTED": "0", "HEALTH_CHECK": "1", "IMMUNISATIONS": "1", "TEETH_CHECK": "0",
         "HEALTH_ASSESSMENT": "1", "SUBSTANCE_MISUSE": "0", "INTERVENTION_RECEIVED": None,
         "INTERVENTION_OFFERED": None},
    ],
    "oc3": [
        {"CHILD": "1", "DOB": "10/10/2006", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "Z1"},
        {"CHILD": "2", "DOB": "10/10/2005", "IN_TOUCH": "RHOM", "ACTIV": "0", "ACCOM": "0"},
    ],
    "ad1": [
        {"CHILD": "1", "DOB": "01/01/2021", "DATE_INT": "01/03/2023", "DATE_MATCH": "01/06/2023",
         "FOSTER_CARE": "0", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L0"},
    ],
    "placed_adoption": [
        {"CHILD": "1", "DOB": "01/01/2021", "DATE_PLACED": "01/03/2023",
         "DATE_PLACED_CEASED": "01/02/2024", "REASON_PLACED_CEASED": "RD1"},
    ],
    "prev_perm": [
        {"CHILD": "1", "DOB": "15/06/2012", "PREV_PERM": "Z1", "LA_PERM": None, "DATE_PERM": None},
        {"CHILD": "2", "DOB": "15/06/2012", "PREV_PERM": "P2", "LA_PERM": "383",
         "DATE_PERM": "01/01/2018"},
    ],
    "missing": [
        {"CHILD": "1", "DOB": "15/06/2010", "MISSING": "M", "MIS_START": "01/06/2024",
         "MIS_END": "03/06/2024"},
        {"CHILD": "1", "DOB": "15/06/2010", "MISSING": "A", "MIS_START": "01/07/2024",
         "MIS_END": None},
    ],
    "sw_episodes": [
        {"CHILD": "1", "DOB": "15/06/2012", "SW_ID": "SW0001", "SW_DECOM": "10/05/2024",
         "SW_DEC": "01/09/2024", "SW_REASON": "FCONTA"},
        {"CHILD": "1", "DOB": "15/06/2012", "SW_ID": "SW0002", "SW_DECOM": "01/09/2024",
         "SW_DEC": None, "SW_REASON": "MANAGE"},
    ],
}  # fmt: skip


def failures(table, records):
    df = frame_from_records(table, records, extract_date=date(2025, 3, 31))
    results = validate_table(table, df, ValidationContext())
    return {r.expectation: r.unexpected for r in results if r.failed}


@pytest.mark.parametrize("table", sorted(CLEAN))
def test_clean_table_passes(table):
    assert failures(table, CLEAN[table]) == {}


FAULTS = [
    ("reviews", 0, {"REVIEW_CODE": "PN9"}, "review_code_valid"),
    ("reviews", 0, {"REVIEW_CODE": None}, "review_code_present"),
    ("reviews", 0, {"REVIEW": "01/01/2010"}, "review_after_dob"),
    ("uasc", 0, {"DUC": "01/01/2000"}, "duc_after_dob"),
    ("uasc", 0, {"SEX": "2"}, "sex_valid"),
    ("oc2", 0, {"SDQ_SCORE": "41"}, "sdq_score_in_range"),
    ("oc2", 0, {"SDQ_REASON": "SDQ9"}, "sdq_reason_valid"),
    ("oc2", 0, {"IMMUNISATIONS": "Y"}, "immunisations_valid"),
    ("oc2", 0, {"TEETH_CHECK": "2"}, "teeth_check_valid"),
    ("oc3", 0, {"IN_TOUCH": "MAYBE"}, "in_touch_valid"),
    ("oc3", 0, {"ACTIV": "F3"}, "activ_valid"),
    ("oc3", 0, {"ACCOM": "S1"}, "accom_valid"),
    ("oc3", 1, {"ACTIV": "F2"}, "died_or_home_no_activity"),
    ("ad1", 0, {"SEX_ADOPTR": "XX"}, "sex_adoptr_valid"),
    ("ad1", 0, {"DATE_MATCH": "01/01/2023"}, "date_match_not_before_date_int"),
    ("placed_adoption", 0, {"REASON_PLACED_CEASED": "RD9"}, "reason_placed_ceased_valid"),
    ("placed_adoption", 0, {"DATE_PLACED_CEASED": "01/01/2023"}, "ceased_not_before_placed"),
    ("prev_perm", 1, {"LA_PERM": "123"}, "la_perm_valid"),
    ("prev_perm", 1, {"PREV_PERM": "P9"}, "prev_perm_valid"),
    ("missing", 0, {"MISSING": "X"}, "missing_valid"),
    ("missing", 0, {"MIS_END": "01/05/2024"}, "mis_end_not_before_mis_start"),
    ("sw_episodes", 0, {"SW_ID": "AB0001"}, "sw_id_valid"),
    ("sw_episodes", 0, {"SW_REASON": "BORED"}, "sw_reason_valid"),
    ("sw_episodes", 0, {"SW_DEC": "01/01/2024"}, "sw_dec_not_before_sw_decom"),
]


@pytest.mark.parametrize(("table", "row", "change", "expectation"), FAULTS)
def test_fault_flagged_once(table, row, change, expectation):
    records = [dict(r) for r in CLEAN[table]]
    records[row].update(change)
    assert failures(table, records) == {expectation: 1}


def test_oc3_in_touch_needs_activity():
    records = [dict(r) for r in CLEAN["oc3"]]
    records[0]["ACTIV"] = "0"
    assert failures("oc3", records) == {"in_touch_has_activity": 1}


@pytest.mark.parametrize(
    ("table", "key"),
    [("reviews", "child_review_unique"), ("missing", "child_mis_start_unique"),
     ("sw_episodes", "child_sw_decom_unique"), ("oc2", "child_unique"),
     ("oc3", "child_unique"), ("prev_perm", "child_unique")],
)  # fmt: skip
def test_duplicate_keys_are_structural(table, key):
    copy = dict(CLEAN[table][0])
    copy["DOB"] = "01/01/2011"  # same key, different contents
    df = frame_from_records(table, [dict(r) for r in CLEAN[table]] + [copy])
    result = next(r for r in validate_table(table, df) if r.expectation == key)
    assert result.failed and result.severity == "structural"
    assert result.unexpected == 2
    exact = frame_from_records(table, [dict(r) for r in CLEAN[table]] + [dict(CLEAN[table][0])])
    results = {r.expectation: r for r in validate_table(table, exact)}
    assert results[key].success is True
    assert results["no_duplicate_rows"].unexpected == 1


FAULTS = [
    ("reviews", 0, {"REVIEW_CODE": "PN9"}),
    ("missing", 1, {"MIS_START": "01/07/2023", "MIS_END": "01/06/2023"}),
    ("oc3", 0, {"ACTIV": "0"}),
    ("ad1", 0, {"DATE_MATCH": "01/01/2023"}),
]


@pytest.mark.parametrize("table,row,change", FAULTS)
def test_many_extracts_in_one_run_match_one_at_a_time(table, row, change):
    """validate_tables (one GX run for many extracts) gives each extract exactly the results
    validate_table gives it alone: counts, failing rows and row numbers."""
    from expectations.runner import validate_tables

    faulty = [dict(r) for r in CLEAN[table]]
    faulty[row] = {**faulty[row], **change}
    blanks = [{k: (None if k not in ("CHILD",) else v) for k, v in r.items()}
              for r in CLEAN[table]]  # fmt: skip
    slices = [
        frame_from_records(table, CLEAN[table], "E1", date(2025, 3, 31)),
        frame_from_records(table, faulty, "E1", date(2024, 3, 31)),
        frame_from_records(table, faulty + CLEAN[table], "E2", date(2025, 3, 31)),
        frame_from_records(table, blanks, "E3", date(2016, 3, 31)),
    ]
    batch = validate_tables(table, [(df, ValidationContext()) for df in slices])
    assert batch == [validate_table(table, df, ValidationContext()) for df in slices]
    assert [r.failing_row_numbers for r in batch[2] if r.failed] == [
        r.failing_row_numbers for r in validate_table(table, slices[2]) if r.failed
    ]
    assert any(r.failed for r in batch[1])
