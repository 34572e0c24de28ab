"""The error report for a council's data team: per LA and extract, a self-contained HTML page
(counts only, inline CSS, no network) and a CSV of the failing records (child id, file, row,
column, value, rule, what to fix): the first RECORDS_PER_RULE rows of each rule, then a row
counting the rest, so that a million duplicate rows make a CSV a spreadsheet still opens.

Both are case-level data: they go to the restricted folder (default data/restricted/, git
ignored; CSC_RESTRICTED_DIR overrides) with owner-only permissions (folders 0o700, files 0o600),
never into a published folder (exports, reports).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import jinja2
import pandas as pd

from expectations.results import ExpectationResult, collection_year_of
from expectations.store import RECORDS_PER_RULE
from expectations.suites import load_suite
from warehouse.config import check_restricted_dir
from warehouse.domain import catalogue, schema
from warehouse.domain.collection_year import collection_year_label

TEMPLATES = Path(__file__).with_name("templates")
HTML_NAME = "dq_error_report.html"
CSV_NAME = "dq_failing_records.csv"
CSV_COLUMNS = [
    "la_code",
    "extract_date",
    "file",
    "row_number",
    "child",
    "table",
    "column",
    "value",
    "rule",
    "severity",
    "dfe_rule",
    "what_to_fix",
]
DIR_MODE = 0o700
FILE_MODE = 0o600

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)


@cache
def indicator_names() -> dict[str, str]:
    """indicator_id -> name from the indicator catalogue."""
    return {i: ind.name for i, ind in catalogue.indicators().items()}


def _fmt(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp | datetime | date):
        return pd.Timestamp(value).strftime("%d/%m/%Y")
    return str(value)


def _cell(value) -> str:
    """A CSV cell safe to open in a spreadsheet: no formula can start it."""
    text = _fmt(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _listed(result: ExpectationResult, cap: int) -> tuple[list[int], int]:
    """The failing rows a report lists (the first `cap`, in file order) and how many it does not:
    the rest of the rule's count (marts.dq_results), or of its rows when they are all at hand."""
    rows = sorted(result.failing_rows)[:cap]
    return rows, max(result.unexpected, len(result.failing_rows)) - len(rows)


def failing_records(
    table: str,
    df: pd.DataFrame,
    results: Sequence[ExpectationResult],
    *,
    indexed: bool = False,
    cap: int = RECORDS_PER_RULE,
) -> list[dict[str, str]]:
    """One CSV row per listed failing row and reported column of every failed expectation (the
    first `cap` rows of each), then a row counting its rows not listed, if any.

    `df`: the extract's rows in order (failing rows are positions in it), or with `indexed`
    at least its listed failing rows, indexed by those positions."""
    suite = load_suite(table)
    work = df if indexed else df.reset_index(drop=True)
    failed = [(r, *_listed(r, cap)) for r in results if r.failed and r.failing_rows]
    positions = sorted({i for _, listed, _ in failed for i in listed})
    picked = work if indexed else work.iloc[positions]
    labels = picked.index if indexed else positions
    reported = {c for r, _, _ in failed for c in suite.get(r.expectation).report_columns}
    # the failing rows' values read column by column (a row Series per row is slow); object
    # arrays hold what a row Series would (Timestamps for dates)
    values = {
        c: dict(zip(labels, picked[c].to_numpy(dtype=object), strict=True))
        for c in ["la_code", "extract_date", "source_file", "row_number", "child", *reported]
        if c in picked.columns
    }

    def value(column: str, i: int):
        return values[column][i] if column in values else None

    title = schema.table(table).title
    rows: list[dict[str, str]] = []
    for result, listed, unlisted in failed:
        exp = suite.get(result.expectation)
        rule = {"rule": exp.name, "severity": exp.severity, "dfe_rule": exp.validator_rule or ""}
        columns = [c for c in exp.report_columns if c in work.columns] or [""]
        for i in listed:
            where = {
                "la_code": _fmt(value("la_code", i)),
                "extract_date": _fmt(value("extract_date", i)),
                "file": _fmt(value("source_file", i)),
                "row_number": _fmt(value("row_number", i)),
                "child": _cell(value("child", i)),
                "table": title,
            }
            for column in columns:
                rows.append({**where, "column": column.upper(),
                             "value": _cell(value(column, i)) if column else "",
                             **rule, "what_to_fix": exp.fix})  # fmt: skip
        if unlisted:
            first = listed[0]
            rows.append({
                "la_code": _fmt(value("la_code", first)),
                "extract_date": _fmt(value("extract_date", first)),
                "file": "", "row_number": "", "child": "", "table": title, "column": "",
                "value": "", **rule,
                "what_to_fix": f"{unlisted} more rows fail this rule: not listed (only the "
                               f"first {cap} of each rule are)",
            })  # fmt: skip
    return rows


