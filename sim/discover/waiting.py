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
A delay in wall-clock time stretches the unexplained working time by the off-shift hours
interleaved with it (its share of the waiting); a delay counted in a working calendar
takes the same share of that calendar's hours (:mod:`sim.discover.delays` decides which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.discover.instances import Instances
from sim.discover.weekly import HOUR_S, WeeklyClock

IDLE_AFTER_OPENING_S = HOUR_S
"""Idle working time after a shift opens up to which the start still counts as "at opening"
(calendars are hourly, so a shift seen to open at 09:00 may start work at 09:40)."""


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
class WallClockDelays:
    """Per instance, the extraneous delay in wall-clock seconds and whether it is only a
    lower bound (``censored``): the work started as its resource's shift opened, so the
    delay ended somewhere in the off-shift gap before and only the time up to that gap
    is known."""

    seconds: np.ndarray
    censored: np.ndarray


def measure_waiting(
    instances: Instances, clock: WeeklyClock, calendar: np.ndarray, censor_at_shift_gaps: bool
) -> tuple[WaitingSplit, WallClockDelays]:
    """The waiting split and the wall-clock delays measured consistently with the engine.

    The engine starts a delayed instance at its resource's next working hour after the
    delay ends. Measured up to the start, a wait that ended with the resource's shift
    opening would hold the whole night or weekend; sampled, it would end at a random
    moment and wait for the next shift again. So where the resource opened its shift and
    started the work without sitting idle for more than ``IDLE_AFTER_OPENING_S`` of its
    working time first, the delay is measured up to the start of the off-shift gap before
    that shift, and marked censored (it lasted at least that long), when
    ``censor_at_shift_gaps``. Estimated starts are never censored: the estimate puts them
    at the resource's earliest moment, shift openings included.
    """
    enabled, start = instances.enabled, instances.start
    busy_before = _busy_clock(instances, clock, calendar)
    split = _split(enabled, start, clock, calendar, busy_before)
    share = unexplained_fraction(split)
    gap_start, opened = clock.last_gap(start, calendar)
    after_gap = np.isfinite(opened) & (opened > enabled)
    since = np.where(after_gap, np.maximum(opened, enabled), start)
    idle_after_opening = _split(since, start, clock, calendar, busy_before).unexplained
    censored = (
        censor_at_shift_gaps & after_gap & (idle_after_opening <= IDLE_AFTER_OPENING_S) & ~instances.estimated
    )
    until = np.where(censored, np.maximum(np.nan_to_num(gap_start), enabled), start)
    before_gap = _split(enabled, until, clock, calendar, busy_before)
    seconds = np.where(censored, unexplained_fraction(before_gap) * before_gap.total, share * split.total)
    return split, WallClockDelays(seconds=seconds, censored=censored)


def _split(
    begin: np.ndarray,
    end: np.ndarray,
    clock: WeeklyClock,
    calendar: np.ndarray,
    busy_before: Callable[[np.ndarray], np.ndarray],
) -> WaitingSplit:
    wall = np.maximum(end - begin, 0.0)
    working = np.minimum(clock.between(begin, end, calendar), wall)
    busy = np.clip(busy_before(end) - busy_before(begin), 0.0, working)
    return WaitingSplit(busy=busy, offshift=wall - working, unexplained=working - busy)


def unexplained_fraction(split: WaitingSplit) -> np.ndarray:
    """Per instance, the share of its resource's working time while waiting that nothing explains."""
    working = split.busy + split.unexplained
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(working > 0, split.unexplained / working, 0.0)


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
