"""Working calendars and batch-job schedules as vectorised time arithmetic.

Real ERP waiting times are dominated by when people work: a purchase order approved
at 16:55 on a Friday is sent on Monday morning. Rather than simulating each event, a
calendar maps wall-clock time to *working position* (working seconds since a fixed
Monday) and back. Adding a working-time wait or duration is then an addition in
position space, done for millions of cases with two ``searchsorted`` calls.

All times are int64 seconds since 1970-01-01 in local wall-clock time (no zone), which
is what ERP extracts record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

DAY = 86_400
HOUR = 3_600
WEEK = 7 * DAY
MONDAY = 4 * DAY
"""1970-01-05, the first Monday after the epoch: weeks are counted from it."""


@dataclass(frozen=True)
class Calendar:
    """Weekly working intervals, as (start, end) seconds after Monday 00:00."""

    name: str
    intervals: tuple[tuple[int, int], ...]

    @classmethod
    def weekly(cls, name: str, weekdays: Iterable[int], blocks: Iterable[tuple[float, float]]) -> Calendar:
        """The same daily blocks (hours, e.g. ``(8, 12), (13, 17)``) on each weekday (Monday = 0)."""
        day_blocks = tuple(blocks)
        intervals = tuple(
            (day * DAY + round(start * HOUR), day * DAY + round(end * HOUR))
            for day in sorted(weekdays)
            for start, end in day_blocks
        )
        return cls(name, intervals)

    @cached_property
    def _starts(self) -> np.ndarray:
        return np.array([start for start, _ in self.intervals], dtype=np.int64)

    @cached_property
    def _lengths(self) -> np.ndarray:
        return np.array([end - start for start, end in self.intervals], dtype=np.int64)

    @cached_property
    def _before(self) -> np.ndarray:
        """Working seconds in the week before each interval starts."""
        return np.concatenate(([0], np.cumsum(self._lengths)[:-1]))

    @cached_property
    def _after(self) -> np.ndarray:
        """Working seconds in the week when each interval ends."""
        return np.cumsum(self._lengths)

    @property
    def weekly_seconds(self) -> int:
        return int(self._lengths.sum())

    def position(self, t: np.ndarray) -> np.ndarray:
        """Working seconds between the reference Monday and ``t``."""
        week, second = np.divmod(np.asarray(t, dtype=np.int64) - MONDAY, WEEK)
        index = np.searchsorted(self._starts, second, side="right") - 1
        inside = np.minimum(second - self._starts[np.maximum(index, 0)], self._lengths[np.maximum(index, 0)])
        worked = np.where(index >= 0, self._before[np.maximum(index, 0)] + inside, 0)
        return week * self.weekly_seconds + worked

    def instant(self, position: np.ndarray, *, closing: bool = False) -> np.ndarray:
        """The wall-clock time at a working position.

        A position on the border between two intervals is the start of the later one
        (when work can begin), or with ``closing`` the end of the earlier one (when
        work that reached it finished): so an activity ending at the lunch break ends
        at 12:00, and the next one starts at 13:00.
        """
        week, worked = np.divmod(np.asarray(position, dtype=np.int64), self.weekly_seconds)
        if closing:
            index = np.searchsorted(self._after, worked, side="left")
        else:
            index = np.searchsorted(self._before, worked, side="right") - 1
        return MONDAY + week * WEEK + self._starts[index] + (worked - self._before[index])

    def start_after(self, t: np.ndarray, work: np.ndarray | int = 0) -> np.ndarray:
        """When work can start after ``work`` working seconds of waiting from ``t``."""
        return self.instant(self.position(t) + work)

    def end_after(self, t: np.ndarray, work: np.ndarray | int) -> np.ndarray:
        """When ``work`` working seconds started at ``t`` are done."""
        return self.instant(self.position(t) + work, closing=True)

    def is_open(self, t: np.ndarray) -> np.ndarray:
        """Whether ``t`` lies in a working interval, its end included."""
        second = (np.asarray(t, dtype=np.int64) - MONDAY) % WEEK
        index = np.searchsorted(self._starts, second, side="right") - 1
        return (index >= 0) & (
            second - self._starts[np.maximum(index, 0)] <= self._lengths[np.maximum(index, 0)]
        )


@dataclass(frozen=True)
class Schedule:
    """Weekly start times of a batch job (payment run, billing run, MRP run).

    Batch jobs pick up everything that became ready since their last run, which is
    what makes automated steps cluster at fixed hours in real logs.
    """

    name: str
    slots: tuple[int, ...]

    @classmethod
    def weekly(cls, name: str, weekdays: Iterable[int], hours: Iterable[float]) -> Schedule:
        times = tuple(hours)
        return cls(name, tuple(sorted(day * DAY + round(hour * HOUR) for day in weekdays for hour in times)))

    def next_run(self, t: np.ndarray) -> np.ndarray:
        """The first run at or after ``t``."""
        slots = np.array(self.slots, dtype=np.int64)
        week, second = np.divmod(np.asarray(t, dtype=np.int64) - MONDAY, WEEK)
        index = np.searchsorted(slots, second, side="left")
        wrapped = index == len(slots)
        return MONDAY + (week + wrapped) * WEEK + slots[np.where(wrapped, 0, index)]


OFFICE = Calendar.weekly("office", range(5), ((8, 12), (13, 17)))
"""Office staff: Monday to Friday 08:00-17:00 with a lunch break."""

SHIFTS = Calendar.weekly("two shifts", range(5), ((6, 10), (10.5, 14), (14, 18), (18.5, 22)))
"""Warehouse and shop floor: early and late shift, Monday to Friday, with breaks."""

ALWAYS = Calendar("around the clock", ((0, WEEK),))
"""System and batch users, EDI and web-shop input."""
