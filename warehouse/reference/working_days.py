"""reference.working_days: the calendar the review schedule counts working days on.

Weekends and England bank holidays are not working days. Holidays come from the maintained
`holidays` package (spec/indicators.md, "Review schedule"), never a hand list.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import holidays
import pandas as pd

from warehouse import sqlfiles

FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2040, 12, 31)


def england_holidays(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, last.year + 1))
    return {day: name for day, name in calendar.items() if first <= day <= last}


def calendar_frame(first: dt.date = FIRST_DAY, last: dt.date = LAST_DAY) -> pd.DataFrame:
    days = pd.date_range(first, last, freq="D")
    bank_holidays = england_holidays(first, last)
    names = [bank_holidays.get(day.date(), "") for day in days]
    return pd.DataFrame({
        "day": days.date,
        "is_working_day": [d.weekday() < 5 and not n for d, n in zip(days, names, strict=True)],
        "holiday_name": names,
    })


def load_working_days(conn: duckdb.DuckDBPyConnection, first: dt.date = FIRST_DAY,
                      last: dt.date = LAST_DAY) -> int:
    frame = calendar_frame(first, last)
    conn.register("calendar_frame", frame)
    try:
        sqlfiles.run(conn, "reference/working_days.sql", first_day=first.isoformat(),
                     last_day=last.isoformat(), holidays_version=holidays.__version__)
    finally:
        conn.unregister("calendar_frame")
    return len(frame)
