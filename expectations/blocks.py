"""Many extracts of one table held in one frame (Blocks), and what the runner computes over all
of them at once: the derived rules, GX's batch for one expectation, and a GX result split back
into one result per extract."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from expectations.derived import RULES
from expectations.gx_engine import DERIVED_PREFIX, from_gx, raised
from expectations.results import ExpectationResult, ValidationContext
from expectations.suites import Expectation, code_list

# Each row's extract number (its position in Blocks), where rows of many extracts are together.
SLICE_COLUMN = DERIVED_PREFIX + "slice"
_COLUMN_MAP = ("expect_column_values_to_",)


@dataclass
class Blocks:
    """Many extracts' rows of one table: extract k is rows starts[k]:starts[k + 1] of `frame`."""

    frame: pd.DataFrame  # RangeIndex, the same columns for every extract
    starts: np.ndarray  # n + 1 row offsets
    years: list[int | None]  # collection year of each extract (its code lists)
    postcodes: list[frozenset[str] | None]  # directory each extract is checked against
    header: pd.DataFrame | None  # Header rows of the extracts that have them, with SLICE_COLUMN
    header_kinds: list[tuple | None]  # per extract: None (no Header) or its columns and dtypes

    @property
    def n(self) -> int:
        return len(self.years)

    @cached_property
    def slice_ids(self) -> np.ndarray:
        return np.repeat(np.arange(self.n), np.diff(self.starts))

    @cached_property
    def keyed_frame(self) -> pd.DataFrame:
        """The frame with each row's extract number, for rules keyed by extract."""
        return self.frame.assign(**{SLICE_COLUMN: self.slice_ids})

    @cached_property
    def text_codes(self) -> dict[str, np.ndarray]:
        """Column codes the key rules share (derived._codes_of), for keyed_frame."""
        return {}

    def rows(self, members: list[int]) -> np.ndarray | None:
        """Row positions of the given extracts; None for all of them."""
        if len(members) == self.n:
            return None
        return np.concatenate([np.arange(self.starts[k], self.starts[k + 1]) for k in members])

    def context(self, k: int) -> ValidationContext:
        header = None
        if self.header_kinds[k] is not None:
            rows = self.header[self.header[SLICE_COLUMN].to_numpy() == k]
            header = rows.drop(columns=[SLICE_COLUMN]).reset_index(drop=True)
        return ValidationContext(self.years[k], self.postcodes[k], header)

    def extract(self, k: int) -> pd.DataFrame:
        return self.frame.iloc[self.starts[k] : self.starts[k + 1]].reset_index(drop=True)


def _take(frame: pd.DataFrame, rows: np.ndarray | None) -> pd.DataFrame:
    return frame if rows is None else frame.take(rows)


def derived_blocks(exp: Expectation, blocks: Blocks) -> tuple[pd.Series, list[int]]:
    """A derived rule's values over every extract (its <NA> rows are not counted) and the
    extracts it could be evaluated for. The rule is computed once per group of extracts that
    share its inputs (Header or not, directory, collection year), the extract in its key."""
    rule_ = RULES[exp.derived]
    n = blocks.n
    if rule_.needs == "header":
        kinds = blocks.header_kinds
    elif rule_.needs == "postcodes":
        kinds = [None if p is None else id(p) for p in blocks.postcodes]
    elif rule_.needs == "year" and rule_.code_lists:  # alike where its code lists are
        kinds = [tuple(code_list(name, y) for name in rule_.code_lists) for y in blocks.years]
    elif rule_.needs == "year":
        kinds = list(blocks.years)
    else:
        kinds = [0] * n
    groups: dict[Any, list[int]] = {}
    for k, kind in enumerate(kinds):
        groups.setdefault(kind, []).append(k)
    if not rule_.keyed and not (rule_.per_row and rule_.needs != "header"):
        # reads several rows (or one extract's Header) without a key: one extract at a time
        groups = {(kind, k): [k] for kind, members in groups.items() for k in members}
    total = len(blocks.frame)
    data, missing = np.zeros(total, dtype=bool), np.ones(total, dtype=bool)
    evaluated: list[int] = []
    for members in groups.values():
        rows = blocks.rows(members)
        first = members[0]
        header = None
        if rule_.needs == "header" and blocks.header_kinds[first] is not None:
            in_group = np.isin(blocks.header[SLICE_COLUMN].to_numpy(), members)
            header = blocks.header if in_group.all() else blocks.header[in_group]
        kwargs = dict(exp.kwargs)
        sub = _take(blocks.frame, rows)
        if rule_.keyed:
            kwargs["by"] = (SLICE_COLUMN,)
            if rows is None:  # the same frame (and codes of its columns) for every keyed rule
                sub = blocks.keyed_frame
                if rule_.shares_codes:
                    kwargs["codes"] = blocks.text_codes
            else:
                sub = sub.assign(**{SLICE_COLUMN: blocks.slice_ids[rows]})
        elif header is not None:  # one extract's own Header
            header = header.drop(columns=[SLICE_COLUMN]).reset_index(drop=True)
        ctx = ValidationContext(blocks.years[first], blocks.postcodes[first], header)
        values = RULES[exp.derived].fn(sub, ctx, **kwargs)
        if values is None:
            continue  # input not supplied
        values = values.astype("boolean").reindex(sub.index)
        at = slice(None) if rows is None else rows
        data[at] = values.fillna(False).to_numpy(dtype=bool)
        missing[at] = values.isna().to_numpy()
        evaluated.extend(members)
    return pd.Series(pd.arrays.BooleanArray(data, missing)), sorted(evaluated)


