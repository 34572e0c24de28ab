"""The monthly highlight report for the board (warehouse/report/ does the work): HTML pages and,
where Chromium is installed, a PDF beside each."""

from pathlib import Path

import dagster as dg

from assets import keys
from assets.resources import LandingResource, OutputsResource, WarehouseResource
from expectations.suites import indicators_by_check
from warehouse.publish.exports import SMALL_NUMBER_THRESHOLD
from warehouse.report import pdf
from warehouse.report.targets import load_settings
from warehouse.report.writer import write_reports


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
