"""Reading and validating staging extracts in runs (chunks) of about CHUNK_ROWS rows: the rows,
Header rows and known postcodes a run needs, read from DuckDB as Arrow (ChunkInputs, read_chunk),
then validated together (runner.validate_frame) into the frames `store` writes (chunk_results).
Validation reads pandas DataFrames: GX 1.24 cannot validate DuckDB through SQL.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from expectations import derived, sqlfiles
from expectations.fingerprints import EXTRA_INPUTS
from expectations.results import ExpectationResult
from expectations.runner import validate_frame
from expectations.sqlfiles import table_exists
from expectations.store import DQ_COLUMNS, RECORDS_PER_RULE, RESULT_COLUMNS, result_frame
from expectations.suites import load_suite

# What the Episodes rules read of the same extract's Header rows (EXTRA_INPUTS).
HEADER_COLUMNS = ["la_code", "extract_date", "child", "dob"]
# Staging columns no expectation reads (the suites' column sets need only the 903 columns):
# long texts, not read for validation (the error reports read them from staging).
UNREAD_COLUMNS = ["file_id", "source_file"]
# Rows validated together (Great Expectations runs over many extracts at once): bounds memory
# on a regional hub (about 0.5 GB per million Episodes rows).
CHUNK_ROWS = 1_000_000


@dataclass
class ExtractValidation:
    table: str
    la_code: str
    extract_date: date
    rows: int
    results: list[ExpectationResult]


def extract_frame(conn, table: str, la_code: str, extract_date: date) -> pd.DataFrame:
    sql = sqlfiles.render("staging_extract.sql", table=table)
    return conn.execute(sql, {"la_code": la_code, "extract_date": extract_date}).df()


_directory_cache: dict[str, frozenset[str]] = {}


def _directory_letters(letters: set[str]) -> frozenset[str]:
    """Postcodes (pcd_abbr) of the package's directory for the given first letters; used only
    when reference.postcodes has not been loaded into the warehouse yet."""
    from warehouse.reference.postcodes import read_postcodes

    missing = sorted(letters - set(_directory_cache))
    if missing:
        frame = read_postcodes(missing)
        first = frame["pcd_abbr"].str[0]
        for letter in missing:
            _directory_cache[letter] = frozenset(frame.loc[first == letter, "pcd_abbr"])
    return frozenset().union(*(_directory_cache[letter] for letter in letters))


def directory_postcodes(conn, rows: pa.Table) -> frozenset[str]:
    """The directory's postcodes among those of `rows` (the extracts in dq_stale)."""
    if table_exists(conn, "reference", "postcodes"):
        return frozenset(r[0] for r in sqlfiles.query(conn, "known_postcodes.sql"))
    columns = [c for c in ("home_post", "pl_post") if c in rows.column_names]
    values = pd.concat([rows.column(c).to_pandas() for c in columns] or [pd.Series()])
    normalised = derived.normalise_postcode(values.dropna()).dropna()
    present = frozenset(p for p in normalised.unique() if p)
    if not present:
        return frozenset()
    return _directory_letters({p[0] for p in present}) & present


def frame_from_arrow(table: pa.Table, conn=None) -> pd.DataFrame:
    """Rows read through Arrow as DuckDB's .df() gives them (same columns, dtypes and values):
    .df() builds a Python object per text value, several times slower. `conn`: a DuckDB
    connection for the other columns (an in-memory one if None)."""
    text = {f.name for f in table.schema
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)}  # fmt: skip
    others = [name for name in table.column_names if name not in text]
    rest = None
    if others:
        with (conn.cursor() if conn is not None else duckdb.connect()) as local:
            rest = local.from_arrow(table.select(others)).df()
    return pd.DataFrame(
        {name: table.column(name).to_pandas() if name in text else rest[name]
         for name in table.column_names},
        index=pd.RangeIndex(table.num_rows),
    )  # fmt: skip


def read_frame(conn, sql: str, params: dict | None = None) -> pd.DataFrame:
    """A query's rows as DuckDB's .df() gives them, read through Arrow (frame_from_arrow)."""
    return frame_from_arrow(conn.sql(sql, params=params).to_arrow_table(), conn)


def _unread(table: str) -> list[str]:
    """UNREAD_COLUMNS, unless the suite checks the exact column set (GX's default)."""
    exact = any(e.expect == "expect_table_columns_to_match_set"
                and e.kwargs.get("exact_match", True) is not False
                for e in load_suite(table).expectations)  # fmt: skip
    return [] if exact else UNREAD_COLUMNS


