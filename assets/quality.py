"""Quality layer: the Great Expectations suites (expectations/) as Dagster asset checks on every
staging asset, the marts.dq_results table and the councils' error reports.

The data is validated once: a staging table's extracts (la_code, extract_date) are validated only
when what their validation reads changed (their staged files, the same extract's Header for
Episodes, the suite, the postcode directory), by whichever step runs first, the table's asset
checks or dq_results_and_reports. The results go to marts.dq_results (delete-then-insert per
extract) with their notes and failing rows in the quality schema; the checks summarise the stored
results, and the error reports are re-rendered only for re-validated extracts (and removed for
extracts that left staging). All new extracts of a table are validated together (in runs of about
CHUNK_ROWS rows, expectations.runner.validate_frame: one Great Expectations run per expectation
and form of its code lists, over every extract), as pandas DataFrames read from DuckDB through
Arrow (GX 1.24 cannot validate DuckDB through SQL). Error reports are written from bulk reads of
the stored results and failing records. Structural expectations (missing columns,
unusable or duplicate keys) are blocking ERROR checks; recording expectations are WARN checks.
Check metadata and logs carry counts and percentages only, never child values.
"""

import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow as pa
from dagster_duckdb import DuckDBResource

from assets.model import POSTCODES_KEY
from assets.resources import WAREHOUSE_POOL, ExportResource
from assets.staging import staging_key
from expectations import derived, runner
from expectations.report import CSV_NAME, HTML_NAME, restricted_dir, write_error_report
from expectations.runner import ExpectationResult, validate_frame
from expectations.suites import CODE_LISTS_FILE, SUITES_DIR, TABLES, Expectation, load_suite
from warehouse import sqlfiles

GROUP = "quality"
DQ_RESULTS_KEY = dg.AssetKey(["marts", "dq_results"])
DQ_REPORTS_KEY = dg.AssetKey(["outputs", "dq_error_reports"])
# Episodes rules read the same extract's Header rows (child present, DOB before DECOM).
EXTRA_INPUTS = {"episodes": ["header"]}
HEADER_COLUMNS = ["la_code", "extract_date", "child", "dob"]  # what those rules read of it
# Staging columns no expectation reads (the suites' column sets need only the 903 columns):
# long texts, not read for validation (the error reports read them from staging).
UNREAD_COLUMNS = ["file_id", "source_file"]
# Rows validated together (Great Expectations runs over many extracts at once): bounds memory
# on a regional hub (about 0.5 GB per million Episodes rows).
CHUNK_ROWS = 1_000_000


# ---- reading and validating staging ------------------------------------------------------------


@dataclass
class ExtractValidation:
    table: str
    la_code: str
    extract_date: date
    rows: int
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


def _known_postcodes(conn, frame: pd.DataFrame) -> frozenset[str]:
    """The directory's postcodes among those of `frame` (the extracts in dq_stale)."""
    if _exists(conn, "reference", "postcodes"):
        return frozenset(r[0] for r in sqlfiles.query(conn, "quality/known_postcodes.sql"))
    values = pd.concat([frame.get("home_post", pd.Series()), frame.get("pl_post", pd.Series())])
    normalised = derived.normalise_postcode(values.dropna()).dropna()
    present = frozenset(p for p in normalised.unique() if p)
    if not present:
        return frozenset()
    return _directory_letters({p[0] for p in present}) & present


@cache
def _suite_version(table: str) -> str:
    """Changes when the suite, the code lists or the validation code change."""
    digest = hashlib.sha256()
    for path in (SUITES_DIR / f"{table}.yaml", CODE_LISTS_FILE, Path(derived.__file__),
                 Path(runner.__file__)):  # fmt: skip
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _inputs_version(conn, table: str) -> str:
    version = _suite_version(table)
    if table == "episodes":
        # The directory is the package's, read from reference.postcodes or (before that is
        # loaded) from the package itself: its version decides the results.
        from warehouse.postcodes import loaded_version, package_version

        postcodes = package_version()
        if _exists(conn, "reference", "postcodes"):
            postcodes = loaded_version(conn) or "loaded"
        version = f"{version}|postcodes={postcodes}"
    return version


