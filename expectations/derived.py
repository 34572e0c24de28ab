"""Cross-record rules, computed in pandas into one boolean per row.

Each rule returns a pandas "boolean" Series aligned with the table: True = the row is fine,
False = the row breaks the rule, <NA> = the rule does not apply to the row (it is then not
counted). The runner validates the Series with Great Expectations as "values are in {True}".
A rule returns None when the input it needs (Header rows, the postcode directory) was not
supplied: the expectation is then reported as not evaluated.

A rule comparing rows of an extract takes `by`, the columns telling extracts apart, so that the
runner computes it once over many extracts (their Header rows carrying the same columns); a rule
reading each row alone is marked per_row. Any other rule is computed one extract at a time.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from expectations.suites import code_list

if TYPE_CHECKING:
    from expectations.results import ValidationContext

RuleFn = Callable[..., "pd.Series | None"]


@dataclass(frozen=True)
class DerivedRule:
    name: str
    requires: tuple[str, ...]  # columns of the table the rule reads
    fn: RuleFn
    # What the rule reads besides the rows: "header" (the extract's Header rows), "postcodes"
    # (the directory), "year" (code lists of the collection year) or nothing.
    needs: str | None = None
    # Compares rows with other rows of the same extract: takes `by`, the columns telling extracts
    # apart when the frame (and the Header) holds several, so that many are computed at once.
    keyed: bool = False
    # Reads each row on its own: computed over many extracts' rows at once as it is.
    per_row: bool = False
    # Takes `codes`, a cache of column codes shared by the rules computed on the same frame.
    shares_codes: bool = False
    # The code lists a "year" rule reads: extracts whose lists are alike are computed together.
    code_lists: tuple[str, ...] = ()


RULES: dict[str, DerivedRule] = {}


def rule(
    *requires: str,
    needs: str | None = None,
    per_row: bool = False,
    code_lists: tuple[str, ...] = (),
) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        takes = inspect.signature(fn).parameters
        RULES[fn.__name__] = DerivedRule(
            fn.__name__, tuple(requires), fn, needs, "by" in takes, per_row, "codes" in takes,
            tuple(code_lists),
        )  # fmt: skip
        return fn

    return register


def normalise_postcode(values: pd.Series) -> pd.Series:
    """Upper case, every space removed: the directory's `pcd_abbr` form."""
    # Each distinct value is normalised once: a column repeats the same postcodes many times.
    codes, uniques = pd.factorize(values.astype("string"))
    normal = pd.Series(uniques).str.upper().str.replace(r"\s+", "", regex=True).array
    return pd.Series(normal.take(codes, allow_fill=True), index=values.index)


def _bool(values, index) -> pd.Series:
    return pd.Series(pd.array(values, dtype="boolean"), index=index)


def _unknown(index: pd.Index) -> pd.Series:
    """All <NA> (a list of pd.NA objects is slow to build on a million rows)."""
    n = len(index)
    return pd.Series(pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool)),
                     index=index)  # fmt: skip


def _applicable(ok: pd.Series, applies: pd.Series) -> pd.Series:
    """ok where the rule applies, <NA> elsewhere."""
    result = ok.astype("boolean").copy()
    result[~applies.fillna(False).astype(bool)] = pd.NA
    return result


