"""Which 903 table a file holds, judged by its columns, never by its name."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.domain.schema import Table, tables

# A file sharing at least this share of a table's columns is taken to be meant as that table,
# so missing columns are reported as an error rather than the file being ignored.
RESEMBLANCE = 0.5


@dataclass(frozen=True)
class Recognition:
    table: Table | None  # the table the file holds (all its columns present)
    resembles: Table | None = None  # when not recognised: the table it seems meant to be
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()

    def describe_failure(self, file_name: str) -> str:
        if self.resembles is None:
            return f"{file_name}: columns match no SSDA903 table"
        return (
            f"{file_name}: looks like the {self.resembles.title} table but lacks required "
            f"column(s) {', '.join(self.missing)}"
        )


def recognise(columns: list[str]) -> Recognition:
    present = {c for c in columns if c}
    complete = [t for t in tables().values() if set(t.columns) <= present]
    if complete:
        # Header holds every UASC column but one; the fullest match wins.
        best = max(complete, key=lambda t: len(t.columns))
        extra = tuple(c for c in columns if c and c not in best.columns)
        return Recognition(table=best, extra=extra)

    def share(t: Table) -> tuple[float, int]:
        hits = len(set(t.columns) & present)
        return hits / len(t.columns), hits

    nearest = max(tables().values(), key=share)
    if share(nearest)[0] < RESEMBLANCE:
        return Recognition(table=None)
    missing = tuple(c for c in nearest.columns if c not in present)
    return Recognition(table=None, resembles=nearest, missing=missing)
