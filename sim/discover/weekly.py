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

    @classmethod
    def from_weights(cls, weights: np.ndarray) -> WeeklyClock:
        table = np.atleast_2d(np.asarray(weights, dtype=np.float64))
        if table.shape[1] != HOURS_PER_WEEK:
            raise ValueError(f"a weekly calendar has {HOURS_PER_WEEK} slots, not {table.shape[1]}")
        cumulative = np.zeros((table.shape[0], HOURS_PER_WEEK + 1))
        cumulative[:, 1:] = np.cumsum(table * HOUR_S, axis=1)
        return cls(weights=table, cumulative=cumulative, per_week=cumulative[:, -1].copy())

    def elapsed(self, times: np.ndarray, calendar: np.ndarray | int = 0) -> np.ndarray:
        """Calendar seconds from the reference Monday to each time."""
        weeks, slot, into = week_position(times)
        row = np.broadcast_to(np.asarray(calendar), weeks.shape)
        return weeks * self.per_week[row] + self.cumulative[row, slot] + self.weights[row, slot] * into

    def between(self, begin: np.ndarray, end: np.ndarray, calendar: np.ndarray | int = 0) -> np.ndarray:
        """Calendar seconds inside each interval (0 for empty or reversed intervals)."""
        return np.maximum(self.elapsed(end, calendar) - self.elapsed(begin, calendar), 0.0)

    def next_on(self, times: np.ndarray, calendar: np.ndarray | int = 0) -> np.ndarray:
        """The earliest moment at or after each time where the calendar has weight > 0.

        Calendars without any working hour never open: the answer is +inf.
        """
        on = self.weights > 0
        doubled = np.concatenate([on, on], axis=1)
        hours_to_next = np.full(doubled.shape, np.inf)
        next_index = np.full(doubled.shape[0], np.inf)
        for slot in range(doubled.shape[1] - 1, -1, -1):
            next_index = np.where(doubled[:, slot], slot, next_index)
            hours_to_next[:, slot] = next_index - slot
        wait_hours = hours_to_next[:, :HOURS_PER_WEEK]
        _, slot, into = week_position(times)
        row = np.broadcast_to(np.asarray(calendar), slot.shape)
        hours = wait_hours[row, slot]
        times = np.asarray(times, dtype=np.float64)
        return np.where(hours == 0, times, times - into + hours * HOUR_S)
