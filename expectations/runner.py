"""Run a table's suite over a pandas DataFrame with Great Expectations. No Dagster needed.

    results = validate_table("episodes", df, ValidationContext(known_postcodes=..., header=...))

`df` is one extract's slice of a staging table (docs/CONTRACTS.md): lower-case 903 columns plus
`la_code, extract_date, source_file, row_number`. Great Expectations is imported lazily and one
ephemeral context (no files, no Data Docs, analytics off) is shared by the whole process.

Many extracts at once, with the same results as validate_table on each:

    extracts, results = validate_frame("episodes", rows_of_many_extracts, header=..., ...)
    results = validate_tables("episodes", [(df, ctx), ...])
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from expectations.derived import RULES, row_keys
from expectations.suites import Expectation, Suite, code_list, load_suite
from warehouse.domain.collection_year import collection_year

# Columns GX validates for a derived rule are named after it; they never leave this module.
_DERIVED_PREFIX = "__dq_"


@dataclass(frozen=True)
class ExpectationResult:
    """The outcome of one expectation on one table (one extract).

    `failing_rows` are positions in the validated DataFrame and `failing_row_numbers` the
    matching `row_number`s of the source file: they feed the restricted error report only and
    are kept out of repr, logs and Dagster metadata.
    """

    table_name: str
    expectation: str
    severity: str
    success: bool | None  # None: not evaluated (a column or an input was missing)
    evaluated: int  # values (rows) the expectation looked at
    unexpected: int
    unexpected_pct: float | None
    note: str | None = None
    failing_rows: tuple[int, ...] = field(default=(), repr=False)
    failing_row_numbers: tuple[int, ...] = field(default=(), repr=False)

    @property
    def failed(self) -> bool:
        return self.success is False


@dataclass
class ValidationContext:
    """What a suite needs besides the table itself.

    collection_year: the year containing 31 March (2025 = 2024/25) whose code lists apply;
        None = inferred from the table's `collection_year` or `extract_date` column.
    known_postcodes: postcodes of the ONS Postcode Directory (any spacing/case; a set, list or
        Series), or None to skip the "postcode found" rules. Passing only the postcodes that
        occur in the table is enough.
    header: the Header rows of the same extract (columns child, dob), or None to skip the
        rules that need them.
    """

    collection_year: int | None = None
    known_postcodes: Iterable[str] | None = None
    header: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if self.known_postcodes is not None and not isinstance(self.known_postcodes, frozenset):
            values = pd.Series(list(self.known_postcodes), dtype="string")
            normalised = values.str.upper().str.replace(r"\s+", "", regex=True).dropna()
            self.known_postcodes = frozenset(normalised)

    def for_table(self, df: pd.DataFrame) -> ValidationContext:
        if self.collection_year is not None:
            return self
        return ValidationContext(
            collection_year=infer_collection_year(df),
            known_postcodes=self.known_postcodes,
            header=self.header,
        )


def collection_year_of(extract_date: date | pd.Timestamp) -> int:
    """The collection year (year containing 31 March) an extract date falls in."""
    ts = pd.Timestamp(extract_date)
    return collection_year(ts.date())


def infer_collection_year(df: pd.DataFrame) -> int | None:
    if "collection_year" in df.columns and df["collection_year"].notna().any():
        return int(df["collection_year"].dropna().max())
    if "extract_date" in df.columns and df["extract_date"].notna().any():
        return collection_year_of(pd.to_datetime(df["extract_date"]).max())
    return None


# ---- Great Expectations plumbing (lazy) --------------------------------------------------------

_gx_lock = threading.Lock()
_gx_state: dict[str, Any] = {}


def _gx():
    """The process's GX context and pandas datasource, created on first use."""
    with _gx_lock:
        if not _gx_state:
            # Never send usage statistics; set before GX is imported.
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
            import great_expectations as gx
            import great_expectations.expectations as gxe
            from great_expectations.data_context.types.base import (
                DataContextConfig,
                InMemoryStoreBackendDefaults,
                ProgressBarsConfig,
            )

            config = DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(),
                analytics_enabled=False,
                progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
            )
            context = gx.get_context(mode="ephemeral", project_config=config)
            # GX fingerprints (hashes every value of) each in-memory batch under this size for
            # its batch markers, which nothing here reads: a third of its time on a hub.
            from great_expectations.execution_engine import pandas_execution_engine

            pandas_execution_engine.HASH_THRESHOLD = 0
            datasource = context.data_sources.add_pandas("staging")
            _gx_state.update(gx=gx, gxe=gxe, context=context, datasource=datasource, batches={})
        return _gx_state


