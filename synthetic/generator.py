"""The generator's entry point: simulate councils, write their extracts, optionally add dirt."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from synthetic.councils import FAR_LETTERS, HUB, KIRKLEES, council
from synthetic.dirt import inject
from synthetic.extracts import ExtractBuilder, extract_dates, file_name, to_csv
from synthetic.postcodes import council_postcodes
from synthetic.simulation import simulate

DEFAULT_SEED = 903


@dataclass(frozen=True)
class Preset:
    las: tuple[str, ...]
    start_year: int = 2016  # first annual return: 2015/16
    end_year: int = 2026  # latest collection year (2025/26): monthly year-to-date extracts
    monthly: bool = True
    seed: int = DEFAULT_SEED


PRESETS = {
    "sample": Preset((KIRKLEES.code,)),
    "hub": Preset(tuple(c.code for c in HUB)),
}


@dataclass
class Result:
    out_dir: Path
    files: list[Path]
    injections: list  # synthetic.dirt.Injection records
    # Per LA: children looked after at the 31 March before the latest collection year (a quick
    # check of the calibration against the council's target).
    children_in_care: dict[str, int]


def generate(out_dir: str | Path, *, seed: int | None = None, las=None,
             start_year: int | None = None, end_year: int | None = None,
             monthly: bool | None = None, dirt=(), preset: str = "sample") -> Result:
    """Write extracts for `las` under `out_dir/<la>/<extract date>/` plus
    `out_dir/reference/population.csv`; same arguments give byte-identical files."""
    p = PRESETS[preset]
    seed = p.seed if seed is None else seed
    las = tuple(las) if las else p.las
    start_year = start_year or p.start_year
    end_year = end_year or p.end_year
    monthly = p.monthly if monthly is None else monthly
    if start_year > end_year:
        raise ValueError("start_year must not be after end_year")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    councils = [council(code) for code in las]
    letters = tuple(sorted({x for c in councils for x in c.letters} | set(FAR_LETTERS)))
    dates = extract_dates(start_year, end_year, monthly)
    horizon = dates[-1][0]
    written: list[Path] = []
    in_care: dict[str, int] = {}
    for c in councils:
        pcs = council_postcodes(c, seed, letters)
        history = simulate(c, pcs, seed, date(start_year - 1, 4, 1), horizon)
        snapshot = date(end_year - 1, 3, 31)
        in_care[c.code] = sum(
            1 for ch in history.children for per in ch.periods
            if not per.short_break and per.start <= snapshot < per.end)
        la_dir = out / c.code
        if la_dir.exists():
            shutil.rmtree(la_dir)  # stale extracts from an earlier run would break determinism
        builder = ExtractBuilder(history, seed)
        for extract_date, annual in dates:
            ex = builder.build(extract_date, annual)
            d = la_dir / extract_date.isoformat()
            d.mkdir(parents=True, exist_ok=True)
            for table, rows in ex.tables.items():
                f = d / file_name(c.system, table, extract_date, c.code)
                f.write_bytes(to_csv(table, rows))
                written.append(f)
    ref = out / "reference"
    ref.mkdir(exist_ok=True)
    lines = ["la_code,year,population_0_17"]
    for c in councils:
        for year in range(start_year - 1, end_year + 1):
            # Mid-year estimates drift a little year on year; deterministic per LA and year.
            drift = 1 + 0.004 * (year - 2020) + ((hash_int(f"{c.code}{year}") % 7) - 3) / 1000
            lines.append(f"{c.code},{year},{round(c.population_0_17 * drift)}")
    (ref / "population.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = out / "dirt_manifest.json"
    injections = inject(out, dirt, seed) if dirt else []
    if injections:
        manifest.write_text(json.dumps([i.as_dict() for i in injections], indent=1) + "\n",
                            encoding="utf-8")
    elif manifest.exists():
        manifest.unlink()
    return Result(out, written, injections, in_care)


def hash_int(text: str) -> int:
    """A stable small hash (Python's hash() is salted per process)."""
    import hashlib

    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
