"""Sensors: start a build when a new extract folder lands in the landing folder.

An extract is a folder `<landing>/<la_code>/<YYYY-MM-DD>/` of CSV files, found by the same scanner
the loader uses (warehouse.ingest.landing.scan), so the sensor starts runs for exactly the folders
the loader loads. Each tick fingerprints each folder's files (names, sizes, modification and inode
change times: `cp -p`, `rsync -a` and a same-length correction keep the first two, never the
third, and hashing the whole landing every minute would cost far more than a stat).
A folder whose fingerprint was not seen before is new (or was replaced) and gets a RunRequest with
`run_key = "<la_code>/<YYYY-MM-DD>:<fingerprint>"`, so Dagster never starts two runs for the same
extract; the cursor (JSON `{"<la_code>/<date>": fingerprint}`) records what was seen.

- A folder still being copied is left for a later tick: it counts only once its newest file is
  `settle_seconds` old (CSC_SENSOR_SETTLE_SECONDS, default 60), by its inode change time, which a
  copy that keeps modification times still sets.
- A build reads every extract in landing, so when several extracts of one LA are new in the same
  tick (a first start, a backlog) only the latest of them starts a run; the others are marked seen
  and named in the run's tags.
- Runs queue (dagster_home/dagster.yaml: max_concurrent_runs 1), so the DuckDB file never has two
  writers.
- Each tick first marks failed the runs whose process died mid-run (a killed `make build`, a run
  worker killed for memory) and frees their pool slots (assets/run_guard.py): the queue would
  otherwise wait for them forever.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets import run_guard
from assets.keys import BUILD_JOB
from assets.resources import LandingResource
from warehouse.ingest import landing as landing_scan


@dataclass(frozen=True)
class ExtractFolder:
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


def find_extracts(root: Path) -> list[ExtractFolder]:
    """Every extract folder the loader would load that holds at least one CSV, fingerprinted."""
    if not root.is_dir():
        return []
    found = []
    for extract in landing_scan.scan(root).extracts:
        if not extract.files:
            continue
        digest = hashlib.sha256()
        for f in extract.files:
            digest.update(f"{f.path.name}\0{f.size}\0{f.mtime_ns}\0{f.ctime_ns}\n".encode())
        newest = max(max(f.mtime_ns, f.ctime_ns) for f in extract.files) / 1e9
        found.append(ExtractFolder(extract.la_code, extract.extract_date.isoformat(),
                                   digest.hexdigest()[:16], newest, len(extract.files)))
    return found


@dg.sensor(
    name="new_extract_sensor",
    job_name=BUILD_JOB,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a build when a new extract folder <la_code>/<YYYY-MM-DD>/ lands.",
)
def new_extract_sensor(context: dg.SensorEvaluationContext, landing: LandingResource):
    run_guard.release_dead_runs(context.instance, None, context.log.warning)
    root = landing.root
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    extracts = find_extracts(root)
    now = time.time()
    new = [e for e in extracts if seen.get(e.folder_key) != e.fingerprint]
    ready = [e for e in new if now - e.newest_mtime >= landing.settle_seconds]
    if not ready:
        waiting = len(new) - len(ready)
        reason = (
            f"{waiting} extract folder(s) still landing" if waiting else f"no new extract in {root}"
        )
        return dg.SensorResult(skip_reason=dg.SkipReason(reason), cursor=json.dumps(seen))

    by_la: dict[str, list[ExtractFolder]] = {}
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
