"""Validation of staging extracts with the Great Expectations suites, stored in the warehouse.

The data is validated once: a staging table's extracts (la_code, extract_date) are validated only
when what their validation reads changed (their staged files, the same extract's Header for
Episodes, the suite, the postcode directory), by whichever comes first: the staging step (in the
validation process, expectations/validation_process.py, see `Prevalidation`), the table's asset
checks or dq_results_and_reports. The results go to marts.dq_results (delete-then-insert per
extract) with their notes and failing rows in the quality schema. All new extracts of a table are
validated together (in runs of about CHUNK_ROWS rows, expectations.runner.validate_frame: one
Great Expectations run per expectation and form of its code lists, over every extract), as
pandas DataFrames read from DuckDB through Arrow (GX 1.24 cannot validate DuckDB through SQL).
"""

import hashlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from expectations import derived, runner, sqlfiles
from expectations.runner import ExpectationResult, validate_frame
from expectations.suites import CODE_LISTS_FILE, SUITES_DIR, TABLES, load_suite

# Episodes rules read the same extract's Header rows (child present, DOB before DECOM).
EXTRA_INPUTS = {"episodes": ["header"]}
HEADER_COLUMNS = ["la_code", "extract_date", "child", "dob"]  # what those rules read of it
# Staging columns no expectation reads (the suites' column sets need only the 903 columns):
# long texts, not read for validation (the error reports read them from staging).
UNREAD_COLUMNS = ["file_id", "source_file"]
# Rows validated together (Great Expectations runs over many extracts at once): bounds memory
# on a regional hub (about 0.5 GB per million Episodes rows).
CHUNK_ROWS = 1_000_000


# ---- reading and validating staging ------------------------------------------------------------


@dataclass
class ExtractValidation:
    table: str
    la_code: str
    extract_date: date
    rows: int
    results: list[ExpectationResult]


def _exists(conn, schema: str, table: str) -> bool:
    return bool(sqlfiles.query(conn, "table_exists.sql", schema=schema, table=table)[0][0])


def _extract_frame(conn, table: str, la_code: str, extract_date: date) -> pd.DataFrame:
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


def _known_postcodes(conn, rows: pa.Table) -> frozenset[str]:
    """The directory's postcodes among those of `rows` (the extracts in dq_stale)."""
    if _exists(conn, "reference", "postcodes"):
        return frozenset(r[0] for r in sqlfiles.query(conn, "known_postcodes.sql"))
    columns = [c for c in ("home_post", "pl_post") if c in rows.column_names]
    values = pd.concat([rows.column(c).to_pandas() for c in columns] or [pd.Series()])
    normalised = derived.normalise_postcode(values.dropna()).dropna()
    present = frozenset(p for p in normalised.unique() if p)
    if not present:
        return frozenset()
    return _directory_letters({p[0] for p in present}) & present


@cache
def _suite_version(table: str) -> str:
    """Changes when the suite, the code lists or the validation code change."""
    digest = hashlib.sha256()
    for path in (SUITES_DIR / f"{table}.yaml", CODE_LISTS_FILE, Path(derived.__file__),
                 Path(runner.__file__)):  # fmt: skip
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _inputs_version(conn, table: str) -> str:
    version = _suite_version(table)
    if table == "episodes":
        # The directory is the package's, read from reference.postcodes or (before that is
        # loaded) from the package itself: its version decides the results.
        from warehouse.reference.postcodes import loaded_version, package_version

        postcodes = package_version()
        if _exists(conn, "reference", "postcodes"):
            postcodes = loaded_version(conn) or "loaded"
        version = f"{version}|postcodes={postcodes}"
    return version


_BY_FILES = "string_agg(DISTINCT file_id, ',' ORDER BY file_id)"
_BY_CONTENT = "CAST(count(*) AS VARCHAR) || ':' || CAST(sum(CAST(hash(t) AS HUGEINT)) AS VARCHAR)"


def _ids_expression(conn, table: str) -> str:
    """What identifies an extract's rows: its staged file ids (content-addressed), or for a
    table built without them, a hash of its rows."""
    sql = sqlfiles.render("column_exists.sql", schema="staging", table=table,
                          column="file_id")  # fmt: skip
    return _BY_FILES if conn.execute(sql).fetchall()[0][0] else _BY_CONTENT


@dataclass(frozen=True)
class Slices:
    """One table's extracts: all of them with their input fingerprints, and which to drop."""

    current: pd.DataFrame  # la_code, extract_date, n_rows, fingerprint, validated_fingerprint
    gone: list[tuple[str, date]]

    @property
    def stale(self) -> pd.DataFrame:
        cur = self.current
        return cur[cur["fingerprint"] != cur["validated_fingerprint"].fillna("")]


