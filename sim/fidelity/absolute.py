"""Absolute event distribution distance: are things happening in the same hours of the period?

As in ``log_distance_measures.absolute_event_distribution`` with its defaults (start and
end times, one-hour bins, Wasserstein): every start and end time of both logs becomes
the number of whole hours since the earliest start time of either log, floored to the
hour; the distance is the EMD between the two samples of hour numbers, in hours. A
simulated log that is the real one shifted by k hours scores k.
"""

from __future__ import annotations

import numpy as np

from sim.fidelity.emd import wasserstein_integer
from sim.fidelity.events import NS_PER_HOUR, LogArrays, LogLike, as_log_arrays, hour_bins


def absolute_event_distance(original: LogLike, simulated: LogLike) -> float:
    """EMD in hours between the hour-of-period histograms of all start and end times."""
    first, second = as_log_arrays(original, "original"), as_log_arrays(simulated, "simulated")
    earliest = min(int(first.start_ns.min()), int(second.start_ns.min()))
    origin = earliest - earliest % NS_PER_HOUR
    return wasserstein_integer(_hours_since(first, origin), _hours_since(second, origin))


def _hours_since(log: LogArrays, origin_ns: int) -> np.ndarray:
    return hour_bins(np.concatenate((log.start_ns, log.end_ns)) - origin_ns)
