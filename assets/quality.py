"""Quality layer: the Great Expectations suites (expectations/) as Dagster asset checks on every
staging asset, the marts.dq_results table and the councils' error reports.

Validation, its storage and the error reports live in expectations/ (refresh, check_totals,
pending_reports); this module declares the checks and assets and turns stored results into their
metadata. Structural expectations (missing columns, unusable or duplicate keys) are blocking
ERROR checks; recording expectations are WARN checks. Check metadata and logs carry counts and
percentages only, never child values.
"""

import dagster as dg

from assets import keys
from assets.resources import OutputsResource, WarehouseResource
from expectations.check_totals import Totals, expectation_totals, results_summary
from expectations.fingerprints import EXTRA_INPUTS
from expectations.pending_reports import write_pending_reports
from expectations.refresh import refresh_table
from expectations.suites import TABLES, Expectation, load_suite

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
        asset_key=keys.staging(table),
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
    extra = [keys.staging(t) for t in EXTRA_INPUTS.get(table, [])]
    if table == "episodes":
        extra.append(keys.POSTCODES)
    return [
        dg.AssetCheckSpec(
            CHECK_NAMES[severity],
            asset=keys.staging(table),
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
    pool=keys.WAREHOUSE_POOL,
)
def staging_quality(context: dg.AssetCheckExecutionContext, duckdb: WarehouseResource):
    selected = context.selected_asset_check_keys
    with duckdb.get_connection() as conn:
        for table in TABLES:
            wanted = [k for k in selected if k.asset_key == keys.staging(table)]
            if not wanted:
                continue
            refreshed = refresh_table(conn, table)
            totals = expectation_totals(conn, table)
            failed = 0
            for severity, expectations in _by_severity(table).items():
                if dg.AssetCheckKey(keys.staging(table), CHECK_NAMES[severity]) not in wanted:
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
    return [k for k in staging_quality.check_keys if k.asset_key == keys.staging(table)]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            keys.DQ_RESULTS,
            group_name=keys.Group.QUALITY,
            kinds={"duckdb"},
            deps=[*(keys.staging(t) for t in TABLES), keys.POSTCODES],
            description="marts.dq_results: one row per expectation per extract (la_code, "
            "extract_date, table_name, expectation, severity, success, evaluated, unexpected, "
            "unexpected_pct), so recording quality can be followed month by month. Only "
            "extracts new or changed since their last validation are validated.",
        ),
        dg.AssetSpec(
            keys.DQ_REPORTS,
            group_name=keys.Group.QUALITY,
            kinds={"html", "csv"},
            deps=[keys.staging(t) for t in TABLES],
            description="Per LA and extract: an HTML page of failed checks (counts, indicators "
            "affected, what to fix) and a CSV of the failing records (the first 1,000 rows of "
            "each check, then a count of the rest), written to the restricted "
            "folder (CSC_RESTRICTED_DIR, default data/restricted/) with owner-only "
            "permissions. Never exported. Re-written only for re-validated extracts.",
        ),
    ],
    pool=keys.WAREHOUSE_POOL,
    can_subset=False,
)
def dq_results_and_reports(
    context: dg.AssetExecutionContext, duckdb: WarehouseResource, outputs: OutputsResource
):
    validated = removed = 0
    with duckdb.get_connection() as conn:
        for table in TABLES:
            # extracts already validated by this table's checks are not validated again
            refreshed = refresh_table(conn, table)
            validated += refreshed.validated
            removed += refreshed.removed
        reports, removed_reports, failing_records = write_pending_reports(
            conn, outputs.restricted, (outputs.exports, outputs.reports)
        )
        summary = results_summary(conn)

    context.log.info(
        f"{validated} extract table(s) validated this run, {removed} removed; "
        f"{summary.extracts} extract(s) in marts.dq_results; {reports} error report(s) written, "
        f"{removed_reports} removed"
    )
    yield dg.MaterializeResult(
        asset_key=keys.DQ_RESULTS,
        metadata={
            "dagster/row_count": summary.rows,
            "extracts": summary.extracts,
            "failed_structural": summary.failed_structural,
            "failed_recording": summary.failed_recording,
            "validated_this_run": validated,
        },
    )
    yield dg.MaterializeResult(
        asset_key=keys.DQ_REPORTS,
        metadata={
            "reports": reports,
            "reports_removed": removed_reports,
            "failing_records": failing_records,
            "folder": dg.MetadataValue.path(str(outputs.restricted)),
        },
    )