def _missing_rows(exp: Expectation, res: dict, frame: pd.DataFrame) -> np.ndarray | None:
    """The rows GX counts in `missing_count`, or None if unknown."""
    if "missing_count" not in res:
        return np.zeros(len(frame), dtype=bool)
    kw = exp.kwargs
    if exp.kind == "derived":
        return frame[DERIVED_PREFIX + exp.name].isna().to_numpy()
    if exp.expect.startswith(_COLUMN_MAP) and "column" in kw:
        return frame[kw["column"]].isna().to_numpy()
    if "column_A" in kw and "column_B" in kw:
        a, b = frame[kw["column_A"]].isna().to_numpy(), frame[kw["column_B"]].isna().to_numpy()
        mode = kw.get("ignore_row_if", "both_values_are_missing")
        if mode == "either_value_is_missing":
            return a | b
        if mode == "both_values_are_missing":
            return a & b
    return None


def split_blocks(
    exp: Expectation,
    gx_result,
    blocks: Blocks,
    members: list[int],
    rows: np.ndarray | None,
    frame: pd.DataFrame,
) -> list[ExpectationResult] | None:
    """One GX result over the rows of `members` split into one result per extract (in the
    order of `members`); None when it cannot be split exactly."""
    if raised(gx_result) or "mostly" in exp.kwargs:
        return None
    if exp.expect == "expect_table_columns_to_match_set":
        # a property of the table's columns: the same for every extract
        return [from_gx(exp, gx_result, None) for _ in members]
    res = gx_result.result or {}
    indices = np.asarray(res.get("unexpected_index_list") or [], dtype=np.int64)
    if len(indices) != int(res.get("unexpected_count", 0) or 0):
        return None
    if int(res.get("element_count", -1)) != len(frame):
        return None
    missing = _missing_rows(exp, res, frame)
    if missing is None or int(missing.sum()) != int(res.get("missing_count", 0) or 0):
        return None
    n = blocks.n
    ids = blocks.slice_ids if rows is None else blocks.slice_ids[rows]
    missing_per = np.bincount(ids, weights=missing, minlength=n).astype(np.int64)
    failing = indices if rows is None else rows[indices]  # positions in blocks.frame
    failing_ids = blocks.slice_ids[failing]
    order = np.argsort(failing_ids, kind="stable")  # by extract, GX's order within each
    failing, failing_ids = failing[order], failing_ids[order]
    bounds = np.searchsorted(failing_ids, np.arange(n + 1))
    numbers = None
    if "row_number" in blocks.frame.columns:
        numbers = blocks.frame["row_number"].take(failing).to_numpy(dtype=object, na_value=None)
    evaluated_per = (np.diff(blocks.starts) - missing_per).tolist()
    bounds, starts = bounds.tolist(), blocks.starts.tolist()
    failing_list = failing.tolist()
    out = []
    for k in members:
        evaluated, unexpected = evaluated_per[k], bounds[k + 1] - bounds[k]
        local: tuple[int, ...] = ()
        row_numbers: tuple[int, ...] = ()
        if unexpected:
            local = tuple(i - starts[k] for i in failing_list[bounds[k] : bounds[k + 1]])
            if numbers is not None:
                values = numbers[bounds[k] : bounds[k + 1]]
                row_numbers = tuple(int(v) for v in values if v is not None and pd.notna(v))
        out.append(
            ExpectationResult(
                table_name=exp.table,
                expectation=exp.name,
                severity=exp.severity,
                success=unexpected == 0,
                evaluated=evaluated,
                unexpected=unexpected,
                unexpected_pct=(100.0 * unexpected / evaluated) if evaluated else None,
                failing_rows=local,
                failing_row_numbers=row_numbers,
            )
        )
    if bool(gx_result.success) != all(r.success for r in out):
        return None
    return out


def gx_frame(exp: Expectation, blocks: Blocks, rows, derived: pd.Series | None) -> pd.DataFrame:
    """The batch GX validates one expectation on: only the columns it reads."""
    if exp.kind == "derived":
        values = derived if rows is None else derived.take(rows).reset_index(drop=True)
        return pd.DataFrame({DERIVED_PREFIX + exp.name: values})
    if exp.expect == "expect_table_columns_to_match_set":
        return blocks.frame.iloc[:0]  # the columns are all it reads
    columns = [c for c in exp.required_columns() if c in blocks.frame.columns]
    if not exp.expect.startswith("expect_column") or not columns:
        columns = list(blocks.frame.columns)  # not known what it reads: everything
    frame = blocks.frame[list(dict.fromkeys(columns))]
    return frame if rows is None else frame.take(rows).reset_index(drop=True)


def frame_kind(header: pd.DataFrame | None) -> tuple | None:
    """A frame's columns and dtypes (None for no frame): what extracts must share to be
    validated together."""
    if header is None:
        return None
    return tuple(header.columns), tuple(str(t) for t in header.dtypes)
