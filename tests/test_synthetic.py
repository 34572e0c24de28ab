"""Tests of the synthetic 903 generator and the bundled sample it produced."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from synthetic import generate
from synthetic.dirt import KINDS, inject
from synthetic.extracts import COLUMNS

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample" / "landing"
SAMPLE_LA = "E08000034"
SMALL = {"seed": 7, "las": ["E06000044"], "start_year": 2025, "end_year": 2026}  # Portsmouth


def d(text: str) -> date | None:
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def read_tables(folder: Path) -> dict[str, list[dict]]:
    """The extract's tables, recognised by their columns as the warehouse does."""
    by_columns = {frozenset(cols): name for name, cols in COLUMNS.items()}
    out = {}
    for path in sorted(folder.glob("*.csv")):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        with path.open(newline="") as f:
            header = next(csv.reader(f))
        out[by_columns[frozenset(header)]] = rows
    return out


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate(out, **SMALL)
    return out


def test_same_seed_same_bytes(small, tmp_path):
    generate(tmp_path, **SMALL)
    assert tree_bytes(tmp_path) == tree_bytes(small)


def test_other_seed_other_data(small, tmp_path):
    generate(tmp_path, **{**SMALL, "seed": 8})
    assert tree_bytes(tmp_path) != tree_bytes(small)


def test_layout(small):
    la = small / "E06000044"
    dates = sorted(p.name for p in la.iterdir())
    # 2024/25 annual, then April 2025 .. March 2026 month ends (the last is the annual return).
    assert dates[0] == "2025-03-31"
    assert dates[1:] == ["2025-04-30", "2025-05-31", "2025-06-30", "2025-07-31", "2025-08-31",
                         "2025-09-30", "2025-10-31", "2025-11-30", "2025-12-31", "2026-01-31",
                         "2026-02-28", "2026-03-31"]
    assert set(read_tables(la / "2026-03-31")) == set(COLUMNS)  # all eleven tables
    monthly = read_tables(la / "2025-09-30")
    assert "OC2" not in monthly and "OC3" not in monthly  # annual tables: 31 March only
    pop = list(csv.DictReader((small / "reference" / "population.csv").open()))
    assert [r["year"] for r in pop] == ["2024", "2025", "2026"]
    assert all(r["la_code"] == "E06000044" and int(r["population_0_17"]) > 30_000 for r in pop)


def _window(extract: str) -> tuple[date, date]:
    e = date.fromisoformat(extract)
    return date(e.year if e.month >= 4 else e.year - 1, 4, 1), e


@pytest.mark.parametrize("extract", ["2025-03-31", "2025-09-30", "2026-03-31"])
def test_window_rules(small, extract):
    start, end = _window(extract)
    t = read_tables(small / "E06000044" / extract)
    header = {r["CHILD"] for r in t["Header"]}
    assert len(header) == len(t["Header"])
    for r in t["Episodes"]:
        assert r["CHILD"] in header
        assert d(r["DECOM"]) <= end
        if r["DEC"]:
            assert start <= d(r["DEC"]) <= end and r["REC"]
        else:
            assert not r["REC"] and not r["REASON_PLACE_CHANGE"]
    assert all(start <= d(r["REVIEW"]) <= end for r in t["Reviews"])
    assert all(start <= d(r["MIS_START"]) <= end for r in t["Missing"])
    for r in t["SWEpisodes"]:
        assert d(r["SW_DECOM"]) <= end and (not r["SW_DEC"] or d(r["SW_DEC"]) >= start)


def test_open_episodes_blank_until_they_end(small):
    """An episode ending after a monthly extract's date shows no DEC in that extract."""
    final = {(r["CHILD"], r["DECOM"]): r for r in
             read_tables(small / "E06000044" / "2026-03-31")["Episodes"]}
    checked = 0
    for month in ("2025-06-30", "2025-10-31", "2026-01-31"):
        e = date.fromisoformat(month)
        for r in read_tables(small / "E06000044" / month)["Episodes"]:
            later = final[(r["CHILD"], r["DECOM"])]
            if later["DEC"] and d(later["DEC"]) > e:
                assert r["DEC"] == "" and r["REC"] == ""
                checked += 1
            else:
                assert r["DEC"] == later["DEC"]
    assert checked > 50


def test_code_lists_follow_collection_year():
    old = read_tables(SAMPLE / SAMPLE_LA / "2024-03-31")
    new = read_tables(SAMPLE / SAMPLE_LA / "2026-03-31")
    assert {r["SEX"] for r in old["Header"]} == {"1", "2"}
    assert {r["SEX"] for r in new["Header"]} == {"M", "F"}
    old_places = {r["PLACE"] for r in old["Episodes"]}
    new_places = {r["PLACE"] for r in new["Episodes"]}
    assert "H5" in old_places and "K3" not in old_places
    assert "K3" in new_places and not new_places & {"H5", "P2", "Z1"}


