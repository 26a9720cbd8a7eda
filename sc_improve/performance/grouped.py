"""Group-by statistics over integer group codes, without a pandas group-by.

Every per-activity, per-transition and per-resource figure in this package is a count,
a sum, a distinct-case count or a quantile of per-event values grouped by a small
integer code. These helpers compute them with bincounts and sorts over whole columns:
a group-by on a million events costs tens of milliseconds and no Python loop runs per
event or per group. Groups are numbered ``0..n_groups-1``; a code of -1 means "in no
group" and is ignored; a NaN value means "not measured" and is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DENSE_FACTOR = 4
DENSE_MINIMUM = 1 << 16
"""Keys up to DENSE_FACTOR x rows + DENSE_MINIMUM are compacted with a lookup table."""


@dataclass(frozen=True)
class GroupStats:
    """Per-group count, total, mean, median and 90th percentile of one measure.

    Arrays are indexed by group code; groups without values have count 0 and NaN
    statistics.
    """

    count: np.ndarray
    total: np.ndarray
    mean: np.ndarray
    median: np.ndarray
    p90: np.ndarray


def stable_group_order(groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Indices that sort ``groups`` (codes >= 0 only), keeping equal codes in their original order.

    Codes are narrowed to 8 or 16 bits when they fit, because numpy sorts those with a
    radix sort: three times faster than the general sort on a million codes.
    """
    if n_groups <= 1 << 8:
        groups = groups.astype(np.uint8)
    elif n_groups <= 1 << 16:
        groups = groups.astype(np.uint16)
    return np.argsort(groups, kind="stable")


def grouped_stats(values: np.ndarray, groups: np.ndarray, n_groups: int) -> GroupStats:
    """Statistics of non-negative ``values`` per group (NaN values and -1 groups ignored).

    Quantiles interpolate linearly between the nearest ranks, as pandas and numpy do by
    default. Instead of a group-by, each (group, value) pair is packed into one int64
    and the keys are sorted once with a plain value sort (several times faster than an
    argsort): the group code goes in the top bits, the value's float64 bit pattern
    (which orders like the value for non-negative floats) in the rest, shifted right by
    the width of the group code. Sorted keys hold each group's values contiguous and
    ascending, so every quantile is an index computation. The shift drops the lowest
    mantissa bits of the quantiles: a relative error below 2**-(52 - group bits), under
    a microsecond on a day for up to a million groups. Counts, totals and means are exact.

    >>> import numpy as np
    >>> stats = grouped_stats(np.array([4.0, 1.0, np.nan, 3.0, 2.0]), np.array([0, 0, 0, 1, -1]), 2)
    >>> stats.count.tolist(), stats.median.tolist()
    ([2, 1], [2.5, 3.0])
    """
    ignored = (groups < 0) | np.isnan(values)
    group_bits = max(int(n_groups).bit_length(), 1)
    value_bits = 63 - group_bits
    group = np.where(ignored, n_groups, groups).astype(np.int64)
    keys = np.sort((group << value_bits) | (values.view(np.int64) >> group_bits))
    ordered = ((keys & ((1 << value_bits) - 1)) << group_bits).view(np.float64)
    count = np.bincount(keys >> value_bits, minlength=n_groups + 1)[:n_groups]
    total = np.bincount(group, weights=np.where(ignored, 0.0, values), minlength=n_groups + 1)[:n_groups]
    first = np.cumsum(count) - count
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    return GroupStats(
        count=count,
        total=total,
        mean=mean,
        median=_quantile(ordered, first, count, 0.5),
        p90=_quantile(ordered, first, count, 0.9),
    )


def _quantile(ordered: np.ndarray, first: np.ndarray, count: np.ndarray, q: float) -> np.ndarray:
    result = np.full(len(count), np.nan)
    present = count > 0
    position = (count[present] - 1) * q
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, count[present] - 1)
    base = first[present]
    low_value = ordered[base + low]
    result[present] = low_value + (position - low) * (ordered[base + high] - low_value)
    return result


def distinct_cases(groups: np.ndarray, case: np.ndarray, n_groups: int) -> np.ndarray:
    """How many distinct cases each group occurs in.

    Within each group, case codes must never decrease along the array (true in the
    canonical frame order, or any subset of rows grouped stably by one code). Then
    after a stable sort by group each group's cases are still in order and a new case
    is simply a change from the previous row.

    >>> import numpy as np
    >>> distinct_cases(np.array([0, 1, 0, 0, -1]), np.array([0, 0, 0, 1, 1]), 2).tolist()
    [2, 1]
    """
    grouped = groups >= 0
    if grouped.all():
        by_group = stable_group_order(groups, n_groups)
    else:
        rows = np.flatnonzero(grouped)
        by_group = rows[stable_group_order(groups[rows], n_groups)]
    sorted_groups = groups[by_group]
    sorted_cases = case[by_group]
    new = np.ones(len(by_group), dtype=bool)
    new[1:] = (sorted_groups[1:] != sorted_groups[:-1]) | (sorted_cases[1:] != sorted_cases[:-1])
    return np.bincount(sorted_groups[new], minlength=n_groups)


def compact(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Renumber int64 keys (-1 = none) to dense codes 0..k-1; return (codes, the k keys).

    When the keys are small (at most a few times the number of rows) a bincount over
    the key space finds the present ones and codes follow key order; otherwise a hash
    table (pandas' factorize) numbers them in order of first appearance. Both are one
    pass without a sort.

    >>> import numpy as np
    >>> codes, present = compact(np.array([7, -1, 3, 7]))
    >>> codes.tolist(), present.tolist()
    ([1, -1, 0, 1], [3, 7])
    """
    present = keys >= 0
    codes = np.full(len(keys), -1, dtype=np.int64)
    if not present.any():
        return codes, np.zeros(0, dtype=np.int64)
    used = keys[present]
    size = int(used.max()) + 1
    if size <= DENSE_FACTOR * len(keys) + DENSE_MINIMUM:
        uniques = np.flatnonzero(np.bincount(used, minlength=size))
        table = np.zeros(size, dtype=np.int64)
        table[uniques] = np.arange(len(uniques))
        codes[present] = table[used]
        return codes, uniques.astype(np.int64)
    dense, uniques = pd.factorize(used, sort=False)
    codes[present] = dense
    return codes, np.asarray(uniques, dtype=np.int64)
