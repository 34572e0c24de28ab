"""The removal guard: extracts whose folders left landing leave the warehouse, but not en masse.

An unmounted share is an existing, empty landing folder, and a half-mounted one hides some
councils: to the loader both look like extracts taken out on purpose, and removing them would
empty raw, staging, history, the marts, the exports and the error lists. So, unless allowed, a
load refuses (and removes nothing) when it would remove every extract of a council, or more than
one extract when they are more than `max_share` of the warehouse's extracts. Removing one
extract of a council that keeps others (a withdrawn or misnamed extract) needs no permission.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from warehouse.config import DEFAULT_MAX_REMOVAL_SHARE

# Councils named in the message: a regional hub's whole list would bury the instruction.
_NAMED = 20


class RemovalRefused(RuntimeError):
    """A load would remove more extracts than the guard allows; nothing was removed."""


@dataclass(frozen=True)
class RemovalPolicy:
    allow: bool = False
    max_share: float = DEFAULT_MAX_REMOVAL_SHARE


def check(held: list[tuple[str, dt.date]], removed: list[tuple[str, dt.date]],
          policy: RemovalPolicy, landing_root: Path) -> None:
    """Raise RemovalRefused when removing `removed` of the extracts `held` needs permission."""
    if not removed or policy.allow:
        return
    held_by_la = Counter(la for la, _ in held)
    removed_by_la = Counter(la for la, _ in removed)
    emptied = [la for la, n in removed_by_la.items() if n == held_by_la[la]]
    too_many = len(removed) > 1 and len(removed) > policy.max_share * len(held)
    if not emptied and not too_many:
        return
    councils = [
        f"{la} ({n} of {held_by_la[la]}{', all of them' if la in emptied else ''})"
        for la, n in sorted(removed_by_la.items())
    ]
    more = len(councils) - _NAMED
    listed = ", ".join(councils[:_NAMED]) + (f" and {more} more councils" if more > 0 else "")
    why = (f"{len(emptied)} council(s) would lose every extract" if emptied else
           f"that is more than {policy.max_share:.0%} of them")
    raise RemovalRefused(
        f"Refusing to remove {len(removed)} of the warehouse's {len(held)} extracts, whose "
        f"folders are no longer in the landing folder {landing_root}: {listed}. Nothing was "
        f"removed: {why}. An empty or partly mounted landing share looks like this: check that "
        "the share is mounted and complete. If the folders were taken out on purpose, run again "
        "with CSC_ALLOW_REMOVAL=1 (or the run config allow_removal: true of landing_extracts), "
        "or raise CSC_MAX_REMOVAL_SHARE."
    )