def _next_within_child(df: pd.DataFrame, sort_col: str, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """The table sorted by child and `sort_col` (within `by`), flagging rows whose neighbour is
    the same child (of the same extract)."""
    ordered = df.sort_values([*by, "child", sort_col], kind="stable")
    same_prev = ordered["child"].eq(ordered["child"].shift(1))
    same_next = ordered["child"].eq(ordered["child"].shift(-1))
    for col in by:
        same_prev &= ordered[col].eq(ordered[col].shift(1))
        same_next &= ordered[col].eq(ordered[col].shift(-1))
    return ordered.assign(_same_prev=same_prev, _same_next=same_next)


# ---- Episodes ---------------------------------------------------------------------------------


def row_keys(left: list[pd.Series], right: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """An integer per row of two tables, equal exactly when the rows' values are equal in every
    column (left[i] against right[i]): a join key over several columns without tuples."""
    n_left = len(left[0])
    keys = np.zeros(n_left + len(right[0]), dtype=np.int64)
    for lcol, rcol in zip(left, right, strict=True):
        codes, uniques = pd.factorize(pd.concat([lcol, rcol], ignore_index=True))
        # re-factorised after each column, so the key never outgrows the number of rows
        keys, _ = pd.factorize(keys * (len(uniques) + 1) + codes + 1)
    return keys[:n_left], keys[n_left:]


@rule("child", needs="header")
def child_in_header(
    df: pd.DataFrame, ctx: ValidationContext, by: tuple[str, ...] = ()
) -> pd.Series | None:
    """Every Episodes child has a Header record in the same extract."""
    if ctx.header is None:
        return None
    if by:
        header = ctx.header.dropna(subset=["child"])
        mine, known = row_keys(
            [*(df[c] for c in by), df["child"].astype("string")],
            [*(header[c] for c in by), header["child"].astype(str)],
        )
        ok = pd.Series(np.isin(mine, known), index=df.index)
    else:
        known = set(ctx.header["child"].dropna().astype(str))
        ok = df["child"].astype("string").isin(known)
    return _applicable(ok, df["child"].notna())


@rule("child", "decom", needs="header")
def decom_not_before_dob(
    df: pd.DataFrame, ctx: ValidationContext, by: tuple[str, ...] = ()
) -> pd.Series | None:
    """An episode cannot start before the child's date of birth (from Header)."""
    if ctx.header is None or "dob" not in ctx.header.columns:
        return None
    key = [*by, "child"]
    # the first Header record of each child (of each extract) gives the date of birth
    first = ctx.header.dropna(subset=["child"]).drop_duplicates(key)
    if by:
        mine, theirs = row_keys([df[c] for c in key], [first[c] for c in key])
        where = pd.Index(theirs).get_indexer(mine)
        found = first["dob"].array.take(where, allow_fill=True)
        child_dob = pd.to_datetime(pd.Series(found, index=df.index))
    else:
        child_dob = pd.to_datetime(df["child"].map(first.set_index("child")["dob"]))
    decom = pd.to_datetime(df["decom"])
    return _applicable(decom >= child_dob, decom.notna() & child_dob.notna())


@rule("dec", "rec", per_row=True)
def rec_iff_dec(df: pd.DataFrame, ctx: ValidationContext) -> pd.Series:
    """An ended episode has a reason ceased and an open one has none."""
    return _bool(df["dec"].notna() == df["rec"].notna(), df.index)


@rule("child", "decom", "dec")
def no_overlapping_episodes(
    df: pd.DataFrame, ctx: ValidationContext, by: tuple[str, ...] = ()
) -> pd.Series:
    """An episode may not start before the previous episode of the same child ended (rule 501),
    nor while the previous one is still open (rule 142). The later episode is flagged."""
    usable = df[df["child"].notna() & df["decom"].notna()]
    ordered = _next_within_child(usable, "decom", by)
    prev_dec = ordered["dec"].shift(1)
    overlaps = ordered["_same_prev"] & (prev_dec.isna() | (ordered["decom"] < prev_dec))
    result = _unknown(df.index)
    result.loc[ordered.index] = ~overlaps.astype(bool)
    return result


@rule("child", "decom", "rne", "place", "rec", "reason_place_change", needs="year",
      code_lists=("TEMPORARY_PLACE", "PLACEMENT_CHANGE_RNE"))  # fmt: skip
def reason_place_change_recorded(
    df: pd.DataFrame, ctx: ValidationContext, by: tuple[str, ...] = ()
) -> pd.Series:
    """Rule 225: when an episode ends X1 and the next starts with RNE P, B, T or U, and neither
    placement is temporary (T0-T4), the ended episode must give a reason for placement change."""
    temporary = set(code_list("TEMPORARY_PLACE", ctx.collection_year))
    change_rne = set(code_list("PLACEMENT_CHANGE_RNE", ctx.collection_year))
    usable = df[df["child"].notna() & df["decom"].notna()]
    ordered = _next_within_child(usable, "decom", by)
    next_rne = ordered["rne"].shift(-1)
    next_place = ordered["place"].shift(-1)
    applies = (
        ordered["_same_next"]
        & ordered["rec"].eq("X1").fillna(False)
        & next_rne.isin(change_rne)
        & ~ordered["place"].isin(temporary)
        & ~next_place.isin(temporary)
    )
    ok = ordered["reason_place_change"].notna()
    result = _unknown(df.index)
    result.loc[ordered.index] = _applicable(ok, applies)
    return result


def _not_short_break(df: pd.DataFrame) -> pd.Series:
    # Short breaks (V3/V4) need no postcodes (rule 392b) and no measure counts them.
    return ~df["ls"].isin(["V3", "V4"])


@rule("home_post", "ls", per_row=True)
def home_post_present(df: pd.DataFrame, ctx: ValidationContext) -> pd.Series:
    return _applicable(df["home_post"].notna(), _not_short_break(df))


@rule("pl_post", "ls", per_row=True)
def pl_post_present(df: pd.DataFrame, ctx: ValidationContext) -> pd.Series:
    return _applicable(df["pl_post"].notna(), _not_short_break(df))


def _found(df: pd.DataFrame, ctx: ValidationContext, column: str) -> pd.Series | None:
    if ctx.known_postcodes is None:
        return None
    values = normalise_postcode(df[column])
    known = ctx.known_postcodes
    # Look up each distinct postcode once (Series.isin on the directory itself would copy a
    # possibly 2.7M-long set per call, and on a long list is slow), then flag the rows by code.
    codes, distinct = pd.factorize(values)
    found = np.array([v in known for v in distinct] + [False], dtype=bool)
    ok = pd.Series(found[codes], index=df.index)  # code -1 (no postcode): the last, False
    return _applicable(ok, values.notna() & values.ne(""))


@rule("home_post", needs="postcodes", per_row=True)
def home_post_found(df: pd.DataFrame, ctx: ValidationContext) -> pd.Series | None:
    """The home postcode is in the ONS Postcode Directory."""
    return _found(df, ctx, "home_post")


@rule("pl_post", needs="postcodes", per_row=True)
def pl_post_found(df: pd.DataFrame, ctx: ValidationContext) -> pd.Series | None:
    """The placement postcode is in the ONS Postcode Directory."""
    return _found(df, ctx, "pl_post")


@rule("home_post", "pl_post", "place", per_row=True)
def home_differs_from_placement(df: pd.DataFrame, ctx: ValidationContext) -> pd.Series:
    """Home and placement postcodes differ unless the child is placed with parents (P1)."""
    home = normalise_postcode(df["home_post"])
    placed = normalise_postcode(df["pl_post"])
    applies = home.notna() & placed.notna() & df["place"].ne("P1").fillna(True)
    return _applicable(home.ne(placed), applies)


# ---- OC3 --------------------------------------------------------------------------------------


@rule("in_touch", "activ", "accom", per_row=True)
def died_or_home_no_activity(df: pd.DataFrame, ctx: ValidationContext) -> pd.Series:
    """Rule 344: a care leaver who died or returned home has ACTIV and ACCOM 0."""
    applies = df["in_touch"].isin(["DIED", "RHOM"])
    ok = df["activ"].eq("0").fillna(False) & df["accom"].eq("0").fillna(False)
    return _applicable(ok, applies)


@rule("in_touch", "activ", "accom", per_row=True)
def in_touch_has_activity(df: pd.DataFrame, ctx: ValidationContext) -> pd.Series:
    """Rule 345: a care leaver in touch (YES) has a real activity and accommodation, not 0."""
    applies = df["in_touch"].eq("YES").fillna(False)
    ok = df["activ"].fillna("0").ne("0") & df["accom"].fillna("0").ne("0")
    return _applicable(ok, applies)


# ---- keys (every table) -----------------------------------------------------------------------

# Columns that describe where a row came from rather than what it records.
_META = {"file_id", "la_code", "extract_date", "source_file", "row_number", "collection_year",
         "extra_columns"}  # fmt: skip


def _content_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in _META and not c.startswith("__dq_")]


def _text_codes(values: pd.Series) -> np.ndarray:
    """An integer per value, equal exactly when the values' text (astype("string"), <NA> as
    "\x00") is: rows compared as text without building the text where the dtype allows."""
    dtype = values.dtype
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        codes, uniques = pd.factorize(values)
        nul = np.flatnonzero(np.asarray(uniques == "\x00", dtype=bool))
        return np.where(codes == -1, nul[0], codes) if len(nul) else codes
    if (
        pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_integer_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    ):  # one text per value, never "\x00"
        return pd.factorize(values)[0]
    return pd.factorize(values.astype("string").fillna("\x00"))[0]


def _combined(codes: list[np.ndarray], length: int, compact: bool = True) -> np.ndarray:
    """One integer per row, equal exactly when every column's code is (codes >= -1); with
    `compact`, numbered from 0 without gaps."""
    keys, size = np.zeros(length, dtype=np.int64), 1
    for column in codes:
        width = int(column.max(initial=-1)) + 2
        if size * width >= 2**62:  # renumber before the key could overflow
            keys, uniques = pd.factorize(keys)
            size = len(uniques)
        keys, size = keys * width + column + 1, size * width
    return pd.factorize(keys)[0] if compact else keys


def _codes_of(df: pd.DataFrame, column: str, codes: dict | None) -> np.ndarray:
    if codes is None:
        return _text_codes(df[column])
    if column not in codes:
        codes[column] = _text_codes(df[column])
    return codes[column]


def _shared_keys(df: pd.DataFrame, key: list[str], rows: np.ndarray, codes: dict | None):
    """The positions (among `rows`) of the rows whose key another of `rows` has, and their key
    numbers (from 0). Only they can conflict or repeat: their contents alone are compared."""
    keys = _combined([_codes_of(df, c, codes)[rows] for c in key], len(rows), compact=False)
    shared = np.flatnonzero(pd.Series(keys).duplicated(keep=False).to_numpy())
    return shared, pd.factorize(keys[shared])[0]


def _content_codes(df: pd.DataFrame, columns: list[str], rows: np.ndarray) -> np.ndarray:
    """Row numbers equal exactly when the rows' text is, for the given rows (codes of those
    rows only: cheap when they are few)."""
    return _combined([_text_codes(df[c].iloc[rows]) for c in columns], len(rows))


@rule()
def key_unique(
    df: pd.DataFrame,
    ctx: ValidationContext,
    key: list[str],
    by: tuple[str, ...] = (),
    codes: dict | None = None,
) -> pd.Series:
    """No two rows of an extract share a key with different contents: which one is right is
    unknowable, so the key is unusable. Exact copies are left to `no_duplicate_rows` (history
    rule H2 keeps one of them, losing nothing). `by`: columns telling extracts apart when `df`
    holds several (the rule is then computed for all of them at once). Rows are compared as
    text (every column's astype("string")). `codes`: a cache of _text_codes by column, for
    this very frame, shared with no_duplicate_rows."""
    key = [*by, *key]
    usable = np.flatnonzero(df[key].notna().all(axis=1).to_numpy())
    shared, keys = _shared_keys(df, key, usable, codes)
    ok = np.ones(len(usable), dtype=bool)  # a key of one row cannot conflict
    if len(shared):
        rows = _content_codes(df, [*by, *_content_columns(df)], usable[shared])
        # a key is conflicting when its rows have more than one distinct content
        pairs = pd.unique(keys * (int(rows.max(initial=-1)) + 1) + rows)
        variants = np.bincount(pairs // (int(rows.max(initial=-1)) + 1), minlength=len(pairs))
        ok[shared] = variants[keys] <= 1
    result = _unknown(df.index)
    result[usable] = ok
    return result


@rule()
def no_duplicate_rows(
    df: pd.DataFrame,
    ctx: ValidationContext,
    key: list[str],
    by: tuple[str, ...] = (),
    codes: dict | None = None,
) -> pd.Series:
    """A row that repeats an earlier row of the extract exactly (the copies are flagged, not the
    first occurrence). `by` and `codes` as for key_unique."""
    columns = [*by, *_content_columns(df)]
    everything = np.arange(len(df))
    if set(key) <= set(columns):  # a copy has the same key: only rows sharing one can repeat
        shared, _ = _shared_keys(df, [*by, *key], everything, codes)
    else:
        shared = everything
    repeated = np.zeros(len(df), dtype=bool)
    if len(shared):
        rows = _content_codes(df, columns, shared)
        repeated[shared] = pd.Series(rows).duplicated(keep="first").to_numpy()
    return _bool(~repeated, df.index)
