"""Writing the report: pages to <report_dir>/<la_code>/<YYYY-MM>.html (report_dir: CSC_REPORT_DIR,
default `reports` beside the export folder) and an index.html listing every page there (and its
PDF, warehouse/report/pdf.py, where one was made).

A run with no page to write while pages are published is refused unless allowed: an emptied
warehouse is far likelier an operator's mistake than the truth."""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import duckdb

from warehouse import sqlfiles
from warehouse.publish import exports
from warehouse.reference.councils import council_names
from warehouse.report.benchmarks import fetch_benchmarks
from warehouse.report.commentary import load_commentary
from warehouse.report.dq_section import CheckEffects
from warehouse.report.page import THEMES, build_page
from warehouse.report.page_data import fetch_page_data
from warehouse.report.render import render_index, render_page
from warehouse.report.targets import ReportSettings


class EmptyReportRefused(RuntimeError):
    """The warehouse has no page to write while the report folder holds pages."""


def _write_atomically(path: Path, text: str) -> None:
    # Readers (a browser, a file share) never see half a page: write aside, then rename over.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def page_path(out_dir: Path, la_code: str, period_end: date) -> Path:
    return out_dir / la_code / f"{period_end:%Y-%m}.html"


def write_reports(
    conn: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    months: int = 1,
    la_codes: list[str] | None = None,
    suppress: bool = True,
    threshold: int = exports.SMALL_NUMBER_THRESHOLD,
    report_settings: ReportSettings | None = None,
    allow_empty: bool = False,
    landing_dir: Path | None = None,
    check_effects: CheckEffects | None = None,
) -> list[Path]:
    """Write the latest `months` pages of every LA (or those given) and refresh index.html.
    landing_dir: where officers' commentary is (<landing>/commentary/); check_effects: the
    indicators each data-quality check distorts."""
    rows = conn.execute(sqlfiles.render("outputs/report_months.sql")).fetchall()
    wanted: dict[str, list[date]] = {}
    for la, pe in rows:
        if la_codes is None or la in la_codes:
            wanted.setdefault(la, [])
            if len(wanted[la]) < months:
                wanted[la].append(pe)
    pages = [(la, d) for la, dates in sorted(wanted.items()) for d in dates]
    published = _published_pages(out_dir)
    if not pages and published and not allow_empty:
        raise EmptyReportRefused(
            f"Refusing to refresh the report in {out_dir}: the warehouse holds no indicator "
            f"values{' for ' + ', '.join(la_codes) if la_codes else ''}, while {len(published)} "
            "page(s) are published. Nothing was written. If the warehouse was emptied on "
            "purpose, run again with CSC_ALLOW_REMOVAL=1 (or the run config allow_removal: true "
            "of reports/highlight_report)."
        )
    data = fetch_page_data(conn, pages, suppress, threshold) if pages else {}
    benchmarks = fetch_benchmarks(conn, pages) if pages else {}
    names = council_names(conn)
    written = []
    for la, d in pages:
        page = build_page(
            conn,
            la,
            d,
            suppress=suppress,
            threshold=threshold,
            report_settings=report_settings,
            page_data=data[la, d],
            benchmarks=benchmarks[la, d],
            commentary=load_commentary(landing_dir, la, d, THEMES),
            check_effects=check_effects,
            la_name=names.get(la),
        )
        path = page_path(out_dir, la, d)
        _write_atomically(path, render_page(page))
        written.append(path)
    write_index(out_dir, names)
    return written


def _published_pages(out_dir: Path) -> list[Path]:
    return sorted(out_dir.glob("*/*.html"), key=lambda p: (p.parent.name, p.stem), reverse=True)


def write_index(out_dir: Path, names: dict[str, str] | None = None) -> Path:
    """index.html listing every page under out_dir (earlier runs' too), by LA code and month,
    descending, with the council's name and the page's PDF where there is one."""
    names = names or {}
    pages = _published_pages(out_dir)
    items = [(p.relative_to(out_dir).as_posix(), p.parent.name, p.stem,
              names.get(p.parent.name, ""),
              p.with_suffix(".pdf").relative_to(out_dir).as_posix()
              if p.with_suffix(".pdf").is_file() else None) for p in pages]
    path = out_dir / "index.html"
    _write_atomically(path, render_index(items))
    return path
