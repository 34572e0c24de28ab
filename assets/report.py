"""The monthly highlight report for the board (warehouse/report/ does the work): HTML pages and,
where Chromium is installed, a PDF beside each."""

from pathlib import Path

import dagster as dg

from assets import keys
from assets.resources import LandingResource, OutputsResource, WarehouseResource
from expectations.suites import indicators_by_check
from warehouse.publish.exports import EXPORTS, SMALL_NUMBER_THRESHOLD
from warehouse.publish.stale import stale_extracts
from warehouse.reference.councils import council_names
from warehouse.report import pdf
from warehouse.report.targets import load_settings
from warehouse.report.writer import write_index, write_reports


class ReportConfig(dg.Config):
    """Run config of the highlight report."""

    months: int = 1
    """How many of each LA's latest months to (re)write; raise it to backfill earlier pages."""
    la_codes: list[str] = []
    """Only these LAs (empty: every LA in the warehouse)."""
    report_dir: str = ""
    """Where pages go (empty: the outputs resource's report folder, CSC_REPORT_DIR)."""
    targets_file: str = ""
    """Targets and caveats (empty: warehouse/report/targets.yaml)."""
    suppress_small_numbers: bool = True
    """The report is for the board: counts 1-4 are not shown. Off only for internal use."""
    small_number_threshold: int = SMALL_NUMBER_THRESHOLD
    allow_removal: bool = False
    """Refresh the report although the warehouse has no page to write while pages are published
    (CSC_ALLOW_REMOVAL does the same for every run)."""
    pdf: bool = True
    """Print each page to PDF with headless Chromium (skipped, with a warning, without it)."""
    chromium: str = ""
    """The Chromium to print with (empty: /usr/bin/chromium or chromium on the PATH)."""


@dg.asset(
    key=keys.HIGHLIGHT_REPORT,
    deps=[keys.INDICATOR_VALUES, keys.INDICATOR_CATALOGUE, keys.DQ_RESULTS,
          keys.INDICATOR_COMPARATORS, keys.COUNCILS],
    group_name=keys.Group.OUTPUTS,
    kinds={"html"},
    pool=keys.WAREHOUSE_POOL,
    description="Monthly highlight report for the board: one self-contained HTML page per LA "
    "and month, <report_dir>/<la_code>/<YYYY-MM>.html, and its A4 PDF beside it, with the DfE's "
    "benchmarks and officers' commentary (<landing>/commentary/), small numbers suppressed.",
)
def highlight_report_pages(
    context: dg.AssetExecutionContext,
    config: ReportConfig,
    duckdb: WarehouseResource,
    outputs: OutputsResource,
    landing: LandingResource,
) -> dg.MaterializeResult:
    out_dir = Path(config.report_dir).resolve() if config.report_dir else outputs.reports
    settings = load_settings(config.targets_file or None)
    with duckdb.get_connection() as conn:
        pages = write_reports(
            conn,
            out_dir,
            months=config.months,
            la_codes=config.la_codes or None,
            suppress=config.suppress_small_numbers,
            threshold=config.small_number_threshold,
            report_settings=settings,
            allow_empty=config.allow_removal or outputs.allow_empty,
            landing_dir=landing.root,
            check_effects=indicators_by_check(),
        )
    printed = pdf.PdfResult()
    if config.pdf:
        chromium = pdf.find_chromium(config.chromium or None)
        if chromium is None:
            context.log.warning("No Chromium found: the PDFs are not written (the HTML pages "
                                "are). Install it with scripts/ensure_chromium.sh.")
        printed = pdf.write_pdfs(pages, chromium)
        if printed.written:
            # the index lists each page's PDF: written again now they exist, so a first build's
            # index is the same as a rebuild's
            with duckdb.get_connection() as conn:
                write_index(out_dir, council_names(conn))
    if not config.suppress_small_numbers:
        context.log.warning("Small-number suppression is OFF in these report pages")
    return dg.MaterializeResult(
        metadata={
            "report_dir": dg.MetadataValue.path(str(out_dir)),
            "index": dg.MetadataValue.path(str(out_dir / "index.html")),
            "pages": len(pages),
            "written": dg.MetadataValue.json([str(p.relative_to(out_dir)) for p in pages]),
            "small_number_suppression": config.suppress_small_numbers,
            "pdfs": dg.MetadataValue.json({str(p.relative_to(out_dir)): n
                                           for p, n in printed.written.items()}),
        }
    )


# Every output of a build: the check below waits for them all.
FINAL_OUTPUTS = [*(keys.export(name) for name in EXPORTS), keys.TABLE_DESCRIPTIONS,
                 keys.DQ_REPORTS]


@dg.asset_check(
    asset=keys.HIGHLIGHT_REPORT,
    name="every_extract_current",
    blocking=True,
    additional_deps=FINAL_OUTPUTS,
    pool=keys.WAREHOUSE_POOL,
    description="Last in the build: every extract in landing loaded, so no council's figures "
    "rest on an older load. all_extracts_loaded (on raw/extracts) cannot block the build "
    "without stopping every council's figures; this check runs once the good councils' "
    "figures, exports and pages are written, and fails the run (`make build` exits non-zero) "
    "when an extract failed.",
)
def every_extract_current(context: dg.AssetCheckExecutionContext,
                          duckdb: WarehouseResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        stale = stale_extracts(conn)
    # Messages name LA folders, files and columns: no child-level values.
    lines = [f"{s.la_code}/{s.extract_date}: {s.message} (figures rest on {s.figures_rest_on})"
             for s in stale]
    if stale:
        context.log.error(
            f"{len(stale)} extract(s) failed to load; the build fails so that it is seen. The "
            "exports' manifest.json and the affected councils' report pages say so:\n"
            + "\n".join(lines)
        )
    return dg.AssetCheckResult(
        passed=not stale,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "stale_extracts": len(stale),
            "extracts": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines) or "none"),
        },
    )