_BY_FILES = "string_agg(DISTINCT file_id, ',' ORDER BY file_id)"
_BY_CONTENT = "CAST(count(*) AS VARCHAR) || ':' || CAST(sum(CAST(hash(t) AS HUGEINT)) AS VARCHAR)"


def _ids_expression(conn, table: str) -> str:
    """What identifies an extract's rows: its staged file ids (content-addressed), or for a
    table built without them, a hash of its rows."""
    sql = sqlfiles.render("quality/column_exists.sql", schema="staging", table=table,
                          column="file_id")  # fmt: skip
    return _BY_FILES if conn.execute(sql).fetchall()[0][0] else _BY_CONTENT


@dataclass(frozen=True)
class Slices:
    """One table's extracts: all of them with their input fingerprints, and which to drop."""

    current: pd.DataFrame  # la_code, extract_date, n_rows, fingerprint, validated_fingerprint
    gone: list[tuple[str, date]]

    @property
    def stale(self) -> pd.DataFrame:
        cur = self.current
        return cur[cur["fingerprint"] != cur["validated_fingerprint"].fillna("")]


def table_slices(conn, table: str) -> Slices:
    sqlfiles.run(conn, "quality/create_dq_results.sql")
    sqlfiles.run(conn, "quality/create_state.sql")
    if _exists(conn, "staging", table):
        extras = [x for x in EXTRA_INPUTS.get(table, []) if _exists(conn, "staging", x)]
        ids = {t: _ids_expression(conn, t) for t in [table, *extras]}
        sql = sqlfiles.render("quality/slices.sql", table=table, extras=extras, ids=ids)
        current = conn.execute(sql, {"inputs": _inputs_version(conn, table)}).df()
    else:
        current = pd.DataFrame(
            columns=["la_code", "extract_date", "n_rows", "fingerprint", "validated_fingerprint"]
        )
    keys = {(la, pd.Timestamp(d).date()) for la, d in zip(current["la_code"],
                                                           current["extract_date"], strict=True)}
    stored = conn.execute(sqlfiles.render("quality/validated_slices.sql"), {"table": table})
    gone = [(la, d) for la, d in stored.fetchall() if (la, d) not in keys]
    return Slices(current, sorted(gone))


def read_frame(conn, sql: str, params: dict | None = None) -> pd.DataFrame:
    """A query's rows as DuckDB's .df() gives them (same columns, dtypes and values), read
    through Arrow: .df() builds a Python object per text value, several times slower."""
    table = conn.sql(sql, params=params).to_arrow_table()
    text = {f.name for f in table.schema
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)}  # fmt: skip
    others = [name for name in table.column_names if name not in text]
    rest = conn.from_arrow(table.select(others)).df() if others else None
    return pd.DataFrame(
        {name: table.column(name).to_pandas() if name in text else rest[name]
         for name in table.column_names},
        index=pd.RangeIndex(table.num_rows),
    )  # fmt: skip


def _unread(table: str) -> list[str]:
    """UNREAD_COLUMNS, unless the suite checks the exact column set (GX's default)."""
    exact = any(e.expect == "expect_table_columns_to_match_set"
                and e.kwargs.get("exact_match", True) is not False
                for e in load_suite(table).expectations)  # fmt: skip
    return [] if exact else UNREAD_COLUMNS


