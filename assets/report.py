"""The monthly highlight report for the board (warehouse/highlight_report.py does the work)."""

import dagster as dg

from assets.outputs import DQ_RESULTS, INDICATOR_CATALOGUE, INDICATOR_VALUES
from assets.resources import WAREHOUSE_POOL, ExportResource, WarehouseResource
from warehouse import exports as export_files
from warehouse import highlight_report


class ReportConfig(dg.Config):
    """Run config of the highlight report."""

    months: int = 1
    """How many of each LA's latest months to (re)write; raise it to backfill earlier pages."""
    la_codes: list[str] = []
    """Only these LAs (empty: every LA in the warehouse)."""
    report_dir: str = ""
    """Where pages go (empty: CSC_REPORT_DIR, else `reports` beside the export folder)."""
    targets_file: str = ""
    """Targets and caveats (empty: warehouse/report_targets.yaml)."""
    suppress_small_numbers: bool = True
    """The report is for the board: counts 1-4 are not shown. Off only for internal use."""
    small_number_threshold: int = export_files.SMALL_NUMBER_THRESHOLD


@dg.asset(
    key=["reports", "highlight_report"],
    deps=[INDICATOR_VALUES, INDICATOR_CATALOGUE, DQ_RESULTS],
    group_name="outputs",
    kinds={"html"},
    pool=WAREHOUSE_POOL,
    description="Monthly highlight report for the board: one self-contained HTML page per LA "
    "and month, <report_dir>/<la_code>/<YYYY-MM>.html, small numbers suppressed.",
)
def highlight_report_pages(
    context: dg.AssetExecutionContext,
    config: ReportConfig,
    duckdb: WarehouseResource,
    exports: ExportResource,
) -> dg.MaterializeResult:
    out_dir = highlight_report.report_dir(config.report_dir or None, export_root=exports.root)
    settings = highlight_report.load_settings(config.targets_file or None)
    with duckdb.get_connection() as conn:
        pages = highlight_report.write_reports(
            conn,
            out_dir,
            months=config.months,
            la_codes=config.la_codes or None,
            suppress=config.suppress_small_numbers,
            threshold=config.small_number_threshold,
            report_settings=settings,
        )
    if not config.suppress_small_numbers:
        context.log.warning("Small-number suppression is OFF in these report pages")
    return dg.MaterializeResult(
        metadata={
            "report_dir": dg.MetadataValue.path(str(out_dir)),
            "index": dg.MetadataValue.path(str(out_dir / "index.html")),
            "pages": len(pages),
            "written": dg.MetadataValue.json([str(p.relative_to(out_dir)) for p in pages]),
            "small_number_suppression": config.suppress_small_numbers,
        }
    )
