"""Parquet exports: Hive partitioning, types, small-number suppression, atomic publishing."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.helpers.handmade_marts import LA_A, LA_B, build_marts
from warehouse.publish import exports


@pytest.fixture
def marts(tmp_path):
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    build_marts(conn)
    yield conn
    conn.close()


def _read(conn, folder: Path, where: str = "true") -> list[tuple]:
    return conn.execute(
        f"SELECT la_code, indicator_id, period_end, breakdown, numerator, denominator, value, "
        f"suppressed FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = false) "
        f"WHERE {where} ORDER BY ALL"
    ).fetchall()


def test_hive_partitions_per_la_and_year(marts, tmp_path):
    root = tmp_path / "exports"
    results = exports.export_all(marts, root)
    values = root / "indicator_values"
    folders = sorted(str(p.relative_to(values)) for p in values.glob("*/*"))
    assert folders == [
        f"la_code={LA_B}/year=2024",
        f"la_code={LA_B}/year=2025",
        f"la_code={LA_A}/year=2024",
        f"la_code={LA_A}/year=2025",
    ]
    assert (
        results["indicator_values"].rows
        == marts.execute("SELECT count(*) FROM marts.indicator_values").fetchall()[0][0]
    )
    assert (root / "indicator_catalogue" / "indicator_catalogue.parquet").is_file()
    assert sorted(p.name for p in (root / "dq_results").glob("*")) == [
        f"la_code={LA_B}",
        f"la_code={LA_A}",
    ]
    assert (root / "manifest.json").is_file()
    # Nothing left over next to the exports but the previous version after a re-export.
    exports.export_all(marts, root)
    assert sorted(p.name for p in root.iterdir()) == [
        ".dq_results.previous",
        ".indicator_catalogue.previous",
        ".indicator_values.previous",
        "dq_results",
        "indicator_catalogue",
        "indicator_values",
        "manifest.json",
    ]


def test_parquet_types(marts, tmp_path):
    root = tmp_path / "exports"
    exports.export_all(marts, root)
    file = next((root / "indicator_values").rglob("*.parquet"))
    types = {f.name: str(f.type) for f in pq.read_schema(file)}
    assert types == {
        "la_code": "string",
        "indicator_id": "string",
        "period_end": "date32[day]",
        "year": "int32",
        "breakdown": "string",
        "numerator": "double",
        "denominator": "double",
        "value": "double",
        "suppressed": "bool",
    }
    described = dict(
        marts.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
            f"read_parquet('{root}/dq_results/**/*.parquet', hive_partitioning = true))"
        ).fetchall()
    )
    assert described["extract_date"] == "DATE"
    assert described["unexpected_pct"] == "DOUBLE"
    assert described["la_code"] == "VARCHAR"
    assert described["success"] == "BOOLEAN"


def test_small_numbers_suppressed_in_exports_only(marts, tmp_path):
    root = tmp_path / "exports"
    results = exports.export_all(marts, root)
    values = root / "indicator_values"
    # A count of 3 (UASC) is blanked and flagged; its row stays so the gap is visible.
    uasc = _read(marts, values, "breakdown = 'uasc=Y' AND period_end = DATE '2025-03-31'")
    assert uasc == [(LA_A, "cla_count", uasc[0][2], "uasc=Y", None, None, None, True)]
    # Zero is not suppressed; 3 the month before is.
    at_home = _read(marts, values, "indicator_id = 'cla_care_order_at_home_count'")
    assert at_home[-1][4:] == (0.0, None, 0.0, False)
    assert at_home[-2][4:] == (None, None, None, True)
    # A percentage whose numerator is 2 is suppressed; 5 is not.
    missing = _read(marts, values, "indicator_id = 'cla_missing_month_pct'")
    assert missing[-1][4:] == (None, None, None, True)
    assert missing[2][4:] == (5.0, 100.0, 5.0, False)
    # Days: the numerator is a sum of days, only the denominator (children) counts.
    days = _read(marts, values, "indicator_id = 'adoption_a10_avg_days_12m'")
    assert [r[4:] for r in days] == [(None, None, None, True), (2400.0, 6.0, 400.0, False)]
    # Data quality: 2 failing rows out of 300 is suppressed; 40 out of 500 is not.
    dq = marts.execute(
        f"SELECT expectation, unexpected, unexpected_pct, suppressed FROM "
        f"read_parquet('{root}/dq_results/**/*.parquet') WHERE la_code = '{LA_A}' ORDER BY 1"
    ).fetchall()
    assert dq == [
        ("expect_column_values_to_be_in_set(SEX)", 0.0, 0.0, False),
        ("expect_column_values_to_be_unique(CHILD)", None, None, True),
        ("expect_column_values_to_not_be_null(PL_POST)", 40.0, 8.0, False),
    ]
    assert results["dq_results"].suppressed_rows == 2  # the LA_B row evaluated only 3 rows
    # The warehouse itself is untouched.
    assert marts.execute(
        "SELECT numerator FROM marts.indicator_values WHERE breakdown = 'uasc=Y' LIMIT 1"
    ).fetchall() == [(3.0,)]


def test_suppression_can_be_turned_off_and_threshold_changed(marts, tmp_path):
    root = tmp_path / "exports"
    exports.export_all(marts, root, suppress=False)
    values = root / "indicator_values"
    assert _read(marts, values, "suppressed") == []
    assert "not applied" in (root / "manifest.json").read_text()
    exports.export_all(marts, root, threshold=11)  # 1-10 suppressed
    three_plus = _read(marts, values, "indicator_id = 'cla_3plus_placements_12m_pct'")
    assert [r[7] for r in three_plus] == [
        n < 11 for n in [10, 11, 12, 9, 8, 10, 12, 13, 14, 12, 11, 10, 9, 8, 15]
    ]


def test_no_child_level_tables_are_exported(marts, tmp_path):
    root = tmp_path / "exports"
    exports.export_all(marts, root)
    for spec in exports.EXPORTS.values():
        assert spec.source_table.startswith("marts.")
    names = {p.name for p in root.iterdir() if not p.name.startswith(".")}
    assert names == {"indicator_values", "indicator_catalogue", "dq_results", "manifest.json"}


def test_failed_export_leaves_the_previous_one_whole(marts, tmp_path, monkeypatch):
    root = tmp_path / "exports"
    exports.export_all(marts, root)
    before = _read(marts, root / "indicator_values")

    real_render = exports.sqlfiles.render

    def broken(path, **params):
        if path == "outputs/count_rows.sql":  # after the Parquet files are written
            raise RuntimeError("disk full")
        return real_render(path, **params)

    marts.execute("DELETE FROM marts.indicator_values WHERE la_code = ?", [LA_B])
    monkeypatch.setattr(exports.sqlfiles, "render", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        exports.export_table(marts, "indicator_values", root)
    assert _read(marts, root / "indicator_values") == before
    assert not list(root.glob(".indicator_values.tmp-*"))


def test_readers_see_old_or_new_export_never_a_partial_one(marts, tmp_path, monkeypatch):
    root = tmp_path / "exports"
    exports.export_all(marts, root)
    old = _read(marts, root / "indicator_values")
    seen = {}
    real_publish = exports.publish_dir

    def watching(staged: Path, target: Path):
        # Everything is written, nothing published: readers still get the old export, and the
        # new one is being written in a hidden folder beside it.
        seen["staged_parent"] = staged.parent
        seen["staged_hidden"] = staged.name.startswith(".")
        seen["during"] = _read(marts, target)
        real_publish(staged, target)
        seen["after"] = _read(marts, target)

    marts.execute("DELETE FROM marts.indicator_values WHERE la_code = ?", [LA_B])
    monkeypatch.setattr(exports, "publish_dir", watching)
    exports.export_table(marts, "indicator_values", root)
    assert seen["staged_parent"] == root and seen["staged_hidden"]
    assert seen["during"] == old
    assert seen["after"] == [r for r in old if r[0] == LA_A]
    assert not (root / "indicator_values" / f"la_code={LA_B}").exists()


KILLED_EXPORT = """
import os, signal, sys
from pathlib import Path
import duckdb
from warehouse.publish import exports

