"""Analyst layer: views checked against hand-worked values, descriptions everywhere, read-only use,
and the Dagster assets of the outputs layer end to end on a hand-made warehouse."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date

import dagster as dg
import duckdb
import pytest

from assets import outputs
from pipelines.resources import build_resources
from tests.helpers.handmade_marts import LA_A, LA_B, build_marts
from warehouse.config import Settings
from warehouse.publish import analyst


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        build_marts(conn)
        conn.execute("CREATE SCHEMA staging")
        conn.execute(
            "CREATE TABLE staging.episodes (file_id VARCHAR, la_code VARCHAR, extract_date DATE, "
            "decom DATE, rne VARCHAR, home_post VARCHAR, local_flag INTEGER)"
        )
        analyst.build_analyst_layer(conn)
    return path


def _trend(conn, la, indicator, d):
    return conn.execute(
        "SELECT value, previous_month_value, change_1m, value_12m_ago, change_12m, highest_12m, "
        "lowest_12m, values_in_12m, is_highest_12m, is_lowest_12m FROM marts.indicator_trend "
        "WHERE la_code = ? AND indicator_id = ? AND breakdown = 'all' AND period_end = ?",
        [la, indicator, d],
    ).fetchall()[0]


def test_trend_view_hand_worked(db):
    with duckdb.connect(str(db), read_only=True) as conn:
        # Three-plus placements, LA_A: ... Feb 2025 8, Mar 2025 15; Mar 2024 12;
        # Apr 2024 - Mar 2025 = 9, 8, 10, 12, 13, 14, 12, 11, 10, 9, 8, 15.
        row = _trend(conn, LA_A, "cla_3plus_placements_12m_pct", date(2025, 3, 31))
        assert row == (15.0, 8.0, 7.0, 12.0, 3.0, 15.0, 8.0, 12, True, False)
        # Jun 2024: only Jan-Jun 2024 exist (10, 11, 12, 9, 8, 10).
        row = _trend(conn, LA_A, "cla_3plus_placements_12m_pct", date(2024, 6, 30))
        assert row == (10.0, 8.0, 2.0, None, None, 12.0, 8.0, 6, False, False)
        # LA_B has no Feb 2025: the previous month is missing, not January's value.
        row = _trend(conn, LA_B, "cla_count", date(2025, 3, 31))
        assert row[:5] == (54.0, None, None, 42.0, 12.0)
        # Annual measure: no previous month; 12 months ago is the previous 31 March.
        row = _trend(conn, LA_A, "cla_health_assessment_pct", date(2025, 3, 31))
        assert row[:5] == (90.0, None, None, 80.0, 10.0)


def test_latest_view_hand_worked(db):
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute(
            "SELECT la_code, indicator_id, name, theme, unit, polarity, frequency, period_end, "
            "breakdown, value_display, previous_month_value, change_1m, change_12m "
            "FROM marts.indicator_latest ORDER BY ALL"
        ).fetchall()
    by_key = {(r[0], r[1], r[8]): r for r in rows}
    assert by_key[(LA_A, "cla_count", "all")][2:] == (
        "Children looked after",
        "children_in_care",
        "count",
        "context",
        "monthly",
        date(2025, 3, 31),
        "all",
        "114",
        113.0,
        1.0,
        12.0,
    )
    assert by_key[(LA_A, "cla_long_term_stability_pct", "all")][9] == "72.5%"
    assert by_key[(LA_A, "adoption_a10_avg_days_12m", "all")][9] == "400 days"
    assert by_key[(LA_A, "cla_rate_per_10k", "all")][9] == "22.8 per 10,000"
    # Breakdown rows at the latest period are included; one row per LA/indicator/breakdown.
    assert (LA_A, "cla_count", "uasc=Y") in by_key
    assert len(by_key) == len(rows)
    assert {r[7] for r in rows if r[1] == "cla_health_assessment_pct"} == {date(2025, 3, 31)}


def test_every_table_view_and_column_is_described(db):
    with duckdb.connect(str(db), read_only=True) as conn:
        assert analyst.undescribed(conn) == []
        comments = dict(
            ((s, t, c), comment)
            for s, t, c, comment in conn.execute(
                "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
                "WHERE NOT internal"
            ).fetchall()
        )
        tables = dict(
            conn.execute(
                "SELECT schema_name || '.' || view_name, comment FROM duckdb_views() "
                "WHERE NOT internal"
            ).fetchall()
        )
    assert "highest and lowest" in tables["marts.indicator_trend"]
    assert "SSDA903 Episodes.DECOM; date" in comments[("staging", "episodes", "decom")]
    assert "Date the episode of care commenced" in comments[("staging", "episodes", "decom")]
    assert comments[("staging", "episodes", "local_flag")] == "Local flag (INTEGER)."
    breakdown = comments[("marts", "indicator_values", "breakdown")]
    assert "placement_group" in breakdown and "age_band" in breakdown  # from the catalogue
    assert "unrounded" in comments[("marts", "indicator_values", "value")]


def test_existing_comments_are_kept(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        build_marts(conn)
        conn.execute("COMMENT ON COLUMN marts.dq_results.severity IS 'set by the DQ asset'")
        analyst.build_analyst_layer(conn)
        assert conn.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'dq_results' "
            "AND column_name = 'severity'"
        ).fetchall() == [("set by the DQ asset",)]


def test_two_readers_at_once_when_nothing_writes(db):
    """Analysts open the file read-only; several processes can do so together."""
    script = textwrap.dedent(
        f"""
        import duckdb, time
        conn = duckdb.connect({str(db)!r}, read_only=True)
        n = conn.execute("SELECT count(*) FROM marts.indicator_latest").fetchall()[0][0]
        time.sleep(1.5)  # hold the file open while the other reader starts
        print(n)
        """
    )
    readers = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs_ = [r.communicate(timeout=60)[0].strip() for r in readers]
    assert [r.returncode for r in readers] == [0, 0]
    assert outputs_[0] == outputs_[1] and int(outputs_[0]) > 0
    with (
        duckdb.connect(str(db), read_only=True) as conn,
        pytest.raises(duckdb.Error, match="read-only"),
    ):
        conn.execute("CREATE TABLE marts.scratch AS SELECT 1")


def test_outputs_assets_materialise(db, tmp_path):
    resources = build_resources(Settings.under(tmp_path, warehouse_path=db))
    result = dg.materialize([outputs.parquet_exports, outputs.analyst_layer], resources=resources)
    assert result.success
    mats = {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert mats["exports/indicator_values"]["suppressed_rows"].value > 0
    assert mats["exports/indicator_values"]["small_number_suppression"].value is True
    assert set(mats) >= {"marts/indicator_trend", "marts/indicator_latest"}
    checks = result.get_asset_check_evaluations()
    assert [c.passed for c in checks] == [True]
    assert (tmp_path / "exports" / "indicator_values").is_dir()


def test_outputs_assets_use_the_warehouse_pool():
    for asset in (outputs.parquet_exports, outputs.analyst_layer):
        assert asset.op.pool == "duckdb_warehouse"
