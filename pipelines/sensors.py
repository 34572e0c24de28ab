"""Sensors: start a build when a new extract folder lands in the landing folder.

An extract is a folder `<landing>/<la_code>/<YYYY-MM-DD>/` of CSV files. Each tick lists them and
fingerprints each folder's files (names, sizes, modification times). A folder whose fingerprint
was not seen before is new (or was replaced) and gets a RunRequest with
`run_key = "<la_code>/<YYYY-MM-DD>:<fingerprint>"`, so Dagster never starts two runs for the same
extract; the cursor (JSON `{"<la_code>/<date>": fingerprint}`) records what was seen.

- A folder still being copied is left for a later tick: it counts only once its newest file is
  `settle_seconds` old (CSC_SENSOR_SETTLE_SECONDS, default 60).
- A build reads every extract in landing, so when several extracts of one LA are new in the same
  tick (a first start, a backlog) only the latest of them starts a run; the others are marked seen
  and named in the run's tags.
- Runs queue (dagster_home/dagster.yaml: max_concurrent_runs 1), so the DuckDB file never has two
  writers.
"""

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg

from assets.resources import LandingResource

BUILD_JOB_NAME = "build_warehouse"  # defined in pipelines/definitions.py
LA_CODE = re.compile(r"^[EWSN]\d{8}$")
DEFAULT_SETTLE_SECONDS = 60


@dataclass(frozen=True)
class Extract:
    la_code: str
    extract_date: str
    fingerprint: str
    newest_mtime: float
    files: int

    @property
    def folder_key(self) -> str:
        return f"{self.la_code}/{self.extract_date}"

    @property
    def run_key(self) -> str:
        return f"{self.folder_key}:{self.fingerprint}"


def _is_date(name: str) -> bool:
    try:
        return date.fromisoformat(name).isoformat() == name
    except ValueError:
        return False


def find_extracts(landing: Path) -> list[Extract]:
    """Every `<la_code>/<YYYY-MM-DD>/` folder holding at least one CSV, fingerprinted."""
    found = []
    if not landing.is_dir():
        return found
    for la_dir in sorted(p for p in landing.iterdir() if p.is_dir() and LA_CODE.match(p.name)):
        for extract_dir in sorted(p for p in la_dir.iterdir() if p.is_dir() and _is_date(p.name)):
            files = sorted(
                p for p in extract_dir.iterdir() if p.is_file() and p.suffix.lower() == ".csv"
            )
            if not files:
                continue
            digest = hashlib.sha256()
            newest = 0.0
            for f in files:
                st = f.stat()
                digest.update(f"{f.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
                newest = max(newest, st.st_mtime)
            found.append(
                Extract(la_dir.name, extract_dir.name, digest.hexdigest()[:16], newest, len(files))
            )
    return found


def _settle_seconds() -> float:
    return float(os.environ.get("CSC_SENSOR_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS))


@dg.sensor(
    name="new_extract_sensor",
    job_name=BUILD_JOB_NAME,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a build when a new extract folder <la_code>/<YYYY-MM-DD>/ lands.",
)
def new_extract_sensor(context: dg.SensorEvaluationContext, landing: LandingResource):
    root = landing.root
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    extracts = find_extracts(root)
    now = time.time()
    settle = _settle_seconds()
    new = [e for e in extracts if seen.get(e.folder_key) != e.fingerprint]
    ready = [e for e in new if now - e.newest_mtime >= settle]
    if not ready:
        waiting = len(new) - len(ready)
        reason = (
            f"{waiting} extract folder(s) still landing" if waiting else f"no new extract in {root}"
        )
        return dg.SensorResult(skip_reason=dg.SkipReason(reason), cursor=json.dumps(seen))

    by_la: dict[str, list[Extract]] = {}
    for e in ready:
        by_la.setdefault(e.la_code, []).append(e)
    run_requests = []
    for la_code, items in sorted(by_la.items()):
        items.sort(key=lambda e: e.extract_date)
        latest = items[-1]
        run_requests.append(
            dg.RunRequest(
                run_key=latest.run_key,
                tags={
                    "csc/trigger": "new_extract",
                    "csc/la_code": la_code,
                    "csc/extract_date": latest.extract_date,
                    "csc/extracts": ",".join(e.extract_date for e in items),
                },
            )
        )
        for e in items:
            seen[e.folder_key] = e.fingerprint
    context.log.info("New extracts: %s", ", ".join(e.folder_key for e in ready))
    return dg.SensorResult(run_requests=run_requests, cursor=json.dumps(seen, sort_keys=True))


sensors = [new_extract_sensor]
