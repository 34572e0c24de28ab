"""An empty or half-visible landing folder (an unmounted share) must not empty the warehouse and
its outputs: removals beyond a council's last extract or a share of all extracts are refused
unless allowed, and an empty export or report is never published over a non-empty one."""

from __future__ import annotations

import shutil

import pytest

from tests.helpers.handmade_marts import build_marts
from tests.helpers.landing_builder import copy_tiny_valid
from warehouse import config
from warehouse.ingest import raw_loader
from warehouse.ingest.removal import RemovalPolicy, RemovalRefused
from warehouse.publish import exports
from warehouse.report.writer import EmptyReportRefused, write_reports

LA_A, LA_B = "E08000034", "E08000035"


def _raw(conn) -> list[tuple]:
    return conn.execute("SELECT la_code, extract_date, status FROM raw.extracts ORDER BY ALL")\
        .fetchall()


def _landing(landing_dir, dates_by_la: dict[str, list[str]]) -> None:
    for la, dates in dates_by_la.items():
        for d in dates:
            copy_tiny_valid(landing_dir, la, d)


def test_empty_landing_is_refused_and_nothing_removed(conn, landing_dir):
    _landing(landing_dir, {LA_A: ["2025-03-31"], LA_B: ["2025-03-31", "2025-04-30"]})
    raw_loader.ingest_landing(conn, landing_dir)
    before = _raw(conn), conn.execute("SELECT count(*) FROM raw.episodes").fetchone()
    for child in landing_dir.iterdir():
        shutil.rmtree(child)
    with pytest.raises(RemovalRefused) as refused:
        raw_loader.ingest_landing(conn, landing_dir)
    message = str(refused.value)
    assert message.startswith("Refusing to remove 3 of the warehouse's 3 extracts")
    assert f"{LA_A} (1 of 1, all of them), {LA_B} (2 of 2, all of them)" in message
    assert str(landing_dir) in message
    assert "CSC_ALLOW_REMOVAL=1" in message and "allow_removal" in message
    assert "Nothing was removed" in message
    assert (_raw(conn), conn.execute("SELECT count(*) FROM raw.episodes").fetchone()) == before


def test_a_council_losing_every_extract_is_refused_unless_allowed(conn, landing_dir):
    _landing(landing_dir, {LA_A: ["2025-03-31"], LA_B: [f"2025-{m:02d}-28" for m in range(1, 9)]})
    raw_loader.ingest_landing(conn, landing_dir)
    shutil.rmtree(landing_dir / LA_A)  # 1 of 9 extracts: under the share, but all of LA_A's
    with pytest.raises(RemovalRefused, match=rf"{LA_A} \(1 of 1, all of them\)"):
        raw_loader.ingest_landing(conn, landing_dir)
    assert len(_raw(conn)) == 9
    allowed = RemovalPolicy(allow=True)
    report = raw_loader.ingest_landing(conn, landing_dir, removal_policy=allowed)
    assert report.extracts_removed == 1
    assert {la for la, _, _ in _raw(conn)} == {LA_B}


def test_removing_more_than_the_share_is_refused(conn, landing_dir):
    _landing(landing_dir, {LA_B: [f"2025-{m:02d}-28" for m in range(1, 11)]})
    raw_loader.ingest_landing(conn, landing_dir)
    for m in (1, 2, 3):  # 3 of 10 extracts: above the 20% default
        shutil.rmtree(landing_dir / LA_B / f"2025-{m:02d}-28")
    with pytest.raises(RemovalRefused, match=rf"3 of the warehouse's 10 .* {LA_B} \(3 of 10\)"):
        raw_loader.ingest_landing(conn, landing_dir)
    # a higher share, set by the operator, lets it through
    higher = RemovalPolicy(max_share=0.5)
    report = raw_loader.ingest_landing(conn, landing_dir, removal_policy=higher)
    assert report.extracts_removed == 3


def test_one_extract_of_a_council_that_keeps_others_may_go(conn, landing_dir):
    _landing(landing_dir, {LA_B: ["2025-03-31", "2025-04-30"]})
    raw_loader.ingest_landing(conn, landing_dir)
    shutil.rmtree(landing_dir / LA_B / "2025-04-30")  # half the warehouse, but one extract
    assert raw_loader.ingest_landing(conn, landing_dir).extracts_removed == 1


def test_the_settings_carry_the_removal_policy():
    s = config.Settings.from_env({"CSC_ALLOW_REMOVAL": "yes", "CSC_MAX_REMOVAL_SHARE": "0.5"})
    assert (s.allow_removal, s.max_removal_share) == (True, 0.5)
    default = config.Settings.from_env({})
    assert (default.allow_removal, default.max_removal_share) == (False, 0.2)
    with pytest.raises(config.ConfigurationError, match="CSC_ALLOW_REMOVAL"):
        config.Settings.from_env({"CSC_ALLOW_REMOVAL": "perhaps"})
    with pytest.raises(config.ConfigurationError, match="CSC_MAX_REMOVAL_SHARE"):
        config.Settings.from_env({"CSC_MAX_REMOVAL_SHARE": "20%"})


def test_an_empty_export_is_not_published_over_a_non_empty_one(conn, tmp_path):
    build_marts(conn)
    root = tmp_path / "exports"
    exports.export_all(conn, root)
    manifest = (root / "manifest.json").read_text()
    files = sorted(p.relative_to(root) for p in (root / "indicator_values").rglob("*.parquet"))
    conn.execute("DELETE FROM marts.indicator_values")
    with pytest.raises(exports.EmptyExportRefused, match="indicator_values.*CSC_ALLOW_REMOVAL"):
        exports.export_all(conn, root)
    assert (root / "manifest.json").read_text() == manifest
    assert sorted(p.relative_to(root) for p in (root / "indicator_values").rglob("*.parquet")) \
        == files
    assert not list(root.glob(".indicator_values.tmp-*"))
    result = exports.export_all(conn, root, allow_empty=True)
    assert result["indicator_values"].rows == 0
    assert not list((root / "indicator_values").rglob("*.parquet"))


def test_an_empty_report_is_not_published_over_existing_pages(conn, tmp_path):
    build_marts(conn)
    out = tmp_path / "reports"
    assert write_reports(conn, out)
    index = (out / "index.html").read_text()
    conn.execute("DELETE FROM marts.indicator_values")
    with pytest.raises(EmptyReportRefused, match="CSC_ALLOW_REMOVAL"):
        write_reports(conn, out)
    assert (out / "index.html").read_text() == index
    assert write_reports(conn, out, allow_empty=True) == []
