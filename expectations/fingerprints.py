"""What changed since the last validation: each staging extract's fingerprint of what its
validation reads (its staged files, the same extract's Header for Episodes, the suite and the
validation code, the postcode directory) against the one stored when it was last validated."""

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from expectations import blocks, column_types, derived, gx_engine, results, runner, sqlfiles
from expectations.sqlfiles import table_exists
from expectations.suites import CODE_LISTS_FILE, SUITES_DIR

# Episodes rules read the same extract's Header rows (child present, DOB before DECOM).
EXTRA_INPUTS = {"episodes": ["header"]}
# Where the validation logic lives: a change to any of them validates every extract again.
VALIDATION_MODULES = (derived, results, column_types, gx_engine, blocks, runner)


@cache
def _suite_version(table: str) -> str:
    """Changes when the suite, the code lists or the validation code change."""
    digest = hashlib.sha256()
    paths = [SUITES_DIR / f"{table}.yaml", CODE_LISTS_FILE,
             *(Path(module.__file__) for module in VALIDATION_MODULES)]  # fmt: skip
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _inputs_version(conn, table: str) -> str:
    version = _suite_version(table)
    if table == "episodes":
        # The directory is the package's, read from reference.postcodes or (before that is
        # loaded) from the package itself: its version decides the results.
        from warehouse.reference.postcodes import loaded_version, package_version

        postcodes = package_version()
        if table_exists(conn, "reference", "postcodes"):
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
    if table_exists(conn, "staging", table):
        extras = [x for x in EXTRA_INPUTS.get(table, []) if table_exists(conn, "staging", x)]
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
