"""When new cases arrive: working days, month and quarter ends, holidays.

Supply-chain volume is not flat: budgets are spent and sales targets chased at the end
of each month and quarter, August and the days around Christmas are quiet, and people
only create documents while they work. Without this, arrival-driven analyses
(workload, seasonality, throughput over time) would have nothing to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_improve.generate.calendar import DAY, Calendar


@dataclass(frozen=True)
class Seasonality:
    """Multipliers of the daily arrival rate."""

    month_end: float = 1.8
    """In the last three days of each month."""
    quarter_end: float = 1.5
    """On top of month_end, in the last week of March, June, September and December."""
    august: float = 0.75
    christmas: float = 0.3
    """From 22 December to 1 January."""
    weekend: float = 1.0
    """For calendars that are open on weekends (web shop, EDI)."""

    def day_factors(self, days: np.ndarray) -> np.ndarray:
        """Rate multiplier for each day (``datetime64[D]``)."""
        month_start = days.astype("datetime64[M]")
        month = month_start.astype(np.int64) % 12 + 1
        day_of_month = (days - month_start.astype("datetime64[D]")).astype(np.int64) + 1
        days_left = ((month_start + 1).astype("datetime64[D]") - days).astype(np.int64)
        weekday = (days.astype(np.int64) + 3) % 7
        factor = np.ones(len(days))
        factor[days_left <= 3] *= self.month_end
        factor[(month % 3 == 0) & (days_left <= 7)] *= self.quarter_end
        factor[month == 8] *= self.august
        factor[((month == 12) & (day_of_month >= 22)) | ((month == 1) & (day_of_month == 1))] *= (
            self.christmas
        )
        factor[weekday >= 5] *= self.weekend
        return factor


def arrival_times(
    rng: np.random.Generator,
    n: int,
    start: int,
    days: int,
    calendar: Calendar,
    season: Seasonality,
) -> np.ndarray:
    """``n`` sorted arrival times (seconds) over ``days`` days from ``start``.

    A day is drawn in proportion to its working seconds under ``calendar`` times its
    seasonal factor, then a moment uniformly within that day's working time.
    """
    first_day = start - start % DAY
    day_starts = first_day + DAY * np.arange(days, dtype=np.int64)
    open_from = calendar.position(day_starts)
    open_seconds = calendar.position(day_starts + DAY) - open_from
    weights = open_seconds * season.day_factors(day_starts.astype("datetime64[s]").astype("datetime64[D]"))
    chosen = rng.choice(days, size=n, p=weights / weights.sum())
    moment = open_from[chosen] + (rng.random(n) * open_seconds[chosen]).astype(np.int64)
    return np.sort(calendar.instant(moment))