def _chunks(extracts: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """The extracts in runs of about CHUNK_ROWS rows (a larger extract makes a run alone)."""
    sizes = extracts["n_rows"].to_numpy()
    start = total = 0
    for i, size in enumerate(sizes):
        if total and total + size > CHUNK_ROWS:
            yield extracts.iloc[start:i]
            start, total = i, 0
        total += size
    if start < len(extracts):
        yield extracts.iloc[start:]


def validate_extracts(
    conn, table: str, extracts: pd.DataFrame
) -> Iterator[ExtractValidation]:
    """Validate the given extracts (columns la_code, extract_date, n_rows) of staging.<table>,
    all of them together (runner.validate_frame) in runs of about CHUNK_ROWS rows."""
    for chunk in _chunks(extracts):
        conn.register("dq_stale", chunk[["la_code", "extract_date"]])
        try:
            sql = sqlfiles.render("quality/stale_rows.sql", table=table, skip=_unread(table))
            frame = read_frame(conn, sql)
            header = None
            if "header" in EXTRA_INPUTS.get(table, []):
                if _exists(conn, "staging", "header"):
                    sql = sqlfiles.render("quality/stale_rows.sql", table="header",
                                          columns=HEADER_COLUMNS)  # fmt: skip
                    header = read_frame(conn, sql)
                else:  # no Header at all: every extract's is empty
                    header = pd.DataFrame({"la_code": pd.Series(dtype="str"),
                                           "extract_date": pd.Series(dtype="datetime64[us]"),
                                           "child": pd.Series(dtype="str"),
                                           "dob": pd.Series()})  # fmt: skip
            known = _known_postcodes(conn, frame) if table == "episodes" else None
        finally:
            conn.unregister("dq_stale")
        keys, results = validate_frame(table, frame, header=header, known_postcodes=known)
        rows = {(la, pd.Timestamp(d).date()): int(n) for la, d, n in zip(
            chunk["la_code"], chunk["extract_date"], chunk["n_rows"], strict=True)}  # fmt: skip
        del frame, header
        for (la_code, day), res in zip(keys, results, strict=True):
            key = (la_code, pd.Timestamp(day).date())
            yield ExtractValidation(table, key[0], key[1], rows[key], res)


def validate_staging(conn, table: str) -> Iterator[ExtractValidation]:
    """Validate every extract of staging.<table>; nothing is written (the benchmark)."""
    if not _exists(conn, "staging", table):
        return
    extracts = conn.execute(sqlfiles.render("quality/extracts.sql", table=table)).df()
    yield from validate_extracts(conn, table, extracts)


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


def _expectation_summary(exp: Expectation, outcomes: list[ExpectationResult]) -> dict:
    """One expectation over every extract: counts and percentages only."""
    evaluated = [o for o in outcomes if o.success is not None]
    n_evaluated = sum(o.evaluated for o in evaluated)
    n_unexpected = sum(o.unexpected for o in evaluated)
    summary = {
        "passed": not any(o.success is False for o in outcomes),
        "extracts_checked": len(evaluated),
        "extracts_failing": sum(o.success is False for o in outcomes),
        "extracts_not_evaluated": len(outcomes) - len(evaluated),
        "evaluated": n_evaluated,
        "unexpected": n_unexpected,
        "unexpected_pct": round(100.0 * n_unexpected / n_evaluated, 3) if n_evaluated else 0.0,
    }
    if exp.validator_rule:
        summary["dfe_rule"] = exp.validator_rule
    if exp.indicators:
        summary["indicators_affected"] = ", ".join(exp.indicators)
    notes = sorted({o.note for o in outcomes if o.note})
    if notes:  # notes name columns or missing inputs, never values
        summary["notes"] = "; ".join(notes)[:500]
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
                 per_expectation: dict[str, list[ExpectationResult]]) -> dg.AssetCheckResult:
    """Aggregate a table's expectations of one severity over every extract into a Dagster check
    result. Metadata: counts and percentages only (no child values, no row numbers)."""
    summaries = {e.name: _expectation_summary(e, per_expectation[e.name]) for e in expectations}
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


