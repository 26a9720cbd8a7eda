"""Delays of which some are only known to have lasted at least so long.

A delay that ended while its resource was off shift is seen only up to the start of that
gap (:func:`sim.discover.waiting.measure_waiting`). Dropping those values would keep the
short delays that happened to end on shift; taking them as they are would shorten the
distribution. The Kaplan-Meier estimator gives the distribution that uses them for what
they say: each one hands its probability on to the longer delays still possible.
"""

from __future__ import annotations

import numpy as np


def kaplan_meier_sample(values: np.ndarray, censored: np.ndarray) -> np.ndarray:
    """As many values as given, at evenly spaced quantiles of the Kaplan-Meier estimate
    (sorted), or the values themselves when none or all are censored.

    Probability left over past the last complete value (the longest ones all censored)
    goes to the longest value seen, the usual convention.
    """
    n = len(values)
    if n == 0 or not censored.any() or censored.all():
        return values
    order = np.lexsort((censored, values))
    ordered, lower_bound = values[order], censored[order]
    at_risk = n - np.arange(n)
    survival = np.cumprod(np.where(lower_bound, 1.0, 1.0 - 1.0 / at_risk))
    complete = ~lower_bound
    reached = 1.0 - survival[complete]
    probabilities = (np.arange(n) + 0.5) / n
    index = np.searchsorted(reached, probabilities, side="left")
    known = ordered[complete]
    return np.where(index < len(known), known[np.minimum(index, len(known) - 1)], ordered[-1])
