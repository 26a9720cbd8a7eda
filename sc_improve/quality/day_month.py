"""Day and month swapped on import: every day-of-month is 12 or less.

A date such as "03/04/2024" parses both day-first and month-first. When a reader
guesses the wrong order, every date with a day of 13 or more fails or moves, and the
log that remains has no day above 12 — Suriadi's *unanchored event* signature
"timestamp element values outside the expected range". Over a log covering many
distinct days that rarely happens by chance (30 random days all falling on the 1st-12th
has a probability below 1e-12), but a process that only runs early in the month (a
month-end close) shows it too. The finding is therefore a warning, raised to an error
when the reader also reported unreadable timestamps — the days above 12 that failed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import DAY_NS, counted, fmt_count, fmt_ns
from sc_improve.quality.types import UNANCHORED_EVENT, Finding

CHECK = "day_month_order"


def day_month_order(log: EventLog, *, min_distinct_days: int = 30) -> list[Finding]:
    """A finding when the log spans ``min_distinct_days`` or more days, all on the 1st-12th.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> days = pd.to_datetime([f"2024-{m:02d}-{d:02d}" for m in range(1, 13) for d in (1, 5, 9)])
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1"] * 36,
    ...     "concept:name": ["a"] * 36, "time:timestamp": days}))
    >>> day_month_order(log)[0].count
    36
    """
    if log.n_events == 0:
        return []
    days = pd.unique(log.codes.end_ns // DAY_NS)
    if len(days) < min_distinct_days:
        return []
    dates = days.astype("datetime64[D]")
    day_of_month = (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    if int(day_of_month.max()) > 12:
        return []
    first, last = int(days.min()) * DAY_NS, int(days.max()) * DAY_NS
    unreadable = bool((log.issues["reason"] == "unparseable timestamp").any()) if len(log.issues) else False
    reason = " (and some timestamps could not be read at all)" if unreadable else ""
    return [
        Finding(
            check=CHECK,
            severity="error" if unreadable else "warning",
            count=log.n_events,
            unit="events",
            message=f"All {fmt_count(len(days))} distinct dates between {fmt_ns(first)[:10]} and "
            f"{fmt_ns(last)[:10]} fall on the 1st to 12th of a month, so day and month may have been "
            f"swapped on import{reason}; {counted(log.n_events, 'event')} may carry wrong dates.",
            examples=tuple(str(d) for d in np.sort(dates)[:5]),
            suggested_fix="Unless the process only runs in the first days of each month, re-import "
            "with the other date order (day-first instead of month-first or the reverse).",
            pattern=UNANCHORED_EVENT,
        )
    ]
