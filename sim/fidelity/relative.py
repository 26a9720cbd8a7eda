"""Relative event distribution distance: do events happen at the same time into their case?

As in ``log_distance_measures.relative_event_distribution`` with its defaults: every
start and end time becomes the whole hours since the earliest start time of its case;
the distance is the EMD between the two samples of hour numbers, in hours. Unlike the
absolute measure, it ignores when cases arrive and looks only at timing inside cases.
"""

from __future__ import annotations

import numpy as np

from sim.fidelity.emd import wasserstein_integer
from sim.fidelity.events import LogArrays, LogLike, as_log_arrays, hour_bins


def relative_event_distance(original: LogLike, simulated: LogLike) -> float:
    """EMD in hours between the hours-since-case-start histograms of all start and end times."""
    first, second = as_log_arrays(original, "original"), as_log_arrays(simulated, "simulated")
    return wasserstein_integer(_hours_into_case(first), _hours_into_case(second))


def _hours_into_case(log: LogArrays) -> np.ndarray:
    case_start = np.minimum.reduceat(log.start_ns, log.case_bounds[:-1])
    start_of_own_case = np.repeat(case_start, log.case_lengths)
    return hour_bins(np.concatenate((log.start_ns, log.end_ns)) - np.tile(start_of_own_case, 2))
