"""Waiting time per transition: on which hand-over from one activity to the next work waits.

A transition a -> b is counted for every event of b whose enabling instance (see
:mod:`sc_improve.performance.timing`) is an event of a, and its waiting time is that
event's wait. Without parallel work this is exactly the directly-follows relation; with
parallel work it links each event to the instance it actually waited for, so a
transition never has a negative wait and the transition waits add up to the activity
waits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from sc_improve.log.event_log import EventLog
from sc_improve.performance.activity_times import timing_notes
from sc_improve.performance.grouped import distinct_cases
from sc_improve.performance.timing import EventTimes, event_times


@dataclass(frozen=True)
class TransitionTime:
    """Waiting between ``source`` ending and ``target`` starting.

    ``estimated`` is True when some of these waits are times between two end times
    (the target had no start time), which include the target's processing time.
    """

    source: str
    target: str
    frequency: int
    cases: int
    mean_wait_s: float
    median_wait_s: float
    p90_wait_s: float
    total_wait_s: float
    estimated: bool


@dataclass
class TransitionTimes:
    """All transitions of the log, ordered by total waiting time (longest first)."""

    rows: list[TransitionTime]
    has_start: bool
    notes: list[str] = field(default_factory=list)

    def row(self, source: str, target: str) -> TransitionTime:
        for row in self.rows:
            if row.source == source and row.target == target:
                return row
        raise KeyError((source, target))

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def transition_times(log: EventLog, times: EventTimes | None = None) -> TransitionTimes:
    """Frequency and waiting-time statistics of every transition.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["a", "b"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 10:00"])}))
    >>> transition_times(log).row("a", "b").total_wait_s
    7200.0
    """
    times = times if times is not None else event_times(log)
    codes = times.codes
    transition, keys = times.transitions
    n_transitions = len(keys)
    stats = times.wait_by_transition
    cases = distinct_cases(transition, codes.case, n_transitions)
    if times.any_estimated:
        has = transition >= 0
        estimated = np.bincount(transition[has], weights=times.estimated[has], minlength=n_transitions)
    else:
        estimated = np.zeros(n_transitions)
    names = codes.activities
    rows = [
        TransitionTime(
            source=str(names[keys[t] // times.n_activities]),
            target=str(names[keys[t] % times.n_activities]),
            frequency=int(stats.count[t]),
            cases=int(cases[t]),
            mean_wait_s=float(stats.mean[t]),
            median_wait_s=float(stats.median[t]),
            p90_wait_s=float(stats.p90[t]),
            total_wait_s=float(stats.total[t]),
            estimated=bool(estimated[t] > 0),
        )
        for t in range(n_transitions)
    ]
    rows.sort(key=lambda row: -row.total_wait_s)
    return TransitionTimes(rows=rows, has_start=times.has_start, notes=timing_notes(times))