published = exports.publish_dir
done = []


def kill():
    os.kill(os.getpid(), signal.SIGKILL)


def killed_at_second(staged, target):
    if done:
        kill()  # the second export is written but not published
    published(staged, target)
    done.append(target)


def killed_before_replace(src, dst):
    kill()  # the manifest is written beside, not yet in place


if sys.argv[3] == "export":
    exports.publish_dir = killed_at_second
else:
    exports.os.replace = killed_before_replace
exports.export_all(duckdb.connect(sys.argv[1], read_only=True), Path(sys.argv[2]))
"""


@pytest.mark.parametrize("point", ["export", "manifest"])
def test_an_export_killed_midway_is_whole_after_the_next(marts, tmp_path, point):
    """`kill -9` between two exports, or before the manifest is in place: the next export
    publishes every folder whole and leaves nothing half-written behind."""
    root, clean = tmp_path / "exports", tmp_path / "clean"
    exports.export_all(marts, root)
    marts.execute("DELETE FROM marts.indicator_values WHERE la_code = ?", [LA_B])
    marts.close()
    database = tmp_path / "warehouse.duckdb"
    child = subprocess.run([sys.executable, "-c", KILLED_EXPORT, str(database), str(root), point],
                           cwd=Path(__file__).resolve().parents[1], capture_output=True,
                           text=True, timeout=300)  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    with duckdb.connect(str(database), read_only=True) as conn:
        exports.export_all(conn, root)
        exports.export_all(conn, clean)
        for name in exports.EXPORTS:
            assert _read_any(conn, root / name) == _read_any(conn, clean / name)
    assert sorted(p.name for p in root.iterdir() if not p.name.endswith(".previous")) == [
        "dq_results", "indicator_catalogue", "indicator_values", "manifest.json"]


def _read_any(conn, folder: Path) -> list[tuple]:
    return conn.execute(f"SELECT * FROM read_parquet('{folder}/**/*.parquet') ORDER BY ALL"
                        ).fetchall()  # fmt: skip


def test_publish_dir_swaps_in_one_step(tmp_path):
    target = tmp_path / "export"
    (target / "a").mkdir(parents=True)
    (target / "a" / "old.parquet").write_text("old")
    staged = exports.staging_dir(target)
    (staged / "b").mkdir(parents=True)
    (staged / "b" / "new.parquet").write_text("new")
    exports.publish_dir(staged, target)
    assert [p.name for p in target.rglob("*.parquet")] == ["new.parquet"]
    assert (tmp_path / ".export.previous" / "a" / "old.parquet").read_text() == "old"
    assert not staged.exists()


def test_missing_mart_is_a_clear_error(tmp_path):
    conn = duckdb.connect(str(tmp_path / "empty.duckdb"))
    with pytest.raises(LookupError, match="marts.indicator_values does not exist"):
        exports.export_table(conn, "indicator_values", tmp_path / "exports")
