"""Time arithmetic on weekly calendars: working time of resources and the arrival clock.

A weekly calendar has 168 hourly weights starting Monday 00:00. Its *clock* is the
cumulative weight: ``cumulative(t)`` grows by ``weight x seconds`` over each hour. Both
questions the simulation asks reduce to that one function and its inverse:

* a resource with weights 0/1 that starts ``w`` seconds of work at ``t`` finishes at the
  first instant where the clock has advanced by ``w`` (work pauses off-shift and resumes
  on the next shift), and ``cumulative(b) - cumulative(a)`` is the working time between
  two instants;
* arrivals: with weights scaled to average 1, a gap of ``x`` seconds elapses where the
  clock advances by ``x``, so busy hours pack arrivals closer and hours of weight 0 get none.

Instants are float seconds since some Monday 00:00 (the caller's origin; the engine uses
the Monday of the simulation's first week, which keeps values small and exact enough).
The week's cumulative weights are precomputed once, so the array methods are a
``searchsorted`` and a few vector operations, and the ``*_at`` scalar methods used in the
engine's event loop are a handful of float operations and one ``bisect``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.model import HOURS_PER_WEEK, WeeklyCalendar

HOUR_S = 3600.0
WEEK_S = HOURS_PER_WEEK * HOUR_S


def calendar_weights(calendar: WeeklyCalendar, where: str = "calendar") -> np.ndarray:
    """The 168 weights as floats, or a ``ValueError`` naming the calendar and the bad hour."""
    hours = np.asarray(calendar.hours, dtype=float)
    if hours.shape != (HOURS_PER_WEEK,):
        raise ValueError(
            f"{where} {calendar.name!r}: needs {HOURS_PER_WEEK} hourly weights, got {hours.size}"
        )
    bad = np.flatnonzero(~np.isfinite(hours) | (hours < 0))
    if bad.size:
        hour = int(bad[0])
        raise ValueError(
            f"{where} {calendar.name!r}: weight of hour {hour} ({_slot_label(hour)}) must be a "
            f"non-negative number, got {calendar.hours[hour]!r}"
        )
    return hours


def _slot_label(hour: int) -> str:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return f"{days[hour // 24]} {hour % 24:02d}:00"


class CalendarClock:
    """Cumulative weight of a weekly calendar, repeated week after week."""

    def __init__(self, weights: Sequence[float] | np.ndarray, name: str = "calendar") -> None:
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (HOURS_PER_WEEK,) or np.any(~np.isfinite(weights) | (weights < 0)):
            raise ValueError(f"calendar {name!r}: needs {HOURS_PER_WEEK} non-negative finite weights")
        self.name = name
        self.weights = weights
        self.cum_start = np.concatenate(([0.0], np.cumsum(weights * HOUR_S)))
        """Clock value at the start of each hour; the 169th entry is the week's total."""
        self.week_total = float(self.cum_start[-1])
        self.always_on = bool(np.all(weights == 1.0))
        self.never_on = self.week_total == 0.0
        working = np.flatnonzero(weights > 0)
        # start (seconds after this week's Monday 00:00) of the first working hour at or after each hour
        if working.size:
            following = np.searchsorted(working, np.arange(HOURS_PER_WEEK), side="left")
            wrapped = following == working.size
            next_hour = np.where(wrapped, working[0] + HOURS_PER_WEEK, working[following % working.size])
        else:
            next_hour = np.full(HOURS_PER_WEEK, np.inf)
        self.next_start = next_hour * HOUR_S
        # plain lists: indexing them from the event loop is several times faster than numpy scalars
        self._weights = weights.tolist()
        self._cum_start = self.cum_start.tolist()
        self._cum_end = self.cum_start[1:].tolist()
        self._next_start = self.next_start.tolist()

    def _require_work(self) -> None:
        if self.never_on:
            raise ValueError(
                f"calendar {self.name!r} has no working hours, so work assigned to it never ends"
            )

    # --- arrays -------------------------------------------------------------------------

    def cumulative(self, t: np.ndarray | float) -> np.ndarray:
        """Clock value at instants ``t`` (0 at the origin, negative before it)."""
        t = np.asarray(t, dtype=float)
        weeks = np.floor(t / WEEK_S)
        within = t - weeks * WEEK_S
        hour = np.minimum((within // HOUR_S).astype(np.int64), HOURS_PER_WEEK - 1)
        return weeks * self.week_total + self.cum_start[hour] + self.weights[hour] * (within - hour * HOUR_S)

    def time_at(self, clock: np.ndarray | float) -> np.ndarray:
        """The earliest instants at which the clock reaches the values ``clock``."""
        self._require_work()
        clock = np.asarray(clock, dtype=float)
        weeks = np.ceil(clock / self.week_total) - 1.0  # so that 0 < remainder <= week_total
        remainder = clock - weeks * self.week_total
        hour = np.minimum(np.searchsorted(self.cum_start[1:], remainder, side="left"), HOURS_PER_WEEK - 1)
        weight = self.weights[hour]
        inside = np.divide(
            remainder - self.cum_start[hour], weight, out=np.zeros_like(remainder), where=weight > 0
        )
        return weeks * WEEK_S + hour * HOUR_S + inside

    def working_between(self, start: np.ndarray | float, end: np.ndarray | float) -> np.ndarray:
        """Weighted (for 0/1 weights: working) seconds between ``start`` and ``end``."""
        return self.cumulative(end) - self.cumulative(start)

    def add_working(self, t: np.ndarray | float, work: np.ndarray | float) -> np.ndarray:
        """When ``work`` seconds of working time started at ``t`` are done (pausing off-shift)."""
        t = np.asarray(t, dtype=float)
        work = np.broadcast_to(np.asarray(work, dtype=float), t.shape)
        if self.always_on:
            return t + work
        done = self.time_at(self.cumulative(t) + np.maximum(work, 0.0))
        return np.where(work > 0, done, t)

    def next_working(self, t: np.ndarray | float) -> np.ndarray:
        """The first working instant at or after ``t``."""
        self._require_work()
        t = np.asarray(t, dtype=float)
        weeks = np.floor(t / WEEK_S)
        within = t - weeks * WEEK_S
        hour = np.minimum((within // HOUR_S).astype(np.int64), HOURS_PER_WEEK - 1)
        return np.where(self.weights[hour] > 0, t, weeks * WEEK_S + self.next_start[hour])

    # --- scalars, for the event loop ------------------------------------------------------

    def is_working_at(self, t: float) -> bool:
        return self._weights[int((t % WEEK_S) // HOUR_S)] > 0

    def next_working_at(self, t: float) -> float:
        weeks, within = divmod(t, WEEK_S)
        hour = int(within // HOUR_S)
        if self._weights[hour] > 0:
            return t
        nxt = self._next_start[hour]
        if nxt == math.inf:
            self._require_work()
        return weeks * WEEK_S + nxt

    def add_working_at(self, t: float, work: float) -> float:
        if work <= 0:
            return t
        if self.always_on:
            return t + work
        if self.never_on:
            self._require_work()
        weeks, within = divmod(t, WEEK_S)
        hour = int(within // HOUR_S)
        clock = self._cum_start[hour] + self._weights[hour] * (within - hour * HOUR_S) + work
        extra_weeks, remainder = divmod(clock, self.week_total)
        if remainder <= 0:
            extra_weeks -= 1
            remainder = self.week_total
        hour = bisect.bisect_left(self._cum_end, remainder)
        inside = (remainder - self._cum_start[hour]) / self._weights[hour]
        return (weeks + extra_weeks) * WEEK_S + hour * HOUR_S + inside


class ArrivalClock:
    """Maps the arrival calendar's clock to real instants, with demand factors.

    The intensity at instant ``t`` is the calendar weight (scaled to average 1) times
    ``rate_factor`` times the factor of every peak covering ``t``; ``time_at(c)`` is the
    first instant where the integrated intensity since the origin reaches ``c``. A case
    whose cumulative inter-arrival gaps sum to ``c`` (counted from the start's clock
    value) arrives at ``time_at(c)``.
    """

    def __init__(
        self,
        weights: Sequence[float] | np.ndarray,
        rate_factor: float = 1.0,
        peaks: Sequence[tuple[float, float, float]] = (),
        name: str = "arrival calendar",
    ) -> None:
        weights = np.asarray(weights, dtype=float)
        total = float(weights.sum()) if weights.size else 0.0
        if not total > 0:
            raise ValueError(f"{name}: every hour has weight 0, so no case would ever arrive")
        if not (math.isfinite(rate_factor) and rate_factor > 0):
            raise ValueError(f"{name}: rate_factor must be a positive number, got {rate_factor!r}")
        self.base = CalendarClock(weights * (HOURS_PER_WEEK / total), name)
        self.bounds = np.unique(np.array([b for start, end, _ in peaks for b in (start, end)], dtype=float))
        # segment 0 runs up to bounds[0], segment j from bounds[j-1] to bounds[j], the last one on
        # for ever; peaks start and end on bounds, so each covers whole segments
        segment_starts = np.concatenate(([-np.inf], self.bounds))
        self.factors = np.full(segment_starts.size, float(rate_factor))
        for start, end, factor in peaks:
            self.factors[(segment_starts >= start) & (segment_starts < end)] *= factor
        self._base_at_bounds = self.base.cumulative(self.bounds)
        steps = np.diff(self._base_at_bounds) * self.factors[1:-1]
        first = self.factors[0] * self._base_at_bounds[:1]
        self.clock_at_bounds = np.concatenate((first, first + np.cumsum(steps)))
        """Arrival clock at each bound (empty without peaks)."""

    def clock_at(self, t: np.ndarray | float) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        segment = np.searchsorted(self.bounds, t, side="right")
        base = self.base.cumulative(t)
        if self.bounds.size == 0:
            return self.factors[0] * base
        anchor_index = np.maximum(segment - 1, 0)
        anchored = self.clock_at_bounds[anchor_index] + self.factors[segment] * (
            base - self._base_at_bounds[anchor_index]
        )
        return np.where(segment == 0, self.factors[0] * base, anchored)

    def time_at(self, clock: np.ndarray | float) -> np.ndarray:
        """First instants where the arrival clock reaches ``clock``; ``inf`` when it never does."""
        clock = np.asarray(clock, dtype=float)
        if self.bounds.size == 0:
            return self.base.time_at(clock / self.factors[0])
        segment = np.searchsorted(self.clock_at_bounds, clock, side="left")
        factor = self.factors[segment]
        anchor_index = np.maximum(segment - 1, 0)
        base_target = np.where(
            segment == 0,
            np.divide(clock, factor, out=np.zeros_like(clock), where=factor > 0),
            self._base_at_bounds[anchor_index]
            + np.divide(
                clock - self.clock_at_bounds[anchor_index], factor, out=np.zeros_like(clock), where=factor > 0
            ),
        )
        times = self.base.time_at(base_target)
        return np.where(factor > 0, times, np.inf)


def _week_origin_ns(when: pd.Timestamp) -> int:
    """Nanoseconds of the Monday 00:00 UTC at or before ``when``."""
    when = _as_utc(when)
    return (when.normalize() - pd.Timedelta(days=when.day_of_week)).value


def _as_utc(when: pd.Timestamp | str) -> pd.Timestamp:
    when = pd.Timestamp(when)
    return when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")


def _seconds_since(origin_ns: int, when: pd.Timestamp) -> float:
    return (_as_utc(when).value - origin_ns) / 1e9


def _timestamp(origin_ns: int, seconds: float) -> pd.Timestamp:
    return pd.Timestamp(origin_ns + round(float(seconds) * 1e9), tz="UTC")


def next_working_instant(calendar: WeeklyCalendar, when: pd.Timestamp | str) -> pd.Timestamp:
    """The first instant at or after ``when`` in which the calendar works (UTC)."""
    clock = CalendarClock(calendar_weights(calendar), calendar.name)
    origin = _week_origin_ns(when)
    return _timestamp(origin, clock.next_working_at(_seconds_since(origin, when)))


def add_working_time(calendar: WeeklyCalendar, when: pd.Timestamp | str, seconds: float) -> pd.Timestamp:
    """When ``seconds`` of work started at ``when`` end, pausing outside the calendar's hours."""
    clock = CalendarClock(calendar_weights(calendar), calendar.name)
    origin = _week_origin_ns(when)
    return _timestamp(origin, clock.add_working_at(_seconds_since(origin, when), seconds))


def working_seconds_between(
    calendar: WeeklyCalendar, start: pd.Timestamp | str, end: pd.Timestamp | str
) -> float:
    """Working seconds of the calendar between two instants (negative if ``end`` is earlier)."""
    clock = CalendarClock(calendar_weights(calendar), calendar.name)
    origin = _week_origin_ns(start)
    span = clock.working_between(_seconds_since(origin, start), _seconds_since(origin, end))
    return float(span)
