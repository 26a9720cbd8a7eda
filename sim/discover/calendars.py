"""Working calendars discovered from the hours people actually work.

A resource's calendar is the product of its working days and its working hours: a day
of the week (an hour of the day) counts when it holds at least a share of the busiest
day's (hour's) activity. Deciding days and hours separately needs far fewer events than
deciding all 168 slots one by one, so a clerk with 200 events still gets a clean
"Mon-Fri 08:00-17:00" instead of a calendar with random holes where, by chance, no
event fell.
"""

from __future__ import annotations

import hashlib

import numpy as np

from sim.discover.weekly import week_position
from sim.model import HOURS_PER_WEEK

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ALWAYS = np.ones(HOURS_PER_WEEK)
MAX_DATE_ONLY_SHARE = 0.5


def activity_slots(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hour-of-week slots that show someone working, and which of them carry a time of day.

    Moments are every start and the second before every end (twice the instance count,
    starts first). Stamps at exactly midnight are date-only values in most ERP extracts;
    while they are a minority they are not evidence of night work and are marked unusable.
    """
    moments = np.concatenate([start, np.maximum(end - 1.0, start)])
    stamps = np.concatenate([start, end])
    return week_position(moments)[1], ~date_only(stamps)


def date_only(times: np.ndarray) -> np.ndarray:
    """True for stamps at exactly midnight, unless most stamps are (then midnight is real)."""
    midnight = np.mod(np.asarray(times, dtype=np.float64), 86400.0) == 0
    return midnight if midnight.mean() < MAX_DATE_ONLY_SHARE else np.zeros(len(midnight), dtype=bool)


def slot_counts(group: np.ndarray, slots: np.ndarray, n_groups: int) -> np.ndarray:
    """Counts of activity moments per group (row) and hour-of-week slot (column)."""
    flat = np.bincount(group.astype(np.int64) * HOURS_PER_WEEK + slots, minlength=n_groups * HOURS_PER_WEEK)
    return flat.reshape(n_groups, HOURS_PER_WEEK).astype(np.float64)


def calendars_from_counts(counts: np.ndarray, min_share: float) -> np.ndarray:
    """0/1 calendars (one row per row of ``counts``): working days x working hours."""
    by_day = counts.reshape(-1, 7, 24).sum(axis=2)
    by_hour = counts.reshape(-1, 7, 24).sum(axis=1)
    days = by_day >= min_share * by_day.max(axis=1, keepdims=True)
    hours = by_hour >= min_share * by_hour.max(axis=1, keepdims=True)
    days &= by_day > 0
    hours &= by_hour > 0
    table = (days[:, :, None] & hours[:, None, :]).reshape(-1, HOURS_PER_WEEK).astype(np.float64)
    table[table.sum(axis=1) == 0] = ALWAYS
    return table


def calendar_name(hours: np.ndarray) -> str:
    """A readable name: "24/7", "Mon-Fri 09:00-17:00", or a numbered fallback for irregular weeks."""
    grid = np.asarray(hours).reshape(7, 24) > 0
    if grid.all():
        return "24/7"
    working_days = grid.any(axis=1)
    day_hours = grid[working_days]
    if not (day_hours == day_hours[0]).all():
        digest = hashlib.sha1(grid.tobytes()).hexdigest()[:8]
        return f"weekly {digest}"
    return f"{_day_ranges(working_days)} {_hour_ranges(day_hours[0])}"


def _day_ranges(days: np.ndarray) -> str:
    if days.all():
        return "Mon-Sun"
    parts = []
    for first, last in _runs(days):
        parts.append(DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]}-{DAY_NAMES[last]}")
    return ",".join(parts)


def _hour_ranges(hours: np.ndarray) -> str:
    return ",".join(f"{first:02d}:00-{last + 1:02d}:00" for first, last in _runs(hours))


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive (first, last) index pairs of the True stretches."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]
