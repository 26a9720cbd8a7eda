"""The SimPy event loop: cases compete for the resources of pools, in working time.

Only what depends on other cases happens here; everything else (arrivals, routes,
durations, delays) is already in the :class:`~sim.engine.script.Script`. That keeps the
loop small: an activity instance costs one SimPy event (its end), plus one when it has an
extraneous delay (counted in wall-clock time or in a calendar's working time, whose end is
computed with that calendar's clock like processing time); resources coming on shift
cost one event per pool and shift, and only while work is queued. Processing time is
working time: the end is computed with the resource's calendar clock (work pauses
off-shift and resumes on the next shift) instead of with events per shift.

Each scheduled step is a small SimPy event that carries its callback, rather than one
SimPy process per case, which saves the generator round trips a process costs per event.
Instance state lives in preallocated Python lists (faster to index one element at a time
than numpy arrays).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy
from simpy.events import NORMAL, Event

from sim.calendar import CalendarClock
from sim.engine.script import Script


class _Call(Event):
    """An event that calls ``callback`` with itself ``delay`` seconds from now.

    SimPy's ``Timeout`` plus ``callbacks.append`` in one step: this runs once or twice per
    activity instance, so the saved checks and calls are measurable."""

    def __init__(
        self, env: simpy.Environment, delay: float, value: object, callback: Callable[[Event], None]
    ):
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        env.schedule(self, NORMAL, delay)


@dataclass
class _Pool:
    """Idle resources grouped by calendar (same calendar = same on-shift test) and the queue."""

    groups: list[tuple[CalendarClock, deque[int]]]
    queue: list[tuple[int, int, int]]
    """Heap of (priority rank, arrival order in the queue, instance)."""
    wake_at: float = math.inf


@dataclass(frozen=True)
class EventTrace:
    """When each instance was enabled, started and ends, and by whom (NaN / -1: not started).

    ``end_s`` is set when the instance starts, so work still running at the horizon has
    its planned end, after the horizon."""

    enabled_s: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    resource: np.ndarray
    case_done_s: np.ndarray


class EventLoop:
    """Runs a script through SimPy; ``run`` may be called repeatedly with later horizons."""

    def __init__(
        self,
        script: Script,
        arrival_s: np.ndarray,
        resource_pool: list[int],
        resource_clock: list[CalendarClock],
        pool_count: int,
        case_rank: np.ndarray,
        calendar_clock: list[CalendarClock],
    ) -> None:
        self.env = simpy.Environment(initial_time=float(arrival_s[0]) if arrival_s.size else 0.0)
        n = script.case.size
        self.case = script.case.tolist()
        self.pool = script.pool.tolist()
        self.duration = script.duration_s.tolist()
        self.delay = script.delay_s.tolist()
        self.delay_calendar = script.delay_calendar.tolist()
        self.calendar_clock = calendar_clock
        self.starts_next = script.starts_next.tolist()
        self.block = script.block.tolist()
        self.remaining = script.block_size.tolist()
        self.after_block = script.after_block.tolist()
        self.case_first = script.case_first.tolist()
        self.rank = case_rank.tolist()
        self.arrival = arrival_s.tolist()
        self.enabled = [math.nan] * n
        self.start = [math.nan] * n
        self.end = [math.nan] * n
        self.resource = [-1] * n
        self.case_done = [math.nan] * len(self.arrival)
        self.resource_pool = resource_pool
        self.resource_clock = resource_clock
        self.resource_group: list[int] = []
        self.pools = [_Pool(groups=[], queue=[]) for _ in range(pool_count)]
        group_of: dict[tuple[int, int], int] = {}
        for r, (p, clock) in enumerate(zip(resource_pool, resource_clock, strict=True)):
            if clock.never_on:
                self.resource_group.append(-1)  # never on shift: never idle and available
                continue
            pool = self.pools[p]
            key = (p, id(clock))
            if key not in group_of:
                group_of[key] = len(pool.groups)
                pool.groups.append((clock, deque()))
            self.resource_group.append(group_of[key])
            pool.groups[group_of[key]][1].append(r)
        self.order = itertools.count()
        self.pending: list[tuple[int, float]] = []
        # bound once: ``self._on_end`` would build a new bound-method object per event
        self.end_callback = self._on_end
        self.ready_callback = self._on_ready
        if self.arrival:
            _Call(self.env, self.arrival[0] - self.env.now, 0, self._on_arrival)

    def run(self, until: float | None = None) -> None:
        self.env.run(until=until)

    def trace(self) -> EventTrace:
        return EventTrace(
            enabled_s=np.array(self.enabled),
            start_s=np.array(self.start),
            end_s=np.array(self.end),
            resource=np.array(self.resource, dtype=np.int64),
            case_done_s=np.array(self.case_done),
        )

    # --- callbacks (each drains the instances its work enabled) -----------------------

    def _on_arrival(self, event: Event) -> None:
        case = event._value
        now = self.env.now
        following = case + 1
        if following < len(self.arrival):
            _Call(self.env, self.arrival[following] - now, following, self._on_arrival)
        first = self.case_first[case]
        if first < 0:
            self.case_done[case] = now
            return
        self._enable(first, now)
        if self.pending:
            self._drain()

    def _on_ready(self, event: Event) -> None:
        self._request(event._value, self.env.now)
        if self.pending:
            self._drain()

    def _on_end(self, event: Event) -> None:
        instance = event._value
        now = self.env.now
        resource = self.resource[instance]
        if resource >= 0:
            self._release(resource, now)
        block = self.block[instance]
        self.remaining[block] -= 1
        if self.remaining[block] == 0:
            following = self.after_block[instance]
            if following >= 0:
                self._enable(following, now)
            else:
                self.case_done[self.case[instance]] = now
        if self.pending:
            self._drain()

    def _on_wake(self, event: Event) -> None:
        pool = event._value
        now = self.env.now
        if now >= pool.wake_at:
            pool.wake_at = math.inf
        queue = pool.queue
        for clock, idle in pool.groups:
            if idle and queue and clock.is_working_at(now):
                while idle and queue:
                    self._begin(heapq.heappop(queue)[2], idle.popleft(), now)
        if queue:
            self._wake_later(pool, now)
        if self.pending:
            self._drain()

    # --- the steps of an instance ----------------------------------------------------

    def _drain(self) -> None:
        pending = self.pending
        while pending:
            instance, now = pending.pop()
            self._enable(instance, now)

    def _enable(self, instance: int, now: float) -> None:
        self.enabled[instance] = now
        delay = self.delay[instance]
        if delay > 0:
            calendar = self.delay_calendar[instance]
            if calendar >= 0:
                delay = self.calendar_clock[calendar].add_working_at(now, delay) - now
            _Call(self.env, delay, instance, self.ready_callback)
        else:
            self._request(instance, now)

    def _request(self, instance: int, now: float) -> None:
        p = self.pool[instance]
        if p < 0:
            self._begin(instance, -1, now)
            return
        pool = self.pools[p]
        for clock, idle in pool.groups:
            if idle and clock.is_working_at(now):
                self._begin(instance, idle.popleft(), now)
                return
        heapq.heappush(pool.queue, (self.rank[self.case[instance]], next(self.order), instance))
        self._wake_later(pool, now)

    def _begin(self, instance: int, resource: int, now: float) -> None:
        self.start[instance] = now
        self.resource[instance] = resource
        work = self.duration[instance]
        finish = now + work if resource < 0 else self.resource_clock[resource].add_working_at(now, work)
        self.end[instance] = finish
        _Call(self.env, finish - now if finish > now else 0.0, instance, self.end_callback)
        if self.starts_next[instance]:
            self.pending.append((instance + 1, now))

    def _release(self, resource: int, now: float) -> None:
        pool = self.pools[self.resource_pool[resource]]
        clock = self.resource_clock[resource]
        if pool.queue and clock.is_working_at(now):
            self._begin(heapq.heappop(pool.queue)[2], resource, now)
            return
        pool.groups[self.resource_group[resource]][1].append(resource)
        if pool.queue:
            self._wake_later(pool, now)

    def _wake_later(self, pool: _Pool, now: float) -> None:
        """Make sure the pool looks at its queue when its next idle resource comes on shift."""
        soonest = math.inf
        for clock, idle in pool.groups:
            if idle:
                soonest = min(soonest, clock.next_working_at(now))
        if soonest < pool.wake_at:
            pool.wake_at = soonest
            _Call(self.env, soonest - now, pool, self._on_wake)