def gx_context():
    """The shared ephemeral Great Expectations context."""
    return _gx()["context"]


def _batch_definition(table: str):
    state = _gx()
    with _gx_lock:
        bd = state["batches"].get(table)
        if bd is None:
            asset = state["datasource"].add_dataframe_asset(table)
            bd = asset.add_batch_definition_whole_dataframe(f"{table}_extract")
            state["batches"][table] = bd
        return bd


def _class_name(expect: str) -> str:
    return "".join(part.capitalize() for part in expect.split("_"))


def _resolve(value: Any, collection_year: int | None) -> Any:
    if isinstance(value, dict) and set(value) == {"code_list"}:
        return list(code_list(value["code_list"], collection_year))
    return value


def _gx_expectation(exp: Expectation, collection_year: int | None):
    gxe = _gx()["gxe"]
    if exp.kind == "derived":
        cls, kwargs = (
            gxe.ExpectColumnValuesToBeInSet,
            {
                "column": _DERIVED_PREFIX + exp.name,
                "value_set": [True],
            },
        )
    else:
        cls = getattr(gxe, _class_name(exp.expect))
        kwargs = {k: _resolve(v, collection_year) for k, v in exp.kwargs.items()}
    return cls(**kwargs, meta={"dq_expectation": exp.name})


# ---- the column-types check (pandas dtypes; GX has no per-table form of it) -------------------


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


def _types_result(exp: Expectation, df: pd.DataFrame) -> ExpectationResult:
    present = [c for c in exp.types if c in df.columns]
    return _types_outcome(exp, present, [c for c in present if not _dtype_ok(df[c], exp.types[c])])


def _not_evaluated(exp: Expectation, note: str) -> ExpectationResult:
    return ExpectationResult(
        table_name=exp.table,
        expectation=exp.name,
        severity=exp.severity,
        success=None,
        evaluated=0,
        unexpected=0,
        unexpected_pct=None,
        note=note,
    )


def _from_gx(exp: Expectation, gx_result, row_numbers: pd.Series | None) -> ExpectationResult:
    info = gx_result.exception_info or {}
    raised = info.get("raised_exception") if isinstance(info, dict) else False
    if not raised and isinstance(info, dict):
        raised = any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())
    if raised:
        return _not_evaluated(exp, "Great Expectations could not evaluate this expectation")
    res = gx_result.result or {}
    if exp.expect == "expect_table_columns_to_match_set":
        expected = list(exp.kwargs["column_set"])
        missing = (res.get("details", {}).get("mismatched", {}) or {}).get("missing", []) or []
        return ExpectationResult(
            table_name=exp.table,
            expectation=exp.name,
            severity=exp.severity,
            success=bool(gx_result.success),
            evaluated=len(expected),
            unexpected=len(missing),
            unexpected_pct=100.0 * len(missing) / len(expected),
            note=f"missing columns: {', '.join(sorted(missing))}" if missing else None,
        )
    element_count = int(res.get("element_count", 0) or 0)
    missing_count = int(res.get("missing_count", 0) or 0)
    evaluated = element_count - missing_count
    unexpected = int(res.get("unexpected_count", 0) or 0)
    indices = tuple(int(i) for i in (res.get("unexpected_index_list") or []))
    numbers: tuple[int, ...] = ()
    if row_numbers is not None and indices:
        numbers = tuple(int(n) for n in row_numbers.iloc[list(indices)] if pd.notna(n))
    return ExpectationResult(
        table_name=exp.table,
        expectation=exp.name,
        severity=exp.severity,
        success=bool(gx_result.success),
        evaluated=evaluated,
        unexpected=unexpected,
        unexpected_pct=(100.0 * unexpected / evaluated) if evaluated else None,
        failing_rows=indices,
        failing_row_numbers=numbers,
    )


