"""Quality layer in Dagster: asset checks on hand-made staging tables in a tmp DuckDB,
marts.dq_results rows, the error report (no external URLs) and its owner-only CSV."""

from __future__ import annotations

import re
import stat
from datetime import date

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets import keys, quality
from expectations.error_report import CSV_NAME, HTML_NAME, write_error_report
from pipelines.resources import build_resources
from tests.helpers.frames import frame_from_records
from warehouse.config import Settings

LA = "E08000035"
MARCH, APRIL = date(2025, 3, 31), date(2025, 4, 30)

HEADER = [
    {
        "CHILD": "1001",
        "SEX": "M",
        "DOB": "15/06/2012",
        "ETHNIC": "WBRI",
        "UPN": "UN1",
        "MOTHER": None,
        "MC_DOB": None,
    },
    {
        "CHILD": "1002",
        "SEX": "F",
        "DOB": "03/09/2008",
        "ETHNIC": "WBRI",
        "UPN": "UN1",
        "MOTHER": None,
        "MC_DOB": None,
    },
]
EPISODES = [
    {"CHILD": "1001", "DECOM": "10/05/2024", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U6",
     "PLACE_PROVIDER": "PR1", "HOME_POST": "LS17 8JH", "PL_POST": "LS12 2RH", "URN": "SC1"},
    {"CHILD": "1002", "DECOM": "01/02/2023", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U6",
     "PLACE_PROVIDER": "PR1", "DEC": "20/07/2024", "REC": "X1", "REASON_PLACE_CHANGE": "CARPL",
     "HOME_POST": "LS1 3XH", "PL_POST": "LS12 2RH", "URN": "SC1"},
    {"CHILD": "1002", "DECOM": "20/07/2024", "RNE": "P", "LS": "C2", "CIN": "N1", "PLACE": "K2",
     "PLACE_PROVIDER": "PR4", "HOME_POST": "LS1 3XH", "PL_POST": "BD8 8AR", "URN": "SC2"},
]  # fmt: skip
POSTCODES = ["LS17 8JH", "LS12 2RH", "LS1 3XH", "BD8 8AR"]


def _episodes_with_faults():
    records = [dict(r) for r in EPISODES]
    records[0]["PLACE"] = "Z9"  # invalid code (recording)
    records[1]["REASON_PLACE_CHANGE"] = None  # missing reason for placement change (recording)
    return records