def table_slices(conn, table: str) -> Slices:
    if _exists(conn, "staging", table):
        extras = [x for x in EXTRA_INPUTS.get(table, []) if _exists(conn, "staging", x)]
        ids = {t: _ids_expression(conn, t) for t in [table, *extras]}
        sql = sqlfiles.render("slices.sql", table=table, extras=extras, ids=ids)
        current = conn.execute(sql, {"inputs": _inputs_version(conn, table)}).df()
    else:
        current = pd.DataFrame(
            columns=["la_code", "extract_date", "n_rows", "fingerprint", "validated_fingerprint"]
        )
    keys = {(la, pd.Timestamp(d).date()) for la, d in zip(current["la_code"],
                                                           current["extract_date"], strict=True)}
    stored = conn.execute(sqlfiles.render("validated_slices.sql"), {"table": table})
    gone = [(la, d) for la, d in stored.fetchall() if (la, d) not in keys]
    return Slices(current, sorted(gone))


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


def _chunks(extracts: pd.DataFrame) -> Iterator[pd.DataFrame]:
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
            if _exists(conn, "staging", "header"):
                sql = sqlfiles.render("stale_rows.sql", table="header",
                                      columns=HEADER_COLUMNS)  # fmt: skip
                inputs.header = conn.sql(sql).to_arrow_table()
        if table == "episodes":
            inputs.known_postcodes = _known_postcodes(conn, inputs.rows)
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
    for chunk in _chunks(extracts):
        yield from _validations(table, chunk, read_chunk(conn, table, chunk), conn)


def validate_staging(conn, table: str) -> Iterator[ExtractValidation]:
    """Validate every extract of staging.<table>; nothing is written (the benchmark)."""
    if not _exists(conn, "staging", table):
        return
    extracts = conn.execute(sqlfiles.render("extracts.sql", table=table)).df()
    yield from validate_extracts(conn, table, extracts)

# ---- marts.dq_results and the error reports ----------------------------------------------------

DQ_COLUMNS = [
    "la_code",
    "extract_date",
    "table_name",
    "expectation",
    "severity",
    "success",
    "evaluated",
    "unexpected",
    "unexpected_pct",
]


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


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    if "success" in df.columns:
        df["success"] = df["success"].astype("boolean")
    if "unexpected_pct" in df.columns:
        df["unexpected_pct"] = df["unexpected_pct"].astype("Float64")
    if "row_index" in df.columns:
        df["row_index"] = df["row_index"].astype("int64")
    return df


SLICE = ["la_code", "extract_date", "table_name"]


@dataclass(frozen=True)
class Refresh:
    validated: int  # extracts validated this run
    removed: int  # extracts whose results were dropped (gone from staging)
    failed: int  # failed expectations among those validated



@dataclass(frozen=True)
class Validated:
    """One table's changed extracts validated, not yet stored: the frames `store` writes (None:
    nothing to validate or drop)."""

    table: str
    frames: dict[str, pd.DataFrame] | None
    refresh: Refresh


def create_tables(conn) -> None:
    """The quality schema and marts.dq_results, if missing."""
    sqlfiles.run(conn, "create_dq_results.sql")
    sqlfiles.run(conn, "create_state.sql")


RESULT_COLUMNS = {
    "dq_rows": DQ_COLUMNS,
    "dq_notes": [*SLICE, "expectation", "note"],
    "dq_failing": [*SLICE, "expectation", "row_index"],
}


