"""Writing the report: pages to <report_dir>/<la_code>/<YYYY-MM>.html (report_dir: CSC_REPORT_DIR,
default `reports` beside the export folder) and an index.html listing every page there (and its
PDF, warehouse/report/pdf.py, where one was made)."""

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


def write_index(out_dir: Path, names: dict[str, str] | None = None) -> Path:
    """index.html listing every page under out_dir (earlier runs' too), by LA code and month,
    descending, with the council's name and the page's PDF where there is one."""
    names = names or {}
    pages = sorted(out_dir.glob("*/*.html"), key=lambda p: (p.parent.name, p.stem), reverse=True)
    items = [(p.relative_to(out_dir).as_posix(), p.parent.name, p.stem,
              names.get(p.parent.name, ""),
              p.with_suffix(".pdf").relative_to(out_dir).as_posix()
              if p.with_suffix(".pdf").is_file() else None) for p in pages]
    path = out_dir / "index.html"
    _write_atomically(path, render_index(items))
    return path
