"""The DfE's published comparators: reference.dfe_published from the vendored files, as the
catalogue's `published` mappings say (warehouse/domain/indicators.yaml), then
marts.indicator_comparators and the views marts.indicator_benchmarks and marts.indicator_parity
(warehouse/sql/marts/)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from warehouse import sqlfiles
from warehouse.domain import catalogue
from warehouse.reference.councils import DFE_DIR

MARTS = ("indicator_comparators", "indicator_benchmarks", "indicator_parity")


@dataclass(frozen=True)
class SourceSelection:
    """One role (value, numerator, denominator) of one indicator: a column of a file's rows."""

    indicator_id: str
    role: str
    file: str
    path: str
    column: str
    condition: str


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def selections() -> list[SourceSelection]:
    """Every cell selection the catalogue's `published` mappings make."""
    result = []
    for ind in catalogue.indicators().values():
        pub = ind.published
        if pub is None:
            continue
        for role in ("value", "numerator", "denominator"):
            sel = getattr(pub, role)
            if sel is None:
                continue
            terms = [f"{_ident(c)} = {_quote(v)}" for c, v in pub.filter]
            terms += [f"{_ident(c)} IN ({', '.join(_quote(v) for v in vals)})"
                      for c, vals in sel.where]
            result.append(SourceSelection(
                ind.indicator_id, role, pub.file, (DFE_DIR / pub.file).as_posix(), sel.column,
                " AND ".join(terms) or "true",
            ))
    return result


def load_dfe_published(conn: duckdb.DuckDBPyConnection) -> int:
    """Replace reference.dfe_published. A mapped file, column or row that is not there, or a
    cell that is neither a number nor a suppression marker, is an error naming the file."""
    chosen = selections()
    for path in sorted({s.path for s in chosen}):
        if not (DFE_DIR / path).is_file():
            raise FileNotFoundError(f"warehouse/reference/dfe: {path} is not there")
    try:
        sqlfiles.run(conn, "reference/dfe_observations.sql", selections=chosen)
    except duckdb.BinderException as exc:
        raise ValueError(f"warehouse/reference/dfe: a mapped column is missing: {exc}") from None
    found = {tuple(r) for r in conn.execute(
        "SELECT DISTINCT indicator_id, role FROM dfe_observations").fetchall()}
    absent = [s for s in chosen if (s.indicator_id, s.role) not in found]
    if absent:
        raise ValueError("; ".join(f"{s.file}: no row where {s.condition} ({s.indicator_id} "
                                   f"{s.role})" for s in absent))
    bad = sqlfiles.query(conn, "reference/dfe_unreadable.sql")
    if bad:
        raise ValueError("; ".join(f"{file}: column {column} has {n} cell(s) that are neither a "
                                   f"number nor a suppression marker ({ind})"
                                   for ind, file, column, n in bad))
    published = {i.indicator_id: i.published for i in catalogue.indicators().values()
                 if i.published}
    computed = ", ".join(_quote(i) for i, p in published.items() if p.value is None)
    sqlfiles.run(conn, "reference/dfe_published.sql", computed=computed,
                 notes={i: p.differs for i, p in published.items()})
    conn.execute("DROP TABLE IF EXISTS dfe_observations")
    return conn.execute("SELECT count(*) FROM reference.dfe_published").fetchall()[0][0]


def build_marts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """marts.indicator_comparators, then its two views; rows of each."""
    for name in MARTS:
        sqlfiles.run(conn, f"marts/{name}.sql")
    return {name: conn.execute(f"SELECT count(*) FROM marts.{name}").fetchall()[0][0]
            for name in MARTS}


def mart_inputs(name: str) -> frozenset[str]:
    """The `schema.table` names marts/<name>.sql reads (for the asset graph)."""
    return frozenset(sqlfiles.tables_read(f"marts/{name}.sql"))
