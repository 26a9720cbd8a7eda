"""Per-activity features of the control flow: volume, rework, handoffs, standardisation.

Everything is computed on the integer codes of the sorted log (one pass of numpy
``bincount``/``unique`` per feature), so the cost grows linearly with the events and
does not depend on the number of activities.
"""

from __future__ import annotations

import numpy as np

from sc_improve.log.event_log import LogCodes

TOP_VARIANTS = 10
"""How many of the most frequent variants count as "the top variants"."""

_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)
_HASH_MIX = np.uint64(0xBF58476D1CE4E5B9)


def neighbours(codes: LogCodes) -> tuple[np.ndarray, np.ndarray]:
    """The previous and next activity of every event; ``n_activities`` at a case border.

    >>> import numpy as np
    >>> from sc_improve.log.event_log import LogCodes
    >>> c = LogCodes(np.array([0, 0, 1]), np.array([0, 1, 0]), np.array(["a", "b"]),
    ...     np.array(["1", "2"]), np.zeros(3, np.int64), None, None, None)
    >>> [p.tolist() for p in neighbours(c)]
    [[2, 0, 2], [1, 2, 2]]
    """
    border = len(codes.activities)
    same = codes.same_case_as_next
    previous = np.full(len(codes.activity), border, dtype=np.int64)
    following = np.full(len(codes.activity), border, dtype=np.int64)
    previous[1:][same] = codes.activity[:-1][same]
    following[:-1][same] = codes.activity[1:][same]
    return previous, following


def volume(codes: LogCodes) -> dict[str, np.ndarray]:
    """Events, cases, share of cases, repeats per case and share of cases with a repeat."""
    n_activities = len(codes.activities)
    events = np.bincount(codes.activity, minlength=n_activities).astype(float)
    pairs, per_pair = np.unique(
        codes.case.astype(np.int64) * n_activities + codes.activity, return_counts=True
    )
    pair_activity = pairs % n_activities
    cases = np.bincount(pair_activity, minlength=n_activities).astype(float)
    repeated = np.bincount(pair_activity, weights=per_pair > 1, minlength=n_activities)
    n_cases = max(len(codes.case_ids), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "events": events,
            "cases": cases,
            "case_share": cases / n_cases,
            "repeats_per_case": (events - cases) / cases,
            "rework_case_share": repeated / cases,
        }


def reversal_after(codes: LogCodes, is_reversal: np.ndarray, following: np.ndarray) -> np.ndarray:
    """Share of an activity's events directly followed, in the same case, by a reversal."""
    n_activities = len(codes.activities)
    reversal_or_end = np.append(is_reversal, False)
    hits = np.bincount(codes.activity, weights=reversal_or_end[following], minlength=n_activities)
    return _share(hits, np.bincount(codes.activity, minlength=n_activities))


def handoffs(codes: LogCodes) -> dict[str, np.ndarray]:
    """Share of resource changes into and out of each activity, and its distinct resources.

    A pair of neighbouring events counts only when both have a resource. Without a
    resource column both features are NaN.
    """
    n_activities = len(codes.activities)
    if codes.resource is None:
        missing = np.full(n_activities, np.nan)
        return {"handoff_share": missing, "distinct_resources": missing.copy()}
    resource = codes.resource
    same = codes.same_case_as_next
    known = same & (resource[1:] >= 0) & (resource[:-1] >= 0)
    changed = known & (resource[1:] != resource[:-1])
    activity = codes.activity
    changes = np.bincount(activity[1:], weights=changed, minlength=n_activities) + np.bincount(
        activity[:-1], weights=changed, minlength=n_activities
    )
    pairs = np.bincount(activity[1:], weights=known, minlength=n_activities) + np.bincount(
        activity[:-1], weights=known, minlength=n_activities
    )
    with_resource = resource >= 0
    combos = np.unique(
        activity[with_resource].astype(np.int64) * (len(codes.resources) + 1) + resource[with_resource]
    )
    distinct = np.bincount(combos // (len(codes.resources) + 1), minlength=n_activities).astype(float)
    return {"handoff_share": _share(changes, pairs), "distinct_resources": distinct}


def entropy_by_activity(activity: np.ndarray, other: np.ndarray, n_activities: int) -> np.ndarray:
    """Shannon entropy (bits) of ``other`` among the events of each activity.

    >>> import numpy as np
    >>> entropy_by_activity(np.array([0, 0, 1, 1]), np.array([5, 5, 5, 6]), 2).tolist()
    [0.0, 1.0]
    """
    width = int(other.max()) + 1 if len(other) else 1
    pairs, counts = np.unique(activity.astype(np.int64) * width + other, return_counts=True)
    owner = pairs // width
    totals = np.bincount(owner, weights=counts, minlength=n_activities)
    p = counts / totals[owner]
    return np.bincount(owner, weights=-p * np.log2(p), minlength=n_activities) + 0.0


def position(codes: LogCodes) -> dict[str, np.ndarray]:
    """Share of each activity's events that open or close their case."""
    n_activities = len(codes.activities)
    n = len(codes.activity)
    first = np.zeros(n, dtype=bool)
    first[codes.case_starts[:-1]] = True
    last = np.zeros(n, dtype=bool)
    last[codes.case_starts[1:] - 1] = True
    total = np.bincount(codes.activity, minlength=n_activities)
    return {
        "start_share": _share(np.bincount(codes.activity, weights=first, minlength=n_activities), total),
        "end_share": _share(np.bincount(codes.activity, weights=last, minlength=n_activities), total),
    }


def top_variant_share(codes: LogCodes, top: int = TOP_VARIANTS) -> np.ndarray:
    """Share of each activity's events that lie in cases following one of the top variants.

    Variants are told apart by a 64-bit hash of the case's activity sequence (mixed
    with each position), computed with one ``np.add.reduceat``; two different
    sequences would have to collide on all 64 bits to be confused.
    """
    n_activities = len(codes.activities)
    starts = codes.case_starts
    lengths = np.diff(starts)
    pos = np.arange(len(codes.activity), dtype=np.int64) - np.repeat(starts[:-1], lengths)
    with np.errstate(over="ignore"):
        mixed = (codes.activity.astype(np.uint64) + np.uint64(1)) * _HASH_BASE + pos.astype(np.uint64)
        mixed ^= mixed >> np.uint64(31)
        mixed *= _HASH_MIX
        mixed ^= mixed >> np.uint64(29)
        case_hash = np.add.reduceat(mixed, starts[:-1]) + lengths.astype(np.uint64) * _HASH_MIX
    keys, variant, counts = np.unique(case_hash, return_inverse=True, return_counts=True)
    first_case = np.full(len(keys), len(lengths), dtype=np.int64)
    np.minimum.at(first_case, variant, np.arange(len(lengths)))
    ranking = np.lexsort((first_case, -counts))
    is_top = np.zeros(len(keys), dtype=bool)
    is_top[ranking[:top]] = True
    in_top_event = np.repeat(is_top[variant], lengths)
    return _share(
        np.bincount(codes.activity, weights=in_top_event, minlength=n_activities),
        np.bincount(codes.activity, minlength=n_activities),
    )


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.maximum(whole, 1), np.nan)
