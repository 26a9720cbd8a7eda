"""Circadian event distribution distance: are things happening at the same times of the week?

As in ``log_distance_measures.circadian_event_distribution`` with its defaults: start and
end times are split by weekday (Monday..Sunday, UTC) and, for each weekday, the EMD
between the hour-of-day (0-23) histograms of the two logs is taken; a weekday with events
in only one log counts as the maximum, 23 hours, and one with events in neither as 0.
The distance is the mean over the seven weekdays, in hours.
"""

from __future__ import annotations

import numpy as np

from sim.fidelity.emd import wasserstein_counts
from sim.fidelity.events import NS_PER_HOUR, LogArrays, LogLike, as_log_arrays

HOURS_PER_DAY = 24
DAYS_PER_WEEK = 7
EPOCH_WEEKDAY = 3
"""1970-01-01 was a Thursday; weekdays are numbered from Monday = 0, as pandas does."""
ONE_SIDED_WEEKDAY_PENALTY = 23.0
"""The package's distance for a weekday with events in only one of the logs."""


def circadian_event_distance(original: LogLike, simulated: LogLike) -> float:
    """Mean over weekdays of the EMD in hours between hour-of-day histograms."""
    first = _weekday_hour_counts(as_log_arrays(original, "original"))
    second = _weekday_hour_counts(as_log_arrays(simulated, "simulated"))
    has_first, has_second = first.sum(axis=1) > 0, second.sum(axis=1) > 0
    per_weekday = np.where(
        has_first & has_second,
        wasserstein_counts(first, second),
        np.where(has_first | has_second, ONE_SIDED_WEEKDAY_PENALTY, 0.0),
    )
    return float(per_weekday.mean())


def _weekday_hour_counts(log: LogArrays) -> np.ndarray:
    """Counts of start and end times per (weekday, hour of day), shape (7, 24)."""
    hours = np.floor_divide(np.concatenate((log.start_ns, log.end_ns)), NS_PER_HOUR)
    days, hour_of_day = np.divmod(hours, HOURS_PER_DAY)
    slot = ((days + EPOCH_WEEKDAY) % DAYS_PER_WEEK) * HOURS_PER_DAY + hour_of_day
    return np.bincount(slot, minlength=DAYS_PER_WEEK * HOURS_PER_DAY).reshape(DAYS_PER_WEEK, HOURS_PER_DAY)
