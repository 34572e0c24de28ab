"""Compare two builds: every table of two warehouse files (DuckDB EXCEPT ALL both ways) and,
optionally, two export folders (Parquet, the same way) and two report folders (file contents).

    python scripts/compare_builds.py OLD.duckdb NEW.duckdb [--exports OLD NEW] [--reports OLD NEW]

Columns that record when something ran (loaded_at, checked_at...) and the "generated" times
in pages are left out of the comparison; pass --ignore to leave out others. Prints counts
only; exits 1 on any difference."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import duckdb

TIMESTAMPS = {"loaded_at", "staged_at", "validated_at", "generated_at", "written_at",
              "created_at", "built_at", "exported_at", "reported_at", "checked_at"}
# "generated 06 December 2026 05:05 UTC", "Generated 06/12/2026 05:04 UTC"
GENERATED = re.compile(rb"[Gg]enerated (\d\d/\d\d/\d{4}|\d\d \w+ \d{4}) \d\d:\d\d UTC")


def _tables(conn, alias: str) -> set[tuple[str, str]]:
    return set(conn.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ?", [alias]
    ).fetchall())


def _columns(conn, alias: str, schema: str, table: str, ignore: set[str]) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = ? ORDER BY column_index", [alias, schema, table]).fetchall()
    return [r[0] for r in rows if r[0] not in ignore]


def _diff(conn, left: str, right: str, cols: list[str]) -> tuple[int, int]:
    select = ", ".join(f'"{c}"' for c in cols)
    a = conn.execute(f"SELECT count(*) FROM (SELECT {select} FROM {left} EXCEPT ALL "
                     f"SELECT {select} FROM {right})").fetchone()[0]
    b = conn.execute(f"SELECT count(*) FROM (SELECT {select} FROM {right} EXCEPT ALL "
                     f"SELECT {select} FROM {left})").fetchone()[0]
    return a, b


def compare_warehouses(old: Path, new: Path, ignore: set[str]) -> int:
    conn = duckdb.connect()
    conn.execute(f"ATTACH '{old}' AS old_db (READ_ONLY)")
    conn.execute(f"ATTACH '{new}' AS new_db (READ_ONLY)")
    old_t, new_t = _tables(conn, "old_db"), _tables(conn, "new_db")
    problems = 0
    for s, t in sorted(old_t ^ new_t):
        print(f"only in {'old' if (s, t) in old_t else 'new'}: {s}.{t}")
        problems += 1
    for s, t in sorted(old_t & new_t):
        cols = _columns(conn, "old_db", s, t, ignore)
        if cols != _columns(conn, "new_db", s, t, ignore):
            print(f"{s}.{t}: columns differ")
            problems += 1
            continue
        rows = conn.execute(f'SELECT count(*) FROM old_db."{s}"."{t}"').fetchone()[0]
        a, b = _diff(conn, f'old_db."{s}"."{t}"', f'new_db."{s}"."{t}"', cols)
        print(f"{s}.{t}: {rows} rows; {a} only in old, {b} only in new")
        problems += bool(a or b)
    return problems


def compare_exports(old: Path, new: Path, ignore: set[str]) -> int:
    conn = duckdb.connect()
    problems = 0
    for folder in sorted(p for p in old.iterdir() if p.is_dir() and not p.name.startswith(".")):
        other = new / folder.name
        if not other.is_dir():
            print(f"export {folder.name}: missing in new")
            problems += 1
            continue
        left = f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
        right = f"read_parquet('{other}/**/*.parquet', hive_partitioning = true)"
        cols = [d[0] for d in conn.execute(f"SELECT * FROM {left} LIMIT 0").description
                if d[0] not in ignore]
        rows = conn.execute(f"SELECT count(*) FROM {left}").fetchone()[0]
        a, b = _diff(conn, left, right, cols)
        print(f"export {folder.name}: {rows} rows; {a} only in old, {b} only in new")
        problems += bool(a or b)
    return problems


def _content(path: Path) -> bytes:
    """A file's bytes without the time it was generated. A PDF (Chromium's print of a page)
    stamps its own times and ids: only its presence is compared; its page is the HTML beside it."""
    if path.suffix == ".pdf":
        return b"pdf"
    return GENERATED.sub(b"generated <time>", path.read_bytes())


def compare_files(old: Path, new: Path, what: str) -> int:
    files_old = {p.relative_to(old) for p in old.rglob("*") if p.is_file()}
    files_new = {p.relative_to(new) for p in new.rglob("*") if p.is_file()}
    differing = [p for p in sorted(files_old & files_new)
                 if _content(old / p) != _content(new / p)]
    print(f"{what}: {len(files_old)} files old, {len(files_new)} new, "
          f"{len(files_old ^ files_new)} in one only, {len(differing)} with different content")
    for p in differing[:10]:
        print(f"  differs: {p}")
    return len(files_old ^ files_new) + len(differing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--exports", nargs=2, type=Path)
    parser.add_argument("--reports", nargs=2, type=Path)
    parser.add_argument("--restricted", nargs=2, type=Path)
    parser.add_argument("--ignore", nargs="*", default=[])
    args = parser.parse_args()
    ignore = TIMESTAMPS | set(args.ignore)
    problems = compare_warehouses(args.old, args.new, ignore)
    if args.exports:
        problems += compare_exports(*args.exports, ignore)
    if args.reports:
        problems += compare_files(*args.reports, "reports")
    if args.restricted:
        problems += compare_files(*args.restricted, "restricted")
    print("identical" if not problems else f"{problems} difference(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
