"""Quality layer: the Great Expectations suites (expectations/) as Dagster asset checks on every
staging asset, the marts.dq_results table and the councils' error reports.

Each staging table is validated one extract (la_code, extract_date) at a time, as a pandas
DataFrame read from DuckDB (GX 1.24 cannot validate DuckDB through SQL). Structural expectations
(missing columns, unusable or duplicate keys) are blocking ERROR checks; recording expectations
are WARN checks. Check metadata and logs carry counts and percentages only, never child values.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.resources import ExportResource
from expectations.report import restricted_dir, write_error_report
from expectations.runner import ExpectationResult, ValidationContext, validate_table
from expectations.suites import TABLES, Expectation, load_suite
from warehouse import sqlfiles

GROUP = "quality"
POOL = "duckdb_warehouse"
DQ_RESULTS_KEY = dg.AssetKey(["marts", "dq_results"])
DQ_REPORTS_KEY = dg.AssetKey(["outputs", "dq_error_reports"])
# Episodes rules read the same extract's Header rows (child present, DOB before DECOM).
EXTRA_INPUTS = {"episodes": ["header"]}


def staging_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", table])


# ---- reading and validating staging ------------------------------------------------------------


@dataclass
class ExtractValidation:
    table: str
    la_code: str
    extract_date: date
    frame: pd.DataFrame
    results: list[ExpectationResult]


def _exists(conn, schema: str, table: str) -> bool:
    return bool(sqlfiles.query(conn, "quality/table_exists.sql", schema=schema, table=table)[0][0])


def _extract_frame(conn, table: str, la_code: str, extract_date: date) -> pd.DataFrame:
    sql = sqlfiles.render("quality/staging_extract.sql", table=table)
    return conn.execute(sql, {"la_code": la_code, "extract_date": extract_date}).df()


_directory_cache: dict[str, frozenset[str]] = {}


def _directory_letters(letters: set[str]) -> frozenset[str]:
    """Postcodes (pcd_abbr) of the package's directory for the given first letters; used only
    when reference.postcodes has not been loaded into the warehouse yet."""
    from warehouse.postcodes import read_postcodes

    missing = sorted(letters - set(_directory_cache))
    if missing:
        frame = read_postcodes(missing)
        first = frame["pcd_abbr"].str[0]
        for letter in missing:
            _directory_cache[letter] = frozenset(frame.loc[first == letter, "pcd_abbr"])
    return frozenset().union(*(_directory_cache[letter] for letter in letters))


def _known_postcodes(conn, frame: pd.DataFrame, la_code: str, extract_date: date):
    if _exists(conn, "reference", "postcodes"):
        sql = sqlfiles.render("quality/known_postcodes.sql")
        rows = conn.execute(sql, {"la_code": la_code, "extract_date": extract_date}).fetchall()
        return frozenset(r[0] for r in rows)
    values = pd.concat([frame.get("home_post", pd.Series()), frame.get("pl_post", pd.Series())])
    normalised = values.dropna().astype(str).str.upper().str.replace(r"\s+", "", regex=True)
    letters = {p[0] for p in normalised if p}
    if not letters:
        return frozenset()
    return _directory_letters(letters) & frozenset(normalised)


def _context(conn, table: str, frame: pd.DataFrame, la_code: str, extract_date: date):
    header = None
    known = None
    if "header" in EXTRA_INPUTS.get(table, []):
        if _exists(conn, "staging", "header"):
            header = _extract_frame(conn, "header", la_code, extract_date)
        else:
            header = pd.DataFrame({"child": pd.Series(dtype="str"), "dob": pd.Series()})
    if table == "episodes":
        known = _known_postcodes(conn, frame, la_code, extract_date)
    return ValidationContext(known_postcodes=known, header=header)


def validate_staging(conn, table: str) -> Iterator[ExtractValidation]:
    """Validate every extract of staging.<table>, one at a time."""
    if not _exists(conn, "staging", table):
        return
    for la_code, extract_date in sqlfiles.query(conn, "quality/extracts.sql", table=table):
        frame = _extract_frame(conn, table, la_code, extract_date)
        ctx = _context(conn, table, frame, la_code, extract_date)
        yield ExtractValidation(
            table, la_code, extract_date, frame, validate_table(table, frame, ctx)
        )


# ---- asset checks ------------------------------------------------------------------------------


def _severity(exp: Expectation) -> dg.AssetCheckSeverity:
    return (
        dg.AssetCheckSeverity.ERROR if exp.severity == "structural" else dg.AssetCheckSeverity.WARN
    )


def _description(exp: Expectation) -> str:
    rule = f" (DfE rule {exp.validator_rule})" if exp.validator_rule else ""
    return f"{exp.severity.capitalize()}{rule}: {exp.fix}"


def check_result(
    exp: Expectation, asset_key: dg.AssetKey, outcomes: list[ExpectationResult]
) -> dg.AssetCheckResult:
    """Aggregate one expectation over every extract into a Dagster check result.

    Metadata: counts and percentages only (no child values, no row numbers)."""
    evaluated = [o for o in outcomes if o.success is not None]
    failing = [o for o in outcomes if o.success is False]
    n_evaluated = sum(o.evaluated for o in evaluated)
    n_unexpected = sum(o.unexpected for o in evaluated)
    metadata: dict[str, dg.MetadataValue | str | int | float] = {
        "severity": exp.severity,
        "extracts_checked": len(evaluated),
        "extracts_failing": len(failing),
        "extracts_not_evaluated": len(outcomes) - len(evaluated),
        "evaluated": n_evaluated,
        "unexpected": n_unexpected,
        "unexpected_pct": dg.MetadataValue.float(
            round(100.0 * n_unexpected / n_evaluated, 3) if n_evaluated else 0.0
        ),
    }
    if exp.validator_rule:
        metadata["dfe_rule"] = exp.validator_rule
    if exp.indicators:
        metadata["indicators_affected"] = ", ".join(exp.indicators)
    notes = sorted({o.note for o in outcomes if o.note})
    if notes:
        # notes name columns or missing inputs, never values
        metadata["notes"] = "; ".join(notes)[:500]
    return dg.AssetCheckResult(
        check_name=exp.check_name,
        asset_key=asset_key,
        passed=not failing,
        severity=_severity(exp),
        metadata=metadata,
        description=_description(exp),
    )


def build_quality_checks(table: str) -> dg.AssetChecksDefinition:
    suite = load_suite(table)
    key = staging_key(table)
    extra = [staging_key(t) for t in EXTRA_INPUTS.get(table, [])]
    specs = [
        dg.AssetCheckSpec(
            exp.check_name,
            asset=key,
            blocking=exp.severity == "structural",
            description=_description(exp),
            additional_deps=extra or None,
            metadata={"severity": exp.severity},
        )
        for exp in suite.expectations
    ]

    @dg.multi_asset_check(
        name=f"staging_{table}_quality",
        specs=specs,
        description=f"Great Expectations suite expectations/suites/{table}.yaml on each extract "
        f"of staging.{table}.",
        pool=POOL,
    )
    def _checks(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource):
        per_expectation: dict[str, list[ExpectationResult]] = {
            e.name: [] for e in suite.expectations
        }
        extracts = 0
        with duckdb.get_connection() as conn:
            for validation in validate_staging(conn, table):
                extracts += 1
                for r in validation.results:
                    per_expectation[r.expectation].append(r)
        failed = 0
        for exp in suite.expectations:
            result = check_result(exp, key, per_expectation[exp.name])
            failed += not result.passed
            yield result
        context.log.info(f"staging.{table}: {extracts} extract(s), {failed} expectation(s) failed")

    return _checks


quality_checks = [build_quality_checks(t) for t in TABLES]


def checks_for(table: str) -> dg.AssetChecksDefinition:
    """The asset checks of one staging table."""
    return quality_checks[TABLES.index(table)]


# ---- marts.dq_results and the error reports ----------------------------------------------------

DQ_COLUMNS = [
    "la_code",
    "extract_date",
    "table_name",
    "expectation",
    "severity",
    "success",
    "evaluated",
    "unexpected",
    "unexpected_pct",
]


def result_rows(validation: ExtractValidation) -> list[dict]:
    return [
        {
            "la_code": validation.la_code,
            "extract_date": validation.extract_date,
            "table_name": validation.table,
            "expectation": r.expectation,
            "severity": r.severity,
            "success": r.success,
            "evaluated": r.evaluated,
            "unexpected": r.unexpected,
            "unexpected_pct": r.unexpected_pct,
        }
        for r in validation.results
    ]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    if "success" in df.columns:
        df["success"] = df["success"].astype("boolean")
    if "unexpected_pct" in df.columns:
        df["unexpected_pct"] = df["unexpected_pct"].astype("Float64")
    return df


def write_dq_results(conn, rows: list[dict], validated: list[tuple[str, date, str]]) -> None:
    sqlfiles.run(conn, "quality/create_dq_results.sql")
    conn.register("dq_validated", _frame(
        [dict(zip(["la_code", "extract_date", "table_name"], v, strict=True)) for v in validated],
        ["la_code", "extract_date", "table_name"],
    ))  # fmt: skip
    sqlfiles.run(conn, "quality/prune_dq_results.sql")
    conn.unregister("dq_validated")
    if rows:
        conn.register("dq_rows", _frame(rows, DQ_COLUMNS))
        sqlfiles.run(conn, "quality/replace_dq_results.sql")
        conn.unregister("dq_rows")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            DQ_RESULTS_KEY,
            group_name=GROUP,
            kinds={"duckdb"},
            deps=[staging_key(t) for t in TABLES],
            description="marts.dq_results: one row per expectation per extract (la_code, "
            "extract_date, table_name, expectation, severity, success, evaluated, unexpected, "
            "unexpected_pct), so recording quality can be followed month by month.",
        ),
        dg.AssetSpec(
            DQ_REPORTS_KEY,
            group_name=GROUP,
            kinds={"html", "csv"},
            deps=[staging_key(t) for t in TABLES],
            description="Per LA and extract: an HTML page of failed checks (counts, indicators "
            "affected, what to fix) and a CSV of the failing records, written to the restricted "
            "folder (CSC_RESTRICTED_DIR, default warehouse/restricted/) with owner-only "
            "permissions. Never exported.",
        ),
    ],
    pool=POOL,
    can_subset=False,
)
def dq_results_and_reports(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, exports: ExportResource
):
    rows: list[dict] = []
    validated: list[tuple[str, date, str]] = []
    by_extract: dict[tuple[str, date], dict[str, ExtractValidation]] = {}
    with duckdb.get_connection() as conn:
        for table in TABLES:
            for v in validate_staging(conn, table):
                rows.extend(result_rows(v))
                validated.append((v.la_code, v.extract_date, table))
                by_extract.setdefault((v.la_code, v.extract_date), {})[table] = v
        write_dq_results(conn, rows, validated)

    reports = 0
    failing_records = 0
    for (la_code, extract_date), tables in sorted(by_extract.items()):
        files = write_error_report(
            la_code,
            extract_date,
            {t: v.results for t, v in tables.items()},
            {t: v.frame for t, v in tables.items()},
            export_dir=exports.root,
        )
        reports += 1
        failing_records += files.failing_records

    failed = [r for r in rows if r["success"] is False]
    context.log.info(
        f"{len(by_extract)} extract(s) validated; {len(failed)} failed expectation(s); "
        f"{reports} error report(s) written"
    )
    yield dg.MaterializeResult(
        asset_key=DQ_RESULTS_KEY,
        metadata={
            "dagster/row_count": len(rows),
            "extracts": len(by_extract),
            "failed_structural": sum(r["severity"] == "structural" for r in failed),
            "failed_recording": sum(r["severity"] == "recording" for r in failed),
        },
    )
    yield dg.MaterializeResult(
        asset_key=DQ_REPORTS_KEY,
        metadata={
            "reports": reports,
            "failing_records": failing_records,
            "folder": dg.MetadataValue.path(str(restricted_dir())),
        },
    )