def chunk_results(table: str, chunk: pd.DataFrame, inputs: ChunkInputs,
                  conn=None) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Validate a run of extracts (read_chunk): the dq_rows, dq_notes and dq_failing frames
    `store` writes. Reads nothing from the warehouse, so it can run in another process."""
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
                for column, value in {**base, "expectation": r.expectation}.items():
                    failing[column].extend([value] * len(r.failing_rows))
                failing["row_index"].extend(r.failing_rows)
    return {
        "dq_rows": _frame(rows, DQ_COLUMNS),
        "dq_notes": _frame(notes, RESULT_COLUMNS["dq_notes"]),
        "dq_failing": _frame(failing, RESULT_COLUMNS["dq_failing"]),
    }


# submit(table, chunk, inputs) -> a Future of chunk_results' frames, computed wherever it runs
Submit = Callable[[str, pd.DataFrame, ChunkInputs], "Future[dict[str, pd.DataFrame]]"]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    full = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(full, ignore_index=True) if len(full) > 1 else full[0]


@dataclass(frozen=True)
class PendingValidation:
    """A table's changed extracts, read and being validated (`parts`: one per run of
    extracts); `result` waits for them."""

    table: str
    slices: Slices
    parts: list[Future]

    def result(self) -> Validated:
        table, stale, gone = self.table, self.slices.stale, self.slices.gone
        if stale.empty and not gone:
            return Validated(table, None, Refresh(validated=0, removed=0, failed=0))
        parts = [part.result() for part in self.parts]
        validated = [
            {"la_code": la, "extract_date": d, "table_name": table, "fingerprint": fp}
            for la, d, fp in zip(stale["la_code"], pd.to_datetime(stale["extract_date"]).dt.date,
                                 stale["fingerprint"], strict=True)  # fmt: skip
        ]
        drop = [{"la_code": la, "extract_date": d, "table_name": table} for la, d in gone]
        drop += [{k: v[k] for k in SLICE} for v in validated]
        frames = {
            "dq_drop": _frame(drop, SLICE),
            **{name: _concat([_frame([], columns), *(p[name] for p in parts)])
               for name, columns in RESULT_COLUMNS.items()},
            "dq_validated": _frame(validated, [*SLICE, "fingerprint"]),
        }  # fmt: skip
        failed = int((frames["dq_rows"]["success"] == False).sum())  # noqa: E712 (nullable)
        return Validated(table, frames, Refresh(len(validated), len(gone), failed))


def begin_validation(conn, table: str, submit: Submit | None = None) -> PendingValidation:
    """Read the extracts of staging.<table> whose inputs changed since their last validation
    (and note the extracts no longer in staging), and validate them: with `submit` (see
    Submit), wherever it sends them, else here and now. Reads only (create_tables must have
    run)."""
    slices = table_slices(conn, table)
    parts: list[Future] = []
    for chunk in _chunks(slices.stale):
        inputs = read_chunk(conn, table, chunk)
        if submit is not None:
            parts.append(submit(table, chunk, inputs))
        else:
            parts.append(Future())
            parts[-1].set_result(chunk_results(table, chunk, inputs, conn))
    return PendingValidation(table, slices, parts)


def validate_changed(conn, table: str) -> Validated:
    """Validate the extracts of staging.<table> whose inputs changed since their last validation
    and note the extracts no longer in staging; reads only (create_tables must have run)."""
    return begin_validation(conn, table).result()


def store(conn, validated: Validated) -> Refresh:
    """Write a table's validation in one transaction (replacing the extracts' earlier results)
    and drop the table's results that no recorded validation accounts for."""
    prune = sqlfiles.render("prune_dq_results.sql")
    if validated.frames is None:
        conn.execute(prune, {"table": validated.table})
        return validated.refresh
    for name, df in validated.frames.items():
        conn.register(name, df)
    conn.execute("BEGIN TRANSACTION")
    try:
        sqlfiles.run(conn, "delete_slices.sql")
        sqlfiles.run(conn, "insert_results.sql")
        conn.execute(prune, {"table": validated.table})
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    finally:
        for name in validated.frames:
            conn.unregister(name)
    return validated.refresh


def refresh_table(conn, table: str) -> Refresh:
    """Validate the extracts of staging.<table> whose inputs changed since their last validation
    and store the results; drop the results of extracts no longer in staging."""
    create_tables(conn)
    return store(conn, validate_changed(conn, table))


class Prevalidation:
    """Validates staging tables while the staging step stages the next ones.

    A worker thread reads each staged table's changed extracts through its own cursor (DuckDB
    releases the GIL) and submits them (`submit`: normally to the validation process, which runs
    Great Expectations and pandas on the other core instead of competing with the step for the
    GIL; else validated on the worker thread). Only tables already committed are read. A table
    is read once it and the tables its rules read (EXTRA_INPUTS) that this step stages are
    staged. The results are stored by the calling thread in `finish`. A validation that fails is
    left to the table's checks, which validate it again and fail loudly.

        with Prevalidation(conn, tables=[...], submit=...) as pre:
            for table in ...: stage(table); pre.staged(table)
            refreshed, failed = pre.finish()
    """

    def __init__(self, conn, tables: Iterable[str], submit: Submit | None = None):
        self._conn = conn
        self._todo = [t for t in tables if t in TABLES]
        self._submit = submit
        self._staged: set[str] = set()
        self._reads: dict[str, Future] = {}
        create_tables(conn)
        self._cursor = conn.cursor()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="prevalidate")

    def staged(self, table: str) -> None:
        self._staged.add(table)
        for t in self._todo:
            inputs = [t, *(x for x in EXTRA_INPUTS.get(t, []) if x in self._todo)]
            if t not in self._reads and self._staged.issuperset(inputs):
                self._reads[t] = self._pool.submit(begin_validation, self._cursor, t,
                                                   self._submit)  # fmt: skip

    def finish(self) -> tuple[dict[str, Refresh], list[str]]:
        """Store what was validated. Returns each stored table's counts, and the tables whose
        validation failed (the error's type only: messages may quote values)."""
        refreshed, failed = {}, []
        for table, read in self._reads.items():
            try:
                validated = read.result().result()
            except Exception as exc:  # the table's checks validate it again, and raise
                failed.append(f"{table} ({type(exc).__name__})")
                continue
            refreshed[table] = store(self._conn, validated)
        return refreshed, failed

    def __enter__(self) -> "Prevalidation":
        return self

    def __exit__(self, *exc) -> None:
        for read in self._reads.values():
            read.cancel()
        self._pool.shutdown(wait=True)
        self._cursor.close()
