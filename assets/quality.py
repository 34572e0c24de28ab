"""Quality layer: the Great Expectations suites (expectations/) as Dagster asset checks on every
staging asset, the marts.dq_results table and the councils' error reports.

Validation and its storage are in expectations.refresh: an extract is validated only when what
its validation reads changed, by whichever step comes first (usually the staging step, in the
background); the checks summarise the stored results, and the error reports are re-rendered only
for re-validated extracts (and removed for extracts that left staging), from bulk reads of the
stored results and failing records. Structural expectations (missing columns, unusable or
duplicate keys) are blocking ERROR checks; recording expectations are WARN checks. Check metadata
and logs carry counts and percentages only, never child values.
"""

import shutil
from dataclasses import dataclass
from datetime import date

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.model import POSTCODES_KEY
from assets.resources import WAREHOUSE_POOL, ExportResource
from assets.staging import staging_key
from expectations.refresh import EXTRA_INPUTS, read_frame, refresh_table
from expectations.report import CSV_NAME, HTML_NAME, restricted_dir, write_error_report
from expectations.runner import ExpectationResult
from expectations.suites import TABLES, Expectation, load_suite
from warehouse import sqlfiles

GROUP = "quality"
DQ_RESULTS_KEY = dg.AssetKey(["marts", "dq_results"])
DQ_REPORTS_KEY = dg.AssetKey(["outputs", "dq_error_reports"])


# ---- asset checks ------------------------------------------------------------------------------


# One check per table and severity: structural expectations block, recording ones warn. The
# suites hold about 150 expectations; a Dagster check each cost three run events apiece (about
# 10 s of bookkeeping per build on a 2-core machine) for what marts.dq_results already records
# per expectation and extract. Each check's metadata lists its expectations' counts.
CHECK_NAMES = {"structural": "structural_rules", "recording": "recording_rules"}


def _severity(severity: str) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if severity == "structural" else dg.AssetCheckSeverity.WARN


def _description(table: str, severity: str, expectations: list[Expectation]) -> str:
    what = ("missing columns, unusable or duplicate keys: blocks downstream assets"
            if severity == "structural" else "recording quality: warns")  # fmt: skip
    return (f"{severity.capitalize()} expectations of expectations/suites/{table}.yaml ({what}): "
            + ", ".join(e.name for e in expectations))  # fmt: skip


@dataclass(frozen=True)
class Totals:
    """One expectation's stored results over every extract of its table."""

    extracts: int = 0
    extracts_checked: int = 0  # evaluated (not skipped for a missing column or input)
    extracts_failing: int = 0
    evaluated: int = 0  # rows
    unexpected: int = 0  # rows
    notes: tuple[str, ...] = ()


def expectation_totals(conn, table: str) -> dict[str, Totals]:
    """Each expectation's Totals, summed in DuckDB (an expectation with no results: zeros)."""
    cursor = conn.execute(sqlfiles.render("quality/expectation_totals.sql"), {"table": table})
    found = {name: Totals(*(int(v) for v in counts), tuple(notes or ()))
             for name, *counts, notes in cursor.fetchall()}  # fmt: skip
    return {e.name: found.get(e.name, Totals()) for e in load_suite(table).expectations}


def _expectation_summary(exp: Expectation, totals: Totals) -> dict:
    """One expectation over every extract: counts and percentages only."""
    summary = {
        "passed": totals.extracts_failing == 0,
        "extracts_checked": totals.extracts_checked,
        "extracts_failing": totals.extracts_failing,
        "extracts_not_evaluated": totals.extracts - totals.extracts_checked,
        "evaluated": totals.evaluated,
        "unexpected": totals.unexpected,
        "unexpected_pct": (round(100.0 * totals.unexpected / totals.evaluated, 3)
                           if totals.evaluated else 0.0),  # fmt: skip
    }
    if exp.validator_rule:
        summary["dfe_rule"] = exp.validator_rule
    if exp.indicators:
        summary["indicators_affected"] = ", ".join(exp.indicators)
    if totals.notes:  # notes name columns or missing inputs, never values
        summary["notes"] = "; ".join(totals.notes)[:500]
    return summary


