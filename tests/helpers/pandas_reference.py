"""An independent plain-pandas/Python implementation of five indicators, written from
spec/indicators.md without looking at (or importing) the SQL: cla_count, cla_starts_12m,
cla_3plus_placements_12m_pct, cla_long_term_stability_pct, cla_over_20_miles_pct.

Input: the history tables as DataFrames (docs/CONTRACTS.md) and a postcode directory DataFrame
(pcd_abbr, oseast1m, osnrth1m, laua). Output: contract rows for breakdown 'all'."""

from __future__ import annotations

import calendar
import datetime as dt
import math

import pandas as pd

IDS = ["cla_count", "cla_starts_12m", "cla_3plus_placements_12m_pct",
       "cla_long_term_stability_pct", "cla_over_20_miles_pct"]
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


def month_ends(history: dict[str, pd.DataFrame]) -> dict[str, list[dt.date]]:
    dates: dict[str, list[dt.date]] = {}
    for frame in history.values():
        for la, extract in zip(frame["la_code"], frame["extract_date"], strict=True):
            dates.setdefault(la, []).append(_date(extract))
    result = {}
    for la, values in dates.items():
        first, latest = min(values), max(values)
        year = first.year if first.month >= 4 else first.year - 1
        month_start = dt.date(year, 4, 1)
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
                placements.append({"start": ep["decom"], "episodes": [i]})
            else:
                placements[-1]["episodes"].append(i)
            left = i
            previous = i
        for k, placement in enumerate(placements):
            nxt = placements[k + 1]["start"] if k + 1 < len(placements) else period["end"]
            placement["end"] = nxt
        return placements

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


def reference_indicators(history: dict[str, pd.DataFrame], postcodes: pd.DataFrame) -> pd.DataFrame:
    directory = {
        str(r.pcd_abbr).upper().replace(" ", ""): (r.oseast1m, r.osnrth1m, r.laua)
        for r in postcodes.itertuples()
    }
    dob = {(r.la_code, r.child): _date(r.dob) for r in history["header"].itertuples()}
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
        children.setdefault(la, []).append(c)

    out = []
    for la, ends in month_ends(history).items():
        for d in ends:
            window_start = add_months(dt.date(d.year, d.month, 1), -11)
            looked_after = starts = three_plus = cohort = stable = over_20 = known = 0
            for c in children.get(la, []):
                starts += sum(1 for p in c.periods
                              if p["observed"] and window_start <= p["start"] <= d)
                state = c.state_at(d)
                if state is None:
                    continue
                period, placement, details = state
                looked_after += 1
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
                (la, "cla_starts_12m", d, starts, None, starts),
                (la, "cla_3plus_placements_12m_pct", d, three_plus, looked_after,
                 pct(three_plus, looked_after)),
                (la, "cla_long_term_stability_pct", d, stable, cohort, pct(stable, cohort)),
                (la, "cla_over_20_miles_pct", d, over_20, known, pct(over_20, known)),
            ]
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
