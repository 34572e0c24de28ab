"""The column-types check (a suite entry with `types:`): pandas dtypes, since GX has no per-table
form of it. For one extract, and for many extracts held in one frame (blocks.Blocks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from expectations.results import ExpectationResult
from expectations.suites import Expectation

if TYPE_CHECKING:
    from expectations.blocks import Blocks


def _dtype_ok(series: pd.Series, kind: str) -> bool:
    dtype = series.dtype
    if series.isna().all():
        return True  # an all-NULL column carries no type information in pandas
    if kind == "date":
        return pd.api.types.is_datetime64_any_dtype(dtype)
    if kind == "int":
        if pd.api.types.is_integer_dtype(dtype):
            return True
        if pd.api.types.is_float_dtype(dtype):
            values = series.dropna()
            return bool((values == values.round()).all())
        return False
    # text: pandas 3 `str`, nullable string or object holding strings
    if pd.api.types.is_string_dtype(dtype):
        if pd.api.types.is_object_dtype(dtype):
            return bool(series.dropna().map(lambda v: isinstance(v, str)).all())
        return True
    return False


def _types_outcome(exp: Expectation, present: list[str], wrong: list[str]) -> ExpectationResult:
    return ExpectationResult(
        table_name=exp.table,
        expectation=exp.name,
        severity=exp.severity,
        success=not wrong,
        evaluated=len(present),
        unexpected=len(wrong),
        unexpected_pct=100.0 * len(wrong) / len(present) if present else None,
        note=f"wrong type: {', '.join(sorted(wrong))}" if wrong else None,
    )


def types_result(exp: Expectation, df: pd.DataFrame) -> ExpectationResult:
    present = [c for c in exp.types if c in df.columns]
    return _types_outcome(exp, present, [c for c in present if not _dtype_ok(df[c], exp.types[c])])


def types_blocks(exp: Expectation, blocks: Blocks) -> list[ExpectationResult]:
    """types_result of every extract, computed over all of them at once: the dtypes are the
    frame's; what differs by extract is whether a column holds any value, and the values of
    float or object columns."""
    frame, n, ids = blocks.frame, blocks.n, blocks.slice_ids
    present = [c for c in exp.types if c in frame.columns]
    wrong = np.zeros((len(present), n), dtype=bool)
    for j, column in enumerate(present):
        series, kind = frame[column], exp.types[column]
        dtype = series.dtype
        valued = series.notna().to_numpy()
        bad_rows = None  # rows whose value breaks the type (when the dtype alone does not say)
        if kind == "date":
            ok = pd.api.types.is_datetime64_any_dtype(dtype)
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(dtype)
            if not ok and pd.api.types.is_float_dtype(dtype):
                ok, bad_rows = True, valued & (series != series.round()).to_numpy()
        elif pd.api.types.is_string_dtype(dtype):
            ok = True
            if pd.api.types.is_object_dtype(dtype):
                is_text = series.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
                bad_rows = valued & ~is_text
        else:
            ok = False
        any_value = np.bincount(ids, weights=valued, minlength=n) > 0
        if bad_rows is not None:
            wrong[j] = any_value & (np.bincount(ids, weights=bad_rows, minlength=n) > 0)
        elif not ok:
            wrong[j] = any_value  # an all-NULL column carries no type information
    return [
        _types_outcome(exp, present, [c for j, c in enumerate(present) if wrong[j, k]])
        for k in range(n)
    ]
