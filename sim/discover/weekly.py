"""Clock arithmetic on weekly 168-slot calendars, vectorised over many timestamps.

A weekly calendar turns wall-clock time into "calendar time": working seconds of a
resource (weights 0/1) or the rescaled clock of an arrival profile (weights averaging 1).
Both are the integral of the slot weights, computed as whole weeks plus a prefix sum
within the week, so millions of intervals cost a few array operations.
Times are float seconds since the Unix epoch (UTC labels, as the canonical log stores them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model import HOURS_PER_WEEK

HOUR_S = 3600.0
WEEK_S = HOURS_PER_WEEK * HOUR_S
FIRST_MONDAY_S = 4 * 86400.0
"""1970-01-05, the first Monday after the epoch: slot 0 starts there every week."""


def week_position(times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole weeks since the reference Monday, hour slot (0..167) and seconds into the slot."""
    shifted = np.asarray(times, dtype=np.float64) - FIRST_MONDAY_S
    weeks = np.floor(shifted / WEEK_S)
    within = shifted - weeks * WEEK_S
    slot = np.minimum((within // HOUR_S).astype(np.int64), HOURS_PER_WEEK - 1)
    return weeks, slot, within - slot * HOUR_S


@dataclass(frozen=True)
class WeeklyClock:
    """One or more weekly calendars (rows of ``weights``) as cumulative clocks."""

    weights: np.ndarray
    cumulative: np.ndarray
    per_week: np.ndarray
    hours_to_open: np.ndarray

    @classmethod
    def from_weights(cls, weights: np.ndarray) -> WeeklyClock:
        table = np.atleast_2d(np.asarray(weights, dtype=np.float64))
        if table.shape[1] != HOURS_PER_WEEK:
            raise ValueError(f"a weekly calendar has {HOURS_PER_WEEK} slots, not {table.shape[1]}")
        cumulative = np.zeros((table.shape[0], HOURS_PER_WEEK + 1))
        cumulative[:, 1:] = np.cumsum(table * HOUR_S, axis=1)
        return cls(
            weights=table,
            cumulative=cumulative,
            per_week=cumulative[:, -1].copy(),
            hours_to_open=_hours_to_open(table),
        )

    def elapsed(self, times: np.ndarray, calendar: np.ndarray | int = 0) -> np.ndarray:
        """Calendar seconds from the reference Monday to each time."""
        weeks, slot, into = week_position(times)
        row = np.broadcast_to(np.asarray(calendar), weeks.shape)
        return weeks * self.per_week[row] + self.cumulative[row, slot] + self.weights[row, slot] * into

    def between(self, begin: np.ndarray, end: np.ndarray, calendar: np.ndarray | int = 0) -> np.ndarray:
        """Calendar seconds inside each interval (0 for empty or reversed intervals)."""
        return np.maximum(self.elapsed(end, calendar) - self.elapsed(begin, calendar), 0.0)

    def advance(self, times: np.ndarray, seconds: np.ndarray, calendar: np.ndarray | int = 0) -> np.ndarray:
        """The moment at which ``seconds`` of calendar time have passed since each time.

        The inverse of :meth:`elapsed`: hours of weight 0 are skipped, so a positive
        amount always ends inside an hour of the calendar (+inf for a calendar without any).
        """
        times = np.asarray(times, dtype=np.float64)
        seconds = np.broadcast_to(np.asarray(seconds, dtype=np.float64), times.shape)
        row = np.broadcast_to(np.asarray(calendar), times.shape)
        per_week = self.per_week[row]
        target = self.elapsed(times, row) + np.maximum(seconds, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            weeks = np.ceil(target / per_week) - 1.0
            remainder = target - weeks * per_week
        span = float(self.per_week.max()) + 1.0
        flat = (self.cumulative[:, 1:] + span * np.arange(len(self.weights))[:, None]).ravel()
        found = np.searchsorted(flat, np.nan_to_num(remainder) + span * row, side="left")
        slot = np.clip(found - row * HOURS_PER_WEEK, 0, HOURS_PER_WEEK - 1)
        weight = self.weights[row, slot]
        inside = np.divide(
            remainder - self.cumulative[row, slot], weight, out=np.zeros_like(remainder), where=weight > 0
        )
        moment = FIRST_MONDAY_S + weeks * WEEK_S + slot * HOUR_S + inside
        moment = np.where(per_week > 0, moment, np.inf)
        return np.where(seconds > 0, moment, times)

    def next_on(self, times: np.ndarray, calendar: np.ndarray | int = 0) -> np.ndarray:
        """The earliest moment at or after each time where the calendar has weight > 0.

        Calendars without any working hour never open: the answer is +inf.
        """
        times = np.asarray(times, dtype=np.float64)
        _, slot, into = week_position(times)
        row = np.broadcast_to(np.asarray(calendar), slot.shape)
        hours = self.hours_to_open[row, slot]
        return np.where(hours == 0, times, times - into + hours * HOUR_S)


def _hours_to_open(weights: np.ndarray) -> np.ndarray:
    """Per calendar and slot: whole hours from the slot's start to the next slot of weight > 0."""
    on = np.concatenate([weights > 0, weights > 0], axis=1)
    hours = np.full(on.shape, np.inf)
    next_index = np.full(on.shape[0], np.inf)
    for slot in range(on.shape[1] - 1, -1, -1):
        next_index = np.where(on[:, slot], slot, next_index)
        hours[:, slot] = next_index - slot
    return hours[:, :HOURS_PER_WEEK]
