"""Run a table's suite over a pandas DataFrame with Great Expectations. No Dagster needed.

    results = validate_table("episodes", df, ValidationContext(known_postcodes=..., header=...))

`df` is one extract's slice of a staging table (docs/CONTRACTS.md): lower-case 903 columns plus
`la_code, extract_date, source_file, row_number`. Great Expectations is imported lazily and one
ephemeral context is shared by the whole process (expectations/gx_engine.py).

Many extracts at once, with the same results as validate_table on each:

    extracts, results = validate_frame("episodes", rows_of_many_extracts, header=..., ...)
    results = validate_tables("episodes", [(df, ctx), ...])
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from expectations.blocks import (
    SLICE_COLUMN,
    Blocks,
    derived_blocks,
    frame_kind,
    gx_frame,
    split_blocks,
)
from expectations.column_types import types_blocks, types_result
from expectations.derived import RULES, row_keys
from expectations.gx_engine import (
    DERIVED_PREFIX,
    from_gx,
    gx_suite,
    resolved,
    run_suite,
    single_suite,
)
from expectations.results import (
    ExpectationResult,
    ValidationContext,
    collection_year_of,
    not_evaluated,
)
from expectations.suites import Expectation, Suite, load_suite


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
            outcomes[exp.name] = types_result(exp, work)
            continue
        absent = _absent_columns(exp, work.columns)
        if absent:
            outcomes[exp.name] = not_evaluated(exp, f"column missing: {', '.join(absent)}")
            continue
        if exp.kind == "derived":
            values = RULES[exp.derived].fn(work, ctx, **exp.kwargs)
            if values is None:
                outcomes[exp.name] = not_evaluated(exp, "input not supplied")
                continue
            derived_cols[DERIVED_PREFIX + exp.name] = values.astype("boolean")
        to_run.append(exp)

    if to_run:
        batch_df = work.assign(**derived_cols) if derived_cols else work
        checks = gx_suite(f"{table_name}_{ctx.collection_year}", to_run, ctx.collection_year)
        validation = run_suite(table_name, checks, batch_df)
        row_numbers = work["row_number"] if "row_number" in work.columns else None
        by_name = {r.expectation_config.meta.get("dq_expectation"): r for r in validation.results}
        for exp in to_run:
            outcomes[exp.name] = from_gx(exp, by_name[exp.name], row_numbers)

    return [outcomes[e.name] for e in suite.expectations]


# ---- many extracts at once ---------------------------------------------------------------------
#
# Great Expectations' cost is mostly per expectation and per run (building its metric graph), and
# its pandas engine filters the whole batch several times per expectation. So many extracts are
# validated together, each expectation in a run of its own over only the columns it reads, and a
# run per distinct form of the expectation (code lists differ in some collection years). The
# unexpected rows GX reports are split back by extract (expectations/blocks.py).


def _validate_blocks(
    table_name: str,
    suite: Suite,
    blocks: Blocks,
    types: dict[str, list[ExpectationResult]] | None = None,
) -> list[list[ExpectationResult]]:
    n = blocks.n
    outcomes: list[dict[str, ExpectationResult]] = [{} for _ in range(n)]
    for exp in suite.expectations:
        if exp.kind == "types":
            found = types[exp.name] if types is not None else types_blocks(exp, blocks)
            for k, result in enumerate(found):
                outcomes[k][exp.name] = result
            continue
        absent = _absent_columns(exp, blocks.frame.columns)
        if absent:
            for k in range(n):
                outcomes[k][exp.name] = not_evaluated(exp, f"column missing: {', '.join(absent)}")
            continue
        derived = None
        members = list(range(n))
        if exp.kind == "derived":
            derived, members = derived_blocks(exp, blocks)
            for k in set(range(n)) - set(members):
                outcomes[k][exp.name] = not_evaluated(exp, "input not supplied")
        forms: dict[str, list[int]] = {}
        for k in members:
            forms.setdefault(resolved(exp, blocks.years[k]), []).append(k)
        for group in forms.values():
            rows = blocks.rows(group)
            frame = gx_frame(exp, blocks, rows, derived)
            validation = run_suite(table_name, single_suite(exp, blocks.years[group[0]]), frame)
            split = split_blocks(exp, validation.results[0], blocks, group, rows, frame)
            if split is None:  # cannot split exactly: validate each extract on its own
                for k in group:
                    one = validate_table(table_name, blocks.extract(k), blocks.context(k),
                                         suite=suite)  # fmt: skip
                    outcomes[k][exp.name] = next(r for r in one if r.expectation == exp.name)
                continue
            for k, result in zip(group, split, strict=True):
                outcomes[k][exp.name] = result
    return [[found[e.name] for e in suite.expectations] for found in outcomes]


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
        alike.setdefault(frame_kind(work), []).append(i)
    results: list[list[ExpectationResult]] = [[] for _ in slices]
    for members in alike.values():
        frames = [works[i] for i in members]
        lengths = [len(f) for f in frames]
        headers = [
            contexts[i].header.assign(**{SLICE_COLUMN: k})
            for k, i in enumerate(members)
            if contexts[i].header is not None
        ]
        blocks = Blocks(
            frame=pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0],
            starts=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            years=[contexts[i].collection_year for i in members],
            postcodes=[contexts[i].known_postcodes for i in members],
            header=pd.concat(headers, ignore_index=True) if headers else None,
            header_kinds=[frame_kind(contexts[i].header) for i in members],
        )
        # types are a property of each extract's own frame (concatenation may change dtypes)
        types = {
            e.name: [types_result(e, f) for f in frames]
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
        header_rows = header[where >= 0].assign(**{SLICE_COLUMN: where[where >= 0]})
        header_rows = header_rows.reset_index(drop=True)
    blocks = Blocks(
        frame=work,
        starts=starts,
        years=years,
        postcodes=[known] * n,
        header=header_rows,
        header_kinds=[frame_kind(header)] * n,
    )
    return keys, _validate_blocks(table_name, suite, blocks)