def _absent_columns(exp: Expectation, columns) -> list[str]:
    """Columns an expectation (and its derived rule) reads that the frame lacks."""
    if exp.expect == "expect_table_columns_to_match_set":
        return []
    needed = exp.required_columns()
    if exp.kind == "derived":
        needed = needed + RULES[exp.derived].requires
    return sorted({c for c in needed if c not in columns})


def validate_table(
    table_name: str,
    df: pd.DataFrame,
    context: ValidationContext | None = None,
    *,
    suite: Suite | None = None,
) -> list[ExpectationResult]:
    """Validate one table (one extract) against its suite; one result per expectation, in the
    order the suite file declares them."""
    suite = suite or load_suite(table_name)
    ctx = (context or ValidationContext()).for_table(df)
    work = df.reset_index(drop=True)
    derived_cols: dict[str, pd.Series] = {}
    outcomes: dict[str, ExpectationResult] = {}
    to_run: list[Expectation] = []

    for exp in suite.expectations:
        if exp.kind == "types":
            outcomes[exp.name] = _types_result(exp, work)
            continue
        absent = _absent_columns(exp, work.columns)
        if absent:
            outcomes[exp.name] = _not_evaluated(exp, f"column missing: {', '.join(absent)}")
            continue
        if exp.kind == "derived":
            values = RULES[exp.derived].fn(work, ctx, **exp.kwargs)
            if values is None:
                outcomes[exp.name] = _not_evaluated(exp, "input not supplied")
                continue
            derived_cols[_DERIVED_PREFIX + exp.name] = values.astype("boolean")
        to_run.append(exp)

    if to_run:
        gx = _gx()["gx"]
        batch_df = work.assign(**derived_cols) if derived_cols else work
        gx_suite = gx.ExpectationSuite(name=f"{table_name}_{ctx.collection_year}")
        for exp in to_run:
            gx_suite.add_expectation(_gx_expectation(exp, ctx.collection_year))
        batch = _batch_definition(table_name).get_batch(batch_parameters={"dataframe": batch_df})
        validation = batch.validate(gx_suite, result_format={"result_format": "COMPLETE"})
        row_numbers = work["row_number"] if "row_number" in work.columns else None
        by_name = {r.expectation_config.meta.get("dq_expectation"): r for r in validation.results}
        for exp in to_run:
            outcomes[exp.name] = _from_gx(exp, by_name[exp.name], row_numbers)

    return [outcomes[e.name] for e in suite.expectations]


# ---- many extracts at once ---------------------------------------------------------------------
#
# Great Expectations' cost is mostly per expectation and per run (building its metric graph), and
# its pandas engine filters the whole batch several times per expectation. So many extracts are
# validated together, each expectation in a run of its own over only the columns it reads, and a
# run per distinct form of the expectation (code lists differ in some collection years). The
# unexpected rows GX reports are split back by extract.

_SLICE = _DERIVED_PREFIX + "slice"
_COLUMN_MAP = ("expect_column_values_to_",)
_resolved_cache: dict[tuple, str] = {}


def _resolved(exp: Expectation, year: int | None) -> str:
    """The expectation's arguments with its code lists resolved for a collection year."""
    key = (exp.table, exp.name, year)
    if key not in _resolved_cache:
        _resolved_cache[key] = repr({k: _resolve(v, year) for k, v in exp.kwargs.items()})
    return _resolved_cache[key]


