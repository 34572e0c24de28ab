"""The Episodes suite on small hand-made staging frames: clean passes, each fault is counted."""

from __future__ import annotations

from datetime import date

import pytest

from expectations.results import ValidationContext
from expectations.runner import validate_table
from tests.helpers.frames import frame_from_records

POSTCODES = {"LS17 8JH", "LS12 2RH", "LS1 3XH", "BD8 8AR"}
HEADER = [
    {"CHILD": "1001", "SEX": "M", "DOB": "15/06/2012", "ETHNIC": "WBRI"},
    {"CHILD": "1002", "SEX": "F", "DOB": "03/09/2008", "ETHNIC": "WBRI"},
    {"CHILD": "1003", "SEX": "F", "DOB": "11/11/2019", "ETHNIC": "MWBC"},
]


def episode(child, decom, rne="S", place="U6", dec=None, rec=None, reason=None, **kw):
    row = {
        "CHILD": child, "DECOM": decom, "RNE": rne, "LS": "C2", "CIN": "N1", "PLACE": place,
        "PLACE_PROVIDER": "PR1", "DEC": dec, "REC": rec, "REASON_PLACE_CHANGE": reason,
        "HOME_POST": "LS17 8JH", "PL_POST": "LS12 2RH", "URN": "SC999999",
    }  # fmt: skip
    row.update({k.upper(): v for k, v in kw.items()})
    return row


def clean_episodes():
    return [
        episode("1001", "10/05/2024"),
        episode("1002", "01/02/2023", dec="20/07/2024", rec="X1", reason="CARPL"),
        episode("1002", "20/07/2024", rne="P", place="K2", pl_post="BD8 8AR"),
        episode("1003", "01/09/2024", dec="15/12/2024", rec="E13"),
    ]


def run(records, extract=date(2025, 3, 31), header=HEADER, postcodes=POSTCODES):
    df = frame_from_records("episodes", records, extract_date=extract)
    ctx = ValidationContext(
        known_postcodes=postcodes,
        header=frame_from_records("header", header, extract_date=extract),
    )
    return {r.expectation: r for r in validate_table("episodes", df, ctx)}


def failures(results):
    return {name: r.unexpected for name, r in results.items() if r.success is False}


def test_clean_episodes_pass_every_expectation():
    results = run(clean_episodes())
    assert failures(results) == {}
    assert all(r.success is True for r in results.values()), [
        (n, r.note) for n, r in results.items() if r.success is not True
    ]
    assert results["reason_place_change_when_placement_changes"].evaluated == 1


@pytest.mark.parametrize(
    ("change", "expectation", "count"),
    [
        ({"PLACE": "Z9"}, "place_valid", 1),
        ({"RNE": "Q"}, "rne_valid", 1),
        ({"LS": "C9"}, "ls_valid", 1),
        ({"CIN": "N9"}, "cin_valid", 1),
        ({"PLACE_PROVIDER": "PR9"}, "place_provider_valid", 1),
        ({"HOME_POST": None}, "home_post_present", 1),
        ({"PL_POST": None}, "pl_post_present", 1),
        ({"PL_POST": "ZZ99 9ZZ"}, "pl_post_found", 1),
        ({"HOME_POST": "ZZ99 9ZZ"}, "home_post_found", 1),
        ({"PL_POST": "LS17 8JH"}, "home_differs_from_placement_postcode", 1),
    ],
)
def test_single_row_faults_are_flagged(change, expectation, count):
    records = clean_episodes()
    records[0].update(change)
    fails = failures(run(records))
    assert fails.get(expectation) == count, fails


def test_failing_rows_carry_row_numbers_for_the_report():
    records = clean_episodes()
    records[2]["PLACE"] = "Z9"  # third data row = spreadsheet row 4
    result = run(records)["place_valid"]
    assert result.failing_rows == (2,)
    assert result.failing_row_numbers == (4,)
    assert "failing_row" not in repr(result)  # kept out of logs


def test_placed_with_parents_may_share_postcodes():
    records = clean_episodes()
    records[0].update(PLACE="P1", PL_POST="LS17 8JH")
    assert "home_differs_from_placement_postcode" not in failures(run(records))


def test_short_breaks_need_no_postcode():
    records = clean_episodes()
    records[0].update(LS="V3", HOME_POST=None, PL_POST=None)
    assert failures(run(records)) == {}


def test_end_before_start():
    records = clean_episodes()
    records[3]["DEC"] = "15/08/2024"
    assert failures(run(records)) == {"dec_not_before_decom": 1}


def test_missing_reason_for_placement_change():
    records = clean_episodes()
    records[1]["REASON_PLACE_CHANGE"] = None
    assert failures(run(records)) == {"reason_place_change_when_placement_changes": 1}


def test_no_reason_needed_for_temporary_placements_or_legal_status_changes():
    records = clean_episodes()
    records[1]["REASON_PLACE_CHANGE"] = None
    records[2]["PLACE"] = "T4"
    assert "reason_place_change_when_placement_changes" not in failures(run(records))
    records[2].update(PLACE="K2", RNE="L")
    assert "reason_place_change_when_placement_changes" not in failures(run(records))


