"""Case-level features that may explain cycle time: attributes, variant, size, rework.

Each feature is either categorical (one level code per case) or numeric (one value per
case). Categorical features keep their most frequent levels and pool the rare ones
into "(other)": a level seen in a handful of cases cannot be told apart from noise,
and pooling bounds the width of the model input on attributes with thousands of
values. An attribute that is the same for every case, or different for almost every
case (an id), carries no group information and is left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from sc_improve.log.event_log import EventLog, LogCodes
from sc_improve.performance.timing import Repeats

MAX_LEVELS = 100
MIN_LEVEL_SHARE = 0.005
MIN_LEVEL_CASES = 5
NUMERIC_MIN_DISTINCT = 10
"""A numeric attribute with fewer distinct values is treated as categories (a code, a flag)."""
OTHER = "(other)"
MISSING = "(missing)"
VARIANT_LABEL_ACTIVITIES = 6
VARIANT_HASH_SEED = 20240101


@dataclass(frozen=True)
class CaseFeature:
    """One feature per case: ``codes`` index ``levels`` (categorical) or ``values`` (numeric).

    ``name`` is the column name (or "variant", "events", "rework"); ``label`` is how a
    sentence names it.
    """

    name: str
    label: str
    codes: np.ndarray | None = None
    levels: tuple[str, ...] = ()
    values: np.ndarray | None = None

    @property
    def categorical(self) -> bool:
        return self.codes is not None


def case_features(log: EventLog, repeated: Repeats, cases: np.ndarray | None = None) -> list[CaseFeature]:
    """The case attributes that can form groups, the variant, the number of events and rework.

    ``cases`` (ascending case codes) limits the features to those cases, in that order.
    """
    codes = log.codes
    n_cases = len(codes.case_starts) - 1
    chosen = slice(None) if cases is None else cases
    first_rows = codes.case_starts[:-1][chosen]
    features = []
    for column in log.case_attributes:
        feature = _attribute_feature(column, _values_at(log.frame[column], first_rows))
        if feature is not None:
            features.append(feature)
    variant = _variant_feature(codes, chosen)
    if variant is not None:
        features.append(variant)
    features.append(
        CaseFeature("events", "number of events", values=np.diff(codes.case_starts)[chosen].astype(float))
    )
    reworked = (np.bincount(codes.case[repeated.rows], minlength=n_cases) > 0)[chosen]
    if reworked.any() and not reworked.all():
        features.append(
            CaseFeature("rework", "rework", codes=reworked.astype(np.int64), levels=("no", "yes"))
        )
    return features


def _values_at(column: pd.Series, rows: np.ndarray) -> pd.Series:
    """The values at ``rows`` (ascending) as a new series with a fresh index.

    An Arrow-backed column is read chunk by chunk: one take over a chunked array
    resolves the chunk of every index and returns a chunked result, which also makes
    factorizing it slower; per-chunk takes joined into one array cost about half.
    """
    array = column.array
    if not isinstance(array, pd.arrays.ArrowExtensionArray):
        return column.iloc[rows].reset_index(drop=True)
    chunks = array.__arrow_array__().chunks
    bounds = np.cumsum([0, *(len(chunk) for chunk in chunks)])
    cuts = np.searchsorted(rows, bounds)
    pieces = [chunk.take(rows[cuts[i] : cuts[i + 1]] - bounds[i]) for i, chunk in enumerate(chunks)]
    return pd.Series(type(array)(pa.concat_arrays(pieces)), name=column.name)


def _attribute_feature(column: str, values: pd.Series) -> CaseFeature | None:
    label = column.removeprefix("case:")
    if pd.api.types.is_datetime64_any_dtype(values):
        return None
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric and values.nunique() >= NUMERIC_MIN_DISTINCT:
        return CaseFeature(column, label, values=values.to_numpy(dtype=float, na_value=np.nan))
    codes, uniques = pd.factorize(values, sort=False)
    codes = np.where(codes < 0, len(uniques), codes)
    return _pooled(
        column, label, codes, lambda level: str(uniques[level]) if level < len(uniques) else MISSING
    )


def _pooled(name: str, label: str, codes: np.ndarray, level_name: Callable[[int], str]) -> CaseFeature | None:
    """Keep the frequent levels (most frequent first), pool the others; None when < 2 levels are left.

    ``level_name`` is only called for the kept levels, so naming them may be costly.
    """
    counts = np.bincount(codes)
    floor = max(MIN_LEVEL_CASES, math.ceil(MIN_LEVEL_SHARE * len(codes)))
    by_count = np.argsort(-counts, kind="stable")
    kept = [int(level) for level in by_count[:MAX_LEVELS] if counts[level] >= floor]
    table = np.full(len(counts), len(kept), dtype=np.int64)
    table[kept] = np.arange(len(kept))
    levels = [level_name(level) for level in kept]
    if len(kept) < len(counts):
        levels.append(OTHER)
    if len(levels) < 2:
        return None
    return CaseFeature(name, label, codes=table[codes], levels=tuple(levels))


def variant_codes(codes: LogCodes) -> tuple[np.ndarray, np.ndarray]:
    """(variant of each case, one case of each variant); variants numbered by frequency, 0 = most.

    A variant is the sequence of activities of a case. Each sequence is hashed to 64
    bits as a sum of position-dependent odd random multipliers times activity codes
    (computed with one ``np.add.reduceat``), so no Python loop builds a tuple per case;
    two different sequences collide with a probability of about 2**-64.
    """
    starts = codes.case_starts
    lengths = np.diff(starts)
    position = np.arange(len(codes.case)) - np.repeat(starts[:-1], lengths)
    rng = np.random.default_rng(VARIANT_HASH_SEED)
    weights = rng.integers(0, 2**63, size=int(lengths.max()), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    terms = weights[position] * (codes.activity.astype(np.uint64) + np.uint64(1))
    hashes = np.add.reduceat(terms, starts[:-1]) ^ (lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    found, _ = pd.factorize(hashes, sort=False)
    counts = np.bincount(found)
    rank = np.empty(len(counts), dtype=np.int64)
    rank[np.argsort(-counts, kind="stable")] = np.arange(len(counts))
    variant = rank[found]
    example = np.empty(len(counts), dtype=np.int64)
    cases = np.arange(len(variant))
    example[variant[::-1]] = cases[::-1]  # the last write wins: each variant's first case, no sort
    return variant, example


def variant_label(codes: LogCodes, variant: int, case: int) -> str:
    """The words for a variant: its 1-based rank and the first activities of one of its cases.

    >>> from sc_improve.log.event_log import make_event_log
    >>> import pandas as pd
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["a", "b"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"])}))
    >>> variant_label(log.codes, 0, 0)
    'variant 1 (a → b)'
    """
    first, end = codes.case_starts[case], codes.case_starts[case + 1]
    shown = codes.activity[first : min(end, first + VARIANT_LABEL_ACTIVITIES)]
    names = " → ".join(str(codes.activities[activity]) for activity in shown)
    more = " …" if end - first > VARIANT_LABEL_ACTIVITIES else ""
    return f"variant {variant + 1} ({names}{more})"


def _variant_feature(codes: LogCodes, cases: slice | np.ndarray) -> CaseFeature | None:
    """Variants are told apart and ranked on the whole log, then read for the chosen ``cases``."""
    variant, example = variant_codes(codes)
    return _pooled("variant", "variant", variant[cases], lambda v: variant_label(codes, v, int(example[v])))
