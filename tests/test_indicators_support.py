"""Helpers for the hand-built indicator tests (no tests here).

The postcode directory stand-in has made-up grid references chosen so that distances are easy to
work out by hand: HD1 1AA is the origin (400000, 400000)."""

from __future__ import annotations

import duckdb
import pandas as pd

from tests.helpers import history_contract
from tests.helpers.build import build_from_history

LA = "E08000034"  # Kirklees (metropolitan: its own upper tier)
LANCS = "E10000017"  # Lancashire (county: districts map to it)

# pcd, easting, northing, laua; distance from HD1 1AA worked out by hand:
POSTCODES = [
    ("HD1 1AA", 400000, 400000, "E08000034"),  # home
    ("HD2 2BB", 403000, 404000, "E08000034"),  # 5,000 m = 3.1069 -> 3.1 miles, inside Kirklees
    ("LS1 1AA", 400000, 432187, "E08000035"),  # 32,187 m = 20.0006 -> 20.0 miles: NOT over 20
    ("LS2 2BB", 400000, 432270, "E08000035"),  # 32,270 m = 20.0522 -> 20.1 miles: over 20
    ("LA1 1AA", 347000, 461000, "E07000121"),  # Lancaster district -> Lancashire E10000017
    ("BT1 1AA", 333000, 374000, "N09000003"),  # Northern Ireland: Irish grid, distance unknown
]


def postcode_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "pcd": [p[0] for p in POSTCODES],
        "oseast1m": [float(p[1]) for p in POSTCODES],
        "osnrth1m": [float(p[2]) for p in POSTCODES],
        "laua": [p[3] for p in POSTCODES],
        "pcd_abbr": [p[0].replace(" ", "") for p in POSTCODES],
    })


def start(conn: duckdb.DuckDBPyConnection) -> None:
    history_contract.create_history_tables(conn)


def add(conn, table: str, rows: list[dict], la_code: str = LA, extract_date: str = "2025-03-31"):
    history_contract.insert_rows(conn, table, rows, la_code=la_code, extract_date=extract_date)


def build(conn) -> None:
    build_from_history(conn, postcode_frame=postcode_frame())


def row(conn, indicator_id: str, period_end: str, breakdown: str = "all", la_code: str = LA):
    """(numerator, denominator, value) of one contract row; fails unless exactly one exists."""
    rows = conn.execute(
        "SELECT numerator, denominator, value FROM marts.indicator_values "
        "WHERE la_code = ? AND indicator_id = ? AND period_end = ?::DATE AND breakdown = ?",
        [la_code, indicator_id, period_end, breakdown],
    ).fetchall()
    assert len(rows) == 1, (indicator_id, period_end, breakdown, rows)
    return rows[0]


def no_rows(conn, indicator_id: str, period_end: str, la_code: str = LA) -> bool:
    """True when the indicator has no row at all (any breakdown) for the LA and month end."""
    return conn.execute(
        "SELECT count(*) FROM marts.indicator_values "
        "WHERE la_code = ? AND indicator_id = ? AND period_end = ?::DATE",
        [la_code, indicator_id, period_end],
    ).fetchall()[0][0] == 0


def value(conn, indicator_id: str, period_end: str, breakdown: str = "all", la_code: str = LA):
    return row(conn, indicator_id, period_end, breakdown, la_code)[2]


def episode(child, decom, rne, ls, place, dec=None, rec=None, home="HD1 1AA", pl="HD2 2BB",
            reason=None, provider=None) -> dict:
    return {"CHILD": child, "DECOM": decom, "RNE": rne, "LS": ls, "PLACE": place, "DEC": dec,
            "REC": rec, "HOME_POST": home, "PL_POST": pl, "REASON_PLACE_CHANGE": reason,
            "PLACE_PROVIDER": provider}


def child(child_id, dob, sex="M", ethnic="WBRI") -> dict:
    return {"CHILD": child_id, "DOB": dob, "SEX": sex, "ETHNIC": ethnic}