def test_invalid_reason_code():
    records = clean_episodes()
    records[1]["REASON_PLACE_CHANGE"] = "BORED"
    assert failures(run(records)) == {"reason_place_change_valid": 1}


def test_overlapping_episodes():
    records = clean_episodes()
    # the second placement starts before the first one ended
    records[2]["DECOM"] = "01/07/2024"
    fails = failures(run(records))
    assert fails["no_overlapping_episodes"] == 1


def test_open_episode_followed_by_another_is_an_overlap():
    records = clean_episodes()
    records[1].update(DEC=None, REC=None)
    fails = failures(run(records))
    assert fails["no_overlapping_episodes"] == 1


def test_conflicting_duplicate_episode_is_structural():
    records = clean_episodes() + [episode("1001", "10/05/2024", place="U4")]
    results = run(records)
    assert results["child_decom_unique"].success is False
    assert results["child_decom_unique"].severity == "structural"
    assert results["child_decom_unique"].unexpected == 2  # both versions are flagged


def test_exact_copy_of_an_episode_is_a_recording_problem():
    records = clean_episodes() + [episode("1001", "10/05/2024")]
    results = run(records)
    assert results["child_decom_unique"].success is True
    assert results["no_duplicate_rows"].success is False
    assert results["no_duplicate_rows"].severity == "recording"
    assert results["no_duplicate_rows"].unexpected == 1  # the copy, not the original
    assert results["no_duplicate_rows"].failing_row_numbers == (6,)


def test_child_missing_from_header():
    records = clean_episodes() + [episode("9999", "01/01/2025")]
    assert failures(run(records))["child_in_header"] == 1


def test_episode_before_birth():
    records = clean_episodes()
    records[3]["DECOM"] = "01/09/2018"
    records[3]["DEC"] = "15/12/2018"
    assert failures(run(records)) == {"decom_after_dob": 1}


def test_rec_without_dec():
    records = clean_episodes()
    records[0]["REC"] = "E13"
    assert failures(run(records)) == {"rec_with_dec": 1}


def test_missing_column_is_structural_and_dependent_rules_not_evaluated():
    records = [{k: v for k, v in r.items() if k != "PL_POST"} for r in clean_episodes()]
    results = run(records)
    assert results["columns_present"].success is False
    assert results["columns_present"].severity == "structural"
    assert results["columns_present"].unexpected == 1
    assert results["pl_post_found"].success is None
    assert "pl_post" in results["pl_post_found"].note


def test_rules_needing_inputs_are_not_evaluated_without_them():
    df = frame_from_records("episodes", clean_episodes())
    results = {r.expectation: r for r in validate_table("episodes", df, ValidationContext())}
    for name in ("child_in_header", "home_post_found", "pl_post_found", "decom_after_dob"):
        assert results[name].success is None
        assert results[name].evaluated == 0


def test_place_code_list_depends_on_collection_year():
    records = clean_episodes()
    records[0]["PLACE"] = "Z1"  # valid up to 2024/25, gone in 2025/26
    records[2]["PLACE"] = "K3"  # new in 2024/25
    assert "place_valid" not in failures(run(records, extract=date(2025, 3, 31)))
    fails_2026 = failures(run(records, extract=date(2025, 5, 31)))
    assert fails_2026["place_valid"] == 1  # Z1
    fails_2024 = failures(run(records, extract=date(2024, 3, 31)))
    assert fails_2024["place_valid"] == 1  # K3


def test_postcodes_accept_a_series_in_any_spacing():
    import pandas as pd

    postcodes = pd.Series(["LS178JH", "ls12 2rh", "LS13XH", "BD88AR"])
    assert failures(run(clean_episodes(), postcodes=postcodes)) == {}


def test_many_extracts_in_one_run_match_one_at_a_time():
    """One GX run over extracts of several collection years (different PLACE code lists) and
    with different Header rows gives each extract what validate_table gives it alone."""
    from expectations.runner import validate_tables

    faulty = clean_episodes()
    faulty[0] = {**faulty[0], "PLACE": "Z9", "PL_POST": "ZZ1 1ZZ"}
    faulty.append(dict(faulty[1], PLACE="U4"))  # same key, different contents
    cases = [
        (clean_episodes(), date(2025, 3, 31), HEADER),
        (faulty, date(2019, 3, 31), HEADER),
        (faulty, date(2025, 6, 30), HEADER[:1]),
        (clean_episodes(), date(2016, 3, 31), HEADER),
    ]
    slices = []
    for records, extract, header in cases:
        df = frame_from_records("episodes", records, extract_date=extract)
        ctx = ValidationContext(
            known_postcodes=POSTCODES,
            header=frame_from_records("header", header, extract_date=extract),
        )
        slices.append((df, ctx))
    batch = validate_tables("episodes", slices)
    assert batch == [validate_table("episodes", df, ctx) for df, ctx in slices]
    assert [r.failing_row_numbers for r in batch[1] if r.failed] == [
        r.failing_row_numbers for r in validate_table("episodes", *slices[1]) if r.failed
    ]