def render_html(
    la_code: str,
    extract_date: date,
    results_by_table: Mapping[str, Sequence[ExpectationResult]],
    rows_flagged: int,
    generated_at: datetime | None = None,
    cap: int = RECORDS_PER_RULE,
) -> str:
    names = indicator_names()
    failed, not_evaluated = [], []
    for table, results in results_by_table.items():
        suite = load_suite(table)
        title = schema.table(table).title
        for r in results:
            exp = suite.get(r.expectation)
            if r.failed:
                listed, unlisted = _listed(r, cap)
                failed.append(
                    {
                        "table_title": title,
                        "expectation": r.expectation,
                        "severity": r.severity,
                        "unexpected": r.unexpected,
                        "unexpected_pct": ""
                        if r.unexpected_pct is None
                        else f"{r.unexpected_pct:.1f}%",
                        "validator_rule": exp.validator_rule,
                        "indicators": [{"id": i, "name": names.get(i, i)} for i in exp.indicators],
                        "fix": exp.fix,
                        "note": r.note,
                        "listed": f"first {len(listed)} of {len(listed) + unlisted}"
                        if listed and unlisted else "",
                        "unlisted": unlisted if listed else 0,
                    }
                )
            elif r.success is None:
                not_evaluated.append(
                    {"table_title": title, "expectation": r.expectation, "note": r.note}
                )
    failed.sort(key=lambda f: (f["severity"] != "structural", -f["unexpected"]))
    year = collection_year_of(extract_date)
    return _env.get_template("dq_error_report.html.j2").render(
        la_code=la_code,
        extract_date=pd.Timestamp(extract_date).date().isoformat(),
        collection_year_label=collection_year_label(year),
        generated_at=(generated_at or datetime.now(UTC)).strftime("%d/%m/%Y %H:%M UTC"),
        csv_name=CSV_NAME,
        structural_failed=sum(f["severity"] == "structural" for f in failed),
        recording_failed=sum(f["severity"] == "recording" for f in failed),
        rows_flagged=rows_flagged,
        cap=cap,
        rows_unlisted=sum(f["unlisted"] for f in failed),
        expectations_run=sum(len(r) for r in results_by_table.values()),
        tables_checked=len(results_by_table),
        failed=failed,
        not_evaluated=not_evaluated,
    )


def _private_dir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)  # mkdir's mode is masked by the umask


def _write_private(path: Path, text: str) -> None:
    """Write atomically; the file exists only ever with owner-only permissions."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


@dataclass(frozen=True)
class ReportFiles:
    folder: Path
    html: Path
    csv: Path
    failed_expectations: int
    failing_records: int  # listed in the CSV (rows counting the unlisted ones aside)


def write_error_report(
    la_code: str,
    extract_date: date,
    results_by_table: Mapping[str, Sequence[ExpectationResult]],
    frames_by_table: Mapping[str, pd.DataFrame],
    root: str | os.PathLike,
    published: Sequence[str | os.PathLike] = (),
    *,
    indexed: bool = False,
    cap: int = RECORDS_PER_RULE,
) -> ReportFiles:
    """Write <root>/<la_code>/<extract_date>/{dq_error_report.html, dq_failing_records.csv}.
    `frames_by_table`: as `failing_records` reads them (`indexed` likewise). `published`: the
    folders that leave the secure estate (exports, reports); `root` may not be inside one. The
    CSV lists the first `cap` failing rows of each rule and counts the rest, as the page does."""
    root_path = Path(root).expanduser().resolve()
    check_restricted_dir(root_path, *(Path(p).expanduser().resolve() for p in published))
    day = pd.Timestamp(extract_date).date()
    for folder in (root_path, root_path / la_code, root_path / la_code / day.isoformat()):
        _private_dir(folder)
    folder = root_path / la_code / day.isoformat()

    records: list[dict[str, str]] = []
    for table, results in results_by_table.items():
        if table in frames_by_table:
            records.extend(failing_records(table, frames_by_table[table], results,
                                           indexed=indexed, cap=cap))  # fmt: skip
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    _write_private(folder / CSV_NAME, buffer.getvalue())
    # one row per rule counts the rows it does not list
    counts = sum(bool(r.failed and r.failing_rows and _listed(r, cap)[1])
                 for table, results in results_by_table.items() if table in frames_by_table
                 for r in results)  # fmt: skip
    listed = len(records) - counts
    _write_private(folder / HTML_NAME,
                   render_html(la_code, day, results_by_table, rows_flagged=listed, cap=cap))
    return ReportFiles(
        folder=folder,
        html=folder / HTML_NAME,
        csv=folder / CSV_NAME,
        failed_expectations=sum(r.failed for rs in results_by_table.values() for r in rs),
        failing_records=listed,
    )
