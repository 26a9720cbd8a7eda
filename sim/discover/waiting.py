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
from sim.discover.weekly import WeeklyClock


@dataclass(frozen=True)
class WaitingSplit:
    """Seconds of waiting per instance, by cause (aligned with the instances)."""

    busy: np.ndarray
    offshift: np.ndarray
    unexplained: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.busy + self.offshift + self.unexplained


def split_waiting(instances: Instances, clock: WeeklyClock, calendar: np.ndarray) -> WaitingSplit:
    enabled, start = instances.enabled, instances.start
    wall = np.maximum(start - enabled, 0.0)
    working = np.minimum(clock.between(enabled, start, calendar), wall)
    busy_before = _busy_clock(instances, clock, calendar)
    busy = np.clip(busy_before(start) - busy_before(enabled), 0.0, working)
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
