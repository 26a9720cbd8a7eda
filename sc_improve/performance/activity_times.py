"""Processing and waiting time per activity: where work is done and where it waits.

Definitions are those of :mod:`sc_improve.performance.timing`: processing is end -
start, waiting is start - enabling time. When events have no start time, the waiting
figures are the time since the previous event (processing included) and the row is
flagged ``estimated``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from sc_improve.log.event_log import EventLog
from sc_improve.performance.timing import EventTimes, event_times


@dataclass(frozen=True)
class ActivityTime:
    """Timing of one activity over all its events.

    ``waits`` counts the events with a measured wait (the first event of a case has
    none). Processing figures are None when the activity has no start times.
    ``estimated`` is True when any of its waits is a time-since-previous-event estimate.
    """

    activity: str
    events: int
    cases: int
    waits: int
    mean_processing_s: float | None
    median_processing_s: float | None
    p90_processing_s: float | None
    total_processing_s: float | None
    mean_wait_s: float | None
    median_wait_s: float | None
    p90_wait_s: float | None
    total_wait_s: float
    estimated: bool


@dataclass
class ActivityTimes:
    """One :class:`ActivityTime` per activity, ordered by total waiting time (longest first)."""

    rows: list[ActivityTime]
    has_start: bool
    notes: list[str] = field(default_factory=list)

    def row(self, activity: str) -> ActivityTime:
        for row in self.rows:
            if row.activity == activity:
                return row
        raise KeyError(activity)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def activity_times(log: EventLog, times: EventTimes | None = None) -> ActivityTimes:
    """Processing and waiting time statistics of every activity.

    Pass ``times`` (from :func:`event_times`) when several analyses run on one log,
    so that the timing is measured once.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["a", "b"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 10:00"])}))
    >>> activity_times(log).row("b").median_wait_s
    7200.0
    """
    times = times if times is not None else event_times(log)
    codes = times.codes
    n_activities = times.n_activities
    events = np.bincount(codes.activity, minlength=n_activities)
    repeats = times.repeats
    repeated = np.concatenate((codes.activity[repeats.rows], codes.activity[repeats.parallel_rows]))
    cases = events - np.bincount(repeated, minlength=n_activities)
    if times.any_estimated:
        measured_estimate = times.estimated & (times.enabler >= 0)
        estimated = np.bincount(codes.activity, weights=measured_estimate, minlength=n_activities)
    else:
        estimated = np.zeros(n_activities)
    wait = times.wait_by_activity
    processing = times.processing_by_activity
    rows = [
        ActivityTime(
            activity=str(codes.activities[a]),
            events=int(events[a]),
            cases=int(cases[a]),
            waits=int(wait.count[a]),
            mean_processing_s=optional(processing.mean[a]),
            median_processing_s=optional(processing.median[a]),
            p90_processing_s=optional(processing.p90[a]),
            total_processing_s=float(processing.total[a]) if processing.count[a] else None,
            mean_wait_s=optional(wait.mean[a]),
            median_wait_s=optional(wait.median[a]),
            p90_wait_s=optional(wait.p90[a]),
            total_wait_s=float(wait.total[a]),
            estimated=bool(estimated[a] > 0),
        )
        for a in range(n_activities)
    ]
    rows.sort(key=lambda row: -row.total_wait_s)
    return ActivityTimes(rows=rows, has_start=times.has_start, notes=timing_notes(times))


def optional(value: float) -> float | None:
    """A statistic for a result row: None instead of NaN (JSON has no NaN)."""
    return None if math.isnan(value) else float(value)


def timing_notes(times: EventTimes) -> list[str]:
    """What the reader must know about how the times were measured on this log."""
    notes = []
    if not times.has_start:
        notes.append(
            "the log has no start times: waiting times are estimated as the time since the previous "
            "event of the case and include the processing time; processing times are unknown"
        )
    elif times.any_estimated:
        missing = int(np.count_nonzero(times.estimated))
        notes.append(
            f"{missing:,} events have no usable start time; their waits are estimated as the time since "
            "the previous event"
        )
    if times.invalid_starts:
        notes.append(f"{times.invalid_starts:,} start times are after their end time and were ignored")
    return notes
