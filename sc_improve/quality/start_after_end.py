"""Events whose start time is later than their end time.

A negative processing time is impossible; it comes from swapped columns, a start and an
end taken from clocks in different time zones, or a typing error in one of them —
Suriadi's *inadvertent time travel*. Processing-time statistics would be wrong, so the
events are counted and shown with both times.
"""

from __future__ import annotations

import numpy as np

from sc_improve.log.event_log import EventLog, LogCodes
from sc_improve.quality.common import counted, event_examples, fmt_count, fmt_ns, fmt_share, severity_by_share
from sc_improve.quality.types import INADVERTENT_TIME_TRAVEL, Finding

CHECK = "start_after_end"


def start_after_end(log: EventLog) -> list[Finding]:
    """Events with a start time later than their end time (none when the log has no starts).

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00"]),
    ...     "start_timestamp": pd.to_datetime(["2024-01-01 09:00"])}))
    >>> start_after_end(log)[0].count
    1
    """
    codes = log.codes
    if codes.start_ns is None or log.n_events == 0:
        return []
    late = (codes.start_ns != LogCodes.MISSING_NS) & (codes.start_ns > codes.end_ns)
    rows = np.flatnonzero(late)
    if len(rows) == 0:
        return []
    n = log.n_events
    gap_hours = (codes.start_ns[rows] - codes.end_ns[rows]) / 3.6e12
    n_cases = len(np.unique(codes.case[rows]))
    details = [f"start {fmt_ns(codes.start_ns[r])} after end {fmt_ns(codes.end_ns[r])}" for r in rows[:5]]
    return [
        Finding(
            check=CHECK,
            severity=severity_by_share(len(rows), n),
            count=len(rows),
            unit="events",
            message=f"{fmt_count(len(rows))} of {fmt_count(n)} events ({fmt_share(len(rows), n)}) in "
            f"{counted(n_cases, 'case')} start after they end (median by {np.median(gap_hours):.1f} hours).",
            examples=event_examples(log, rows, details),
            suggested_fix="Check that start and end columns are not swapped and use the same time "
            "zone; a constant gap of whole hours points to a time-zone difference.",
            pattern=INADVERTENT_TIME_TRAVEL,
        )
    ]
