"""Council (local authority) profiles used by the generator.

Sizes are rounded from published figures (ONS mid-year estimates, DfE children looked after at
31 March); they only need to be plausible. `lauas` are the 2025 lower-tier codes that make up the
council (one for unitary and metropolitan councils, the districts for counties) and `letters` the
first letters of the postcode areas that cover it, so only those postcode files are loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Council:
    code: str  # ONS upper-tier code, as extracts are filed and the validator expects
    name: str
    dfe_code: str  # DfE 3-digit LA number (UPNs, PrevPerm.LA_PERM)
    population_0_17: int
    target_cla: int  # children looked after at any one time in the steady state
    letters: tuple[str, ...]
    lauas: tuple[str, ...] = field(default=())
    system: str = "liquidlogic"  # file naming style of the case-management system

    @property
    def lower_tier(self) -> tuple[str, ...]:
        return self.lauas or (self.code,)


KIRKLEES = Council("E08000034", "Kirklees", "382", 99_000, 650, ("H", "W", "B"))

# Hub preset: 20 English upper-tier councils, about 13,000 children in care in all.
HUB = (
    KIRKLEES,
    Council("E08000035", "Leeds", "383", 175_000, 1_450, ("L", "W", "B"), system="mosaic"),
    Council("E08000033", "Calderdale", "381", 45_000, 400, ("H", "O", "B"), system="eclipse"),
    Council("E08000039", "Sheffield", "373", 120_000, 650, ("S",), system="liquidlogic"),
    Council("E08000021", "Newcastle upon Tyne", "391", 60_000, 550, ("N",), system="mosaic"),
    Council("E06000023", "Bristol", "801", 95_000, 650, ("B",), system="carefirst"),
    Council("E06000018", "Nottingham", "892", 70_000, 650, ("N",), system="liquidlogic"),
    Council("E06000016", "Leicester", "856", 85_000, 600, ("L",), system="eclipse"),
    Council("E08000026", "Coventry", "331", 80_000, 700, ("C",), system="mosaic"),
    Council("E06000010", "Kingston upon Hull", "810", 60_000, 750, ("H", "Y"),
            system="liquidlogic"),
    Council("E06000045", "Southampton", "852", 50_000, 500, ("S",), system="carefirst"),
    Council("E06000044", "Portsmouth", "851", 42_000, 350, ("P",), system="mosaic"),
    Council("E06000043", "Brighton and Hove", "846", 50_000, 350, ("B",), system="eclipse"),
    Council("E10000020", "Norfolk", "926", 170_000, 1_100, ("N", "P", "I"),
            ("E07000143", "E07000144", "E07000145", "E07000146", "E07000147", "E07000148",
             "E07000149"), system="liquidlogic"),
    Council("E10000029", "Suffolk", "935", 155_000, 900, ("I", "C", "N"),
            ("E07000200", "E07000202", "E07000203", "E07000244", "E07000245"),
            system="mosaic"),
    Council("E09000008", "Croydon", "306", 95_000, 600, ("C", "S"), system="liquidlogic"),
    Council("E08000031", "Wolverhampton", "336", 62_000, 550, ("W",), system="eclipse"),
    Council("E06000015", "Derby", "831", 60_000, 550, ("D",), system="carefirst"),
    Council("E08000006", "Salford", "355", 60_000, 550, ("M",), system="liquidlogic"),
    Council("E08000007", "Stockport", "356", 65_000, 400, ("S", "M"), system="mosaic"),
)

BY_CODE = {c.code: c for c in HUB}

# Postcode areas loaded for every council so that distant placements (> 20 miles) exist.
FAR_LETTERS = ("L", "S", "N", "B", "M")

# DfE numbers of councils other than the one reporting, for PrevPerm.LA_PERM.
OTHER_DFE_CODES = ("383", "381", "380", "384", "373", "391", "801", "892", "856", "331", "810",
                   "352", "851", "846", "926", "935", "306", "336", "831", "355", "356", "330")


def council(code: str) -> Council:
    try:
        return BY_CODE[code]
    except KeyError:
        raise ValueError(f"unknown LA code {code!r}; known: {', '.join(BY_CODE)}") from None
