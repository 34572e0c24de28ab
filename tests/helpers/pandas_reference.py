"""An independent plain-pandas/Python implementation of seven indicators, written from
spec/indicators.md and the catalogue's rules at the edges of the data without looking at (or
importing) the SQL: cla_count, cla_starts_12m, cla_3plus_placements_12m_pct,
cla_long_term_stability_pct, cla_over_20_miles_pct, cla_reviews_in_timescale_pct,
placement_moves_month.

The data covers a council from 1 April of its earliest extract's collection year: a value whose
look-back reaches before then is not published (no row), the review schedule of a period whose
start (or earlier reviews) is not in the data restarts from its first review in the data, and the
first placement of a period that began before the data is not a move.

Input: the history tables as DataFrames (docs/CONTRACTS.md) and a postcode directory DataFrame
(pcd_abbr, oseast1m, osnrth1m, laua). Output: contract rows for breakdown 'all'."""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import math
from functools import cache

import holidays
import pandas as pd

IDS = ["cla_count", "cla_starts_12m", "cla_3plus_placements_12m_pct",
       "cla_long_term_stability_pct", "cla_over_20_miles_pct", "cla_reviews_in_timescale_pct",
       "placement_moves_month"]
TEMPORARY = {"T0", "T1", "T2", "T3", "T4"}


