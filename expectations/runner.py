"""Run a table's suite over a pandas DataFrame with Great Expectations. No Dagster needed.

    results = validate_table("episodes", df, ValidationContext(known_postcodes=..., header=...))

`df` is one extract's slice of a staging table (docs/CONTRACTS.md): lower-case 903 columns plus
`la_code, extract_date, source_file, row_number`. Great Expectations is imported lazily and one
ephemeral context (no files, no Data Docs, analytics off) is shared by the whole process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from expectations.derived import KEYED_RULES, ROW_RULES, RULES
from expectations.suites import Expectation, Suite, code_list, load_suite

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
    return ts.year + 1 if ts.month >= 4 else ts.year


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


def _types_result(exp: Expectation, df: pd.DataFrame) -> ExpectationResult:
    present = [c for c in exp.types if c in df.columns]
    wrong = [c for c in present if not _dtype_ok(df[c], exp.types[c])]
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


# ---- many extracts in one Great Expectations run ----------------------------------------------

_COLUMN_MAP = ("expect_column_values_to_",)
_suite_cache: dict[tuple, Any] = {}


def _cached_gx_suite(table_name: str, year: int | None, to_run: list[Expectation]):
    key = (table_name, year, tuple(e.name for e in to_run))
    with _gx_lock:
        cached = _suite_cache.get(key)
    if cached is None:
        gx = _gx()["gx"]
        cached = gx.ExpectationSuite(name=f"{table_name}_{year}_{len(_suite_cache)}")
        for exp in to_run:
            cached.add_expectation(_gx_expectation(exp, year))
        with _gx_lock:
            _suite_cache[key] = cached
    return cached


_resolved_cache: dict[tuple, str] = {}


def _resolved(exp: Expectation, year: int | None) -> str:
    key = (exp.table, exp.name, year)
    if key not in _resolved_cache:
        _resolved_cache[key] = repr({k: _resolve(v, year) for k, v in exp.kwargs.items()})
    return _resolved_cache[key]


def _signature(to_run: list[Expectation], year: int | None) -> tuple:
    return tuple((e.name, _resolved(e, year)) for e in to_run)


def _slice_missing(exp: Expectation, res: dict, work: pd.DataFrame) -> int | None:
    """The `missing_count` GX reports for one slice of the batch, or None if unknown."""
    if "missing_count" not in res:
        return 0
    kw = exp.kwargs
    if exp.kind == "derived":
        return int(work[_DERIVED_PREFIX + exp.name].isna().sum())
    if exp.expect.startswith(_COLUMN_MAP) and "column" in kw:
        return int(work[kw["column"]].isna().sum())
    if "column_A" in kw and "column_B" in kw:
        a, b = work[kw["column_A"]].isna(), work[kw["column_B"]].isna()
        mode = kw.get("ignore_row_if", "both_values_are_missing")
        if mode == "either_value_is_missing":
            return int((a | b).sum())
        if mode == "both_values_are_missing":
            return int((a & b).sum())
    return None


def _split(
    exp: Expectation, gx_result, works: list[pd.DataFrame], offsets: list[int]
) -> list[ExpectationResult] | None:
    """One batch result split into one result per slice; None when it cannot be split exactly
    (the caller then validates the slices one by one)."""
    info = gx_result.exception_info or {}
    raised = info.get("raised_exception") if isinstance(info, dict) else False
    if not raised and isinstance(info, dict):
        raised = any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())
    if raised or "mostly" in exp.kwargs:
        return None
    if exp.expect == "expect_table_columns_to_match_set":
        # a property of the table's columns: the same for every slice
        return [
            _from_gx(exp, gx_result, w["row_number"] if "row_number" in w.columns else None)
            for w in works
        ]
    res = gx_result.result or {}
    indices = [int(i) for i in (res.get("unexpected_index_list") or [])]
    total_unexpected = int(res.get("unexpected_count", 0) or 0)
    if len(indices) != total_unexpected or int(res.get("element_count", -1)) != offsets[-1]:
        return None
    bounds = pd.Series(indices, dtype="int64")
    positions = pd.Index(offsets[1:]).searchsorted(bounds, side="right") if indices else []
    per_slice: list[list[int]] = [[] for _ in works]
    for index, slice_no in zip(indices, positions, strict=True):
        per_slice[slice_no].append(index - offsets[slice_no])
    out: list[ExpectationResult] = []
    missing_total = 0
    for work, local in zip(works, per_slice, strict=True):
        missing = _slice_missing(exp, res, work)
        if missing is None:
            return None
        missing_total += missing
        evaluated = len(work) - missing
        unexpected = len(local)
        numbers: tuple[int, ...] = ()
        if "row_number" in work.columns and local:
            numbers = tuple(int(n) for n in work["row_number"].iloc[local] if pd.notna(n))
        out.append(
            ExpectationResult(
                table_name=exp.table,
                expectation=exp.name,
                severity=exp.severity,
                success=unexpected == 0,
                evaluated=evaluated,
                unexpected=unexpected,
                unexpected_pct=(100.0 * unexpected / evaluated) if evaluated else None,
                failing_rows=tuple(local),
                failing_row_numbers=numbers,
            )
        )
    if missing_total != int(res.get("missing_count", 0) or 0):
        return None
    if bool(gx_result.success) != all(r.success for r in out):
        return None
    return out


_SLICE = _DERIVED_PREFIX + "slice"


def validate_tables(
    table_name: str,
    slices: list[tuple[pd.DataFrame, ValidationContext | None]],
    *,
    suite: Suite | None = None,
) -> list[list[ExpectationResult]]:
    """Validate many extracts of one table, each with its own context: the same results as
    `validate_table` on each, but one Great Expectations run for all extracts whose expectations
    resolve alike (code lists differ only in some collection years) instead of one per extract.
    Derived rules that read one row, or group rows by a key within the extract, are computed once
    over all the extracts (vectorised, the extract as part of the key); those needing the
    extract's own inputs (Header, code lists, child ordering) per extract. GX's unexpected rows
    are split back by extract."""
    suite = suite or load_suite(table_name)
    prepared = []
    for df, context in slices:
        ctx = (context or ValidationContext()).for_table(df)
        work = df.reset_index(drop=True)
        outcomes: dict[str, ExpectationResult] = {}
        derived_cols: dict[str, pd.Series] = {}
        to_run: list[Expectation] = []
        deferred: list[Expectation] = []
        for exp in suite.expectations:
            if exp.kind == "types":
                outcomes[exp.name] = _types_result(exp, work)
                continue
            absent = _absent_columns(exp, work.columns)
            if absent:
                outcomes[exp.name] = _not_evaluated(exp, f"column missing: {', '.join(absent)}")
                continue
            if exp.kind == "derived":
                if exp.derived in KEYED_RULES or (
                    exp.derived in ROW_RULES
                    and not (exp.derived.endswith("_found") and ctx.known_postcodes is None)
                ):
                    deferred.append(exp)  # computed over the whole group below
                    to_run.append(exp)
                    continue
                values = RULES[exp.derived].fn(work, ctx, **exp.kwargs)
                if values is None:
                    outcomes[exp.name] = _not_evaluated(exp, "input not supplied")
                    continue
                derived_cols[_DERIVED_PREFIX + exp.name] = values.astype("boolean")
            to_run.append(exp)
        batch_df = work.assign(**derived_cols) if derived_cols else work
        prepared.append((ctx, batch_df, outcomes, to_run, deferred))

    groups: dict[tuple, list[int]] = {}
    for i, (ctx, _, _, to_run, deferred) in enumerate(prepared):
        if to_run:
            # the postcode directory is shared by the group's row rules
            shared = id(ctx.known_postcodes) if any(
                e.derived.endswith("_found") for e in deferred
            ) else None
            key = (_signature(to_run, ctx.collection_year), shared)
            groups.setdefault(key, []).append(i)
    for members in groups.values():
        ctx0 = prepared[members[0]][0]
        year = ctx0.collection_year
        to_run = prepared[members[0]][3]
        deferred = prepared[members[0]][4]
        offsets = [0]
        for i in members:
            offsets.append(offsets[-1] + len(prepared[i][1]))
        frames = [prepared[i][1] for i in members]
        combined = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if deferred:
            slice_ids = pd.Series(
                pd.RangeIndex(len(members)).repeat([len(f) for f in frames]), dtype="int64"
            )
            keyed = combined.assign(**{_SLICE: slice_ids.to_numpy()})
            extra = {}
            for exp in deferred:
                kwargs = dict(exp.kwargs)
                if exp.derived in KEYED_RULES:
                    kwargs["by"] = (_SLICE,)
                values = RULES[exp.derived].fn(keyed, ctx0, **kwargs)
                extra[_DERIVED_PREFIX + exp.name] = values.astype("boolean")
            combined = combined.assign(**extra)
        works = [combined.iloc[offsets[k] : offsets[k + 1]] for k in range(len(members))]
        gx_suite = _cached_gx_suite(table_name, year, to_run)
        batch = _batch_definition(table_name).get_batch(batch_parameters={"dataframe": combined})
        validation = batch.validate(gx_suite, result_format={"result_format": "COMPLETE"})
        by_name = {r.expectation_config.meta.get("dq_expectation"): r for r in validation.results}
        for exp in to_run:
            split = _split(exp, by_name[exp.name], works, offsets)
            if split is None:  # cannot split exactly: validate each extract on its own
                for i in members:
                    ctx, work, outcomes, _, _ = prepared[i]
                    plain = work[[c for c in work.columns if not c.startswith(_DERIVED_PREFIX)]]
                    one = validate_table(table_name, plain, ctx, suite=suite)
                    outcomes[exp.name] = next(r for r in one if r.expectation == exp.name)
                continue
            for i, result in zip(members, split, strict=True):
                prepared[i][2][exp.name] = result

    return [[outcomes[e.name] for e in suite.expectations] for _, _, outcomes, _, _ in prepared]


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
