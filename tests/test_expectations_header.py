"""The Header suite: clean passes; duplicate child is structural; codes follow the year."""

from __future__ import annotations

from datetime import date

import pytest

from expectations.runner import validate_table
from tests.helpers.frames import frame_from_records


def clean_header():
    return [
        {"CHILD": "1001", "SEX": "M", "DOB": "15/06/2012", "ETHNIC": "WBRI",
         "UPN": "A123456789012", "MOTHER": None, "MC_DOB": None},
        {"CHILD": "1002", "SEX": "F", "DOB": "03/09/2008", "ETHNIC": "WBRI",
         "UPN": "B123456789013", "MOTHER": "1", "MC_DOB": "01/02/2025"},
        {"CHILD": "1003", "SEX": "F", "DOB": "11/11/2019", "ETHNIC": "MWBC",
         "UPN": "UN1", "MOTHER": "0", "MC_DOB": None},
    ]  # fmt: skip


def failures(records, extract=date(2025, 3, 31)):
    df = frame_from_records("header", records, extract_date=extract)
    return {r.expectation: r.unexpected for r in validate_table("header", df) if r.failed}


def test_clean_header_passes():
    assert failures(clean_header()) == {}


def test_duplicate_child_is_structural():
    records = clean_header() + [dict(clean_header()[0], DOB="16/06/2012")]
    df = frame_from_records("header", records)
    results = {r.expectation: r for r in validate_table("header", df)}
    assert results["child_unique"].success is False
    assert results["child_unique"].severity == "structural"
    assert results["child_unique"].unexpected == 2


def test_exact_copy_of_a_child_is_recording():
    records = clean_header() + [dict(clean_header()[0])]
    assert failures(records) == {"no_duplicate_rows": 1}


@pytest.mark.parametrize(
    ("change", "expectation"),
    [
        ({"SEX": "X"}, "sex_valid"),
        ({"ETHNIC": "WXYZ"}, "ethnic_valid"),
        ({"ETHNIC": None}, "ethnic_present"),
        ({"UPN": "I123456789012"}, "upn_valid"),
        ({"MOTHER": "2"}, "mother_valid"),
        ({"DOB": None}, "dob_present"),
        ({"DOB": "01/01/2026"}, "dob_not_after_extract"),
        ({"MC_DOB": "01/01/2000"}, "mc_dob_after_dob"),
    ],
)
def test_faults(change, expectation):
    records = clean_header()
    records[2].update(change)
    assert failures(records) == {expectation: 1}


def test_sex_codes_by_collection_year():
    records = clean_header()
    assert failures(records, extract=date(2024, 3, 31)) == {"sex_valid": 3}  # 2023/24: 1/2
    for r in records:
        r["SEX"] = "1"
    assert failures(records, extract=date(2024, 3, 31)) == {}
    assert failures(records, extract=date(2024, 4, 30)) == {"sex_valid": 3}  # 2024/25: M/F/U
