"""The fault corpus: one landing per real-world fault, each beside a clean control council.

A landing holds the bundled sample's 2024/25 annual return twice: under FAULTY (where a test
plants its fault) and under CONTROL (never touched). `build` runs every asset through Dagster in
process, as `make build` does, and returns what a person would see: success, the check results,
and every text the run left in Dagster's event log (messages, metadata, errors). Tests then prove
that the control council's figures equal a clean build's, that the fault was loaded correctly or
failed naming the file, and that no raw value leaked into any of that text.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import dagster as dg
import duckdb

from tests.helpers.landing_builder import write_population
from warehouse.config import SAMPLE_LANDING_DIR, Settings

FAULTY = "E08000034"  # Kirklees
CONTROL = "E08000035"  # Leeds
EXTRACT = "2025-03-31"
SOURCE = SAMPLE_LANDING_DIR / "E08000034" / EXTRACT


def make_landing(root: Path) -> Path:
    """Two councils with the same clean extract; returns the faulty council's extract folder."""
    for la in (FAULTY, CONTROL):
        shutil.copytree(SOURCE, root / la / EXTRACT)
    write_population(root, [(FAULTY, 2024, 98000.0), (CONTROL, 2024, 180000.0)])
    return root / FAULTY / EXTRACT


@dataclass
class Build:
    success: bool
    checks: dict[tuple[str, str], bool]
    texts: list[str] = field(default_factory=list)  # every message, metadata value and error

    def text(self) -> str:
        return "\n".join(self.texts)


def _event_texts(event) -> list[str]:
    texts = [event.message or ""]
    data = event.dagster_event.event_specific_data if event.dagster_event else None
    for attr in ("materialization", "asset_check_evaluation"):
        inner = getattr(data, attr, None) if data is not None else None
        metadata = getattr(inner, "metadata", None) if inner is not None else None
        for value in (metadata or {}).values():
            texts.append(str(getattr(value, "value", value)))
    error = getattr(data, "error", None) if data is not None else None
    if error is not None:
        texts.append(error.to_string())
    return texts


@cache
def _postcodes_template(folder: str) -> Path:
    """A warehouse holding only the ONS postcode directory, loaded once per test session."""
    from warehouse.reference import postcodes

    path = Path(folder) / "postcodes_template.duckdb"
    with duckdb.connect(str(path)) as conn:
        postcodes.load_postcodes(conn)
    return path


def build(settings: Settings, template_dir: Path) -> Build:
    """Every asset and check in process; the postcode directory comes from a session template."""
    from pipelines.definitions import build_definitions

    if not settings.warehouse_path.exists():
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(_postcodes_template(str(template_dir)), settings.warehouse_path)
    defs = build_definitions(settings)
    with dg.instance_for_test() as instance:
        result = dg.materialize([*defs.assets, *defs.asset_checks], resources=defs.resources,
                                instance=instance, raise_on_error=False)
        texts = [t for record in instance.all_logs(result.run_id) for t in _event_texts(record)]
    checks = {(e.asset_key.to_user_string(), e.check_name): e.passed
              for e in result.get_asset_check_evaluations()}
    return Build(result.success, checks, texts)


def council_values(settings: Settings, la_code: str) -> set[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        return set(conn.execute(
            "SELECT indicator_id, period_end, breakdown, numerator, denominator, value "
            "FROM marts.indicator_values WHERE la_code = ?", [la_code]).fetchall())


def extract_status(settings: Settings, la_code: str) -> tuple[str, str | None] | None:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        row = conn.execute("SELECT status, message FROM raw.extracts WHERE la_code = ?",
                           [la_code]).fetchone()
    return row


def assert_no_leak(result: Build, raw_values: list[str]) -> None:
    """None of a faulty file's raw values appears in anything the run logged or stored."""
    text = result.text()
    leaked = [v for v in raw_values if v and v in text]
    assert not leaked, f"raw values in the run's events: {leaked}"


def assert_control_unharmed(settings: Settings, reference: set[tuple]) -> None:
    """The control council's figures equal a clean build's."""
    assert council_values(settings, CONTROL) == reference


def load_raw(settings: Settings, template_dir: Path) -> None:
    """An earlier load of the landing as it stands (raw only), so that a test can plant a fault
    in an extract already loaded and show that its previous load stays."""
    from warehouse.ingest import raw_loader

    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(_postcodes_template(str(template_dir)), settings.warehouse_path)
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        assert not raw_loader.ingest_landing(conn, settings.landing_dir).failures
