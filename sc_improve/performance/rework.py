"""Rework: activities executed more than once in a case, and what the repetitions cost.

Every occurrence of an activity in a case after its first is an *extra execution*. It
is a *self-loop* when the event right before it in the case is the same activity
(a, a), and a *loop* when other work happened in between (a, ..., a). With start
times, an occurrence that started before the previous occurrence of the same activity
had ended runs in parallel with it (say two order lines handled at once); that is not
rework and is only counted as ``parallel_repeats``.

The *rework time* of an extra execution is the time it added to the case: its waiting
time plus its processing time, i.e. from its enabling time to its end (see
:mod:`sc_improve.performance.timing`). Without start times that is the time since the
previous event, an estimate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from sc_improve.log.event_log import EventLog
from sc_improve.performance.grouped import distinct_cases
from sc_improve.performance.timing import EventTimes, event_times


@dataclass(frozen=True)
class ReworkActivity:
    """Rework of one activity over the whole log."""

    activity: str
    cases_with_rework: int
    extra_executions: int
    self_loop_executions: int
    loop_executions: int
    rework_time_s: float
    mean_rework_time_per_case_s: float
    estimated: bool


@dataclass
class ReworkResult:
    """Rework per activity (most rework time first) and over the whole log."""

    activities: list[ReworkActivity]
    cases_with_rework: int
    n_cases: int
    share_of_cases: float
    rework_time_s: float
    parallel_repeats: int
    notes: list[str] = field(default_factory=list)

    def activity(self, name: str) -> ReworkActivity:
        for row in self.activities:
            if row.activity == name:
                return row
        raise KeyError(name)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def find_rework(log: EventLog, times: EventTimes | None = None) -> ReworkResult:
    """Rework per activity and the share of cases with any rework.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1", "1"],
    ...     "concept:name": ["a", "b", "a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00", "2024-01-01 11:00"])}))
    >>> find_rework(log).activity("a").rework_time_s
    7200.0
    """
    times = times if times is not None else event_times(log)
    codes = times.codes
    n_activities = times.n_activities
    found = times.repeats
    activity = codes.activity[found.rows]
    extra = np.bincount(activity, minlength=n_activities)
    self_loops = np.bincount(activity[found.self_loop], minlength=n_activities)
    cost = np.bincount(activity, weights=found.cost_s, minlength=n_activities)
    estimated = np.bincount(activity, weights=times.estimated[found.rows], minlength=n_activities)
    cases = distinct_cases(activity, codes.case[found.rows], n_activities)
    rows = [
        ReworkActivity(
            activity=str(codes.activities[a]),
            cases_with_rework=int(cases[a]),
            extra_executions=int(extra[a]),
            self_loop_executions=int(self_loops[a]),
            loop_executions=int(extra[a] - self_loops[a]),
            rework_time_s=float(cost[a]),
            mean_rework_time_per_case_s=float(cost[a] / cases[a]),
            estimated=bool(estimated[a] > 0),
        )
        for a in np.flatnonzero(extra)
    ]
    rows.sort(key=lambda row: (-row.rework_time_s, -row.extra_executions))
    n_reworked = int(np.count_nonzero(np.bincount(codes.case[found.rows])))
    notes = []
    if not times.has_start:
        notes.append(
            "the log has no start times: rework time is the time since the previous event (estimate)"
        )
    parallel = len(found.parallel_rows)
    if parallel:
        notes.append(
            f"{parallel:,} repeated executions ran in parallel with the previous one and are not rework"
        )
    return ReworkResult(
        activities=rows,
        cases_with_rework=n_reworked,
        n_cases=len(codes.case_ids),
        share_of_cases=n_reworked / len(codes.case_ids),
        rework_time_s=float(found.cost_s.sum()),
        parallel_repeats=parallel,
        notes=notes,
    )
