"""Whether an extraneous delay runs on the wall clock or in working hours.

Waiting for a supplier's truck runs day and night; waiting for a colleague's answer or a
clerk at the vendor only advances in office hours. The two read the same in a log but
behave differently once sampled: a wall-clock delay drawn for a case enabled in the
afternoon often ends at night, and the work then starts at the first hour of the next
shift, a pile-up at 08:00 the log does not show. A delay counted in working hours ends
inside them.

The choice is made on the evidence the fidelity measures look at: the delayed instances
are replayed with their delays shuffled among them (what sampling from the fitted
distribution does), in each clock; each replay's start and end times are placed on the
resource's calendar, and the clock whose replay lies closer to the log wins. Closer is
the hour-of-week distance of starts and ends plus the distance between the replayed and
the observed waits (both earth mover's distances in hours). The second term matters for
resources that work few hours: a wall-clock delay measured up to a payment run that
happens twice a week already holds the days until that run, and once shuffled it ends
at a random moment and waits for the next run on top, 1.75 days on average; both clocks
put the run at the same hours, so only the waits tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import wasserstein_distance

from sim.discover.instances import Instances
from sim.discover.weekly import HOUR_S, WeeklyClock, week_position
from sim.model import HOURS_PER_WEEK

SHUFFLE_SEED = 20261123
"""Fixed, so that discovery gives the same model every time."""


@dataclass(frozen=True)
class DelayEvidence:
    """What every delay decision needs, aligned with the instances.

    ``wall`` is the extraneous delay in wall-clock seconds, ``share`` the unexplained
    share of the resource's working time while the instance waited, ``calendar`` the
    row of ``clock`` of the resource that did it and ``work`` its working-time duration.
    """

    clock: WeeklyClock
    calendar: np.ndarray
    calendar_names: tuple[str, ...]
    wall: np.ndarray
    share: np.ndarray
    work: np.ndarray

    def in_calendar(self, instances: Instances, rows: np.ndarray, calendar: int) -> np.ndarray:
        """The delay of ``rows`` counted in working seconds of ``calendar``."""
        waited = self.clock.between(instances.enabled[rows], instances.start[rows], calendar)
        return self.share[rows] * waited


@dataclass(frozen=True)
class ClockChoice:
    """The calendar row a delay is counted in (``None``: wall clock) and the distances
    (hours: profile plus waits) of both replays; NaN when there was nothing to compare."""

    calendar: int | None
    wall_distance_h: float
    calendar_distance_h: float


WALL_CLOCK = ClockChoice(None, float("nan"), float("nan"))


def choose_clock(
    instances: Instances, evidence: DelayEvidence, delayed: np.ndarray, level: float, min_delays: int
) -> ClockChoice:
    """Wall clock or the most common calendar of the resources of ``delayed`` (instance rows).

    Fewer than ``min_delays`` delayed instances, or a candidate calendar that is open all
    week (where both clocks agree), keep the wall clock.
    """
    if len(delayed) < min_delays:
        return WALL_CLOCK
    candidate = int(np.bincount(evidence.calendar[delayed]).argmax())
    if (evidence.clock.weights[candidate] > 0).all():
        return WALL_CLOCK
    enabled = instances.enabled[delayed]
    resource_calendar = evidence.calendar[delayed]
    shuffled = np.random.default_rng(SHUFFLE_SEED).permutation(len(delayed))
    wall = evidence.wall[delayed][shuffled] * level
    working = evidence.in_calendar(instances, delayed, candidate)[shuffled] * level
    observed = np.concatenate([instances.start[delayed], instances.end[delayed]])
    observed_wait = instances.start[delayed] - enabled
    distances = []
    for ready in (enabled + wall, evidence.clock.advance(enabled, working, candidate)):
        begin = evidence.clock.next_on(ready, resource_calendar)
        finish = evidence.clock.advance(begin, evidence.work[delayed], resource_calendar)
        profile = _week_profile_distance(np.concatenate([begin, finish]), observed)
        distances.append(profile + _wait_distance(begin - enabled, observed_wait))
    wall_distance, calendar_distance = distances
    chosen = candidate if calendar_distance < wall_distance else None
    return ClockChoice(chosen, wall_distance, calendar_distance)


def _wait_distance(replayed: np.ndarray, observed: np.ndarray) -> float:
    """Earth mover's distance between replayed and observed waits, in hours."""
    finite = replayed[np.isfinite(replayed)]
    if len(finite) == 0:
        return float("inf")
    return float(wasserstein_distance(finite, observed)) / HOUR_S


def _week_profile_distance(first: np.ndarray, second: np.ndarray) -> float:
    """Earth mover's distance between the hour-of-week histograms of two sets of times, in
    hours (the bins are one hour wide, so it is the summed gap between the two CDFs)."""
    finite_first, finite_second = first[np.isfinite(first)], second[np.isfinite(second)]
    if len(finite_first) == 0 or len(finite_second) == 0:
        return float("inf")
    counts = [
        np.bincount(week_position(times)[1], minlength=HOURS_PER_WEEK) / len(times)
        for times in (finite_first, finite_second)
    ]
    return float(np.abs(np.cumsum(counts[0] - counts[1])).sum())
