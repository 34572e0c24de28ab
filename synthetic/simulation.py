"""Life histories of looked-after children for one council.

Each child gets one or more periods of care. A period is planned up front (how it will end and
when, its legal-status timeline, its placements, temporary absences) and then cut into 903
episodes; reviews, missing incidents, social-worker episodes and adoption decisions hang off it.
The rules the DfE validator applies (spec/ssda903.md) shape the plan: e.g. a temporary placement
never starts or ends a period, an A5 placement follows a foster placement with the same carer, a
remand (J1) never starts before the 10th birthday.

Arrivals run from 18 years before the first extract so the first extract already holds children of
every duration (steady state); the entry rate is calibrated from a pilot run to hit the council's
target number in care.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from synthetic.councils import OTHER_DFE_CODES, Council
from synthetic.postcodes import CouncilPostcodes

DAY = timedelta(days=1)
TEMP_PLACES = ("T0", "T1", "T2", "T3", "T4")
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")

ETHNIC = (("WBRI", 620), ("WIRI", 5), ("WOTH", 30), ("WIRT", 5), ("WROM", 10), ("MWBC", 50),
          ("MWBA", 10), ("MWAS", 20), ("MOTH", 30), ("AIND", 10), ("APKN", 90), ("ABAN", 5),
          ("AOTH", 15), ("BCRB", 10), ("BAFR", 20), ("BOTH", 10), ("CHNE", 2), ("OOTH", 10),
          ("REFU", 2), ("NOBT", 6))
ETHNIC_UASC = (("BAFR", 25), ("AOTH", 30), ("OOTH", 30), ("BOTH", 15))
CIN = (("N1", 620), ("N2", 30), ("N3", 30), ("N4", 80), ("N5", 140), ("N6", 20), ("N7", 3),
       ("N8", 40))
MOVE_REASONS = (("CARPL", 34), ("CREQB", 15), ("CREQO", 8), ("CHILD", 8), ("LAREQ", 8),
                ("CLOSE", 4), ("ALLEG", 3), ("STAND", 3), ("APPRR", 1), ("OTHER", 8))
SW_REASONS = (("LEFTRL", 40), ("MANAGE", 15), ("ORGRST", 10), ("CHCHAN", 8), ("PCCHAN", 12),
              ("ABSENC", 5), ("TSPROC", 5), ("OTHERS", 5))
REVIEW_CODES = (("PN1", 55), ("PN2", 8), ("PN3", 4), ("PN4", 5), ("PN5", 8), ("PN6", 12),
                ("PN7", 8))


def pick(rng: random.Random, options):
    """Weighted choice from ((value, weight), ...)."""
    total = sum(w for _, w in options)
    x = rng.random() * total
    for value, weight in options:
        x -= weight
        if x < 0:
            return value
    return options[-1][0]


def birthday(dob: date, years: int) -> date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February: pandas' DateOffset (used by the validator) gives 28 Feb
        return date(dob.year + years, 2, 28)


def age_at(dob: date, d: date) -> int:
    return d.year - dob.year - ((d.month, d.day) < (dob.month, dob.day))


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise AssertionError


@lru_cache(maxsize=1)
def _bank_holidays() -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=range(1990, 2031)))


def add_working_days(d: date, n: int) -> date:
    hols = _bank_holidays()
    while n > 0:
        d += DAY
        if d.weekday() < 5 and d not in hols:
            n -= 1
    return d


@dataclass
class Placement:
    place: str  # code as simulated (H5 means supported accommodation; recoded per year later)
    provider: str | None
    pl_post: str | None
    urn: str | None
    carer: int  # identity of the carer/setting: same carer -> RNE T/U rather than P/B


@dataclass
class Episode:
    decom: date
    dec: date | None
    rne: str
    ls: str
    cin: str
    place: str
    provider: str | None
    home_post: str | None
    pl_post: str | None
    urn: str | None
    rec: str | None = None
    rpc: str | None = None  # REASON_PLACE_CHANGE, on the episode that ended


@dataclass
class Period:
    start: date
    end: date | None
    rec: str | None
    episodes: list[Episode]
    short_break: bool = False
    prev_perm: tuple[str, str | None, date | None] = ("Z1", None, None)
    adoption: dict | None = None  # AD1 fields when the period ended in adoption
    decisions: list[tuple[date, date | None, str | None]] = field(default_factory=list)


@dataclass
class Child:
    child_id: str
    number: int
    sex: str  # 'M' / 'F'; written as 1/2 before 2024/25
    dob: date
    ethnic: str
    uasc: bool
    mc_dob: date | None = None
    periods: list[Period] = field(default_factory=list)
    reviews: list[tuple[date, str]] = field(default_factory=list)
    missing: list[tuple[str, date, date | None]] = field(default_factory=list)
    sw: list[tuple[str, date, date | None, str]] = field(default_factory=list)
    short_breaks: bool = False


@dataclass
class History:
    council: Council
    children: list[Child]
    horizon: date


class _Settings:
    """Shared residential settings (homes, units, schools) so several children share a URN."""

    def __init__(self, rng: random.Random, pcs: CouncilPostcodes, size: int):
        self.rng = rng
        self.pcs = pcs
        self.by_type: dict[str, list[Placement]] = {}
        self.size = size
        self.next_carer = 1

    def carer_id(self) -> int:
        self.next_carer += 1
        return self.next_carer

    def setting(self, place: str) -> Placement:
        pool = self.by_type.get(place)
        if pool is None:
            pool = self.by_type[place] = [self._new_setting(place, i) for i in range(self.size)]
        return pool[self.rng.randrange(len(pool))]

    def _new_setting(self, place: str, i: int) -> Placement:
        rng = self.rng
        where = pick(rng, {
            "K1": (("near", 3), ("far", 7)),
            "K2": (("home", 45), ("near", 30), ("far", 25)),
            "H5": (("home", 1),),  # K3 with a URN must be inside the LA (rule 241)
            "R1": (("near", 5), ("far", 5)),
            "R2": (("home", 5), ("near", 5)),
            "R3": (("home", 5), ("near", 5)),
            "R5": (("near", 5), ("far", 5)),
            "S1": (("near", 5), ("far", 5)),
        }[place])
        pl_post = getattr(self.pcs, where).pick(rng)
        if place in ("R2", "R5"):
            provider = "PR3"
        elif where == "home" and place in ("K2", "H5", "K1"):
            provider = pick(rng, (("PR1", 4), ("PR4", 5), ("PR5", 1)))
        else:
            provider = pick(rng, (("PR4", 8), ("PR5", 2)))
        urn = None
        if place in ("K1", "K2", "R3", "S1"):
            urn = f"SC{rng.randrange(100000, 999999)}"
        elif place == "H5":
            urn = f"2{rng.randrange(100000, 999999)}"
        return Placement(place, provider, pl_post, urn, 1_000_000 + len(self.by_type) * 1000 + i)


class Simulator:
    def __init__(self, council: Council, pcs: CouncilPostcodes, seed: int, first_year_start: date,
                 horizon: date):
        self.council = council
        self.pcs = pcs
        self.rng = random.Random(f"simulation:{seed}:{council.code}")
        self.settings = _Settings(self.rng, pcs, max(6, council.target_cla // 25))
        self.first_year_start = first_year_start
        self.horizon = horizon
        n_workers = max(12, council.target_cla // 14)
        self.workers = [f"SW{self.rng.randrange(1000, 9999)}{i:02d}"[:6] for i in range(n_workers)]
        self.workers = sorted(set(self.workers))
        self.children: list[Child] = []
        self.child_base = self.rng.randrange(100_000, 400_000)

    # ---- children -------------------------------------------------------------------------
    def run(self) -> History:
        rng = self.rng
        start = date(self.first_year_start.year - 18, 4, 1)
        last = self.horizon
        rate = self._calibrate()
        clock = float(start.toordinal())  # a float clock: date + fractional days truncates
        while True:
            year = date.fromordinal(int(clock)).year
            # Numbers in care rose slowly; the calibrated rate applies to 2024/25.
            trend = 1 + 0.012 * max(-10, min(2, year - 2025))
            clock += rng.expovariate(rate * trend / 365.25)
            t = date.fromordinal(int(clock))
            if t > last:
                break
            self._new_child(t, rng)
        # A few disabled children on agreed series of short breaks (LS V3).
        for _ in range(max(2, self.council.target_cla // 80)):
            begin = date(rng.randrange(self.first_year_start.year - 2, last.year), 4, 1)
            self._short_break_child(begin + timedelta(days=rng.randrange(365)), rng)
        return History(self.council, self.children, self.horizon)

    def _calibrate(self) -> float:
        """Entry rate (children per year) that keeps about target_cla in care."""
        pilot = Simulator.__new__(Simulator)
        pilot.__dict__.update(self.__dict__)
        pilot.rng = random.Random(f"pilot:{self.council.code}")
        pilot.settings = _Settings(pilot.rng, self.pcs, 5)
        pilot.children = []
        days = 0
        n = 1200
        for _ in range(n):
            child = pilot._new_child(date(2000, 1, 1), pilot.rng)
            for p in child.periods:
                days += ((p.end or date(2040, 1, 1)) - p.start).days
        return self.council.target_cla / (days / n / 365.25)

    def _child_shell(self, rng: random.Random, sex: str, dob: date, ethnic: str, uasc: bool
                     ) -> Child:
        number = len(self.children)
        child = Child(str(self.child_base + number * 3 + rng.randrange(3)), number, sex, dob,
                      ethnic, uasc)
        self.children.append(child)
        return child

    def _new_child(self, entry: date, rng: random.Random) -> Child:
        uasc = rng.random() < 0.05
        if uasc:
            age_days = rng.randrange(15 * 365 + 30, 17 * 365 + 250)
            sex, ethnic = ("M" if rng.random() < 0.93 else "F"), pick(rng, ETHNIC_UASC)
        else:
            band = pick(rng, (((0, 1), 20), ((1, 5), 15), ((5, 10), 17), ((10, 16), 36),
                              ((16, 18), 12)))
            age_days = rng.randrange(band[0] * 365, band[1] * 365 - (60 if band[1] == 18 else 0))
            if band[0] == 0:
                age_days = int(age_days * rng.random())  # many babies come in at birth
            sex = "M" if rng.random() < 0.55 else "F"
            ethnic = pick(rng, ETHNIC)
        dob = entry - timedelta(days=age_days)
        child = self._child_shell(rng, sex, dob, ethnic, uasc)
        if sex == "F" and not uasc and rng.random() < 0.06:
            child.mc_dob = birthday(dob, 15) + timedelta(days=rng.randrange(900))
        home = None if uasc else self.pcs.home.pick(rng)
        cin = "N8" if uasc else pick(rng, CIN)
        t = entry
        while t is not None:
            period = self._period(child, t, home, cin, rng)
            child.periods.append(period)
            t = None
            # Some children who go home come back into care (re-entry: a new period, RNE S).
            if (period.end and period.rec in ("E4A", "E4B", "E13") and rng.random() < 0.22):
                back = period.end + timedelta(days=rng.randrange(60, 1100))
                if back < birthday(dob, 17) and back <= self.horizon:
                    t = back
                    cin = pick(rng, CIN)
                    if rng.random() < 0.3:
                        home = self.pcs.home.pick(rng)
        self._reviews(child, rng)
        self._missing(child, rng)
        self._social_workers(child, rng)
        return child

    # ---- one period of care -----------------------------------------------------------------
    def _period(self, child: Child, start: date, home: str | None, cin: str,
                rng: random.Random) -> Period:
        dob = child.dob
        age = age_at(dob, start)
        eighteen = birthday(dob, 18)
        if child.uasc:
            pathway = pick(rng, (("eighteen", 92), ("e15", 8)))
        elif age < 1:
            pathway = pick(rng, (("adoption", 36), ("sgo", 20), ("home", 24), ("long", 15),
                                 ("cao", 5)))
        elif age < 5:
            pathway = pick(rng, (("adoption", 22), ("sgo", 25), ("home", 33), ("long", 15),
                                 ("cao", 5)))
        elif age < 10:
            pathway = pick(rng, (("adoption", 2), ("sgo", 18), ("home", 42), ("long", 31),
                                 ("cao", 7)))
        elif age < 16:
            pathway = pick(rng, (("home", 52), ("long", 38), ("sgo", 4), ("cao", 2),
                                 ("remand", 3), ("other", 1)))
        else:
            pathway = pick(rng, (("home", 36), ("eighteen", 58), ("remand", 4), ("other", 2)))

        # When and how the period ends.
        adoption = None
        if pathway == "adoption":
            adoption = self._plan_adoption(start, rng)
            if adoption["reversed"]:
                pathway = pick(rng, (("long", 6), ("sgo", 4)))
        if pathway == "adoption":
            end, rec = adoption["adopted"], ("E11" if rng.random() < 0.7 else "E12")
        elif pathway == "home":
            short = rng.random() < 0.45
            days = rng.expovariate(1 / (45 if short else 330))
            end, rec = start + timedelta(days=int(days) + 2), pick(
                rng, (("E4A", 60), ("E4B", 10), ("E13", 20), ("E8", 5), ("E3", 3), ("E16", 2)))
        elif pathway in ("sgo", "cao"):
            end = start + timedelta(days=rng.randrange(300, 1000))
            rec = "E41" if pathway == "cao" else None  # SGO code depends on the last carer
        elif pathway == "long" or pathway == "eighteen":
            end, rec = eighteen, None
        elif pathway == "e15":
            end, rec = start + timedelta(days=rng.randrange(20, 200)), "E15"
        elif pathway == "remand":
            end, rec = start + timedelta(days=rng.randrange(20, 150)), pick(
                rng, (("E14", 8), ("E9", 2)))
        else:
            end, rec = start + timedelta(days=rng.randrange(60, 700)), pick(
                rng, (("E8", 6), ("E3", 3), ("E2", 1)))
        if pathway == "remand" and start <= birthday(dob, 10) + DAY:
            pathway, rec = "other", "E8"
        if end >= eighteen:
            end, rec = eighteen, None
        end = max(end, start + 2 * DAY)
        if (end.month, end.day) == (3, 31):
            # The validator is inconsistent about a period ending on 31 March (rule 191 counts it
            # as looked after at 31 March, rule 187 does not), so periods end a day later.
            end += DAY
        if adoption and adoption["reversed"]:
            # A child who leaves care unadopted has the decision reversed first (rule 557).
            adoption["ceased"] = max(adoption["decision"] + DAY,
                                     min(adoption["ceased"], end - 7 * DAY))
            if adoption["decision"] >= end - 7 * DAY:
                adoption = None

        # Legal statuses: (date, LS).
        legal: list[tuple[date, str]] = []
        care_order = pathway in ("adoption", "sgo", "cao") or (
            pathway == "long" and (age < 12 or rng.random() < 0.5)) or (
            pathway == "home" and rng.random() < 0.3)
        if pathway == "home" and care_order and rng.random() < 0.6:
            # Care orders often run for years with the child placed back at home (P1).
            end = min(eighteen, start + timedelta(days=rng.randrange(365, 1500)))
            if end == eighteen:
                rec = None
            if (end.month, end.day) == (3, 31):
                end += DAY
        consent = bool(adoption) and pathway == "adoption" and rng.random() < 0.12
        if adoption:
            care_order = not consent  # relinquished babies are placed with consent (A3/A4)
        if pathway == "remand":
            legal.append((start, "J1"))
        elif child.uasc or not care_order:
            legal.append((start, "V2"))
        else:
            t = start
            if rng.random() < 0.1 and end - start > timedelta(days=40):
                if rng.random() < 0.5:
                    legal.append((t, "L1"))
                    t += timedelta(days=rng.randrange(1, 3))
                else:
                    legal.append((t, "L2"))
                    t += timedelta(days=rng.randrange(3, 20))
            legal.append((t, "C1"))
            full = t + timedelta(days=rng.randrange(100, 300))
            if full < end - 10 * DAY:
                legal.append((full, "C2"))
        if adoption and adoption["po"] < end - DAY and not consent:
            legal = [x for x in legal if x[0] < adoption["po"] - DAY]
            legal.append((adoption["po"], "E1"))
            if adoption["reversed"]:
                # The plan changes: the placement order goes the day the decision is reversed (so
                # no E1 episode outlives its decision: rule 553), the care order stays.
                revoked = adoption["ceased"]
                if adoption["po"] < revoked < end - 3 * DAY:
                    legal.append((revoked, "C2"))
                else:
                    legal[-1] = (adoption["po"], "C2")
        if start < date(2005, 12, 1):  # rule 446: no placement orders before December 2005
            legal = [(d, "C2" if ls == "E1" else ls) for d, ls in legal]
        dedup: list[tuple[date, str]] = []
        for d, ls in legal:
            if not dedup or (ls != dedup[-1][1] and d > dedup[-1][0]):
                dedup.append((d, ls))
        legal = dedup

        # Placements: (date, Placement, kind 'S'/'P'/'T', reason for the change).
        placements: list[tuple[date, Placement, str, str | None]] = []
        first = self._placement(age, pathway, home, rng, first=True, uasc=child.uasc)
        placements.append((start, first, "S", None))
        cur = first
        no_moves_after = adoption["placed"] - 20 * DAY if adoption and pathway == "adoption" \
            else end - 10 * DAY
        rate = 0.55 if age >= 11 else 0.3
        t = start
        while True:
            # Moves cluster in the first year of care; settled placements last longer.
            r = rate * (2.4 if t - start < timedelta(days=365) else 0.6)
            t = t + timedelta(days=int(rng.expovariate(r / 365.25)) + 20)
            if t >= no_moves_after:
                break
            a = age_at(dob, t)
            if cur.place in ("U6", "U3") and t - placements[-1][0] > timedelta(days=365) \
                    and rng.random() < 0.35:
                # Same carers become long-term foster carers: change of placement type only.
                nxt = Placement("U4" if cur.place == "U6" else "U1", cur.provider, cur.pl_post,
                                cur.urn, cur.carer)
                placements.append((t, nxt, "T", "PLACE"))
            else:
                nxt = self._placement(a, pathway, home, rng, uasc=child.uasc)
                if nxt.carer == cur.carer:  # same setting drawn again: not a move (rule 435)
                    continue
                reason = pick(rng, MOVE_REASONS)
                if a >= 12 and rng.random() < 0.02:  # custody: never under 10 (rule 234)
                    reason = "CUSTOD"
                placements.append((t, nxt, "P", reason))
            cur = nxt
        if pathway == "long" and rng.random() < 0.7:
            # Long-term fostering: the same carers are confirmed as long-term (U6->U4, U3->U1).
            t = start + timedelta(days=rng.randrange(300, 700))
            now = [p for p in placements if p[0] <= t]
            if now and now[-1][1].place in ("U6", "U3") and t < end - 60 * DAY and all(
                    abs((p[0] - t).days) > 20 for p in placements):
                c = now[-1][1]
                cur2 = Placement("U4" if c.place == "U6" else "U1", c.provider, c.pl_post, c.urn,
                                 c.carer)
                placements = [p for p in placements if not (p[0] > t and p[2] == "T"
                                                             and p[1].carer == c.carer)]
                placements.append((t, cur2, "T", "PLACE"))
                placements.sort(key=lambda x: x[0])
                cur = placements[-1][1]
        if pathway == "eighteen" or pathway == "long":
            sixteen = birthday(dob, 17) - timedelta(days=rng.randrange(0, 300))
            if cur.place not in FOSTER and sixteen > placements[-1][0] + 30 * DAY \
                    and sixteen < end - 30 * DAY and rng.random() < 0.5:
                nxt = self._placement(17, "eighteen", home, rng, uasc=child.uasc)
                if nxt.carer != cur.carer:  # not the setting they are already in (rule 435)
                    cur = nxt
                    placements.append((sixteen, cur, "P", "CARPL"))
        if pathway == "home" and any(ls in ("C1", "C2") for _, ls in legal) and home \
                and end - start > timedelta(days=150) and rng.random() < 0.7:
            # Placed with parents under a care order (P1) for months before discharge.
            t = start + timedelta(days=int((end - start).days * rng.uniform(0.2, 0.6)))
            ls_then = [ls for d, ls in legal if d <= t]
            if ls_then and ls_then[-1] in ("C1", "C2"):
                placements = [p for p in placements if p[0] < t - 20 * DAY]
                cur = Placement("P1", "PR0", home, None, self.settings.carer_id())
                placements.append((t, cur, "P", "CARPL"))
                legal = [x for x in legal if x[0] <= t - 5 * DAY or x[0] >= end]
        if adoption and pathway == "adoption":
            t = adoption["placed"]
            if cur.place not in FOSTER:
                # Placed for adoption straight from foster care (rule 336).
                cur = self._placement(0, "adoption", home, rng)
                moved = t - timedelta(days=rng.randrange(60, 200))
                placements = [p for p in placements if p[0] < moved - 3 * DAY]
                placements.append((moved, cur, "P", "CARPL"))
            if adoption["foster_care"]:
                # Adopted by the foster carers: same carer, new placement type (A5, RNE T).
                cur = Placement("A3" if consent else "A5", cur.provider, cur.pl_post, cur.urn,
                                cur.carer)
                placements.append((t, cur, "T", "CARPL"))
            else:
                where = pick(rng, (("home", 5), ("near", 3), ("far", 2)))
                prov = "PR1" if where == "home" and rng.random() < 0.6 else \
                    pick(rng, (("PR2", 1), ("PR5", 1)))
                if prov == "PR2" and where == "home":
                    prov = "PR5"
                cur = Placement("A4" if consent else "A6", prov,
                                getattr(self.pcs, where).pick(rng), "XXXXXXX",
                                self.settings.carer_id())
                placements.append((t, cur, "P", "CARPL"))
            adoption["foster_carer_adopted"] = adoption["foster_care"]
        # Drop placement changes that crowd each other (min 3 days apart, none at the very end).
        cleaned = [placements[0]]
        for p in placements[1:]:
            if p[0] - cleaned[-1][0] >= 3 * DAY and p[0] < end - 2 * DAY:
                cleaned.append(p)
        placements = cleaned
        last_place = placements[-1][1]

        if rec is None and pathway == "sgo":
            rec = {"U1": "E45", "U2": "E45", "U3": "E45", "U4": "E46", "U5": "E46",
                   "U6": "E46"}.get(last_place.place, "E47")
            if rng.random() < 0.25:
                rec = pick(rng, (("E47", 3), ("E48", 1)))
        if rec is None:  # leaving care at 18
            if last_place.place in FOSTER:
                rec = pick(rng, (("E17", 45), ("E5", 35), ("E6", 10), ("E4A", 6), ("E8", 4)))
            else:
                rec = pick(rng, (("E5", 60), ("E6", 22), ("E4A", 10), ("E8", 6), ("E7", 2)))
        if pathway in ("sgo", "cao") and end >= birthday(dob, 18) - DAY:
            rec = "E8"

        # Some legal changes come with a move on the same day (RNE B, or U with the same carer).
        moves = [d for d, *_ in placements[1:]]
        for i in range(1, len(legal)):
            d, ls = legal[i]
            near = [m for m in moves if timedelta(0) < m - d <= timedelta(days=90)]
            later = legal[i + 1][0] if i + 1 < len(legal) else end
            if near and near[0] < later and ls in ("C2", "V2") and rng.random() < 0.6:
                legal[i] = (near[0], ls)

        # Temporary absences (T0-T4) in the middle of a placement, returning to it.
        temps: list[tuple[date, date, str]] = []
        if pathway != "adoption" or not adoption:
            n_temp = 1 if rng.random() < min(0.5, (end - start).days / 365.25 * 0.08) else 0
            for _ in range(n_temp):
                code = pick(rng, (("T1", 3), ("T2", 2), ("T3", 3), ("T4", 2), ("T0", 1)))
                length = {"T1": (3, 25), "T2": (4, 14), "T3": (5, 14), "T4": (2, 7),
                          "T0": (2, 10)}[code]
                s = start + timedelta(days=rng.randrange(30, max(31, (end - start).days - 40)))
                e = s + timedelta(days=rng.randrange(*length))
                busy = [d for d, *_ in placements] + [d for d, _ in legal]
                if e < end - 20 * DAY and all(abs((d - s).days) > 20 and abs((d - e).days) > 20
                                              for d in busy):
                    temps.append((s, e, code))

        episodes = self._cut(start, end, rec, legal, placements, temps, home, cin, rng)
        if child.uasc:
            for ep in episodes:
                ep.home_post = None
        period = Period(start, end, rec, episodes)
        if adoption:
            period.decisions = [(adoption["decision"], adoption.get("ceased"),
                                 adoption.get("ceased_reason"))]
            if pathway == "adoption":
                nb = 2 if rng.random() < 0.8 else 1
                if nb == 1:
                    sex_a, ls_a = pick(rng, (("F1", 8), ("M1", 2))), "L0"
                else:
                    ls_a = pick(rng, (("L11", 60), ("L12", 8), ("L2", 6), ("L3", 20), ("L4", 6)))
                    sex_a = "MF" if ls_a in ("L11", "L3") else pick(rng, (("MM", 1), ("FF", 1)))
                period.adoption = {"DATE_INT": adoption["decision"],
                                   "DATE_MATCH": adoption["match"],
                                   "FOSTER_CARE": "1" if adoption["foster_care"] else "0",
                                   "NB_ADOPTR": str(nb), "SEX_ADOPTR": sex_a, "LS_ADOPTR": ls_a}
        period.prev_perm = self._prev_perm(child, start, rng)
        return period

    def _plan_adoption(self, start: date, rng: random.Random) -> dict:
        po = start + timedelta(days=rng.randrange(200, 420))
        decision = max(start + 5 * DAY, po - timedelta(days=rng.randrange(30, 120)))
        match = po + timedelta(days=rng.randrange(60, 260))
        placed = match + timedelta(days=rng.randrange(7, 40))
        plan = {"po": po, "decision": decision, "match": match, "placed": placed,
                "adopted": placed + timedelta(days=rng.randrange(120, 330)),
                "foster_care": rng.random() < 0.15, "reversed": rng.random() < 0.1}
        if plan["foster_care"] and rng.random() < 0.5:
            # Foster-to-adopt: the placement order comes the day the carers' placement becomes an
            # adoptive one (legal status and placement type change together: RNE U).
            plan["po"] = placed
        if plan["reversed"]:
            plan["ceased"] = plan["po"] + timedelta(days=rng.randrange(30, 200))
            plan["ceased_reason"] = pick(rng, (("RD1", 4), ("RD2", 2), ("RD3", 2), ("RD4", 2)))
        return plan

    def _placement(self, age: int, pathway: str, home: str | None, rng: random.Random,
                   first: bool = False, uasc: bool = False) -> Placement:
        if uasc and age < 16:  # supported accommodation is for 16-17s (rule 371)
            place = pick(rng, (("U6", 80), ("K2", 20)))
        elif uasc:
            place = pick(rng, (("H5", 55), ("U6", 35), ("K2", 10)))
        elif pathway == "remand":
            place = pick(rng, (("K2", 5), ("U6", 3), ("R5", 1), ("K1", 1)))
        elif pathway == "sgo":  # special guardians are mostly family and friends carers
            place = pick(rng, (("U3", 60), ("U6", 40)))
        elif pathway == "adoption" or age < 1:
            place = pick(rng, (("U6", 60), ("U3", 20), ("U5", 12), ("R3", 4)))
        elif age < 10:
            place = pick(rng, (("U6", 60), ("U3", 25), ("K2", 4), ("R2", 1)))
        elif age < 16:
            place = pick(rng, (("U6", 50), ("U3", 14), ("K2", 28), ("K1", 1), ("S1", 3),
                               ("R1", 1)))
        else:
            place = pick(rng, (("U6", 30), ("U3", 6), ("K2", 22), ("H5", 40), ("R2", 1)))
        if place == "R3" and age > 1:
            place = "U6"
        if place in FOSTER:
            # Kinship and own foster carers mostly nearby; agency carers anywhere.
            if place in ("U1", "U2", "U3"):
                where = pick(rng, (("home", 75), ("near", 20), ("far", 5)))
                provider = "PR1"
            else:
                where = pick(rng, (("home", 62), ("near", 26), ("far", 12)))
                provider = "PR1" if where == "home" and rng.random() < 0.6 else \
                    pick(rng, (("PR4", 7), ("PR5", 3)))
            if where != "home" and provider == "PR1":
                provider = "PR4"
            pl_post = getattr(self.pcs, where).pick(rng)
            urn = "XXXXXXX" if provider == "PR1" else f"SC{rng.randrange(100000, 999999)}"
            p = Placement(place, provider, pl_post, urn, self.settings.carer_id())
        else:
            s = self.settings.setting(place)
            p = Placement(s.place, s.provider, s.pl_post, s.urn, s.carer)
        while p.pl_post == home:  # placement postcode equals home only for P1 (rule 392d)
            # Supported accommodation stays inside the LA (rule 241); others move next door.
            p.pl_post = (self.pcs.home if p.place == "H5" else self.pcs.near).pick(rng)
            if p.provider == "PR1" and p.place != "H5":  # own provision is inside the LA
                p.provider = "PR4"
                p.urn = p.urn if p.urn != "XXXXXXX" else f"SC{rng.randrange(100000, 999999)}"
        return p

    def _cut(self, start, end, rec, legal, placements, temps, home, cin, rng) -> list[Episode]:
        """Turn the legal/placement/temporary timelines into 903 episodes."""
        changes: dict[date, dict] = {}
        for d, ls in legal[1:]:
            changes.setdefault(d, {})["ls"] = ls
        for d, pl, kind, reason in placements[1:]:
            changes.setdefault(d, {}).update(pl=pl, kind=kind, reason=reason)
        for s, e, code in temps:
            changes.setdefault(s, {})["temp"] = code
            changes.setdefault(e, {})["back"] = True
        ls, pl = legal[0][1], placements[0][1]
        episodes = [self._episode(start, "S", ls, cin, pl, home)]
        in_temp: Placement | None = None
        for d in sorted(changes):
            if d <= start or d >= end:
                continue
            c = changes[d]
            prev = episodes[-1]
            new_ls = c.get("ls", ls)
            ls_changed = new_ls != ls
            ls = new_ls
            reason = None
            if "temp" in c:
                in_temp = pl
                temp_pl = Placement(c["temp"], None, self.pcs.near.pick(rng), None, -1)
                ep = self._episode(d, "B" if ls_changed else "P", ls, cin, temp_pl, home)
            elif "back" in c:
                ep = self._episode(d, "B" if ls_changed else "P", ls, cin, in_temp or pl, home)
                in_temp = None
            elif "pl" in c:
                pl = c["pl"]
                same = c["kind"] == "T"
                rne = ("U" if same else "B") if ls_changed else ("T" if same else "P")
                ep = self._episode(d, rne, ls, cin, pl, home)
                reason = c["reason"]
                if reason is None or (d < date(2022, 4, 1) and rng.random() < 0.04):
                    reason = None  # recording gaps in older years (data-quality indicator)
            elif ls_changed:  # temporary absences are kept clear of legal changes
                ep = self._episode(d, "L", ls, cin, pl, home)
            else:
                continue
            prev.dec, prev.rec, prev.rpc = d, "X1", reason
            episodes.append(ep)
        episodes[-1].dec, episodes[-1].rec = end, rec
        return episodes

    @staticmethod
    def _episode(d: date, rne: str, ls: str, cin: str, pl: Placement, home: str | None
                 ) -> Episode:
        return Episode(d, None, rne, ls, cin, pl.place, pl.provider, home, pl.pl_post, pl.urn)

    def _prev_perm(self, child: Child, start: date, rng: random.Random):
        first = child.periods[0].start if child.periods else start  # before any care (632)
        if child.uasc or rng.random() < 0.86 or (first - child.dob).days < 400:
            return ("Z1", None, None)
        kind = pick(rng, (("P1", 2), ("P2", 4), ("P3", 3)))
        when = child.dob + timedelta(days=rng.randrange(30, (first - child.dob).days - 30))
        la = self.council.dfe_code if rng.random() < 0.6 else rng.choice(OTHER_DFE_CODES)
        return (kind, la, when)

    # ---- things that hang off the periods -------------------------------------------------
    def _reviews(self, child: Child, rng: random.Random) -> None:
        # Lateness clusters: most children's reviews are always on time, a few often late.
        late = 0.01 if rng.random() < 0.85 else 0.25
        for p in child.periods:
            if p.short_break:
                continue
            end = p.end
            due = add_working_days(p.start, 20)
            step = 3
            while due < end:
                if rng.random() >= late:
                    held = due - timedelta(days=rng.randrange(0, 10))
                else:
                    held = due + timedelta(days=rng.randrange(1, 30))
                while held.weekday() >= 5:
                    held -= DAY
                held = max(held, p.start + DAY)
                if held >= end:
                    break
                code = "PN0" if age_at(child.dob, held) < 4 else pick(rng, REVIEW_CODES)
                child.reviews.append((held, code))
                due = add_months(held, step)
                step = 6

    def _missing(self, child: Child, rng: random.Random) -> None:
        if rng.random() > 0.28:
            return
        per_year = rng.lognormvariate(1.0, 0.8)
        eleven = birthday(child.dob, 11)
        for p in child.periods:
            if p.short_break:
                continue
            t = max(p.start, eleven)
            last_end = t
            while True:
                t += timedelta(days=int(rng.expovariate(per_year / 365.25)) + 1)
                if t >= p.end:
                    break
                ep = next((e for e in p.episodes if e.decom < t and (e.dec is None or t < e.dec)),
                          None)
                if ep is None:
                    continue
                e = t + timedelta(days=rng.choice((0, 1, 1, 1, 2, 2, 3, 5)))
                if e >= ep.dec or t <= last_end:
                    continue
                if date(e.year, 3, 31) >= t and date(e.year, 3, 31) < e:
                    # An incident open at 31 March trips the validator (rules 575/577 see the
                    # open episode as ended after another rule fills in DEC); rare enough to skip.
                    continue
                kind = "M" if rng.random() < 0.7 else "A"
                child.missing.append((kind, t, e))
                last_end = e
                t = e

    def _social_workers(self, child: Child, rng: random.Random) -> None:
        # The latest social-worker episode stays open after the child leaves care (SW17STG2
        # expects an open episode for every child); an earlier period's last one closes when that
        # period ends, and the next period starts a new allocation (FCONTA). A child with two
        # periods in one year still trips SW12STG2 (and, in 2023/24 rules, SW10/SW11a): the
        # validator test names that exemption.
        periods = [p for p in child.periods if not p.short_break]
        for i, p in enumerate(periods):
            until = p.end if i + 1 < len(periods) else None
            if until and until.month == 3 and until.day >= 26:  # SW11bSTG2, as below
                until = date(until.year, 4, 1)
            t, reason = p.start, "FCONTA"
            while True:
                nxt = t + timedelta(days=int(rng.expovariate(1 / 330)) + 14)
                if nxt.month == 3 and nxt.day >= 26:  # no changes in the last days of March:
                    nxt = date(nxt.year, 4, 1)  # SW11bSTG2 flags them
                worker = rng.choice(self.workers)
                if nxt >= p.end - 2 * DAY:
                    child.sw.append((worker, t, until, reason))
                    break
                child.sw.append((worker, t, nxt, reason))
                t, reason = nxt, pick(rng, SW_REASONS)

    def _short_break_child(self, begin: date, rng: random.Random) -> None:
        age = rng.randrange(6, 15)
        dob = begin - timedelta(days=age * 365 + rng.randrange(365))
        child = self._child_shell(rng, "M" if rng.random() < 0.6 else "F", dob,
                                  pick(rng, ETHNIC), False)
        child.short_breaks = True
        # A short-break unit: no postcode, no URN (rules 214, 398, 420), not foster care (384).
        setting = Placement("R1", "PR1", None, None, self.settings.carer_id())
        t = begin
        stop = min(begin + timedelta(days=rng.randrange(500, 1500)), birthday(dob, 18) - 30 * DAY)
        while t < stop:
            e = t + timedelta(days=rng.randrange(1, 4))
            ep = Episode(t, e, "S", "V3", "N2", setting.place, setting.provider, None, None,
                         setting.urn, rec="E4A")
            child.periods.append(Period(t, e, "E4A", [ep], short_break=True,
                                        prev_perm=("Z1", None, None)))
            t = e + timedelta(days=rng.randrange(28, 50))


def simulate(council: Council, pcs: CouncilPostcodes, seed: int, first_year_start: date,
             horizon: date) -> History:
    return Simulator(council, pcs, seed, first_year_start, horizon).run()
