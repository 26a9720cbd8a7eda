"""Why each instance waited, and the extraneous delays that nothing else explains.

Between enabling and start an instance waits because its resource was busy with other
work, because the resource was off shift, or for a reason the log does not show (a
supplier, a customer, a batch run). Only the last part becomes a ``Delay`` in the model:
the engine produces the first two itself from queues and calendars.

Per instance, with ``e`` enabled, ``s`` started and ``r`` its resource, counted in
``r``'s working time: busy = time in ``[e, s]`` that ``r`` spent on other instances;
off-shift = wall-clock time in ``[e, s]`` outside ``r``'s calendar; unexplained = the rest,
the working hours ``r`` sat idle while the case waited. Busy time is measured on the
union of ``r``'s jobs, so a resource that picks later cases first (not first come,
first served) while mostly idle does not count as busy.
The delay the engine needs is wall-clock time, so the unexplained working time is
stretched by the off-shift hours interleaved with it (its share of the waiting).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.discover.fitting import FitResult, fit_distribution
from sim.discover.instances import Instances
from sim.discover.weekly import WeeklyClock
from sim.model import Delay, Distribution

MAX_LEVEL_FACTOR = 3.0


@dataclass(frozen=True)
class WaitingSplit:
    """Seconds of waiting per instance, by cause (aligned with the instances)."""

    busy: np.ndarray
    offshift: np.ndarray
    unexplained: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.busy + self.offshift + self.unexplained


@dataclass(frozen=True)
class DelayFit:
    activity: str
    predecessor: str | None
    probability: float
    fit: FitResult | None
    n: int
    recent_only: bool


def split_waiting(instances: Instances, clock: WeeklyClock, calendar: np.ndarray) -> WaitingSplit:
    enabled, start = instances.enabled, instances.start
    wall = np.maximum(start - enabled, 0.0)
    working = np.minimum(clock.between(enabled, start, calendar), wall)
    busy_before = _busy_clock(instances, clock, calendar)
    busy = np.clip(busy_before(start) - busy_before(enabled), 0.0, working)
    return WaitingSplit(busy=busy, offshift=wall - working, unexplained=working - busy)


def delay_seconds(split: WaitingSplit) -> np.ndarray:
    """Wall-clock extraneous delay per instance: the unexplained share of its whole waiting."""
    total = split.total
    working = split.busy + split.unexplained
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(working > 0, split.unexplained * total / working, 0.0)


def _busy_clock(
    instances: Instances, clock: WeeklyClock, calendar: np.ndarray
) -> Callable[[np.ndarray], np.ndarray]:
    """A function giving, per instance and time t, its resource's working time spent busy before t.

    The resource's jobs are merged into busy blocks (union of overlapping intervals);
    a prefix sum over the blocks' working time answers each query with one binary search.
    """
    known = np.flatnonzero(instances.resource >= 0)
    if len(known) == 0:
        return lambda times: np.zeros(instances.n)
    order = known[np.lexsort((instances.start[known], instances.resource[known]))]
    resource = instances.resource[order].astype(np.int64)
    starts, ends = instances.start[order], instances.end[order]
    reach = pd.Series(ends).groupby(resource).cummax().to_numpy()
    new_block = np.ones(len(order), dtype=bool)
    new_block[1:] = (resource[1:] != resource[:-1]) | (starts[1:] > reach[:-1])
    first = np.flatnonzero(new_block)
    block_resource = resource[first]
    block_start = starts[first]
    block_end = np.maximum.reduceat(ends, first)
    block_calendar = calendar[order][first]
    length = clock.between(block_start, block_end, block_calendar)
    cumulative = np.cumsum(length) - length
    first_block_of_resource = np.searchsorted(block_resource, np.arange(int(resource.max()) + 1))
    base_of_resource = cumulative[np.minimum(first_block_of_resource, len(first) - 1)]
    origin = float(min(block_start.min(), instances.enabled.min()))
    span = float(max(block_end.max(), instances.end.max()) - origin) + 1.0
    block_key = block_resource * span + (block_start - origin)

    def busy_before(times: np.ndarray) -> np.ndarray:
        result = np.zeros(instances.n)
        has = instances.resource >= 0
        r = instances.resource[has].astype(np.int64)
        t = times[has]
        position = np.searchsorted(block_key, r * span + (t - origin), side="right") - 1
        valid = (position >= 0) & (block_resource[np.maximum(position, 0)] == r)
        k = np.maximum(position, 0)
        inside = clock.between(block_start[k], np.minimum(t, block_end[k]), block_calendar[k])
        value = cumulative[k] - base_of_resource[r] + inside
        result[has] = np.where(valid, value, 0.0)
        return result

    return busy_before


def discover_delays(
    instances: Instances,
    unexplained: np.ndarray,
    *,
    min_support: int,
    min_seconds: float,
    min_empirical_values: int,
    tolerance: float,
    recent_share: float,
    drift_factor: float,
) -> tuple[dict[str, tuple[Delay | None, dict[str, Delay]]], list[DelayFit], list[str]]:
    """Per activity: its general delay and its predecessor-specific ones, the fits and notes.

    When an activity's unexplained waiting in the latest ``recent_share`` of the log is
    ``drift_factor`` times larger or smaller than over the whole log, the delay is
    fitted on the recent instances only, scaled to where the straight-line trend of the
    delays ends, because a what-if model should start from how the process behaves now.
    """
    names = instances.activities
    waited = ~instances.first_in_case
    recent_from = np.quantile(instances.enabled, 1 - recent_share) if instances.n else 0.0
    recent = instances.enabled >= recent_from
    fit_options = {"min_empirical_values": min_empirical_values, "tolerance": tolerance}
    delays: dict[str, tuple[Delay | None, dict[str, Delay]]] = {}
    fits: list[DelayFit] = []
    drifted: list[str] = []
    for a, activity in enumerate(names):
        mask = waited & (instances.activity == a)
        if not mask.any() or not (unexplained[mask] > min_seconds).any():
            continue
        use_recent = _drifted(unexplained[mask], unexplained[mask & recent], min_support, drift_factor)
        level = 1.0
        if use_recent:
            level = _level_at_end(instances.enabled[mask], unexplained[mask], mask & recent, mask)
            mask &= recent
            drifted.append(activity)
        predecessor = instances.predecessor[mask]
        values = unexplained[mask] * level
        counts = np.bincount(predecessor, minlength=len(names))
        supported = np.flatnonzero(counts >= min_support)
        specific: dict[str, Delay] = {}
        for p in supported:
            delay, fit = _delay(values[predecessor == p], min_seconds, fit_options)
            fits.append(DelayFit(activity, names[p], delay.probability, fit, int(counts[p]), use_recent))
            specific[names[p]] = delay
        rest = ~np.isin(predecessor, supported)
        general_values = values[rest] if rest.sum() >= min_support else values
        general, fit = _delay(general_values, min_seconds, fit_options)
        fits.append(DelayFit(activity, None, general.probability, fit, len(general_values), use_recent))
        if general.probability == 0 and all(d.probability == 0 for d in specific.values()):
            continue
        delays[activity] = (general if general.probability > 0 else None, specific)
    notes = []
    if drifted:
        notes.append(
            "The unexplained waiting before "
            + ", ".join(f"'{a}'" for a in drifted[:5])
            + (" and others" if len(drifted) > 5 else "")
            + f" changed markedly over the log; their delays come from the latest {recent_share:.0%} of it, "
            "scaled to the level its trend reaches at the end. Check that this level still holds."
        )
    return delays, fits, notes


def _drifted(values: np.ndarray, recent: np.ndarray, min_support: int, factor: float) -> bool:
    if len(recent) < min_support or len(recent) == len(values):
        return False
    overall, latest = float(values.mean()), float(recent.mean())
    if overall <= 0 or latest <= 0:
        return False
    return max(latest / overall, overall / latest) >= factor


def _level_at_end(times: np.ndarray, values: np.ndarray, recent: np.ndarray, mask: np.ndarray) -> float:
    """How much the straight-line trend of the delays over the log ends above the recent mean.

    Fitted on the whole log (robust to the few recent values), evaluated at the last
    enabling time and bounded to a factor of three either way.
    """
    slope, intercept = np.polyfit(times - times.min(), values, 1)
    at_end = slope * (times.max() - times.min()) + intercept
    recent_mean = float(values[recent[mask]].mean())
    if recent_mean <= 0 or at_end <= 0:
        return 1.0
    return float(np.clip(at_end / recent_mean, 1 / MAX_LEVEL_FACTOR, MAX_LEVEL_FACTOR))


def _delay(values: np.ndarray, min_seconds: float, fit_options: dict) -> tuple[Delay, FitResult | None]:
    delayed = values[values > min_seconds]
    if len(delayed) == 0:
        return Delay(0.0, Distribution("fixed", {"value": 0.0})), None
    fit = fit_distribution(
        delayed,
        min_empirical_values=fit_options["min_empirical_values"],
        parametric_tolerance=fit_options["tolerance"],
    )
    return Delay(float(len(delayed) / len(values)), fit.distribution), fit