def split_chunks(extracts: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """The extracts in runs of about CHUNK_ROWS rows (a larger extract makes a run alone)."""
    sizes = extracts["n_rows"].to_numpy()
    start = total = 0
    for i, size in enumerate(sizes):
        if total and total + size > CHUNK_ROWS:
            yield extracts.iloc[start:i]
            start, total = i, 0
        total += size
    if start < len(extracts):
        yield extracts.iloc[start:]


@dataclass
class ChunkInputs:
    """What validating a run of extracts reads from the warehouse, as Arrow: their rows, the
    Header rows of the same extracts when the table's rules read them (`header_read`; None
    when there is no Header table at all) and the directory's postcodes among theirs."""

    rows: pa.Table
    header_read: bool = False
    header: pa.Table | None = None
    known_postcodes: frozenset[str] | None = None


def read_chunk(conn, table: str, chunk: pd.DataFrame) -> ChunkInputs:
    """Read what validating the given extracts (columns la_code, extract_date) needs."""
    conn.register("dq_stale", chunk[["la_code", "extract_date"]])
    try:
        sql = sqlfiles.render("stale_rows.sql", table=table, skip=_unread(table))
        inputs = ChunkInputs(conn.sql(sql).to_arrow_table())
        if "header" in EXTRA_INPUTS.get(table, []):
            inputs.header_read = True
            if table_exists(conn, "staging", "header"):
                sql = sqlfiles.render("stale_rows.sql", table="header",
                                      columns=HEADER_COLUMNS)  # fmt: skip
                inputs.header = conn.sql(sql).to_arrow_table()
        if table == "episodes":
            inputs.known_postcodes = directory_postcodes(conn, inputs.rows)
    finally:
        conn.unregister("dq_stale")
    return inputs


def _validations(table: str, chunk: pd.DataFrame, inputs: ChunkInputs,
                 conn=None) -> Iterator[ExtractValidation]:  # fmt: skip
    frame = frame_from_arrow(inputs.rows, conn)
    header = None
    if inputs.header is not None:
        header = frame_from_arrow(inputs.header, conn)
    elif inputs.header_read:  # no Header at all: every extract's is empty
        header = pd.DataFrame({"la_code": pd.Series(dtype="str"),
                               "extract_date": pd.Series(dtype="datetime64[us]"),
                               "child": pd.Series(dtype="str"),
                               "dob": pd.Series()})  # fmt: skip
    keys, results = validate_frame(table, frame, header=header,
                                   known_postcodes=inputs.known_postcodes)  # fmt: skip
    rows = {(la, pd.Timestamp(d).date()): int(n) for la, d, n in zip(
        chunk["la_code"], chunk["extract_date"], chunk["n_rows"], strict=True)}  # fmt: skip
    del frame, header
    for (la_code, day), res in zip(keys, results, strict=True):
        key = (la_code, pd.Timestamp(day).date())
        yield ExtractValidation(table, key[0], key[1], rows[key], res)


def validate_extracts(
    conn, table: str, extracts: pd.DataFrame
) -> Iterator[ExtractValidation]:
    """Validate the given extracts (columns la_code, extract_date, n_rows) of staging.<table>,
    all of them together (runner.validate_frame) in runs of about CHUNK_ROWS rows."""
    for chunk in split_chunks(extracts):
        yield from _validations(table, chunk, read_chunk(conn, table, chunk), conn)


def validate_staging(conn, table: str) -> Iterator[ExtractValidation]:
    """Validate every extract of staging.<table>; nothing is written (the benchmark)."""
    if not table_exists(conn, "staging", table):
        return
    extracts = conn.execute(sqlfiles.render("extracts.sql", table=table)).df()
    yield from validate_extracts(conn, table, extracts)


def result_rows(validation: ExtractValidation) -> list[dict]:
    return [
        {
            "la_code": validation.la_code,
            "extract_date": validation.extract_date,
            "table_name": validation.table,
            "expectation": r.expectation,
            "severity": r.severity,
            "success": r.success,
            "evaluated": r.evaluated,
            "unexpected": r.unexpected,
            "unexpected_pct": r.unexpected_pct,
        }
        for r in validation.results
    ]


def first_rows(rows: tuple[int, ...], keep: int | None) -> np.ndarray:
    """The `keep` smallest positions of `rows` (all of them for None), in order."""
    found = np.asarray(rows, dtype=np.int64)
    if keep is not None and len(found) > keep:
        found = np.partition(found, keep - 1)[:keep] if keep > 0 else found[:0]
    return np.sort(found)


def chunk_results(table: str, chunk: pd.DataFrame, inputs: ChunkInputs, conn=None,
                  keep: int | None = RECORDS_PER_RULE) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Validate a run of extracts (read_chunk): the dq_rows, dq_notes and dq_failing frames
    `store` writes, dq_failing with the first `keep` failing rows of each expectation and extract
    (None: all). Reads nothing from the warehouse, so it can run in another process."""
    rows: list[dict] = []
    notes: list[dict] = []
    failing: dict[str, list] = {c: [] for c in RESULT_COLUMNS["dq_failing"]}
    for v in _validations(table, chunk, inputs, conn):
        rows.extend(result_rows(v))
        base = {"la_code": v.la_code, "extract_date": v.extract_date, "table_name": table}
        for r in v.results:
            if r.note:
                notes.append({**base, "expectation": r.expectation, "note": r.note})
            if r.failing_rows:
                kept = first_rows(r.failing_rows, keep).tolist()
                for column, value in {**base, "expectation": r.expectation}.items():
                    failing[column].extend([value] * len(kept))
                failing["row_index"].extend(kept)
    return {
        "dq_rows": result_frame(rows, DQ_COLUMNS),
        "dq_notes": result_frame(notes, RESULT_COLUMNS["dq_notes"]),
        "dq_failing": result_frame(failing, RESULT_COLUMNS["dq_failing"]),
    }