def _date(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if pd.isna(value):
        return None
    return value


def _text(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    value = str(value)
    return value if value.strip() else None


def _norm(postcode):
    return None if postcode is None else postcode.upper().replace(" ", "")


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the last day of the target month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age(dob: dt.date | None, day: dt.date) -> int | None:
    if dob is None:
        return None
    years = day.year - dob.year
    if (day.month, day.day) < (dob.month, dob.day):
        years -= 1
    return years


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def working_days_after(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (weekends and England bank holidays are not)."""
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in _bank_holidays(day.year):
            n -= 1
    return day


def coverage_starts(history: dict[str, pd.DataFrame]) -> dict[str, dt.date]:
    """1 April of the collection year of each LA's earliest extract."""
    first: dict[str, dt.date] = {}
    for frame in history.values():
        for la, extract in zip(frame["la_code"], frame["extract_date"], strict=True):
            extract = _date(extract)
            first[la] = min(first.get(la, extract), extract)
    return {la: dt.date(d.year if d.month >= 4 else d.year - 1, 4, 1) for la, d in first.items()}


def month_ends(history: dict[str, pd.DataFrame]) -> dict[str, list[dt.date]]:
    dates: dict[str, list[dt.date]] = {}
    for frame in history.values():
        for la, extract in zip(frame["la_code"], frame["extract_date"], strict=True):
            dates.setdefault(la, []).append(_date(extract))
    starts = coverage_starts(history)
    result = {}
    for la, values in dates.items():
        latest = max(values)
        month_start = starts[la]
        ends = []
        while True:
            end = dt.date(month_start.year, month_start.month,
                          calendar.monthrange(month_start.year, month_start.month)[1])
            if end > latest:
                break
            ends.append(end)
            month_start = end + dt.timedelta(days=1)
        result[la] = ends
    return result


def _distance(home, placed, directory: dict) -> float | None:
    if home is None or placed is None:
        return None
    a = directory.get(home.upper().replace(" ", ""))
    b = directory.get(placed.upper().replace(" ", ""))
    if a is None or b is None:
        return None
    if any(v is None or math.isnan(v) for v in (a[0], a[1], b[0], b[1])):
        return None
    if str(a[2]).startswith("N") or str(b[2]).startswith("N"):
        return None  # Northern Ireland: Irish grid
    miles = math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) / 1000 / 1.6093
    return math.floor(miles * 10 + 0.5) / 10  # half away from zero, as SQL round()


class Child:
    """One child's episodes split into periods of care and placements."""

    def __init__(self, episodes: list[dict]):
        self.episodes = episodes
        self.periods = []  # dicts: start, end, observed, episode indexes
        current = None
        for i, ep in enumerate(episodes):
            previous = episodes[i - 1] if i else None
            if current is None or ep["rne"] == "S" or previous["rec"] != "X1":
                current = {"episodes": [], "observed": ep["rne"] == "S", "start": ep["decom"]}
                self.periods.append(current)
            current["episodes"].append(i)
        for period in self.periods:
            period["end"] = episodes[period["episodes"][-1]]["dec"]
            period["placements"] = self._placements(period)

    def _placements(self, period) -> list[dict]:
        placements: list[dict] = []
        left = None  # index of the last non-temporary episode
        previous = None
        for i in period["episodes"]:
            ep = self.episodes[i]
            if ep["place"] in TEMPORARY:
                previous = i
                continue
            returning = (
                previous is not None and self.episodes[previous]["place"] in TEMPORARY
                and left is not None and self.episodes[left]["place"] == ep["place"]
                and _norm(self.episodes[left]["pl_post"]) == _norm(ep["pl_post"])
            )
            if left is None or (ep["rne"] in ("S", "P", "B") and not returning):
                # a move: RNE P or B, unless the placement before it is not in the data (the
                # first placement of a period that began before the data)
                move = ep["rne"] in ("P", "B") and (bool(placements) or period["observed"])
                placements.append({"start": ep["decom"], "episodes": [i], "move": move})
            else:
                placements[-1]["episodes"].append(i)
            left = i
            previous = i
        for k, placement in enumerate(placements):
            nxt = placements[k + 1]["start"] if k + 1 < len(placements) else period["end"]
            placement["end"] = nxt
        return placements

    def set_reviews(self, reviews: list[dt.date]) -> None:
        """A period's reviews are the child's reviews on or after its start."""
        for period in self.periods:
            period["reviews"] = [r for r in reviews if r >= period["start"]]

    def state_at(self, d: dt.date):
        """(period, placement, details episode) at the end of day d, or None."""
        current = None
        for i, ep in enumerate(self.episodes):
            if ep["decom"] <= d and (ep["dec"] is None or ep["dec"] > d):
                current = i
        if current is None:
            return None
        period = next(p for p in self.periods if current in p["episodes"])
        placement = None
        for p in period["placements"]:
            if p["episodes"][0] <= current:
                placement = p
        if placement is None:
            return period, None, self.episodes[current]
        details = [i for i in placement["episodes"] if self.episodes[i]["decom"] <= d][-1]
        return period, placement, self.episodes[details]


def review_status(period: dict, coverage_start: dt.date, d: dt.date) -> bool | None:
    """Whether every review due by d in the period was held on time; None when not judged.

    The schedule is known from the period's start only when the start is in the data (RNE S) on
    or after the coverage start; otherwise the reviews before the first one in the data may be
    missing: that review is not judged (the child is judged only once it is held) and each later
    one is due 6 months after the previous."""
    held = period["reviews"][:bisect.bisect_right(period["reviews"], d)]
    if period["observed"] and period["start"] >= coverage_start:
        due = working_days_after(period["start"], 20)
        if due > d:
            return None
        for k, review in enumerate(held):
            if review > due:
                return False
            due = add_months(review, 3 if k == 0 else 6)
        return due > d
    if not held:
        return None
    due = None
    for review in held:
        if due is not None and review > due:
            return False
        due = add_months(review, 6)
    return due > d


def reference_indicators(history: dict[str, pd.DataFrame], postcodes: pd.DataFrame) -> pd.DataFrame:
    directory = {
        str(r.pcd_abbr).upper().replace(" ", ""): (r.oseast1m, r.osnrth1m, r.laua)
        for r in postcodes.itertuples()
    }
    dob = {(r.la_code, r.child): _date(r.dob) for r in history["header"].itertuples()}
    reviews: dict[tuple, list[dt.date]] = {}
    for r in history["reviews"].itertuples():
        if _date(r.review) is not None:
            reviews.setdefault((r.la_code, r.child), set()).add(_date(r.review))
    reviews = {key: sorted(days) for key, days in reviews.items()}
    children: dict[str, list[Child]] = {}
    episodes = history["episodes"].copy()
    episodes = episodes[episodes["decom"].notna()]
    episodes = episodes[~episodes["ls"].isin(["V3", "V4"])]
    for (la, child_id), frame in episodes.groupby(["la_code", "child"], sort=False):
        rows = []
        for r in frame.itertuples():
            rows.append({"decom": _date(r.decom), "dec": _date(r.dec), "rne": _text(r.rne),
                         "rec": _text(r.rec), "place": _text(r.place),
                         "home_post": _text(r.home_post), "pl_post": _text(r.pl_post)})
        rows.sort(key=lambda e: (e["decom"], e["dec"] or dt.date.max))
        c = Child(rows)
        c.key = (la, child_id)
        c.set_reviews(reviews.get(c.key, []))
        children.setdefault(la, []).append(c)

    coverage = coverage_starts(history)
    out = []
    for la, ends in month_ends(history).items():
        for d in ends:
            month_start = dt.date(d.year, d.month, 1)
            window_start = add_months(month_start, -11)
            looked_after = starts = three_plus = cohort = stable = over_20 = known = 0
            judged = on_time = moves = 0
            for c in children.get(la, []):
                starts += sum(1 for p in c.periods
                              if p["observed"] and window_start <= p["start"] <= d)
                moves += sum(1 for p in c.periods for pl in p["placements"]
                             if pl["move"] and month_start <= pl["start"] <= d)
                state = c.state_at(d)
                if state is None:
                    continue
                period, placement, details = state
                looked_after += 1
                status = review_status(period, coverage[la], d)
                if status is not None:
                    judged += 1
                    on_time += status
                overlapping = sum(
                    1 for p in c.periods for pl in p["placements"]
                    if pl["start"] <= d and (pl["end"] is None or pl["end"] >= window_start)
                )
                three_plus += overlapping >= 3
                miles = _distance(details["home_post"], details["pl_post"], directory)
                if miles is not None:
                    known += 1
                    over_20 += miles > 20.0
                years = age(dob.get(c.key), d)
                if years is not None and years < 16 and period["start"] <= add_months(d, -30):
                    cohort += 1
                    two_years_ago = add_months(d, -24)
                    same = placement is not None and placement["start"] <= two_years_ago
                    adoption = False
                    if placement is not None and details["place"] in ("A3", "A4", "A5", "A6"):
                        k = period["placements"].index(placement)
                        adoption = k > 0 and period["placements"][k - 1]["start"] <= two_years_ago
                    stable += same or adoption

            def pct(n, m):
                return 100 * n / m if m else None

            out += [
                (la, "cla_count", d, looked_after, None, looked_after),
                (la, "cla_over_20_miles_pct", d, over_20, known, pct(over_20, known)),
                (la, "cla_reviews_in_timescale_pct", d, on_time, judged, pct(on_time, judged)),
                (la, "placement_moves_month", d, moves, None, moves),
            ]
            # published only when the data covers the look-back: the 12 months ending d; the 2
            # years and 6 months before d
            if window_start >= coverage[la]:
                out += [
                    (la, "cla_starts_12m", d, starts, None, starts),
                    (la, "cla_3plus_placements_12m_pct", d, three_plus, looked_after,
                     pct(three_plus, looked_after)),
                ]
            if add_months(d, -30) >= coverage[la]:
                out.append(
                    (la, "cla_long_term_stability_pct", d, stable, cohort, pct(stable, cohort)))
    frame = pd.DataFrame(out, columns=["la_code", "indicator_id", "period_end", "numerator",
                                       "denominator", "value"])
    frame["breakdown"] = "all"
    return frame


def compare(conn, reference: pd.DataFrame, tolerance: float = 1e-9) -> pd.DataFrame:
    """Rows where marts.indicator_values differs from the reference (or either is missing)."""
    sql = conn.execute(
        "SELECT la_code, indicator_id, period_end, breakdown, numerator, denominator, value "
        "FROM marts.indicator_values WHERE breakdown = 'all' AND indicator_id IN "
        "(SELECT unnest(?::VARCHAR[]))", [IDS]).df()
    sql["period_end"] = pd.to_datetime(sql["period_end"]).dt.date
    ref = reference.copy()
    ref["period_end"] = pd.to_datetime(ref["period_end"]).dt.date
    merged = sql.merge(ref, on=["la_code", "indicator_id", "period_end", "breakdown"],
                       how="outer", suffixes=("_sql", "_ref"), indicator=True)

    def differs(a, b):
        if pd.isna(a) and pd.isna(b):
            return False
        if pd.isna(a) or pd.isna(b):
            return True
        return abs(float(a) - float(b)) > tolerance

    bad = merged.apply(
        lambda r: r["_merge"] != "both" or any(
            differs(r[f"{c}_sql"], r[f"{c}_ref"]) for c in ("numerator", "denominator", "value")),
        axis=1,
    )
    return merged[bad]
