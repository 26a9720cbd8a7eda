"""1-D earth mover's (1-Wasserstein) distance between samples of integer bins.

The package's measures use ``scipy.stats.wasserstein_distance`` on the raw lists of bin
numbers (its default ``DistanceMetric.WASSERSTEIN``, which the published protocol keeps).
Both samples are normalised to unit mass, so logs of different sizes compare fairly and
the result is in bin units (hours for hour bins). In one dimension the distance is the
area between the two cumulative distribution functions, which we compute from bin counts
with a cumulative sum instead of a linear program.
"""

from __future__ import annotations

import numpy as np

DENSE_SPAN_PER_SAMPLE = 4
"""Count over every integer in the range when it is at most this many times the sample
size (plus a small constant); wider, sparse ranges are compressed to the values present."""


def wasserstein_integer(u: np.ndarray, v: np.ndarray) -> float:
    """Distance between two non-empty samples of integers, equal to scipy's on the same samples."""
    low = min(int(u.min()), int(v.min()))
    span = max(int(u.max()), int(v.max())) - low + 1
    if span <= DENSE_SPAN_PER_SAMPLE * (len(u) + len(v)) + 4096:
        counts_u = np.bincount(u - low, minlength=span)
        counts_v = np.bincount(v - low, minlength=span)
        return float(wasserstein_counts(counts_u, counts_v))
    values, inverse = np.unique(np.concatenate((u, v)), return_inverse=True)
    counts_u = np.bincount(inverse[: len(u)], minlength=len(values))
    counts_v = np.bincount(inverse[len(u) :], minlength=len(values))
    return float(wasserstein_counts(counts_u, counts_v, gaps=np.diff(values)))


def wasserstein_counts(
    counts_u: np.ndarray, counts_v: np.ndarray, gaps: np.ndarray | None = None
) -> np.ndarray | float:
    """Distance between histograms over the same ordered bins, along the last axis.

    ``gaps[i]`` is the distance from bin i to bin i+1 (1 for consecutive integers, the
    default). Rows with no mass give NaN: callers decide what an empty histogram means.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        cdf_u = np.cumsum(counts_u, axis=-1) / counts_u.sum(axis=-1, keepdims=True)
        cdf_v = np.cumsum(counts_v, axis=-1) / counts_v.sum(axis=-1, keepdims=True)
    area = np.abs(cdf_u[..., :-1] - cdf_v[..., :-1])
    if gaps is not None:
        area = area * gaps
    return area.sum(axis=-1)
