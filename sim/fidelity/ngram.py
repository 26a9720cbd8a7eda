"""n-gram distribution distance: how differently activities follow each other in two logs.

As in ``log_distance_measures.n_gram_distribution``: each case is padded with n-1
"no activity" symbols at both ends, so starts and ends of cases count as n-grams too
(a case of length L gives L+n-1 of them); the distance is the sum over all n-grams of
the absolute difference of their counts, divided by the total count in both logs. It is
0 for logs with the same n-gram counts and 1 when they share no n-gram.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from sc_improve.errors import OptionError
from sim.fidelity.events import LogArrays, LogLike, as_log_arrays

PADDING = 0
"""Symbol for "before the first / after the last activity"; activities are numbered from 1."""


def n_gram_distance(original: LogLike, simulated: LogLike, n: int = 3) -> float:
    """Normalised n-gram count difference in [0, 1] (the published protocol uses n=3)."""
    if n < 1:
        raise OptionError(f"n-grams need n >= 1, not {n}")
    first, second = as_log_arrays(original, "original"), as_log_arrays(simulated, "simulated")
    labels = pd.Index(np.concatenate((first.activity_labels, second.activity_labels))).unique()
    grams_first = _n_grams(first, labels.get_indexer(first.activity_labels) + 1, n)
    grams_second = _n_grams(second, labels.get_indexer(second.activity_labels) + 1, n)
    grams = _as_numbers(np.concatenate((grams_first, grams_second)), n_symbols=len(labels) + 1)
    _, inverse = np.unique(grams, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n_distinct = int(inverse.max()) + 1
    counts_first = np.bincount(inverse[: len(grams_first)], minlength=n_distinct)
    counts_second = np.bincount(inverse[len(grams_first) :], minlength=n_distinct)
    return float(np.abs(counts_first - counts_second).sum() / (len(grams_first) + len(grams_second)))


def _as_numbers(grams: np.ndarray, n_symbols: int) -> np.ndarray:
    """Each n-gram as one integer (its digits in base ``n_symbols``) when that fits in int64,
    because sorting integers is many times faster than sorting rows; otherwise the rows."""
    n = grams.shape[1]
    if n_symbols**n >= 2**63:
        return grams
    return grams @ (n_symbols ** np.arange(n - 1, -1, -1, dtype=np.int64))


def _n_grams(log: LogArrays, symbol_of_label: np.ndarray, n: int) -> np.ndarray:
    """All padded n-grams of a log, one per row, as symbol numbers (rows may repeat)."""
    pad = n - 1
    case_index = np.repeat(np.arange(log.n_cases), log.case_lengths)
    padded = np.full(log.n_events + 2 * pad * log.n_cases, PADDING, dtype=np.int64)
    padded[np.arange(log.n_events) + pad * (2 * case_index + 1)] = symbol_of_label[log.activity_codes]
    windows = sliding_window_view(padded, n)
    block_starts = log.case_bounds + 2 * pad * np.arange(log.n_cases + 1)
    crossing = (block_starts[1:-1, None] - pad + np.arange(pad)).ravel()
    keep = np.ones(len(windows), dtype=bool)
    keep[crossing] = False
    return windows[keep]
