"""Stored results: marts.dq_results, with each extract's notes, failing rows and validation
fingerprint in the quality schema (expectations/sql/create_*.sql), written per table in one
transaction (delete-then-insert per extract)."""

from dataclasses import dataclass

import pandas as pd

from expectations import sqlfiles

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
SLICE = ["la_code", "extract_date", "table_name"]
# Failing rows kept per expectation and extract (the first, in file order) for the error reports,
# which list no more: a million duplicate rows once made a 686 MB CSV no spreadsheet opens, in
# 5.9 GB of memory. marts.dq_results still counts every one.
RECORDS_PER_RULE = 1000
# The frames of validation results `store` writes, with their columns.
RESULT_COLUMNS = {
    "dq_rows": DQ_COLUMNS,
    "dq_notes": [*SLICE, "expectation", "note"],
    "dq_failing": [*SLICE, "expectation", "row_index"],
}


def result_frame(rows: list[dict] | dict[str, list], columns: list[str]) -> pd.DataFrame:
    """Rows as a frame of the given columns, in the dtypes the stored tables take."""
    df = pd.DataFrame(rows, columns=columns)
    if "success" in df.columns:
        df["success"] = df["success"].astype("boolean")
    if "unexpected_pct" in df.columns:
        df["unexpected_pct"] = df["unexpected_pct"].astype("Float64")
    if "row_index" in df.columns:
        df["row_index"] = df["row_index"].astype("int64")
    return df


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
