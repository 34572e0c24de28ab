"""Whether an extract can be published from: its Header and Episodes present and usable.

Monthly year-to-date extracts may lack other tables (OC2, OC3, ...), never these two: without
them every figure of the council would be computed from nothing and published as a zero. A core
table is usable when it has a data row, and no more than MAX_UNUSABLE_SHARE of its rows with
content are ones staging would reject (judged by staging's own rule, warehouse/sql/macros.sql,
before the extract's previous load is replaced).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from warehouse import sqlfiles
from warehouse.domain.schema import table
from warehouse.ingest import landing
from warehouse.ingest.parse_files import ParsedFile

CORE_TABLES = ("header", "episodes")
MAX_UNUSABLE_SHARE = 0.5
_NEEDS = "an extract needs a usable Header and Episodes"


@dataclass(frozen=True)
class RowCounts:
    blank: int = 0  # rows without a value: staging rejects them, but they say nothing
    unusable: int = 0  # rows with content that staging would reject


def row_counts(files: list[ParsedFile]) -> dict[str, RowCounts]:
    """Each core-table file's blank and unusable rows (by file_id), one query per table, in a
    DuckDB of its own: the warehouse is not touched."""
    by_table: dict[str, list[pa.Table]] = {}
    for p in files:
        if p.table_name in CORE_TABLES and p.arrow is not None:
            by_table.setdefault(p.table_name, []).append(p.arrow)
    counts: dict[str, RowCounts] = {}
    with duckdb.connect() as conn:
        for name, parts in by_table.items():
            conn.register("parsed_rows", pa.concat_tables(parts))
            for file_id, blank, unusable in sqlfiles.query(conn, "raw/row_usability.sql",
                                                           t=table(name)):  # fmt: skip
                counts[file_id] = RowCounts(blank, unusable)
            conn.unregister("parsed_rows")
    return counts


def _unusable(p: ParsedFile, counts: RowCounts) -> str | None:
    t = table(p.table_name)
    with_content = p.arrow.num_rows - counts.blank
    if with_content == 0:
        blank = f" ({counts.blank:,} blank rows)" if counts.blank else ""
        return f"{p.file.relative_path}: the {t.title} table has no data rows{blank}"
    if counts.unusable > MAX_UNUSABLE_SHARE * with_content:
        return (f"{p.file.relative_path}: {counts.unusable:,} of {with_content:,} {t.title} rows "
                f"cannot be used (a blank or unreadable {' or '.join(t.key)}); more than "
                f"{MAX_UNUSABLE_SHARE:.0%} fails the extract")
    return None


def problem(extract: landing.Extract, files: list[ParsedFile],
            counts: dict[str, RowCounts]) -> str | None:  # fmt: skip
    """What makes the extract incomplete (files, counts and column names only), or None."""
    folder = f"{extract.la_code}/{extract.folder.name}"
    unrecognised = [p.file.path.name for p in files if p.table_name is None]
    missing, problems = [], []
    for name in CORE_TABLES:
        present = [p for p in files if p.table_name == name and p.arrow is not None]
        if not present:
            missing.append(table(name).title)
        for p in present:
            reason = _unusable(p, counts.get(p.file_id, RowCounts()))
            if reason is not None:
                problems.append(reason)
    if missing:
        hint = f" (files not recognised: {', '.join(unrecognised)})" if unrecognised else ""
        problems[:0] = [f"{folder}: no {' and no '.join(missing)} table{hint}", _NEEDS]
    return "; ".join(problems) or None