def load_staging(conn, march_episodes, april_episodes=None):
    """Two extracts: March (faulty when asked) and April (clean)."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS staging; CREATE SCHEMA IF NOT EXISTS reference")
    frames = {
        "header": pd.concat(
            [frame_from_records("header", HEADER, LA, MARCH),
             frame_from_records("header", HEADER, LA, APRIL)], ignore_index=True),
        "episodes": pd.concat(
            [frame_from_records("episodes", march_episodes, LA, MARCH),
             frame_from_records("episodes", april_episodes or EPISODES, LA, APRIL)],
            ignore_index=True),
    }  # fmt: skip
    for table, df in frames.items():
        conn.register("frame", df)
        conn.execute(f"CREATE OR REPLACE TABLE staging.{table} AS SELECT * FROM frame")
        conn.unregister("frame")
    pcd = pd.DataFrame({"pcd_abbr": [p.replace(" ", "") for p in POSTCODES]})
    conn.register("pcd", pcd)
    conn.execute("CREATE OR REPLACE TABLE reference.postcodes AS SELECT * FROM pcd")
    conn.unregister("pcd")


@pytest.fixture
def restricted(settings):
    return settings.restricted_dir


def resources(warehouse_path, tmp_path):
    return build_resources(Settings.under(tmp_path / "data", warehouse_path=warehouse_path))


def stub_staging_assets():
    """Stand-ins for assets/staging.py: the tables already exist in the tmp DuckDB."""
    return [dg.AssetSpec(keys.staging(t)) for t in quality.TABLES]


def test_checks_are_declared_per_table_and_severity():
    specs = {(s.asset_key.path[-1], s.name): s for s in quality.staging_quality.check_specs}
    assert specs[("episodes", "structural_rules")].blocking is True
    assert specs[("episodes", "recording_rules")].blocking is False
    assert {t for t, _ in specs} == set(quality.TABLES)
    described = specs[("episodes", "structural_rules")].description
    assert "child_decom_unique" in described and "columns_present" in described
    assert "place_valid" in specs[("episodes", "recording_rules")].description


def _by_expectation(evaluation) -> dict:
    return evaluation.metadata["by_expectation"].value


def test_checks_and_dq_results(warehouse_path, tmp_path, restricted):
    with duckdb.connect(str(warehouse_path)) as conn:
        load_staging(conn, _episodes_with_faults())
    checks = [*quality.check_keys_for("episodes"), *quality.check_keys_for("header")]
    result = dg.materialize(
        [*stub_staging_assets(), quality.dq_results_and_reports, quality.staging_quality],
        resources=resources(warehouse_path, tmp_path),
        selection=dg.AssetSelection.keys(keys.DQ_RESULTS, keys.DQ_REPORTS)
        | dg.AssetSelection.checks(*checks),
    )
    assert result.success
    evaluations = {
        (e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()
    }
    assert set(evaluations) == {(k.asset_key.path[-1], k.name) for k in checks}
    recording = evaluations[("episodes", "recording_rules")]
    assert recording.passed is False
    assert recording.severity == dg.AssetCheckSeverity.WARN
    place = _by_expectation(recording)["place_valid"]
    assert place["passed"] is False
    assert place["unexpected"] == 1 and place["extracts_failing"] == 1
    assert place["extracts_checked"] == 2
    assert place["unexpected_pct"] == pytest.approx(100 / 6, abs=1e-3)
    recording_md = {k: v.value for k, v in recording.metadata.items()}
    assert "place_valid" in recording_md["failed"]
    assert "| place_valid | FAIL | 1 | 1 |" in recording_md["results"]
    assert _by_expectation(recording)["reason_place_change_when_placement_changes"][
        "passed"] is False
    assert _by_expectation(recording)["pl_post_found"]["passed"] is True
    structural = evaluations[("episodes", "structural_rules")]
    assert structural.passed is True
    assert _by_expectation(structural)["child_decom_unique"]["passed"] is True
    # metadata: counts only, no child ids or postcodes
    blob = repr([e.metadata for e in evaluations.values()])
    for value in ("1001", "1002", "LS17", "LS12", "Z9"):
        assert value not in blob

    with duckdb.connect(str(warehouse_path), read_only=True) as conn:
        rows = conn.execute(
            "SELECT extract_date, success, evaluated, unexpected, unexpected_pct "
            "FROM marts.dq_results WHERE table_name = 'episodes' AND expectation = 'place_valid' "
            "ORDER BY extract_date"
        ).fetchall()
        per_extract = conn.execute(
            "SELECT count(*) FROM marts.dq_results GROUP BY la_code, extract_date, table_name"
        ).fetchall()
    assert rows == [(MARCH, False, 3, 1, pytest.approx(100 / 3)), (APRIL, True, 3, 0, 0.0)]
    assert {n for (n,) in per_extract} == {
        len(quality.load_suite("header").expectations),
        len(quality.load_suite("episodes").expectations),
    }

    # the error report for the faulty March extract
    folder = restricted / LA / MARCH.isoformat()
    html = (folder / HTML_NAME).read_text()
    csv_text = (folder / CSV_NAME).read_text()
    assert "place_valid" in html and "Reason for placement change" not in html.split("<h2>")[0]
    assert not re.search(r"(https?:)?//", html)
    assert "<link" not in html and "<script" not in html and "@import" not in html
    assert "1001" not in html  # counts only on the page
    csv_rows = pd.read_csv(folder / CSV_NAME, dtype=str)
    place_rows = csv_rows[csv_rows["rule"] == "place_valid"]
    assert place_rows[["child", "row_number", "column", "value"]].values.tolist() == [
        ["1001", "2", "PLACE", "Z9"]
    ]
    assert "reason_place_change_when_placement_changes" in set(csv_rows["rule"])
    assert csv_text.startswith("la_code,extract_date,file,row_number,child")
    for path in (folder / HTML_NAME, folder / CSV_NAME):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for path in (restricted, restricted / LA, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    exports = tmp_path / "exports"
    assert not exports.exists() or not any(exports.rglob("*.csv"))

    # re-running replaces the rows (idempotent): still one row per expectation per extract
    rerun = dg.materialize(
        [*stub_staging_assets(), quality.dq_results_and_reports],
        resources=resources(warehouse_path, tmp_path),
        selection=dg.AssetSelection.keys(keys.DQ_RESULTS, keys.DQ_REPORTS),
    )
    assert rerun.success
    with duckdb.connect(str(warehouse_path), read_only=True) as conn:
        (dupes,) = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM marts.dq_results "
            "GROUP BY la_code, extract_date, table_name, expectation HAVING count(*) > 1)"
        ).fetchone()
    assert dupes == 0


def test_structural_failure_blocks_downstream(warehouse_path, tmp_path, restricted):
    duplicated = EPISODES + [dict(EPISODES[0], PLACE="U4")]  # same key, different contents
    with duckdb.connect(str(warehouse_path)) as conn:
        load_staging(conn, duplicated)

    @dg.asset(key=["staging", "episodes"])
    def staging_episodes():
        return None  # the table is already in the tmp warehouse

    ran = []

    @dg.asset(deps=[staging_episodes])
    def downstream():
        ran.append(True)

    others = [a for a in stub_staging_assets() if a.key != keys.staging("episodes")]
    result = dg.materialize(
        [staging_episodes, *others, downstream, quality.staging_quality],
        resources=resources(warehouse_path, tmp_path),
        selection=dg.AssetSelection.assets(staging_episodes, downstream)
        | dg.AssetSelection.checks(*quality.check_keys_for("episodes")),
        raise_on_error=False,
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    structural = evaluations["structural_rules"]
    assert structural.passed is False and structural.severity == dg.AssetCheckSeverity.ERROR
    dup = _by_expectation(structural)["child_decom_unique"]
    assert dup["passed"] is False and dup["unexpected"] == 2
    assert not ran, "a failed structural check must block downstream assets"


def test_report_refuses_the_exports_folder(tmp_path):
    exports = tmp_path / "exports"
    with pytest.raises(ValueError, match="exports"):
        write_error_report(LA, MARCH, {}, {}, root=exports / "dq", published=[exports])


def test_missing_staging_tables_are_skipped(warehouse_path, tmp_path, restricted):
    with duckdb.connect(str(warehouse_path)) as conn:
        conn.execute("CREATE SCHEMA staging")
    result = dg.materialize(
        [*stub_staging_assets(), quality.dq_results_and_reports],
        resources=resources(warehouse_path, tmp_path),
        selection=dg.AssetSelection.keys(keys.DQ_RESULTS, keys.DQ_REPORTS),
    )
    assert result.success
    with duckdb.connect(str(warehouse_path), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM marts.dq_results").fetchone() == (0,)


def test_csv_cells_cannot_start_a_formula(tmp_path):
    from expectations.runner import validate_table

    records = [dict(r) for r in EPISODES]
    records[0]["PLACE"] = "=HYPERLINK(1)"
    df = frame_from_records("episodes", records, LA, MARCH)
    results = {"episodes": validate_table("episodes", df)}
    files = write_error_report(
        LA, MARCH, results, {"episodes": df}, root=tmp_path / "r", published=[tmp_path / "exports"]
    )
    rows = pd.read_csv(files.csv, dtype=str)
    assert rows.loc[rows["rule"] == "place_valid", "value"].tolist() == ["'=HYPERLINK(1)"]


# ---- incremental validation --------------------------------------------------------------------


def _dq_assets(warehouse_path, tmp_path):
    result = dg.materialize(
        [*stub_staging_assets(), quality.dq_results_and_reports],
        resources=resources(warehouse_path, tmp_path),
        selection=dg.AssetSelection.keys(keys.DQ_RESULTS, keys.DQ_REPORTS),
    )
    assert result.success
    return {
        m.asset_key.path[-1]: {k: v.value for k, v in m.metadata.items()}
        for m in (e.event_specific_data.materialization
                  for e in result.get_asset_materialization_events())
    }  # fmt: skip


def _replace_extract(conn, table, records, extract_date):
    conn.execute(f"DELETE FROM staging.{table} WHERE extract_date = ?", [extract_date])
    if records:
        conn.register("frame", frame_from_records(table, records, LA, extract_date))
        conn.execute(f"INSERT INTO staging.{table} SELECT * FROM frame")
        conn.unregister("frame")


def _dq_rows(conn):
    return conn.execute("SELECT * FROM marts.dq_results ORDER BY ALL").fetchall()


def test_unchanged_staging_is_not_validated_again(warehouse_path, tmp_path, restricted):
    with duckdb.connect(str(warehouse_path)) as conn:
        load_staging(conn, _episodes_with_faults())
    first = _dq_assets(warehouse_path, tmp_path)
    assert first["dq_results"]["validated_this_run"] == 4  # 2 extracts x (header, episodes)
    assert first["dq_error_reports"]["reports"] == 2
    report = restricted / LA / MARCH.isoformat() / CSV_NAME
    written = report.stat().st_mtime_ns
    with duckdb.connect(str(warehouse_path), read_only=True) as conn:
        before = _dq_rows(conn)

    second = _dq_assets(warehouse_path, tmp_path)
    assert second["dq_results"]["validated_this_run"] == 0
    assert second["dq_error_reports"]["reports"] == 0
    assert report.stat().st_mtime_ns == written
    with duckdb.connect(str(warehouse_path)) as conn:
        assert _dq_rows(conn) == before
        assert all(quality.refresh_table(conn, t).validated == 0 for t in quality.TABLES)


def test_checks_and_results_share_one_validation(warehouse_path, tmp_path, restricted):
    with duckdb.connect(str(warehouse_path)) as conn:
        load_staging(conn, _episodes_with_faults())
    result = dg.materialize(
        [*stub_staging_assets(), quality.staging_quality],
        resources=resources(warehouse_path, tmp_path),
        selection=dg.AssetSelection.checks(*quality.check_keys_for("episodes")),
    )
    assert result.success
    # the checks stored their validation: the dq_results asset validates only the Header
    after = _dq_assets(warehouse_path, tmp_path)
    assert after["dq_results"]["validated_this_run"] == 2
    assert after["dq_error_reports"]["reports"] == 2
    csv_rows = pd.read_csv(restricted / LA / MARCH.isoformat() / CSV_NAME, dtype=str)
    assert csv_rows.loc[csv_rows["rule"] == "place_valid", "value"].tolist() == ["Z9"]


def test_changed_extract_is_revalidated(warehouse_path, tmp_path, restricted):
    with duckdb.connect(str(warehouse_path)) as conn:
        load_staging(conn, EPISODES)
    _dq_assets(warehouse_path, tmp_path)
    march_report = restricted / LA / MARCH.isoformat() / CSV_NAME
    march_written = march_report.stat().st_mtime_ns

    with duckdb.connect(str(warehouse_path)) as conn:
        _replace_extract(conn, "episodes", _episodes_with_faults(), APRIL)
        assert quality.refresh_table(conn, "header").validated == 0
        assert quality.refresh_table(conn, "episodes").validated == 1
        rows = conn.execute(
            "SELECT extract_date, success, unexpected FROM marts.dq_results "
            "WHERE table_name = 'episodes' AND expectation = 'place_valid' ORDER BY extract_date"
        ).fetchall()
    assert rows == [(MARCH, True, 0), (APRIL, False, 1)]
    after = _dq_assets(warehouse_path, tmp_path)
    assert after["dq_results"]["validated_this_run"] == 0
    assert after["dq_error_reports"]["reports"] == 1  # April only
    assert march_report.stat().st_mtime_ns == march_written
    april = pd.read_csv(restricted / LA / APRIL.isoformat() / CSV_NAME, dtype=str)
    assert april.loc[april["rule"] == "place_valid", "value"].tolist() == ["Z9"]

    # a change to the Header re-validates that extract's Episodes (they read its Header)
    with duckdb.connect(str(warehouse_path)) as conn:
        _replace_extract(conn, "header", HEADER[:1], MARCH)
        assert quality.refresh_table(conn, "episodes").validated == 1
        (ok,) = conn.execute(
            "SELECT success FROM marts.dq_results WHERE table_name = 'episodes' "
            "AND expectation = 'child_in_header' AND extract_date = ?",
            [MARCH],
        ).fetchone()
    assert ok is False


def test_removed_extract_leaves_results_and_reports(warehouse_path, tmp_path, restricted):
    with duckdb.connect(str(warehouse_path)) as conn:
        load_staging(conn, _episodes_with_faults())
    _dq_assets(warehouse_path, tmp_path)
    april = restricted / LA / APRIL.isoformat()
    assert (april / HTML_NAME).exists()

    (april / f".{CSV_NAME}.tmp").write_text("half")  # as a build killed while writing leaves

    with duckdb.connect(str(warehouse_path)) as conn:
        for table in ("header", "episodes"):
            _replace_extract(conn, table, [], APRIL)
    after = _dq_assets(warehouse_path, tmp_path)
    assert after["dq_results"]["validated_this_run"] == 0
    assert after["dq_error_reports"]["reports_removed"] == 1
    assert not april.exists()
    assert (restricted / LA / MARCH.isoformat() / HTML_NAME).exists()
    with duckdb.connect(str(warehouse_path), read_only=True) as conn:
        dates = conn.execute("SELECT DISTINCT extract_date FROM marts.dq_results").fetchall()
        (left,) = conn.execute(
            "SELECT count(*) FROM quality.failing_rows WHERE extract_date = ?", [APRIL]
        ).fetchone()
    assert dates == [(MARCH,)] and left == 0


def test_table_leaving_an_extract_rewrites_its_report(warehouse_path, tmp_path, restricted):
    with duckdb.connect(str(warehouse_path)) as conn:
        load_staging(conn, EPISODES, _episodes_with_faults())
    _dq_assets(warehouse_path, tmp_path)
    april = restricted / LA / APRIL.isoformat() / CSV_NAME
    assert "place_valid" in set(pd.read_csv(april, dtype=str)["rule"])

    with duckdb.connect(str(warehouse_path)) as conn:
        _replace_extract(conn, "episodes", [], APRIL)  # April's Episodes file left; Header stays
    after = _dq_assets(warehouse_path, tmp_path)
    assert after["dq_results"]["validated_this_run"] == 0
    assert after["dq_error_reports"]["reports"] == 1
    assert pd.read_csv(april, dtype=str).empty  # no Episodes failures reported any more
    html = (restricted / LA / APRIL.isoformat() / HTML_NAME).read_text()
    assert "place_valid" not in html


@pytest.mark.parametrize("where", ["thread", "process"])
def test_prevalidation_stores_what_the_checks_then_reuse(warehouse_path, tmp_path, where):
    from expectations import refresh
    from expectations import worker as validation_process

    submit = validation_process.shared().submit if where == "process" else None

    direct = tmp_path / "direct.duckdb"
    for path in (warehouse_path, direct):
        with duckdb.connect(str(path)) as conn:
            load_staging(conn, _episodes_with_faults())
    with duckdb.connect(str(direct)) as conn:
        for table in ("header", "episodes"):
            assert quality.refresh_table(conn, table).validated == 2
        expected = _dq_rows(conn)

    with duckdb.connect(str(warehouse_path)) as conn:
        with refresh.Prevalidation(conn, ["header", "episodes"], submit) as pre:
            pre.staged("episodes")  # waits for the Header its rules read
            pre.staged("header")
            refreshed, failed = pre.finish()
        assert failed == []
        assert {t: r.validated for t, r in refreshed.items()} == {"header": 2, "episodes": 2}
        assert _dq_rows(conn) == expected
        assert all(quality.refresh_table(conn, t).validated == 0 for t in ("header", "episodes"))


@pytest.mark.parametrize("stage", ["read", "validation"])
def test_prevalidation_that_fails_is_left_to_the_checks(warehouse_path, monkeypatch, stage):
    from concurrent.futures import Future

    from expectations import chunks, refresh

    original = refresh.begin_validation

    def broken_read(conn, table, submit=None):
        if table == "episodes":
            raise RuntimeError("child 1001 broke it")  # a message may quote values
        return original(conn, table, submit)

    def broken_submit(table, chunk, inputs):
        done = Future()
        if table == "episodes":
            done.set_exception(ValueError("child 1001 broke it"))
        else:
            done.set_result(chunks.chunk_results(table, chunk, inputs))
        return done

    if stage == "read":
        monkeypatch.setattr(refresh, "begin_validation", broken_read)
    with duckdb.connect(str(warehouse_path)) as conn:
        load_staging(conn, _episodes_with_faults())
        submit = broken_submit if stage == "validation" else None
        with refresh.Prevalidation(conn, ["header", "episodes"], submit) as pre:
            pre.staged("header")
            pre.staged("episodes")
            refreshed, failed = pre.finish()
        error = "RuntimeError" if stage == "read" else "ValueError"
        assert failed == [f"episodes ({error})"]  # the type only, never the message
        assert set(refreshed) == {"header"}
        monkeypatch.setattr(refresh, "begin_validation", original)
        assert quality.refresh_table(conn, "episodes").validated == 2


def test_validation_process_reports_failures_by_type_and_restarts(warehouse_path):
    from expectations import chunks
    from expectations import worker as validation_process

    with duckdb.connect(str(warehouse_path)) as conn:
        load_staging(conn, _episodes_with_faults())
        chunk = conn.execute("SELECT DISTINCT la_code, extract_date, 1 AS n_rows "
                             "FROM staging.header").df()  # fmt: skip
        inputs = chunks.read_chunk(conn, "header", chunk)
    expected = chunks.chunk_results("header", chunk, inputs)
    child = validation_process.shared()
    got = child.validate("header", chunk, inputs)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(got[name], frame)

    with pytest.raises(validation_process.ValidationProcessError) as failure:
        child.validate("no_such_table", chunk, inputs)  # its suite cannot be found
    assert str(failure.value).endswith("Error in the validation process")
    assert "no_such_table" not in str(failure.value)  # the type only, never the message
    assert child.alive  # a failed request leaves the child serving

    for process in list(child._pool._processes.values()):  # the pool's one worker
        process.kill()
        process.join()
    with pytest.raises(validation_process.ValidationProcessError, match="has ended"):
        child.validate("header", chunk, inputs)
    again = validation_process.shared()  # a new child for the next caller
    assert again is not child and again.alive
    pd.testing.assert_frame_equal(again.validate("header", chunk, inputs)["dq_rows"],
                                  expected["dq_rows"])  # fmt: skip

    # a request that fails inside the worker (its rows are not Arrow) leaves it serving
    with pytest.raises(validation_process.ValidationProcessError, match="AttributeError"):
        again.validate("header", chunk, chunks.ChunkInputs(rows=pd.DataFrame()))
    assert validation_process.shared() is again
    pd.testing.assert_frame_equal(again.validate("header", chunk, inputs)["dq_rows"],
                                  expected["dq_rows"])  # fmt: skip
