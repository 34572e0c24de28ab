"""Messy-input injection: the faults real council exports have, applied to written extracts.

Each kind is applied to a deterministic subset of files (and rows) chosen from the seed, and every
injection is returned as a record (kind, file, rows, detail) so tests can assert on it. Row numbers
are as a spreadsheet shows them in the original file (header = row 1).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

KINDS = ("bom", "cp1252", "iso_dates", "excel_dates", "float_ids", "whitespace",
         "lowercase_codes", "blank_rows", "duplicate_rows", "extra_columns", "empty_file",
         "renamed_files")

DATE_COLUMNS = {"DOB", "MC_DOB", "DECOM", "DEC", "REVIEW", "DUC", "DATE_INT", "DATE_MATCH",
                "DATE_PLACED", "DATE_PLACED_CEASED", "DATE_PERM", "MIS_START", "MIS_END",
                "SW_DECOM", "SW_DEC"}
CODE_COLUMNS = {"RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE",
                "REVIEW_CODE", "MISSING", "SW_REASON", "ETHNIC", "SDQ_REASON", "IN_TOUCH",
                "ACTIV", "ACCOM", "PREV_PERM", "SEX_ADOPTR", "LS_ADOPTR", "REASON_PLACED_CEASED"}
# Applied to the parsed rows in this order; encodings and renames come after.
ROW_KINDS = ("float_ids", "iso_dates", "excel_dates", "lowercase_codes", "whitespace",
             "extra_columns", "cp1252", "duplicate_rows", "blank_rows")


@dataclass
class Injection:
    kind: str
    file: str  # path relative to the output directory (after any rename)
    rows: list[int] = field(default_factory=list)
    detail: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _excel_forms(d: date, i: int) -> str:
    forms = (
        lambda: datetime(d.year, d.month, d.day).strftime("%Y-%m-%d %H:%M:%S"),
        lambda: d.strftime("%d/%m/%Y 00:00"),
        lambda: d.strftime("%d-%b-%y"),
        lambda: str((d - date(1899, 12, 30)).days),  # Excel serial number
    )
    return forms[i % len(forms)]()


def inject(out_dir: str | Path, kinds, seed: int = 0) -> list[Injection]:
    """Apply each of `kinds` to a deterministic subset of the extract CSVs under `out_dir`."""
    out = Path(out_dir)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown dirt kinds: {sorted(unknown)}; known: {', '.join(KINDS)}")
    files = sorted(p for p in out.glob("*/*/*.csv") if p.parent.parent.name != "reference"
                   and p.stat().st_size > 0)
    plan: dict[Path, list[str]] = {}
    for kind in KINDS:  # canonical order, whatever order the caller gave
        if kind not in kinds or kind == "empty_file":
            continue
        rng = random.Random(f"dirt:{seed}:{kind}")
        candidates = [f for f in files if _applies(kind, f, plan.get(f, []))]
        for f in rng.sample(candidates, max(1, len(candidates) // 10)):
            plan.setdefault(f, []).append(kind)
    records: list[Injection] = []
    for f in sorted(plan):
        records.extend(_dirty_file(out, f, plan[f], seed))
    if "empty_file" in kinds:
        rng = random.Random(f"dirt:{seed}:empty_file")
        dirs = sorted({f.parent for f in files})
        for d in rng.sample(dirs, max(1, len(dirs) // 10)):
            target = d / "export_errors.csv"
            target.write_bytes(b"")
            records.append(Injection("empty_file", str(target.relative_to(out)), [],
                                     "zero-byte extra CSV"))
    return records


def _applies(kind: str, path: Path, planned: list[str]) -> bool:
    """Whether `kind` can show in this file (row kinds need rows and the right columns)."""
    # A BOM on a Windows-1252 file would be a third fault: whichever is planned first (KINDS
    # order) keeps the other off the file.
    if kind in ("bom", "cp1252"):
        return ({"bom", "cp1252"} - {kind}).isdisjoint(planned)
    if kind in ("extra_columns", "renamed_files", "whitespace"):
        return True
    lines = path.read_text(encoding="utf-8").split("\n")
    if len([x for x in lines[1:] if x]) == 0:
        return False
    if kind == "lowercase_codes":
        return bool(set(lines[0].split(",")) & CODE_COLUMNS)
    return True


def _dirty_file(out: Path, path: Path, kinds: list[str], seed: int) -> list[Injection]:
    rng = random.Random(f"dirt:{seed}:{path.relative_to(out)}")
    text = path.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    rel = str(path.relative_to(out))
    records: list[Injection] = []
    n_pick = max(1, len(body) // 10) if body else 0

    def some_rows() -> list[int]:
        return sorted(rng.sample(range(len(body)), min(n_pick, len(body))))

    encoding, bom = "utf-8", False
    for kind in ROW_KINDS:
        if kind not in kinds:
            continue
        changed: list[int] = []
        if kind == "float_ids" and "CHILD" in header:
            col = header.index("CHILD")
            for i in some_rows():
                body[i][col] = body[i][col] + ".0"
                changed.append(i + 2)
        elif kind in ("iso_dates", "excel_dates"):
            cols = [j for j, c in enumerate(header) if c.strip() in DATE_COLUMNS]
            for n, i in enumerate(some_rows()):
                for j in cols:
                    v = body[i][j]
                    try:
                        d = datetime.strptime(v, "%d/%m/%Y").date()
                    except ValueError:
                        continue
                    body[i][j] = d.isoformat() if kind == "iso_dates" else _excel_forms(d, n)
                    changed.append(i + 2)
        elif kind == "lowercase_codes":
            cols = [j for j, c in enumerate(header) if c.strip() in CODE_COLUMNS]
            for i in some_rows():
                for j in cols:
                    if body[i][j] != body[i][j].lower():
                        body[i][j] = body[i][j].lower()
                        changed.append(i + 2)
        elif kind == "whitespace":
            header = [f" {c}" if j % 3 == 1 else (f"{c} " if j % 3 == 2 else c)
                      for j, c in enumerate(header)]
            for i in some_rows():
                body[i] = [f" {v} " if v else v for v in body[i]]
                changed.append(i + 2)
        elif kind in ("extra_columns", "cp1252"):
            name, value = (("Team", "Looked After Children 2") if kind == "extra_columns"
                           else ("Worker Note", "Réviewed – see café notes"))
            header = [*header, name]
            body = [[*r, value] for r in body]
            if kind == "cp1252":
                encoding = "cp1252"
            changed = list(range(2, len(body) + 2))
        elif kind == "duplicate_rows" and body:
            picked = some_rows()
            for i in reversed(picked):
                body.insert(i + 1, list(body[i]))
            changed = [i + 2 for i in picked]
        elif kind == "blank_rows":
            at = sorted(rng.sample(range(len(body) + 1), min(3, len(body) + 1)))
            for k, i in enumerate(reversed(at)):
                body.insert(i, [""] * len(header) if k % 2 else [])
            changed = [i + 2 for i in at]
        else:
            continue
        if changed:
            records.append(Injection(kind, rel, sorted(set(changed))))
    if "bom" in kinds:
        bom = True
        records.append(Injection("bom", rel, [], "UTF-8 byte order mark"))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for r in body:
        if r:
            writer.writerow(r)
        else:
            buf.write("\n")
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    if "renamed_files" in kinds:
        new = path.with_name(f"Copy of {path.stem} (2).CSV")
        path.rename(new)
        new_rel = str(new.relative_to(out))
        for r in records:
            r.file = new_rel
        records.append(Injection("renamed_files", new_rel, [], f"was {path.name}"))
    return records