def stored_outcomes(conn, table: str) -> dict[str, list[ExpectationResult]]:
    """The stored results of every extract of one table, by expectation (counts and notes)."""
    per_expectation: dict[str, list[ExpectationResult]] = {
        e.name: [] for e in load_suite(table).expectations
    }
    cursor = conn.execute(sqlfiles.render("quality/table_results.sql"), {"table": table})
    for _la, _day, name, severity, success, evaluated, unexpected, pct, note in cursor.fetchall():
        if name in per_expectation:
            per_expectation[name].append(
                ExpectationResult(table, name, severity, success, int(evaluated),
                                  int(unexpected), pct, note)  # fmt: skip
            )
    return per_expectation


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
            per_expectation = stored_outcomes(conn, table)
            failed = 0
            for severity, expectations in _by_severity(table).items():
                if dg.AssetCheckKey(staging_key(table), CHECK_NAMES[severity]) not in wanted:
                    continue
                failed += sum(any(o.success is False for o in per_expectation[e.name])
                              for e in expectations)  # fmt: skip
                yield check_result(table, severity, expectations, per_expectation)
            extracts = max((len(v) for v in per_expectation.values()), default=0)
            context.log.info(
                f"staging.{table}: {extracts} extract(s), {refreshed.validated} validated this "
                f"run, {refreshed.removed} removed; {failed} expectation(s) failed"
            )


def check_keys_for(table: str) -> list[dg.AssetCheckKey]:
    """The asset checks of one staging table (for selecting them alone)."""
    return [k for k in staging_quality.check_keys if k.asset_key == staging_key(table)]


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
    if "row_index" in df.columns:
        df["row_index"] = df["row_index"].astype("int64")
    return df


SLICE = ["la_code", "extract_date", "table_name"]


@dataclass(frozen=True)
class Refresh:
    validated: int  # extracts validated this run
    removed: int  # extracts whose results were dropped (gone from staging)
    failed: int  # failed expectations among those validated


def refresh_table(conn, table: str) -> Refresh:
    """Validate the extracts of staging.<table> whose inputs changed since their last validation
    and store the results; drop the results of extracts no longer in staging."""
    slices = table_slices(conn, table)
    stale = slices.stale
    if stale.empty and not slices.gone:  # nothing to validate or drop: only the pruning
        conn.execute(sqlfiles.render("quality/prune_dq_results.sql"), {"table": table})
        return Refresh(validated=0, removed=0, failed=0)
    rows: list[dict] = []
    notes: list[dict] = []
    failing: list[dict] = []
    fingerprints = dict(zip(zip(stale["la_code"], pd.to_datetime(stale["extract_date"]).dt.date,
                                strict=True), stale["fingerprint"], strict=True))  # fmt: skip
    for v in validate_extracts(conn, table, stale):
        rows.extend(result_rows(v))
        base = {"la_code": v.la_code, "extract_date": v.extract_date, "table_name": table}
        for r in v.results:
            if r.note:
                notes.append({**base, "expectation": r.expectation, "note": r.note})
            failing.extend({**base, "expectation": r.expectation, "row_index": i}
                           for i in r.failing_rows)  # fmt: skip
    validated = [
        {"la_code": la, "extract_date": d, "table_name": table, "fingerprint": fp}
        for (la, d), fp in fingerprints.items()
    ]
    drop = [{"la_code": la, "extract_date": d, "table_name": table} for la, d in slices.gone]
    drop += [{k: v[k] for k in SLICE} for v in validated]
    frames = {
        "dq_drop": _frame(drop, SLICE),
        "dq_rows": _frame(rows, DQ_COLUMNS),
        "dq_notes": _frame(notes, [*SLICE, "expectation", "note"]),
        "dq_failing": _frame(failing, [*SLICE, "expectation", "row_index"]),
        "dq_validated": _frame(validated, [*SLICE, "fingerprint"]),
    }
    for name, df in frames.items():
        conn.register(name, df)
    conn.execute("BEGIN TRANSACTION")
    try:
        sqlfiles.run(conn, "quality/delete_slices.sql")
        sqlfiles.run(conn, "quality/insert_results.sql")
        conn.execute(sqlfiles.render("quality/prune_dq_results.sql"), {"table": table})
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    finally:
        for name in frames:
            conn.unregister(name)
    failed = sum(r["success"] is False for r in rows)
    return Refresh(validated=len(validated), removed=len(slices.gone), failed=failed)


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