def test_sample_exercises_the_indicators():
    """Every event the indicators count occurs somewhere in the sample's annual returns."""
    rne, rec, place, ls, missing, review = Counter(), Counter(), Counter(), Counter(), Counter(), \
        Counter()
    blank_postcodes = far = 0
    for year in range(2016, 2027):
        t = read_tables(SAMPLE / SAMPLE_LA / f"{year}-03-31")
        for r in t["Episodes"]:
            rne[r["RNE"]] += 1
            rec[r["REC"]] += 1
            place[r["PLACE"]] += 1
            ls[r["LS"]] += 1
            blank_postcodes += not r["HOME_POST"]
        missing.update(r["MISSING"] for r in t["Missing"])
        review.update(r["REVIEW_CODE"] for r in t["Reviews"])
        far += len(t["OC3"])
    assert set("SLPTBU") <= set(rne)
    assert {"X1", "E11", "E12", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E17", "E5",
            "E6"} <= set(rec)
    assert {"A3", "A4", "A5", "A6", "U1", "U3", "U4", "U6", "K1", "K2", "P1", "T1", "T3",
            "R1"} <= set(place)
    assert {"C1", "C2", "E1", "V2", "V3", "J1", "L1", "L2"} <= set(ls)
    assert set(missing) == {"M", "A"}
    assert {"PN0", "PN1", "PN7"} <= set(review)
    assert blank_postcodes > 0 and far > 0


def test_children_in_care_at_31_march_2025():
    t = read_tables(SAMPLE / SAMPLE_LA / "2025-03-31")
    day = date(2025, 3, 31)
    in_care = {r["CHILD"] for r in t["Episodes"] if r["LS"] not in ("V3", "V4")
               and d(r["DECOM"]) <= day and (not r["DEC"] or d(r["DEC"]) > day)}
    assert 550 <= len(in_care) <= 750


@pytest.mark.sample
def test_committed_sample_is_the_default_output(tmp_path):
    """`make sample` (csc-synth generate --out sample/landing) reproduces the committed files."""
    generate(tmp_path)
    fresh = tree_bytes(tmp_path)
    committed = tree_bytes(SAMPLE)
    assert fresh.keys() == committed.keys()
    assert [k for k in fresh if fresh[k] != committed[k]] == []


# ---- dirt ------------------------------------------------------------------------------------
@pytest.fixture
def dirty(small, tmp_path):
    out = tmp_path / "dirty"
    shutil.copytree(small, out)
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_dirt_kind_does_what_it_says(dirty, kind):
    records = inject(dirty, [kind], seed=3)
    assert records and all(r.kind == kind for r in records)
    for r in records:
        path = dirty / r.file
        raw = path.read_bytes()
        if kind == "empty_file":
            assert raw == b""
            continue
        if kind == "bom":
            assert raw.startswith(b"\xef\xbb\xbf")
            continue
        if kind == "cp1252":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            assert "café" in raw.decode("cp1252")
            continue
        if kind == "renamed_files":
            assert path.name.startswith("Copy of ") and path.suffix == ".CSV"
            continue
        text = raw.decode("utf-8")
        lines = text.split("\n")
        if kind == "whitespace":
            assert lines[0] != lines[0].replace(" ", "")
        elif kind == "extra_columns":
            assert lines[0].endswith(",Team")
        elif kind == "blank_rows":
            assert "" in lines[1:-1] or any(set(x) == {","} for x in lines)
        elif kind == "duplicate_rows":
            assert len(set(lines)) < len(lines)
        else:
            changed = [lines[i - 1] for i in r.rows]
            assert changed
            if kind == "float_ids":
                assert all(x.split(",")[0].endswith(".0") for x in changed)
            elif kind == "iso_dates":
                assert all(any(c[:4].isdigit() and c[4:5] == "-" for c in x.split(","))
                           for x in changed)
            elif kind == "excel_dates":
                assert any(" 00:00" in x or "-20" in x or any(
                    c.isdigit() and len(c) == 5 for c in x.split(",")) for x in changed)
            elif kind == "lowercase_codes":
                assert all(x != x.upper() for x in changed)


def test_bom_is_never_planned_on_a_windows_1252_file(small, tmp_path):
    # A BOM on a Windows-1252 file is a third fault (the warehouse reads it: see
    # tests/test_ingest_faults_reading.py), not what either kind says.
    for seed in range(8):
        out = tmp_path / str(seed)
        shutil.copytree(small, out)
        kinds = Counter(r.file for r in inject(out, ["bom", "cp1252"], seed=seed))
        assert [f for f, n in kinds.items() if n > 1] == [], seed


def test_dirt_through_generate_is_recorded(tmp_path):
    result = generate(tmp_path, **{**SMALL, "dirt": ("bom", "float_ids", "empty_file")})
    manifest = json.loads((tmp_path / "dirt_manifest.json").read_text())
    assert {m["kind"] for m in manifest} == {"bom", "float_ids", "empty_file"}
    assert len(manifest) == len(result.injections)


def test_unknown_dirt_kind_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown dirt"):
        inject(tmp_path, ["mud"])


def test_cli_generate(tmp_path):
    from typer.testing import CliRunner

    from synthetic.cli import app

    result = CliRunner().invoke(app, [
        "generate", "--out", str(tmp_path), "--la", "E06000044", "--seed", "5",
        "--start-year", "2026", "--end-year", "2026", "--no-monthly", "--dirt", "bom"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "E06000044").iterdir()] == ["2026-03-31"]
    assert json.loads((tmp_path / "dirt_manifest.json").read_text())[0]["kind"] == "bom"
