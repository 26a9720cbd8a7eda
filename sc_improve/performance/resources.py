"""Who does the work: workload over time, per-resource figures and hand-overs between people.

A *handoff* is a transition (see :mod:`sc_improve.performance.transitions`) whose two
events were done by different resources: the work changed hands, and the wait on it is
the wait of the receiving event. Events without a resource take part in nothing here.
*Busy time* is the processing time (end - start) of a resource's events, counted in the
day or week in which each event ended; *busy share* divides it by the length of that
calendar period, so one person working 8 hours a day reads 0.33, and values above 1
mean several instances were worked on at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from sc_improve.log.event_log import EventLog
from sc_improve.performance.activity_times import optional
from sc_improve.performance.grouped import compact, distinct_cases, grouped_stats
from sc_improve.performance.timing import EventTimes, event_times

Period = Literal["day", "week"]
DAY_NS = 86_400 * 1_000_000_000
PERIOD_DAYS: dict[str, int] = {"day": 1, "week": 7}
EPOCH_WEEKDAY = 3
"""1970-01-01 was a Thursday: shifting day numbers by 3 makes weeks start on Monday."""
WORKLOAD_COLUMNS = ("resource", "period_start", "events", "busy_s", "busy_share")


@dataclass(frozen=True)
class ResourceSummary:
    """One resource over the whole log; processing figures are None without start times."""

    resource: str
    events: int
    cases: int
    activities: int
    mean_processing_s: float | None
    total_processing_s: float | None
    mean_wait_s: float | None


@dataclass(frozen=True)
class Handoff:
    """Work passed from ``from_resource`` to ``to_resource``: how often and how long it waited."""

    from_resource: str
    to_resource: str
    count: int
    cases: int
    median_wait_s: float
    total_wait_s: float
    estimated: bool


@dataclass
class ResourceResult:
    """Per-resource summary (busiest first), workload table and the most frequent handoffs.

    ``workload`` is tidy: one row per resource and period with the columns
    ``WORKLOAD_COLUMNS``; ``busy_s`` and ``busy_share`` are NaN without start times.
    """

    resources: list[ResourceSummary]
    workload: pd.DataFrame
    period: Period
    handoffs: list[Handoff]
    handoff_count: int
    handoff_share: float
    notes: list[str] = field(default_factory=list)

    def resource(self, name: str) -> ResourceSummary:
        for row in self.resources:
            if row.resource == name:
                return row
        raise KeyError(name)

    def to_dict(self) -> dict[str, object]:
        workload = self.workload.assign(period_start=self.workload["period_start"].astype(str))
        workload = workload.astype(object).where(workload.notna(), None)
        return {
            "resources": [asdict(row) for row in self.resources],
            "workload": workload.to_dict(orient="records"),
            "period": self.period,
            "handoffs": [asdict(row) for row in self.handoffs],
            "handoff_count": self.handoff_count,
            "handoff_share": self.handoff_share,
            "notes": list(self.notes),
        }


def resource_analysis(
    log: EventLog, times: EventTimes | None = None, *, period: Period = "day", top_handoffs: int = 20
) -> ResourceResult:
    """Resource summary, workload per ``period`` and the ``top_handoffs`` most frequent handoffs.

    A log without a resource column gives empty results and a note saying so.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["a", "b"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 10:00"]),
    ...     "org:resource": ["ann", "bob"]}))
    >>> handoff = resource_analysis(log).handoffs[0]
    >>> handoff.from_resource, handoff.to_resource, handoff.median_wait_s
    ('ann', 'bob', 7200.0)
    """
    if period not in PERIOD_DAYS:
        raise ValueError(f"period must be one of {', '.join(PERIOD_DAYS)}, not {period!r}")
    if not log.has_resource:
        return ResourceResult(
            resources=[],
            workload=pd.DataFrame({column: [] for column in WORKLOAD_COLUMNS}),
            period=period,
            handoffs=[],
            handoff_count=0,
            handoff_share=0.0,
            notes=["the log records no resources, so there is no resource analysis"],
        )
    times = times if times is not None else event_times(log)
    handoff_rows, handoff_count, handoff_share = _handoffs(times, top_handoffs)
    notes = []
    missing = int(np.count_nonzero(times.codes.resource < 0))
    if missing:
        notes.append(f"{missing:,} events have no resource and are left out of the resource analysis")
    if not times.has_start:
        notes.append("the log has no start times: busy time and processing times are unknown")
    return ResourceResult(
        resources=_summaries(times),
        workload=_workload(times, period),
        period=period,
        handoffs=handoff_rows,
        handoff_count=handoff_count,
        handoff_share=handoff_share,
        notes=notes,
    )


def _summaries(times: EventTimes) -> list[ResourceSummary]:
    codes = times.codes
    resource = codes.resource
    n_resources = len(codes.resources)
    known = resource >= 0
    events = np.bincount(resource[known], minlength=n_resources)
    cases = distinct_cases(resource, codes.case, n_resources)
    pairs = np.where(known, resource.astype(np.int64) * times.n_activities + codes.activity, -1)
    _, distinct_pairs = compact(pairs)
    activities = np.bincount(distinct_pairs // times.n_activities, minlength=n_resources)
    processing = _sum_and_count(resource, times.processing_s, n_resources)
    wait = _sum_and_count(resource, times.wait_s, n_resources)
    rows = [
        ResourceSummary(
            resource=str(codes.resources[r]),
            events=int(events[r]),
            cases=int(cases[r]),
            activities=int(activities[r]),
            mean_processing_s=optional(processing[0][r] / processing[1][r]) if processing[1][r] else None,
            total_processing_s=float(processing[0][r]) if processing[1][r] else None,
            mean_wait_s=optional(wait[0][r] / wait[1][r]) if wait[1][r] else None,
        )
        for r in range(n_resources)
    ]
    rows.sort(key=lambda row: -row.events)
    return rows


def _sum_and_count(groups: np.ndarray, values: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-group sum and count of the measured (non-NaN) values of rows with a group."""
    rows = (groups >= 0) & ~np.isnan(values)
    return (
        np.bincount(groups[rows], weights=values[rows], minlength=n_groups),
        np.bincount(groups[rows], minlength=n_groups),
    )


