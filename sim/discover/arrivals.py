"""Case arrivals: a weekly intensity profile and the gaps between arrivals on its clock.

Arrivals in ERP processes follow office hours, so gaps measured in wall-clock time mix
night pauses with daytime bursts and no single distribution fits them. Measured on the
profile's rescaled clock (busy hours stretched, quiet hours shrunk) the gaps become
close to identically distributed, and one fitted distribution plus the profile
reproduces both the rate and the weekly rhythm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.discover.calendars import date_only
from sim.discover.fitting import FitResult, fit_distribution
from sim.discover.weekly import WEEK_S, WeeklyClock, week_position
from sim.model import HOURS_PER_WEEK, ArrivalModel, WeeklyCalendar

ARRIVAL_CALENDAR = "arrivals"
DENSE_SLOT_ARRIVALS = 5.0
"""Mean arrivals per slot above which an empty slot is taken as a real zero, not chance."""


@dataclass(frozen=True)
class DiscoveredArrivals:
    model: ArrivalModel
    fit: FitResult
    cases: int
    note: str | None = None


def discover_arrivals(
    arrival_times: np.ndarray,
    *,
    min_empirical_values: int,
    tolerance: float,
    recent_share: float = 1.0,
    drift_factor: float = np.inf,
    min_recent_gaps: int = 20,
    settle_seconds: float = 0.0,
) -> DiscoveredArrivals:
    """Arrival model from each case's first start (seconds since the epoch).

    When the mean gap over the latest ``recent_share`` of the arrival period differs from
    the overall mean by ``drift_factor`` or more, demand has changed and the gaps of that
    latest part are used, so the model starts from today's rate. The last
    ``settle_seconds`` (a long case duration) are left out of that comparison: logs hold
    finished cases, so their final weeks always look quiet.
    """
    times = np.sort(np.asarray(arrival_times, dtype=np.float64))
    weights = arrival_profile(times)
    clock = WeeklyClock.from_weights(weights)
    gaps = np.diff(clock.elapsed(times)) if len(times) > 1 else np.array([WEEK_S])
    note = None
    settled = times[1:] <= times[-1] - settle_seconds if len(times) > 1 else np.zeros(0, dtype=bool)
    if settled.sum() > 1:
        last = times[1:][settled][-1]
        recent = settled & (times[1:] >= last - recent_share * (last - times[0]))
        overall_mean, recent_mean = float(gaps[settled].mean()), float(gaps[recent].mean())
        if (
            recent.sum() >= min_recent_gaps
            and recent_mean > 0
            and overall_mean > 0
            and max(recent_mean / overall_mean, overall_mean / recent_mean) >= drift_factor
        ):
            note = (
                f"Cases arrived {overall_mean / recent_mean:.1f} times as often in the latest "
                f"{recent_share:.0%} of the log as over all of it; the arrival model uses the latest rate."
            )
            gaps = gaps[recent]
    fit = fit_distribution(gaps, min_empirical_values=min_empirical_values, parametric_tolerance=tolerance)
    calendar = WeeklyCalendar(ARRIVAL_CALENDAR, tuple(round(float(w), 4) for w in weights))
    model = ArrivalModel(interarrival=fit.distribution, calendar=calendar)
    return DiscoveredArrivals(model, fit, len(times), note)


def arrival_profile(times: np.ndarray) -> np.ndarray:
    """168 weights averaging 1: smoothed hourly arrival counts, 0 where the log shows none.

    Sparse logs blend each slot with what its day and hour predict independently.
    A slot is zero when its whole day of the week or its hour of the day never sees an
    arrival, or, once there are enough arrivals to tell, when the slot itself never does.
    """
    if len(times) == 0:
        return np.ones(HOURS_PER_WEEK)
    timed = times[~date_only(times)]
    counts = np.bincount(week_position(timed)[1], minlength=HOURS_PER_WEEK).astype(np.float64)
    smoothed = 0.5 * counts + 0.25 * np.roll(counts, 1) + 0.25 * np.roll(counts, -1)
    grid = counts.reshape(7, 24)
    open_ = grid.sum(axis=1)[:, None] > 0
    open_ = open_ & (grid.sum(axis=0)[None, :] > 0)
    if len(times) / HOURS_PER_WEEK >= DENSE_SLOT_ARRIVALS:
        open_ &= grid > 0
    else:
        independent = np.outer(grid.sum(axis=1), grid.sum(axis=0)).ravel() / max(counts.sum(), 1.0)
        smoothed = 0.5 * smoothed + 0.5 * independent
    weights = np.where(open_.ravel(), smoothed, 0.0)
    if weights.sum() <= 0:
        weights = np.where(open_.ravel(), 1.0, 0.0)
    return weights * HOURS_PER_WEEK / weights.sum()
