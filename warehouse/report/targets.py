"""The report's settings from warehouse/report/targets.yaml: targets and RAG thresholds per
indicator (with per-LA overrides), caveat rules, LA names, and the materiality of a change."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from warehouse.domain import catalogue

TARGETS_FILE = Path(__file__).with_name("targets.yaml")


@dataclass(frozen=True)
class Target:
    target: float
    amber: float | None = None


@dataclass(frozen=True)
class Distortion:
    """A recording problem: `measure` above `above` makes the `affects` indicators unreliable."""

    measure: str
    above: float
    affects: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class ReportSettings:
    defaults: dict[str, Target]
    overrides: dict[str, dict[str, Target | None]]
    small_denominator: int
    distortions: tuple[Distortion, ...]
    la_names: dict[str, str] = field(default_factory=dict)
    materiality: dict[str, float] = field(default_factory=dict)

    def targets_for(self, la_code: str) -> dict[str, Target]:
        """The defaults with the LA's overrides; an override of None drops the target."""
        result = dict(self.defaults)
        for ind, t in self.overrides.get(la_code, {}).items():
            if t is None:
                result.pop(ind, None)
            else:
                result[ind] = t
        return result


def _target(raw: dict | None) -> Target | None:
    if raw is None or raw.get("target") is None:
        return None
    amber = raw.get("amber")
    return Target(float(raw["target"]), None if amber is None else float(amber))


@cache
def _load_settings(path: str) -> ReportSettings:
    spec = yaml.safe_load(Path(path).read_text()) or {}
    known = catalogue.indicators()
    defaults = {k: _target(v) for k, v in (spec.get("defaults") or {}).items()}
    overrides = {
        la: {k: _target(v) for k, v in (items or {}).items()}
        for la, items in (spec.get("la_overrides") or {}).items()
    }
    for ind_id, t in [*defaults.items(), *[i for o in overrides.values() for i in o.items()]]:
        if ind_id not in known:
            raise ValueError(f"{Path(path).name}: unknown indicator {ind_id!r}")
        polarity = known[ind_id].polarity
        if t and t.amber is not None:
            wrong = (polarity == "higher_better" and t.amber > t.target) or (
                polarity == "lower_better" and t.amber < t.target
            )
            if wrong:
                raise ValueError(
                    f"{Path(path).name}: {ind_id}: amber {t.amber} is on the good side of "
                    f"target {t.target} for a {polarity} indicator"
                )
    caveats = spec.get("caveats") or {}
    distortions = tuple(
        Distortion(
            d["measure"], float(d["above"]), tuple(d["affects"]), " ".join(d["note"].split())
        )
        for d in caveats.get("distortions") or ()
    )
    return ReportSettings(
        defaults={k: v for k, v in defaults.items() if v},
        overrides=overrides,
        small_denominator=int(caveats.get("small_denominator", 20)),
        distortions=distortions,
        la_names=dict(spec.get("la_names") or {}),
        materiality={k: float(v) for k, v in (spec.get("materiality") or {}).items()},
    )


def load_settings(path: str | os.PathLike | None = None) -> ReportSettings:
    """The settings in `path` (default targets.yaml), checked against the catalogue."""
    return _load_settings(str(Path(path or TARGETS_FILE).resolve()))


def rag_status(value: float | None, polarity: str, target: Target | None) -> str | None:
    """green / amber / red against the target, or None (no target, no value, or context)."""
    if value is None or target is None or polarity not in {"higher_better", "lower_better"}:
        return None
    higher = polarity == "higher_better"
    if (value >= target.target) if higher else (value <= target.target):
        return "green"
    if target.amber is not None and (
        (value >= target.amber) if higher else (value <= target.amber)
    ):
        return "amber"
    return "red"