def _workload(times: EventTimes, period: Period) -> pd.DataFrame:
    codes = times.codes
    known = np.flatnonzero(codes.resource >= 0)
    days = PERIOD_DAYS[period]
    day = codes.end_ns[known] // DAY_NS
    index = (day + EPOCH_WEEKDAY) // days if days > 1 else day
    first = int(index.min())
    span = int(index.max()) - first + 1
    keys = codes.resource[known].astype(np.int64) * span + (index - first)
    group, cells = compact(keys)
    events = np.bincount(group, minlength=len(cells))
    period_days = (cells % span + first) * days - (EPOCH_WEEKDAY if days > 1 else 0)
    frame = pd.DataFrame(
        {
            "resource": codes.resources[cells // span],
            "period_start": pd.DatetimeIndex((period_days * DAY_NS).astype("datetime64[ns]"), tz="UTC"),
            "events": events,
        }
    )
    if times.has_start:
        busy = np.bincount(group, weights=np.nan_to_num(times.processing_s[known]), minlength=len(cells))
        frame["busy_s"] = busy
        frame["busy_share"] = busy / (days * 86_400)
    else:
        frame["busy_s"] = np.nan
        frame["busy_share"] = np.nan
    return frame.sort_values(["resource", "period_start"], ignore_index=True)


def _handoffs(times: EventTimes, top: int) -> tuple[list[Handoff], int, float]:
    """The ``top`` most frequent handoffs, the number of handoffs and their share of transitions.

    Pairs are counted over all handoffs, but medians and case counts (which need a
    sort) are computed for the rows of the reported pairs only.
    """
    codes = times.codes
    resource = codes.resource.astype(np.int64)
    n_resources = len(codes.resources)
    receiving = np.flatnonzero((times.enabler >= 0) & (resource >= 0))
    giving = resource[times.enabler[receiving]]
    both_known = giving >= 0
    receiving, giving = receiving[both_known], giving[both_known]
    changed = giving != resource[receiving]
    handoff_rows = receiving[changed]
    pair, pair_keys = compact(giving[changed] * n_resources + resource[handoff_rows])
    frequency = np.bincount(pair, minlength=len(pair_keys))
    best = np.argsort(-frequency, kind="stable")[:top]
    rank = np.full(len(pair_keys), -1, dtype=np.int64)
    rank[best] = np.arange(len(best))
    reported = rank[pair]
    kept = reported >= 0
    rows, reported = handoff_rows[kept], reported[kept]
    stats = grouped_stats(times.wait_s[rows], reported, len(best))
    cases = distinct_cases(reported, codes.case[rows], len(best))
    estimated = np.bincount(reported, weights=times.estimated[rows], minlength=len(best))
    handoffs = [
        Handoff(
            from_resource=str(codes.resources[pair_keys[p] // n_resources]),
            to_resource=str(codes.resources[pair_keys[p] % n_resources]),
            count=int(stats.count[i]),
            cases=int(cases[i]),
            median_wait_s=float(stats.median[i]),
            total_wait_s=float(stats.total[i]),
            estimated=bool(estimated[i] > 0),
        )
        for i, p in enumerate(best)
    ]
    return handoffs, len(handoff_rows), len(handoff_rows) / len(receiving) if len(receiving) else 0.0
