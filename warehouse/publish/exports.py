"""Parquet exports of the marts for BI tools, published atomically, small numbers suppressed.

Usable without Dagster (assets/outputs.py wraps it). Layout under the export root:

    indicator_values/la_code=<LA>/year=<YYYY>/part_0.parquet
    indicator_catalogue/indicator_catalogue.parquet
    dq_results/la_code=<LA>/year=<YYYY>/part_0.parquet
    manifest.json            when, from which warehouse, whether small numbers were suppressed,
                             and the extracts that failed to load (their councils' figures rest
                             on an older load: warehouse/publish/stale.py)

Only marts tables are exported (aggregates); nothing at child level ever leaves the warehouse.

Publishing: each export is written to a hidden folder beside its target
(`.<name>.tmp-<id>`) and swapped in with one rename, so a reader sees either the previous
complete export or the new complete one, never a half-written folder. On Linux the swap is an
atomic exchange (renameat2 RENAME_EXCHANGE); elsewhere two renames. The previous version is
kept as `.<name>.previous` until the next publish, so a reader that listed files just before the
swap can still open them. An empty export is never swapped in over one with rows unless allowed
(an emptied warehouse is far likelier an operator's mistake than the truth).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import sys
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse import sqlfiles
from warehouse.publish.stale import StaleExtract, stale_extracts

SMALL_NUMBER_THRESHOLD = 5  # counts 1-4 are suppressed


@dataclass(frozen=True)
class ExportSpec:
    name: str  # folder under the export root
    sql: str  # warehouse/sql/outputs/<file>: the SELECT that produces it
    source_table: str  # the marts table it reads (checked to exist)
    partition_by: tuple[str, ...] = ()
    suppressible: bool = True  # has the `suppressed` column


EXPORTS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (
        ExportSpec(
            "indicator_values",
            "outputs/indicator_values.sql",
            "marts.indicator_values",
            ("la_code", "year"),
        ),
        ExportSpec(
            "indicator_catalogue",
            "outputs/indicator_catalogue.sql",
            "marts.indicator_catalogue",
            suppressible=False,
        ),
        ExportSpec("dq_results", "outputs/dq_results.sql", "marts.dq_results", ("la_code", "year")),
    )
}


@dataclass
class ExportResult:
    name: str
    path: Path
    rows: int
    suppressed_rows: int
    files: int
    partitions: list[str] = field(default_factory=list)


def export_query(
    name: str, *, suppress: bool = True, threshold: int = SMALL_NUMBER_THRESHOLD
) -> str:
    """The SELECT behind one export (also used by the board report, so the rule is defined once)."""
    if threshold < 1:
        raise ValueError("small-number threshold must be at least 1")
    return sqlfiles.render(EXPORTS[name].sql, suppress=suppress, threshold=int(threshold))


class EmptyExportRefused(RuntimeError):
    """An export with no rows would replace a published one with rows; nothing was replaced."""


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _table_exists(conn: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    sql = sqlfiles.render("outputs/table_exists.sql")
    return bool(conn.execute(sql, [schema, table]).fetchall()[0][0])


# --------------------------------------------------------------------------- atomic publishing

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False when the platform cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def publish_dir(staged: Path, target: Path) -> None:
    """Move a completely written folder into place; keep the replaced one as .<name>.previous."""
    previous = target.with_name(f".{target.name}.previous")
    if previous.exists():
        shutil.rmtree(previous)
    if not target.exists():
        os.rename(staged, target)
    elif _exchange(staged, target):
        os.rename(staged, previous)  # `staged` now holds the old export
    else:
        os.rename(target, previous)
        os.rename(staged, target)


def staging_dir(target: Path) -> Path:
    """A fresh hidden folder beside the target (same file system, so the swap is a rename)."""
    return target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:12]}")


def _clear_leftovers(target: Path) -> None:
    """Remove temp folders a crashed export left behind (exports run one at a time)."""
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)


# --------------------------------------------------------------------------- exporting


def _published_rows(conn: duckdb.DuckDBPyConnection, target: Path) -> int:
    if not any(target.rglob("*.parquet")):
        return 0
    files = _quote_path(target / "**" / "*.parquet")
    return int(conn.execute(sqlfiles.render("outputs/published_rows.sql", files=files))
               .fetchall()[0][0])


def check_not_emptying(conn: duckdb.DuckDBPyConnection, name: str, root: Path, query: str) -> None:
    """Raise EmptyExportRefused when the export would have no rows and the published one has."""
    rows = conn.execute(
        sqlfiles.render("outputs/count_rows.sql", query=query, flagged=False)
    ).fetchall()[0][0]
    target = root / name
    published = _published_rows(conn, target) if rows == 0 else 0
    if published:
        raise EmptyExportRefused(
            f"Refusing to publish an empty {name} export over the published one ({published:,} "
            f"rows) in {target}: {EXPORTS[name].source_table} holds no rows. Nothing was "
            "replaced. If the warehouse was emptied on purpose, run again with "
            "CSC_ALLOW_REMOVAL=1 (or the run config allow_removal: true of parquet_exports)."
        )


def export_table(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    root: Path,
    *,
    suppress: bool = True,
    threshold: int = SMALL_NUMBER_THRESHOLD,
    allow_empty: bool = False,
) -> ExportResult:
    spec = EXPORTS[name]
    if not _table_exists(conn, spec.source_table):
        raise LookupError(f"{spec.source_table} does not exist: build the marts before exporting")
    query = export_query(name, suppress=suppress, threshold=threshold)
    if not allow_empty:
        check_not_emptying(conn, name, root, query)
    root.mkdir(parents=True, exist_ok=True)
    target = root / name
    _clear_leftovers(target)
    staged = staging_dir(target)
    try:
        if spec.partition_by:
            conn.execute(
                sqlfiles.render(
                    "outputs/copy_to_parquet.sql",
                    query=query,
                    target=_quote_path(staged),
                    partition_by=list(spec.partition_by),
                )
            )
            staged.mkdir(exist_ok=True)  # an empty table writes no folder
        else:
            staged.mkdir()
            conn.execute(
                sqlfiles.render(
                    "outputs/copy_to_parquet.sql",
                    query=query,
                    target=_quote_path(staged / f"{name}.parquet"),
                    partition_by=[],
                )
            )
        rows, suppressed_rows = conn.execute(
            sqlfiles.render("outputs/count_rows.sql", query=query, flagged=spec.suppressible)
        ).fetchall()[0]
        files = sorted(staged.rglob("*.parquet"))
        partitions = sorted({str(f.parent.relative_to(staged)) for f in files} - {"."})
        publish_dir(staged, target)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return ExportResult(name, target, int(rows), int(suppressed_rows), len(files), partitions)


def export_all(
    conn: duckdb.DuckDBPyConnection,
    root: Path,
    *,
    names: tuple[str, ...] = tuple(EXPORTS),
    suppress: bool = True,
    threshold: int = SMALL_NUMBER_THRESHOLD,
    warehouse: str | None = None,
    allow_empty: bool = False,
) -> dict[str, ExportResult]:
    """Export the marts as Parquet under `root` and (re)write root/manifest.json.

    Refuses (EmptyExportRefused) before writing anything when an export would empty a published
    one, unless `allow_empty`."""
    if not allow_empty:  # all first: a refusal leaves every export as it was, not just one
        for name in names:
            if _table_exists(conn, EXPORTS[name].source_table):
                query = export_query(name, suppress=suppress, threshold=threshold)
                check_not_emptying(conn, name, root, query)
    results = {
        name: export_table(conn, name, root, suppress=suppress, threshold=threshold,
                           allow_empty=allow_empty)
        for name in names
    }
    write_manifest(root, results, suppress=suppress, threshold=threshold, warehouse=warehouse,
                   stale=stale_extracts(conn))
    return results


def write_manifest(
    root: Path,
    results: dict[str, ExportResult],
    *,
    suppress: bool,
    threshold: int,
    warehouse: str | None,
    stale: Sequence[StaleExtract] = (),
) -> Path:
    manifest = {
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "warehouse": warehouse,
        "small_number_suppression": {
            "applied": suppress,
            "rule": (
                f"counts 1-{threshold - 1} (numerator or denominator) and values derived from "
                "them are NULL, with suppressed = true"
            )
            if suppress
            else "not applied: these files may identify individual children",
        },
        "exports": {
            name: {
                **{k: v for k, v in asdict(r).items() if k not in {"path", "name"}},
                "path": r.path.name,
            }
            for name, r in results.items()
        },
        # Extracts that failed to load: their councils' figures rest on an older load. The
        # messages name files and columns, never values.
        "stale_extracts": [s.as_manifest() for s in stale],
    }
    path = root / "manifest.json"
    for stale in root.glob(".manifest.json.tmp-*"):  # left by a killed export
        stale.unlink(missing_ok=True)
    tmp = root / f".manifest.json.tmp-{uuid.uuid4().hex[:8]}"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp, path)
    return path
