"""Cycle time distribution distance: do cases take as long in the simulation as in reality?

As in ``log_distance_measures.cycle_time_distribution`` with the published protocol's
one-hour bins: a case's cycle time is its last end minus its first start; cycle times of
both logs are binned as whole bins above the shortest cycle time of either log, and the
distance is the EMD between the two samples of bin numbers, in bins (hours).
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from sc_improve.errors import OptionError
from sim.fidelity.emd import wasserstein_integer
from sim.fidelity.events import LogLike, as_log_arrays

ONE_HOUR = pd.Timedelta(hours=1)


def cycle_time_distance(
    original: LogLike, simulated: LogLike, bin_size: datetime.timedelta | pd.Timedelta = ONE_HOUR
) -> float:
    """EMD, in bins of ``bin_size``, between the cycle-time histograms of the two logs."""
    bin_ns = pd.Timedelta(bin_size).value
    if bin_ns <= 0:
        raise OptionError(f"the cycle-time bin size must be positive, not {bin_size}")
    first = as_log_arrays(original, "original").cycle_times_ns()
    second = as_log_arrays(simulated, "simulated").cycle_times_ns()
    shortest = min(int(first.min()), int(second.min()))
    return wasserstein_integer(
        np.floor_divide(first - shortest, bin_ns), np.floor_divide(second - shortest, bin_ns)
    )
