"""Great Expectations: one ephemeral context per process (no files, no Data Docs, analytics off),
imported on first use; the suites' expectations translated into GX expectations, and GX results
read back as ExpectationResults."""

from __future__ import annotations

import os
import threading
from typing import Any

import pandas as pd

from expectations.results import ExpectationResult, not_evaluated
from expectations.suites import Expectation, code_list

# Columns GX validates for a derived rule are named after it; they never leave the validation.
DERIVED_PREFIX = "__dq_"

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


# ---- suite expectations as GX expectations -----------------------------------------------------


def _class_name(expect: str) -> str:
    return "".join(part.capitalize() for part in expect.split("_"))


def _resolve(value: Any, collection_year: int | None) -> Any:
    if isinstance(value, dict) and set(value) == {"code_list"}:
        return list(code_list(value["code_list"], collection_year))
    return value


_resolved_cache: dict[tuple, str] = {}


def resolved(exp: Expectation, year: int | None) -> str:
    """The expectation's arguments with its code lists resolved for a collection year."""
    key = (exp.table, exp.name, year)
    if key not in _resolved_cache:
        _resolved_cache[key] = repr({k: _resolve(v, year) for k, v in exp.kwargs.items()})
    return _resolved_cache[key]


def _gx_expectation(exp: Expectation, collection_year: int | None):
    gxe = _gx()["gxe"]
    if exp.kind == "derived":
        cls, kwargs = (
            gxe.ExpectColumnValuesToBeInSet,
            {
                "column": DERIVED_PREFIX + exp.name,
                "value_set": [True],
            },
        )
    else:
        cls = getattr(gxe, _class_name(exp.expect))
        kwargs = {k: _resolve(v, collection_year) for k, v in exp.kwargs.items()}
    return cls(**kwargs, meta={"dq_expectation": exp.name})


def gx_suite(name: str, expectations: list[Expectation], collection_year: int | None):
    """A GX suite of the expectations in the form they take in a collection year."""
    suite = _gx()["gx"].ExpectationSuite(name=name)
    for exp in expectations:
        suite.add_expectation(_gx_expectation(exp, collection_year))
    return suite


_single_suites: dict[tuple, Any] = {}


def single_suite(exp: Expectation, year: int | None):
    """A GX suite of one expectation in the form it takes in a collection year (cached)."""
    key = (exp.table, exp.name, resolved(exp, year))
    with _gx_lock:
        cached = _single_suites.get(key)
    if cached is None:
        cached = gx_suite(f"{exp.table}_{exp.name}_{len(_single_suites)}", [exp], year)
        with _gx_lock:
            _single_suites[key] = cached
    return cached


def run_suite(table: str, suite, frame: pd.DataFrame):
    """GX's validation of `frame` (rows of staging.<table>) against a GX suite."""
    batch = _batch_definition(table).get_batch(batch_parameters={"dataframe": frame})
    return batch.validate(suite, result_format={"result_format": "COMPLETE"})


# ---- GX results as ExpectationResults ----------------------------------------------------------


def raised(gx_result) -> bool:
    """Whether GX failed to evaluate the expectation (its result counts then mean nothing)."""
    info = gx_result.exception_info or {}
    found = info.get("raised_exception") if isinstance(info, dict) else False
    if not found and isinstance(info, dict):
        found = any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())
    return bool(found)


def from_gx(exp: Expectation, gx_result, row_numbers: pd.Series | None) -> ExpectationResult:
    if raised(gx_result):
        return not_evaluated(exp, "Great Expectations could not evaluate this expectation")
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