def _markdown(summaries: dict[str, dict]) -> str:
    lines = ["| expectation | result | extracts failing | unexpected | % | DfE rule |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for name, s in summaries.items():
        result = "pass" if s["passed"] else "FAIL"
        if not s["extracts_checked"]:
            result = "not evaluated"
        lines.append(f"| {name} | {result} | {s['extracts_failing']} | {s['unexpected']} | "
                     f"{s['unexpected_pct']} | {s.get('dfe_rule', '')} |")  # fmt: skip
    return "\n".join(lines)


def check_result(table: str, severity: str, expectations: list[Expectation],
                 totals: dict[str, Totals]) -> dg.AssetCheckResult:
    """Aggregate a table's expectations of one severity over every extract into a Dagster check
    result. Metadata: counts and percentages only (no child values, no row numbers)."""
    summaries = {e.name: _expectation_summary(e, totals[e.name]) for e in expectations}
    failed = [name for name, s in summaries.items() if not s["passed"]]
    return dg.AssetCheckResult(
        check_name=CHECK_NAMES[severity],
        asset_key=staging_key(table),
        passed=not failed,
        severity=_severity(severity),
        description=_description(table, severity, expectations),
        metadata={
            "expectations": len(expectations),
            "expectations_failed": len(failed),
            "failed": ", ".join(failed) or "none",
            "extracts_checked": max((s["extracts_checked"] for s in summaries.values()),
                                    default=0),  # fmt: skip
            "unexpected": sum(s["unexpected"] for s in summaries.values()),
            "results": dg.MetadataValue.md(_markdown(summaries)),
            "by_expectation": dg.MetadataValue.json(summaries),
        },
    )


def _by_severity(table: str) -> dict[str, list[Expectation]]:
    groups: dict[str, list[Expectation]] = {}
    for exp in load_suite(table).expectations:
        groups.setdefault(exp.severity, []).append(exp)
    return {sev: groups[sev] for sev in CHECK_NAMES if sev in groups}


def _check_specs(table: str) -> list[dg.AssetCheckSpec]:
    extra = [staging_key(t) for t in EXTRA_INPUTS.get(table, [])]
    if table == "episodes":
        extra.append(POSTCODES_KEY)
    return [
        dg.AssetCheckSpec(
            CHECK_NAMES[severity],
            asset=staging_key(table),
            blocking=severity == "structural",
            description=_description(table, severity, expectations),
            additional_deps=extra or None,
            metadata={"severity": severity, "expectations": len(expectations)},
        )
        for severity, expectations in _by_severity(table).items()
    ]


@dg.multi_asset_check(
    name="staging_quality",
    specs=[spec for table in TABLES for spec in _check_specs(table)],
    description="Great Expectations suites (expectations/suites/<table>.yaml) on each extract of "
    "every staging table: extracts new or changed since they were last validated are validated "
    "(and stored in marts.dq_results); the checks summarise every extract.",
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def staging_quality(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource):
    selected = context.selected_asset_check_keys
    with duckdb.get_connection() as conn:
        for table in TABLES:
            wanted = [k for k in selected if k.asset_key == staging_key(table)]
            if not wanted:
                continue
            refreshed = refresh_table(conn, table)
            totals = expectation_totals(conn, table)
            failed = 0
            for severity, expectations in _by_severity(table).items():
                if dg.AssetCheckKey(staging_key(table), CHECK_NAMES[severity]) not in wanted:
                    continue
                failed += sum(totals[e.name].extracts_failing > 0 for e in expectations)
                yield check_result(table, severity, expectations, totals)
            extracts = max((t.extracts for t in totals.values()), default=0)
            context.log.info(
                f"staging.{table}: {extracts} extract(s), {refreshed.validated} validated this "
                f"run, {refreshed.removed} removed; {failed} expectation(s) failed"
            )


def check_keys_for(table: str) -> list[dg.AssetCheckKey]:
    """The asset checks of one staging table (for selecting them alone)."""
    return [k for k in staging_quality.check_keys if k.asset_key == staging_key(table)]


def _report_inputs(conn) -> tuple[dict, dict]:
    """The stored results (by extract, then table, in suite order) of the extracts in the
    registered frame dq_report, and their failing rows read from staging (by extract, then
    table: those rows, indexed by their position in the extract)."""
    failing: dict[tuple, list[int]] = {}
    for la, day, table, name, index in sqlfiles.query(conn, "quality/report_failing_rows.sql"):
        failing.setdefault((la, day, table, name), []).append(int(index))
    stored: dict[tuple, dict[str, dict[str, ExpectationResult]]] = {}
    rows = sqlfiles.query(conn, "quality/report_results.sql")
    for la, day, table, name, severity, success, evaluated, unexpected, pct, note in rows:
        stored.setdefault((la, day), {}).setdefault(table, {})[name] = ExpectationResult(
            table, name, severity, success, int(evaluated), int(unexpected), pct, note,
            failing_rows=tuple(failing.get((la, day, table, name), ())),
        )  # fmt: skip
    results: dict[tuple, dict[str, list[ExpectationResult]]] = {}
    for key, by_table in stored.items():
        results[key] = {
            table: [by_table[table][e.name] for e in load_suite(table).expectations
                    if e.name in by_table[table]]
            for table in TABLES
            if table in by_table
        }  # fmt: skip
    frames: dict[tuple, dict[str, pd.DataFrame]] = {}
    for table in sorted({t for (_la, _day, t, _name) in failing}):
        sql = sqlfiles.render("quality/report_failing_records.sql", table=table)
        records = read_frame(conn, sql).set_index("dq_row_index", drop=True)
        records.index.name = None
        # boxed once here, not once per extract (the values a row Series would hold)
        records = records.astype(object)
        # ordered by extract: each extract's rows are a slice (cheaper than a groupby)
        keys = list(zip(records["la_code"], pd.to_datetime(records["extract_date"]).dt.date,
                        strict=True))  # fmt: skip
        starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
        for start, end in zip(starts, [*starts[1:], len(keys)], strict=True):
            frames.setdefault(keys[start], {})[table] = records.iloc[start:end]
    return results, frames


def write_pending_reports(conn, export_root) -> tuple[int, int, int]:
    """Write the error reports of the extracts whose results changed and remove those of
    extracts that left staging. Returns (reports written, reports removed, failing records)."""
    todo = sqlfiles.query(conn, "quality/report_extracts.sql")
    gone = [(la, day) for la, day, present in todo if not present]
    pending = [(la, day) for la, day, present in todo if present]
    for la_code, extract_date in gone:
        _remove_report(la_code, extract_date)
    _mark(conn, "quality/report_removed.sql", gone)
    if not pending:
        return 0, len(gone), 0
    conn.register("dq_report", pd.DataFrame(pending, columns=["la_code", "extract_date"]))
    try:
        results, frames = _report_inputs(conn)
    finally:
        conn.unregister("dq_report")
    written: list[tuple] = []
    records = 0
    try:
        for la_code, extract_date in pending:
            key = (la_code, pd.Timestamp(extract_date).date())
            by_table = results.get(key, {})
            # only the tables with failing rows have (only those) rows to list
            tables = {t: f for t, f in frames.get(key, {}).items()
                      if any(r.failed and r.failing_rows for r in by_table.get(t, ()))}  # fmt: skip
            files = write_error_report(la_code, extract_date, by_table, tables,
                                       export_dir=export_root, indexed=True)  # fmt: skip
            written.append((la_code, extract_date))
            records += files.failing_records
    finally:
        _mark(conn, "quality/report_written.sql", written)
    return len(written), len(gone), records


def _mark(conn, path: str, extracts: list[tuple]) -> None:
    """Run a bookkeeping statement over the given extracts (registered as dq_report_done)."""
    if not extracts:
        return
    conn.register("dq_report_done", pd.DataFrame(extracts, columns=["la_code", "extract_date"]))
    try:
        conn.execute(sqlfiles.render(path))
    finally:
        conn.unregister("dq_report_done")


def _remove_report(la_code: str, extract_date: date) -> None:
    folder = restricted_dir() / la_code / pd.Timestamp(extract_date).date().isoformat()
    for name in (HTML_NAME, CSV_NAME):
        (folder / name).unlink(missing_ok=True)
    if folder.is_dir() and not any(folder.iterdir()):
        shutil.rmtree(folder)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            DQ_RESULTS_KEY,
            group_name=GROUP,
            kinds={"duckdb"},
            deps=[*(staging_key(t) for t in TABLES), POSTCODES_KEY],
            description="marts.dq_results: one row per expectation per extract (la_code, "
            "extract_date, table_name, expectation, severity, success, evaluated, unexpected, "
            "unexpected_pct), so recording quality can be followed month by month. Only "
            "extracts new or changed since their last validation are validated.",
        ),
        dg.AssetSpec(
            DQ_REPORTS_KEY,
            group_name=GROUP,
            kinds={"html", "csv"},
            deps=[staging_key(t) for t in TABLES],
            description="Per LA and extract: an HTML page of failed checks (counts, indicators "
            "affected, what to fix) and a CSV of the failing records, written to the restricted "
            "folder (CSC_RESTRICTED_DIR, default warehouse/restricted/) with owner-only "
            "permissions. Never exported. Re-written only for re-validated extracts.",
        ),
    ],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def dq_results_and_reports(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, exports: ExportResource
):
    validated = removed = 0
    with duckdb.get_connection() as conn:
        for table in TABLES:
            # extracts already validated by this table's checks are not validated again
            refreshed = refresh_table(conn, table)
            validated += refreshed.validated
            removed += refreshed.removed
        reports, removed_reports, failing_records = write_pending_reports(conn, exports.root)
        (row_count, extracts, failed_structural, failed_recording) = sqlfiles.query(
            conn, "quality/dq_summary.sql"
        )[0]

    context.log.info(
        f"{validated} extract table(s) validated this run, {removed} removed; {extracts} "
        f"extract(s) in marts.dq_results; {reports} error report(s) written, "
        f"{removed_reports} removed"
    )
    yield dg.MaterializeResult(
        asset_key=DQ_RESULTS_KEY,
        metadata={
            "dagster/row_count": row_count,
            "extracts": extracts,
            "failed_structural": failed_structural,
            "failed_recording": failed_recording,
            "validated_this_run": validated,
        },
    )
    yield dg.MaterializeResult(
        asset_key=DQ_REPORTS_KEY,
        metadata={
            "reports": reports,
            "reports_removed": removed_reports,
            "failing_records": failing_records,
            "folder": dg.MetadataValue.path(str(restricted_dir())),
        },
    )
