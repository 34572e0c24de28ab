"""Cutting a council's simulated history into 903 extracts and writing them as CSV files.

An extract dated E for collection year Y (April Y-1 to March Y) holds what the 903 return for the
window 1 April Y-1..E holds: children looked after at any time in the window, their episodes open
at any time in it (DEC/REC/REASON_PLACE_CHANGE blank when the episode ends after E), reviews,
missing incidents and social-worker episodes in the window, and, only in the 31 March extract, the
annual OC2 and OC3 tables. Code lists follow the collection year (sex 1/2 before 2024/25, K3 from
2024/25, supported accommodation coded H5 before then).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from synthetic.simulation import Child, History, age_at, birthday
from warehouse.domain.collection_year import collection_year

COLUMNS = {
    "Header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "Episodes": ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"],
    "Reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "UASC": ["CHILD", "SEX", "DOB", "DUC"],
    "OC2": ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK",
            "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"],
    "OC3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "AD1": ["CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
            "LS_ADOPTR"],
    "PlacedAdoption": ["CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED",
                       "REASON_PLACED_CEASED"],
    "PrevPerm": ["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
    "Missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "SWEpisodes": ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
}

# File names as different case-management systems export them ({y}: collection year,
# {d}: extract date YYYYMMDD, {la}: ONS code). Files are recognised by columns, not names.
FILE_NAMES = {
    "liquidlogic": {"Header": "header.csv", "Episodes": "episodes.csv", "Reviews": "reviews.csv",
                    "UASC": "uasc.csv", "OC2": "oc2.csv", "OC3": "oc3.csv", "AD1": "ad1.csv",
                    "PlacedAdoption": "placed_for_adoption.csv",
                    "PrevPerm": "previous_permanence.csv", "Missing": "missing.csv",
                    "SWEpisodes": "social_worker_episodes.csv"},
    "mosaic": {t: f"SSDA903_{t}_{{d}}.csv" for t in COLUMNS},
    "eclipse": {t: f"903_{t.lower()}_{{y}}.csv" for t in COLUMNS},
    "carefirst": {t: f"{{la}}_903_{t.upper()}.csv" for t in COLUMNS},
}

# Supported accommodation had to be Ofsted-registered from 28 October 2023: an H5 placement open
# after that carries the provider's URN (rule 230), one that ended before it none (rule 222).
H5_REGISTERED = date(2023, 10, 29)

OC3_ACTIV = (("F1", 6), ("P1", 1), ("F2", 30), ("P2", 4), ("F4", 5), ("P4", 1), ("F5", 12),
             ("P5", 4), ("G4", 8), ("G5", 25), ("G6", 6))
OC3_ACCOM_SUITABLE = (("B", 12), ("D", 20), ("E", 8), ("U", 30), ("Z", 10), ("T", 4), ("C", 2),
                      ("K", 3), ("Y", 2), ("W", 1))
OC3_ACCOM_UNSUITABLE_ONLY = ("S2", "X2", "R2", "V2", "H2", "G2")




def fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _pick(rng: random.Random, options):
    total = sum(w for _, w in options)
    x = rng.random() * total
    for value, weight in options:
        x -= weight
        if x < 0:
            return value
    return options[-1][0]


def _upn(child: Child, dfe_code: str) -> str:
    """A well-formed UPN: check letter + LA number + school + year + serial."""
    year = (child.dob.year + 5) % 100
    body = f"{dfe_code}{(child.number // 1000) % 10000:04d}{year:02d}{child.number % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(body, range(2, 14), strict=True))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] + body


@dataclass
class Extract:
    extract_date: date
    annual: bool
    tables: dict[str, list[list[str]]]


class ExtractBuilder:
    def __init__(self, history: History, seed: int):
        self.history = history
        self.seed = seed
        self.dfe = history.council.dfe_code
        # Care span per child, so each extract only looks at children it can contain.
        self.spans = [(c, c.periods[0].start, max(p.end for p in c.periods))
                      for c in history.children if c.periods]

    def build(self, extract_date: date, annual: bool) -> Extract:
        cy = collection_year(extract_date)
        ws = date(cy - 1, 4, 1)
        e = extract_date
        rows: dict[str, list[list[str]]] = {t: [] for t in COLUMNS}
        in_header: set[str] = set()
        for child, first, last in self.spans:
            if first <= e and last >= ws:
                self._child(child, cy, ws, e, rows, in_header)
        if annual and e == date(cy, 3, 31):
            oldest, youngest = date(cy - 23, 1, 1), date(cy - 16, 12, 31)
            for child, _, _ in self.spans:
                if oldest <= child.dob <= youngest:
                    self._oc3(child, cy, ws, e, rows, in_header)
        else:
            del rows["OC2"], rows["OC3"]
        if cy < 2024:  # SWEpisodes were added to the return in 2023/24
            del rows["SWEpisodes"]
        for table_rows in rows.values():  # by child; each child's rows stay in date order
            table_rows.sort(key=lambda r: int(r[0]))
        return Extract(e, annual, rows)

    # ---- per child -------------------------------------------------------------------------
    def _sex(self, child: Child, cy: int) -> str:
        if cy >= 2025:
            return child.sex
        return "1" if child.sex == "M" else "2"

    def _place(self, place: str, cy: int) -> str:
        if place == "H5" and cy >= 2025:
            return "K3"  # registered supported accommodation replaced H5
        return place

    def _child(self, child: Child, cy: int, ws: date, e: date, rows, in_header) -> None:
        eps = [(p, ep) for p in child.periods for ep in p.episodes
               if ep.decom <= e and (ep.dec is None or ep.dec >= ws)]
        if not eps:
            return
        cid, dob = child.child_id, fmt(child.dob)
        for period, ep in eps:
            ended = ep.dec is not None and ep.dec <= e
            place = self._place(ep.place, cy)
            urn = ep.urn or ""
            if place == "H5" and (cy <= 2023 or period.end < H5_REGISTERED):
                # No URN before registration (222); decided per period so that an L episode
                # keeps its placement's URN (434).
                urn = ""
            rows["Episodes"].append([
                cid, fmt(ep.decom), ep.rne, ep.ls, ep.cin, place, ep.provider or "",
                fmt(ep.dec) if ended else "", (ep.rec or "") if ended else "",
                (ep.rpc or "") if ended else "", ep.home_post or "", ep.pl_post or "", urn])
        # Header
        if child.uasc:
            upn = "UN2"
        elif birthday(child.dob, 4) > date(ws.year - 1, 8, 31):  # not yet of school age (209)
            upn = "UN1"
        else:
            upn = _upn(child, self.dfe)
        mother, mc_dob = "", ""
        if child.sex == "F" and not child.short_breaks:
            last_end = max(min(ep.dec or e, e) for _, ep in eps)
            if child.mc_dob and child.mc_dob <= last_end:
                mother, mc_dob = "1", fmt(child.mc_dob)
            else:
                mother = "0"
        rows["Header"].append([cid, self._sex(child, cy), dob, child.ethnic, upn, mother, mc_dob])
        in_header.add(cid)
        if child.uasc:
            duc = birthday(child.dob, 18)
            last = child.periods[-1]
            if last.rec == "E15" and last.end and last.end <= e:
                duc = last.end
            rows["UASC"].append([cid, self._sex(child, cy), dob, fmt(duc) if duc <= e else ""])
        for d, code in child.reviews:
            if ws <= d <= e:
                rows["Reviews"].append([cid, dob, fmt(d), code])
        for kind, s, end in child.missing:
            if ws <= s <= e:
                rows["Missing"].append([cid, dob, kind, fmt(s), fmt(end) if end <= e else ""])
        for sw_id, s, end, reason in child.sw:
            if s <= e and (end is None or end >= ws):
                known = end is not None and end <= e
                rows["SWEpisodes"].append([cid, dob, sw_id, fmt(s), fmt(end) if known else "",
                                           reason])
        periods = {id(p): p for p, _ in eps}.values()
        for p in periods:
            if p.adoption and p.end and ws <= p.end <= e:
                a = p.adoption
                rows["AD1"].append([cid, dob, fmt(a["DATE_INT"]), fmt(a["DATE_MATCH"]),
                                    a["FOSTER_CARE"], a["NB_ADOPTR"], a["SEX_ADOPTR"],
                                    a["LS_ADOPTR"]])
            for decided, ceased, reason in p.decisions:
                if decided > e or (ceased and ceased < ws):
                    continue
                known = ceased is not None and ceased <= e
                rows["PlacedAdoption"].append([cid, dob, fmt(decided), fmt(ceased) if known else "",
                                               reason if known else ""])
        starts = [p for p in periods if ws <= p.start <= e]
        if starts:
            kind, la, when = starts[-1].prev_perm
            rows["PrevPerm"].append([cid, dob, kind, la or "", fmt(when)])
        if e == date(cy, 3, 31):
            self._oc2(child, cy, ws, e, rows)

    def _oc2(self, child: Child, cy: int, ws: date, e: date, rows) -> None:
        """Children looked after continuously for 12 months at 31 March."""
        if child.short_breaks:
            return
        # Looked after at the end of 31 March with no new period since 1 April a year earlier.
        current = [p for p in child.periods if p.start <= e and (p.end is None or p.end > e)]
        if not current or current[0].start > ws:
            return
        rng = random.Random(f"oc2:{self.seed}:{child.child_id}:{cy}")
        age = age_at(child.dob, e)
        four, seventeen = birthday(child.dob, 4), birthday(child.dob, 17)
        score, reason = "", ""
        if four <= e and seventeen >= ws:  # the validator's boundaries (157, 189, 197B)
            if (ws < four <= e) or (ws <= seventeen <= e):
                reason = "SDQ1"  # under 4 or over 16 at the latest assessment
            elif rng.random() < 0.82:
                score = str(min(40, max(0, int(rng.gauss(14, 7)))))
            else:
                reason = _pick(rng, (("SDQ2", 2), ("SDQ3", 3), ("SDQ4", 4), ("SDQ5", 3)))
        convicted = ("1" if rng.random() < 0.04 else "0") if age >= 10 else ""
        health_check = ("1" if rng.random() < 0.9 else "0") if age < 5 else ""
        substance = "1" if age >= 11 and rng.random() < 0.05 else "0"
        received = offered = ""
        if substance == "1":
            received = "1" if rng.random() < 0.7 else "0"
            if received == "0":
                offered = "1" if rng.random() < 0.6 else "0"
        rows["OC2"].append([
            child.child_id, fmt(child.dob), score, reason, convicted, health_check,
            "1" if rng.random() < 0.86 else "0", "1" if rng.random() < 0.8 else "0",
            "1" if rng.random() < 0.9 else "0", substance, received, offered])

    def _oc3(self, child: Child, cy: int, ws: date, e: date, rows, in_header) -> None:
        """Care leavers whose 17th to 21st birthday falls in the year."""
        age = age_at(child.dob, e)
        if not 17 <= age <= 21 or child.short_breaks or not child.periods:
            return
        sixteen, fourteen = birthday(child.dob, 16), birthday(child.dob, 14)
        care = [p for p in child.periods if p.start <= e]
        if not care or any(p.end is None or p.end > e for p in care):
            return
        if care[-1].rec in ("E2", "E3"):  # died in care / moved to another LA (1000, 1011)
            return
        after_14 = sum(max(0, (p.end - max(p.start, fourteen)).days) for p in care)
        left = max(p.end for p in care)
        if after_14 < 91 or left <= sixteen:
            return  # not a relevant / former relevant child
        bday = birthday(child.dob, age)
        if age <= 18 and left >= bday:
            return  # in care on the birthday: no care-leaver information yet (rules 1007/1016)
        crng = random.Random(f"oc3-life:{self.seed}:{child.child_id}")
        died_at = crng.randrange(17, 22) if crng.random() < 0.004 else 99
        if age > died_at:
            return
        rng = random.Random(f"oc3:{self.seed}:{child.child_id}:{cy}")
        if age == died_at:
            touch = "DIED"
        else:
            touch = _pick(rng, (("YES", 88), ("NO", 5), ("REFU", 3), ("NREQ", 2), ("RHOM", 2)))
        if touch != "YES":
            activ, accom = "0", "0"
        else:
            activ = _pick(rng, OC3_ACTIV)
            if rng.random() < 0.1:
                accom = rng.choice(OC3_ACCOM_UNSUITABLE_ONLY)
            else:
                letter = _pick(rng, OC3_ACCOM_SUITABLE)
                if age == 17 and letter == "Z":  # staying put is not for 17-year-olds (3001)
                    letter = "D"
                if age < 18 and letter == "T":  # no foyers for under-18s (347)
                    letter = "E"
                accom = letter + ("1" if rng.random() < 0.93 else "2")
        if child.child_id not in in_header:
            upn = "UN2" if child.uasc else _upn(child, self.dfe)
            sex = child.sex if cy >= 2025 else ("1" if child.sex == "M" else "2")
            rows["Header"].append([child.child_id, sex, fmt(child.dob), child.ethnic, upn, "", ""])
            in_header.add(child.child_id)
        rows["OC3"].append([child.child_id, fmt(child.dob), touch, activ, accom])


def file_name(system: str, table: str, extract_date: date, la_code: str) -> str:
    return FILE_NAMES[system][table].format(
        y=collection_year(extract_date), d=extract_date.strftime("%Y%m%d"), la=la_code)


def to_csv(table: str, rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS[table])
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def extract_dates(start_year: int, end_year: int, monthly: bool) -> list[tuple[date, bool]]:
    """(extract date, is annual) for annual returns start_year..end_year (collection years, e.g.
    2016 = 2015/16) and, when monthly, month-end year-to-date extracts in the last year."""
    out = [(date(y, 3, 31), True) for y in range(start_year, end_year + 1)]
    if monthly:
        for m in range(4, 15):
            y, mm = (end_year - 1, m) if m <= 12 else (end_year, m - 12)
            nxt = date(y + (mm == 12), mm % 12 + 1, 1)
            out.append((nxt - timedelta(days=1), False))
    return sorted(out)


__all__ = ["COLUMNS", "ExtractBuilder", "collection_year", "extract_dates", "file_name", "to_csv"]