@dataclass
class _Blocks:
    """Many extracts' rows of one table: extract k is rows starts[k]:starts[k + 1] of `frame`."""

    frame: pd.DataFrame  # RangeIndex, the same columns for every extract
    starts: np.ndarray  # n + 1 row offsets
    years: list[int | None]  # collection year of each extract (its code lists)
    postcodes: list[frozenset[str] | None]  # directory each extract is checked against
    header: pd.DataFrame | None  # Header rows of the extracts that have them, with _SLICE
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
        return self.frame.assign(**{_SLICE: self.slice_ids})

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
            rows = self.header[self.header[_SLICE].to_numpy() == k]
            header = rows.drop(columns=[_SLICE]).reset_index(drop=True)
        return ValidationContext(self.years[k], self.postcodes[k], header)

    def extract(self, k: int) -> pd.DataFrame:
        return self.frame.iloc[self.starts[k] : self.starts[k + 1]].reset_index(drop=True)


def _take(frame: pd.DataFrame, rows: np.ndarray | None) -> pd.DataFrame:
    return frame if rows is None else frame.take(rows)


def _types_blocks(exp: Expectation, blocks: _Blocks) -> list[ExpectationResult]:
    """_types_result of every extract, computed over all of them at once: the dtypes are the
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


def _derived_blocks(exp: Expectation, blocks: _Blocks) -> tuple[pd.Series, list[int]]:
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
            in_group = np.isin(blocks.header[_SLICE].to_numpy(), members)
            header = blocks.header if in_group.all() else blocks.header[in_group]
        kwargs = dict(exp.kwargs)
        sub = _take(blocks.frame, rows)
        if rule_.keyed:
            kwargs["by"] = (_SLICE,)
            if rows is None:  # the same frame (and codes of its columns) for every keyed rule
                sub = blocks.keyed_frame
                if rule_.shares_codes:
                    kwargs["codes"] = blocks.text_codes
            else:
                sub = sub.assign(**{_SLICE: blocks.slice_ids[rows]})
        elif header is not None:  # one extract's own Header
            header = header.drop(columns=[_SLICE]).reset_index(drop=True)
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
        return frame[_DERIVED_PREFIX + exp.name].isna().to_numpy()
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


def _split_blocks(
    exp: Expectation,
    gx_result,
    blocks: _Blocks,
    members: list[int],
    rows: np.ndarray | None,
    frame: pd.DataFrame,
) -> list[ExpectationResult] | None:
    """One GX result over the rows of `members` split into one result per extract (in the
    order of `members`); None when it cannot be split exactly."""
    info = gx_result.exception_info or {}
    raised = info.get("raised_exception") if isinstance(info, dict) else False
    if not raised and isinstance(info, dict):
        raised = any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())
    if raised or "mostly" in exp.kwargs:
        return None
    if exp.expect == "expect_table_columns_to_match_set":
        # a property of the table's columns: the same for every extract
        return [_from_gx(exp, gx_result, None) for _ in members]
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


_single_suites: dict[tuple, Any] = {}


def _single_suite(exp: Expectation, year: int | None):
    """A GX suite of one expectation in the form it takes in a collection year."""
    key = (exp.table, exp.name, _resolved(exp, year))
    with _gx_lock:
        cached = _single_suites.get(key)
    if cached is None:
        gx = _gx()["gx"]
        cached = gx.ExpectationSuite(name=f"{exp.table}_{exp.name}_{len(_single_suites)}")
        cached.add_expectation(_gx_expectation(exp, year))
        with _gx_lock:
            _single_suites[key] = cached
    return cached


def _gx_frame(exp: Expectation, blocks: _Blocks, rows, derived: pd.Series | None) -> pd.DataFrame:
    """The batch GX validates one expectation on: only the columns it reads."""
    if exp.kind == "derived":
        values = derived if rows is None else derived.take(rows).reset_index(drop=True)
        return pd.DataFrame({_DERIVED_PREFIX + exp.name: values})
    if exp.expect == "expect_table_columns_to_match_set":
        return blocks.frame.iloc[:0]  # the columns are all it reads
    columns = [c for c in exp.required_columns() if c in blocks.frame.columns]
    if not exp.expect.startswith("expect_column") or not columns:
        columns = list(blocks.frame.columns)  # not known what it reads: everything
    frame = blocks.frame[list(dict.fromkeys(columns))]
    return frame if rows is None else frame.take(rows).reset_index(drop=True)


def _validate_blocks(
    table_name: str,
    suite: Suite,
    blocks: _Blocks,
    types: dict[str, list[ExpectationResult]] | None = None,
) -> list[list[ExpectationResult]]:
    n = blocks.n
    outcomes: list[dict[str, ExpectationResult]] = [{} for _ in range(n)]
    for exp in suite.expectations:
        if exp.kind == "types":
            found = types[exp.name] if types is not None else _types_blocks(exp, blocks)
            for k, result in enumerate(found):
                outcomes[k][exp.name] = result
            continue
        absent = _absent_columns(exp, blocks.frame.columns)
        if absent:
            for k in range(n):
                outcomes[k][exp.name] = _not_evaluated(exp, f"column missing: {', '.join(absent)}")
            continue
        derived = None
        members = list(range(n))
        if exp.kind == "derived":
            derived, members = _derived_blocks(exp, blocks)
            for k in set(range(n)) - set(members):
                outcomes[k][exp.name] = _not_evaluated(exp, "input not supplied")
        forms: dict[str, list[int]] = {}
        for k in members:
            forms.setdefault(_resolved(exp, blocks.years[k]), []).append(k)
        for group in forms.values():
            rows = blocks.rows(group)
            frame = _gx_frame(exp, blocks, rows, derived)
            gx_suite = _single_suite(exp, blocks.years[group[0]])
            batch = _batch_definition(table_name).get_batch(batch_parameters={"dataframe": frame})
            validation = batch.validate(gx_suite, result_format={"result_format": "COMPLETE"})
            split = _split_blocks(exp, validation.results[0], blocks, group, rows, frame)
            if split is None:  # cannot split exactly: validate each extract on its own
                for k in group:
                    one = validate_table(table_name, blocks.extract(k), blocks.context(k),
                                         suite=suite)  # fmt: skip
                    outcomes[k][exp.name] = next(r for r in one if r.expectation == exp.name)
                continue
            for k, result in zip(group, split, strict=True):
                outcomes[k][exp.name] = result
    return [[found[e.name] for e in suite.expectations] for found in outcomes]


def _frame_kind(header: pd.DataFrame | None) -> tuple | None:
    if header is None:
        return None
    return tuple(header.columns), tuple(str(t) for t in header.dtypes)


def validate_tables(
    table_name: str,
    slices: list[tuple[pd.DataFrame, ValidationContext | None]],
    *,
    suite: Suite | None = None,
) -> list[list[ExpectationResult]]:
    """Validate many extracts of one table, each with its own context: the same results as
    `validate_table` on each, computed for all of them at once (extracts with the same columns
    share every Great Expectations run and derived-rule computation)."""
    suite = suite or load_suite(table_name)
    works, contexts = [], []
    for df, context in slices:
        contexts.append((context or ValidationContext()).for_table(df))
        works.append(df.reset_index(drop=True))
    alike: dict[tuple, list[int]] = {}
    for i, work in enumerate(works):
        alike.setdefault(_frame_kind(work), []).append(i)
    results: list[list[ExpectationResult]] = [[] for _ in slices]
    for members in alike.values():
        frames = [works[i] for i in members]
        lengths = [len(f) for f in frames]
        headers = [
            contexts[i].header.assign(**{_SLICE: k})
            for k, i in enumerate(members)
            if contexts[i].header is not None
        ]
        blocks = _Blocks(
            frame=pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0],
            starts=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            years=[contexts[i].collection_year for i in members],
            postcodes=[contexts[i].known_postcodes for i in members],
            header=pd.concat(headers, ignore_index=True) if headers else None,
            header_kinds=[_frame_kind(contexts[i].header) for i in members],
        )
        # types are a property of each extract's own frame (concatenation may change dtypes)
        types = {
            e.name: [_types_result(e, f) for f in frames]
            for e in suite.expectations
            if e.kind == "types"
        }
        for i, found in zip(members, _validate_blocks(table_name, suite, blocks, types),
                            strict=True):  # fmt: skip
            results[i] = found
    return results


def validate_frame(
    table_name: str,
    frame: pd.DataFrame,
    *,
    header: pd.DataFrame | None = None,
    known_postcodes: Iterable[str] | None = None,
    extract_columns: tuple[str, ...] = ("la_code", "extract_date"),
    suite: Suite | None = None,
) -> tuple[list[tuple], list[list[ExpectationResult]]]:
    """Validate the extracts of one table held in one frame (each extract's rows together, as a
    staging query ordered by `extract_columns` returns them): the same results as
    `validate_table(table_name, rows_of_the_extract, ValidationContext(known_postcodes=...,
    header=its_header_rows))` for each. `header`: the Header rows of the same extracts (an
    extract with none gets an empty Header), or None to skip the rules that need them.

    Returns the extracts (their `extract_columns` values, in the frame's order) and their
    results."""
    suite = suite or load_suite(table_name)
    work = frame.reset_index(drop=True)
    columns = list(extract_columns)
    if work.empty:
        return [], []
    codes, _ = row_keys([work[c] for c in columns], [work[c].iloc[:0] for c in columns])
    starts = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate([[0], starts, [len(work)]]).astype(np.int64)
    n = len(starts) - 1
    if n != codes.max() + 1:
        raise ValueError("validate_frame: each extract's rows must be together")
    firsts = work.iloc[starts[:-1]]
    keys = list(firsts[columns].itertuples(index=False, name=None))
    ids = np.repeat(np.arange(n), np.diff(starts))
    years: list[int | None] = []
    by_year = by_date = None
    if "collection_year" in work.columns:
        by_year = work["collection_year"].groupby(ids).max()
    if "extract_date" in work.columns:
        by_date = pd.to_datetime(work["extract_date"]).groupby(ids).max()
    for k in range(n):  # as infer_collection_year
        if by_year is not None and pd.notna(by_year.iloc[k]):
            years.append(int(by_year.iloc[k]))
        elif by_date is not None and pd.notna(by_date.iloc[k]):
            years.append(collection_year_of(by_date.iloc[k]))
        else:
            years.append(None)
    known = ValidationContext(known_postcodes=known_postcodes).known_postcodes
    header_rows = None
    if header is not None:
        mine, theirs = row_keys([firsts[c] for c in columns], [header[c] for c in columns])
        where = pd.Index(mine).get_indexer(theirs)  # the extract of each Header row
        header_rows = header[where >= 0].assign(**{_SLICE: where[where >= 0]})
        header_rows = header_rows.reset_index(drop=True)
    blocks = _Blocks(
        frame=work,
        starts=starts,
        years=years,
        postcodes=[known] * n,
        header=header_rows,
        header_kinds=[_frame_kind(header)] * n,
    )
    return keys, _validate_blocks(table_name, suite, blocks)


def summarise(results: Iterable[ExpectationResult]) -> dict[str, int]:
    """Counts for logs: how many expectations passed, failed, were not evaluated."""
    results = list(results)
    return {
        "expectations": len(results),
        "failed": sum(r.success is False for r in results),
        "failed_structural": sum(
            r.success is False and r.severity == "structural" for r in results
        ),
        "not_evaluated": sum(r.success is None for r in results),
    }
