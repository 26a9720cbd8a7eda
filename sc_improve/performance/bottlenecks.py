"""The ranked bottleneck list: where cases lose the most time, in one comparable unit.

Every candidate (waiting before an activity, an activity's processing, a transition,
rework of an activity, a resource whose work waits longer than usual) is scored the
same way, by the time cases spent on it *above normal*:

* for waiting, processing and transitions, normal is the median of that activity or
  transition; every event above it contributes its time above the median;
* for rework, normal is doing the activity once; the rework time of the extra
  executions is the excess;
* for a resource, normal is the usual excess wait of the activities it works on; the
  excess wait of its events beyond that is its excess.

``cases_affected`` counts the cases with any excess, ``mean_excess_s`` is the excess per
affected case and ``impact_s = cases_affected x mean_excess_s`` (which is the summed
excess, ``excess_time_s``). ``impact_share`` relates it to the total cycle time of all
cases. Candidates overlap (a transition's wait is also a wait before its target
activity), so shares are for ranking and do not add up to 100 %.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np

from sc_improve.log.event_log import EventLog
from sc_improve.performance.activity_times import ActivityTimes, activity_times, timing_notes
from sc_improve.performance.cycle_time import CycleTimeResult, cycle_time
from sc_improve.performance.grouped import GroupStats, distinct_cases
from sc_improve.performance.resources import Period, ResourceResult, resource_analysis
from sc_improve.performance.rework import ReworkResult, find_rework
from sc_improve.performance.timing import EventTimes, event_times
from sc_improve.performance.transitions import TransitionTimes, transition_times
from sc_improve.progress import ProgressCallback, steps
from sc_improve.units import human_duration

Kind = Literal["waiting", "processing", "transition", "rework", "resource"]
MAX_ITEMS = 50
BLOCK_ROWS = 1 << 20
"""Rows per block where a per-event temporary is only needed for a sum."""


@dataclass(frozen=True)
class Bottleneck:
    """One ranked bottleneck; see the module docstring for how it is scored.

    ``baseline_s`` is the median the excess is measured against (None for rework and
    resources); ``estimated`` is True when the times behind it are estimates because
    start times are missing.
    """

    kind: Kind
    name: str
    cases_affected: int
    excess_time_s: float
    mean_excess_s: float
    impact_s: float
    impact_share: float
    baseline_s: float | None
    explanation: str
    estimated: bool


@dataclass
class BottleneckReport:
    """The ranked bottlenecks (largest impact first) and every analysis they were built from."""

    items: list[Bottleneck]
    activities: ActivityTimes
    transitions: TransitionTimes
    rework: ReworkResult
    resources: ResourceResult
    cycle_time: CycleTimeResult
    n_events: int
    n_cases: int
    estimated: bool
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "items": [asdict(item) for item in self.items],
            "activities": self.activities.to_dict(),
            "transitions": self.transitions.to_dict(),
            "rework": self.rework.to_dict(),
            "resources": self.resources.to_dict(),
            "cycle_time": self.cycle_time.to_dict(),
            "n_events": self.n_events,
            "n_cases": self.n_cases,
            "estimated": self.estimated,
            "notes": list(self.notes),
        }


def find_bottlenecks(
    log: EventLog,
    progress: ProgressCallback | None = None,
    *,
    max_items: int = MAX_ITEMS,
    drivers: bool = True,
    period: Period = "day",
) -> BottleneckReport:
    """Rank where cases lose time, with the per-activity, transition, rework, resource and cycle-time results.

    ``drivers=False`` skips the cycle-time driver model; ``period`` is the workload
    period of the resource analysis.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1", "2", "2", "3", "3"],
    ...     "concept:name": ["a", "b"] * 3, "time:timestamp": pd.to_datetime([
    ...     "2024-01-01 08:00", "2024-01-01 09:00", "2024-01-02 08:00", "2024-01-02 09:00",
    ...     "2024-01-03 08:00", "2024-01-03 13:00"])}))
    >>> top = find_bottlenecks(log).items[0]
    >>> top.kind, top.name, top.cases_affected, top.excess_time_s
    ('waiting', 'b', 1, 14400.0)
    """
    step = steps(progress, ["measuring times", "resources", "cycle time", "activity times", "ranking"])
    step(0)
    times = event_times(log)
    # The event-level analyses run on a second thread while this one does the resources
    # and the cycle time: numpy's sorts and reductions release the GIL, so two cores share
    # the work, and progress (and with it cancellation) stays on the caller's thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        event_level = pool.submit(_event_level, log, times)
        step(1)
        resources = resource_analysis(log, times, period=period)
        cycles = cycle_time(log, times, drivers=drivers, progress=step(2))
        step(3)
        activities, transitions, rework = event_level.result()
    ranking = step(4)
    wait = _excess(times, times.wait_s, times.codes.activity, times.wait_by_activity)
    activity_items = _activity_items(times, wait)
    resource_items = _resource_items(times, wait) if log.has_resource else []
    del wait  # its event-sized arrays would otherwise add to the transitions' peak memory
    candidates = [*activity_items, *_transition_items(times), *_rework_items(rework), *resource_items]
    ranked = sorted((item for item in candidates if item.excess > 0), key=lambda item: -item.impact)
    items = [item.in_words(cycles.total_s) for item in ranked[:max_items]]
    ranking(1.0, "ranking")
    return BottleneckReport(
        items=items,
        activities=activities,
        transitions=transitions,
        rework=rework,
        resources=resources,
        cycle_time=cycles,
        n_events=times.n_events,
        n_cases=cycles.cases,
        estimated=not times.has_start,
        notes=timing_notes(times),
    )


def _event_level(log: EventLog, times: EventTimes) -> tuple[ActivityTimes, TransitionTimes, ReworkResult]:
    return activity_times(log, times), transition_times(log, times), find_rework(log, times)


@dataclass(frozen=True)
class _Candidate:
    """A bottleneck before ranking, in figures only: just the few that make the list are put in words.

    ``describe(cases, mean excess, baseline)`` receives the figures already in words.
    """

    kind: Kind
    name: str
    cases: int
    excess: float
    baseline: float | None
    estimated: bool
    describe: Callable[[str, str, str], str]

    @property
    def mean(self) -> float:
        return self.excess / self.cases if self.cases else 0.0

    @property
    def impact(self) -> float:
        return self.cases * self.mean

    def in_words(self, total_cycle_time_s: float) -> Bottleneck:
        mean = self.mean
        impact = self.cases * mean
        baseline = None if self.baseline is None else float(self.baseline)
        return Bottleneck(
            kind=self.kind,
            name=self.name,
            cases_affected=self.cases,
            excess_time_s=self.excess,
            mean_excess_s=mean,
            impact_s=impact,
            impact_share=impact / total_cycle_time_s if total_cycle_time_s > 0 else 0.0,
            baseline_s=baseline,
            explanation=self.describe(f"{self.cases:,}", human_duration(mean), human_duration(baseline)),
            estimated=bool(self.estimated),
        )


@dataclass(frozen=True)
class _Excess:
    """Time above the group median: per event (0 when not above), summed per group, and per group
    the affected cases and the share of the excess that comes from estimated waits; ``rows`` are
    the events above their median."""

    per_event: np.ndarray
    per_group: np.ndarray
    cases: np.ndarray
    estimated_share: np.ndarray
    rows: np.ndarray


def _excess(times: EventTimes, values: np.ndarray, groups: np.ndarray, stats: GroupStats) -> _Excess:
    """Excess over the group medians. Events in no group (-1) or without a value get NaN from
    the median lookup, so they are never above it and add 0 wherever they are counted."""
    n_groups = len(stats.count)
    per_event = np.append(stats.median, np.nan)[groups]  # group -1 reads the appended NaN
    np.subtract(values, per_event, out=per_event)
    above = per_event > 0
    np.fmax(per_event, 0.0, out=per_event)  # fmax, unlike maximum, turns NaN into 0 too
    bins = groups if len(groups) == 0 or int(groups.min()) >= 0 else np.where(groups >= 0, groups, n_groups)
    per_group = np.bincount(bins, weights=per_event, minlength=n_groups + 1)[:n_groups]
    if times.any_estimated:
        estimated_excess = np.where(times.estimated, per_event, 0.0)
        estimated = np.bincount(bins, weights=estimated_excess, minlength=n_groups + 1)[:n_groups]
    else:
        estimated = np.zeros(n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimated_share = estimated / per_group
    rows = np.flatnonzero(above)
    if len(rows) and rows[-1] < np.iinfo(np.int32).max:
        rows = rows.astype(np.int32)  # kept until the resource items: half the memory
    cases = distinct_cases(groups[rows], times.codes.case[rows], n_groups)
    return _Excess(per_event, per_group, cases, estimated_share, rows)


def _activity_items(times: EventTimes, wait: _Excess) -> list[_Candidate]:
    names = times.codes.activities
    items = []
    for a in np.flatnonzero(wait.per_group):
        name = str(names[a])
        describe = _wait_text(f"before '{name}'", f"the previous event to '{name}'", wait.estimated_share[a])
        median = times.wait_by_activity.median[a]
        excess = float(wait.per_group[a])
        items.append(
            _Candidate(
                "waiting", name, int(wait.cases[a]), excess, median, wait.estimated_share[a] > 0, describe
            )
        )
    if not times.has_start:
        return items
    processing = times.processing_by_activity
    work = _excess(times, times.processing_s, times.codes.activity, processing)
    for a in np.flatnonzero(work.per_group):
        name = str(names[a])
        excess = float(work.per_group[a])
        items.append(
            _Candidate(
                "processing",
                name,
                int(work.cases[a]),
                excess,
                processing.median[a],
                False,
                _processing_text(name),
            )
        )
    return items


def _processing_text(name: str) -> Callable[[str, str, str], str]:
    def describe(count: str, mean: str, median: str) -> str:
        return (
            f"'{name}' takes longer than its median of {median} in {count} cases, "
            f"{mean} extra per case on average."
        )

    return describe


def _wait_text(where: str, span: str, estimated_share: float) -> Callable[[str, str, str], str]:
    """Words for waiting excess; mostly estimated excess (no start times) is said to be an estimate."""

    def exact(count: str, mean: str, median: str) -> str:
        text = (
            f"Work waits {where} longer than its median of {median} in {count} cases, "
            f"{mean} extra per case on average."
        )
        return f"{text} Partly estimated: some events have no start time." if estimated_share > 0 else text

    def estimate(count: str, mean: str, median: str) -> str:
        return (
            f"The time from {span} (an estimate: no start times) exceeds its median of {median} "
            f"in {count} cases, by {mean} per case on average."
        )

    return estimate if estimated_share >= 0.5 else exact


def _transition_items(times: EventTimes) -> list[_Candidate]:
    names = times.codes.activities
    transition, keys = times.transitions
    stats = times.wait_by_transition
    wait = _excess(times, times.wait_s, transition, stats)
    items = []
    for t in np.flatnonzero(wait.per_group):
        source = str(names[keys[t] // times.n_activities])
        target = str(names[keys[t] % times.n_activities])
        describe = _wait_text(
            f"between '{source}' and '{target}'", f"'{source}' to '{target}'", wait.estimated_share[t]
        )
        name = f"{source} → {target}"
        excess = float(wait.per_group[t])
        items.append(
            _Candidate(
                "transition",
                name,
                int(wait.cases[t]),
                excess,
                stats.median[t],
                wait.estimated_share[t] > 0,
                describe,
            )
        )
    return items


def _rework_items(rework: ReworkResult) -> list[_Candidate]:
    return [
        _Candidate(
            "rework",
            row.activity,
            row.cases_with_rework,
            row.rework_time_s,
            None,
            row.estimated,
            _rework_text(row.activity, row.extra_executions),
        )
        for row in rework.activities
    ]


def _rework_text(activity: str, extra: int) -> Callable[[str, str, str], str]:
    def describe(count: str, mean: str, _: str) -> str:
        return (
            f"'{activity}' is repeated in {count} cases ({extra:,} extra executions), "
            f"adding {mean} per case on average."
        )

    return describe


def _resource_items(times: EventTimes, wait: _Excess) -> list[_Candidate]:
    """Resources whose work waits further above the activity medians than the same activities usually do."""
    codes = times.codes
    with np.errstate(invalid="ignore", divide="ignore"):
        usual = np.nan_to_num(wait.per_group / times.wait_by_activity.count)
    n_resources = len(codes.resources)
    beyond = np.zeros(n_resources + 1)
    estimated_count = np.zeros(n_resources + 1)
    # In blocks, so that no event-sized temporary adds to the peak memory of big logs.
    for block in _blocks(len(codes.resource)):
        measured = (codes.resource[block] >= 0) & ~np.isnan(times.wait_s[block])
        # Unmeasured events land in the extra bin n_resources, so their weight needs no masking.
        bins = np.where(measured, codes.resource[block], n_resources)
        beyond_usual = wait.per_event[block] - usual[codes.activity[block]]
        beyond += np.bincount(bins, weights=beyond_usual, minlength=n_resources + 1)
        if times.any_estimated:
            estimated_count += np.bincount(bins, weights=times.estimated[block], minlength=n_resources + 1)
    beyond = beyond[:n_resources]
    estimated = estimated_count[:n_resources] > 0
    rows = wait.rows
    cases = distinct_cases(codes.resource[rows], codes.case[rows], n_resources)
    items = []
    for r in np.flatnonzero((beyond > 0) & (cases > 0)):
        name = str(codes.resources[r])
        items.append(
            _Candidate(
                "resource", name, int(cases[r]), float(beyond[r]), None, estimated[r], _resource_text(name)
            )
        )
    return items


def _blocks(n_rows: int, size: int = BLOCK_ROWS) -> Iterator[slice]:
    return (slice(start, min(start + size, n_rows)) for start in range(0, n_rows, size))


def _resource_text(name: str) -> Callable[[str, str, str], str]:
    def describe(count: str, mean: str, _: str) -> str:
        return (
            f"Work done by '{name}' waits {mean} per case longer than the same activities usually wait, "
            f"in {count} cases."
        )

    return describe
