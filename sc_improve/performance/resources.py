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
import pyarrow as pa

from sc_improve.errors import OptionError
from sc_improve.log.event_log import EventLog
from sc_improve.performance.activity_times import optional
from sc_improve.performance.grouped import compact, dense_keys, distinct_cases, grouped_stats
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
        raise OptionError(f"period must be one of {', '.join(PERIOD_DAYS)}, not {period!r}")
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
    n_resources = len(codes.resources)
    n_activities = times.n_activities
    bins = _resource_bins(codes.resource, n_resources)
    events = np.bincount(bins, minlength=n_resources + 1)[:n_resources]
    cases = distinct_cases(codes.resource, codes.case, n_resources)
    pairs = np.bincount(bins * n_activities + codes.activity, minlength=(n_resources + 1) * n_activities)
    activities = np.count_nonzero(pairs.reshape(n_resources + 1, n_activities)[:n_resources], axis=1)
    processing_total, processing_count = _sum_and_count(bins, times.processing_s, n_resources)
    wait_total, wait_count = _sum_and_count(bins, times.wait_s, n_resources)
    # Plain lists: reading numpy scalars one by one costs more than the counting above.
    rows = [
        ResourceSummary(
            resource=str(name),
            events=event_count,
            cases=case_count,
            activities=activity_count,
            mean_processing_s=optional(busy / timed) if timed else None,
            total_processing_s=busy if timed else None,
            mean_wait_s=optional(waited / waits) if waits else None,
        )
        for name, event_count, case_count, activity_count, busy, timed, waited, waits in zip(
            codes.resources.tolist(),
            events.tolist(),
            cases.tolist(),
            activities.tolist(),
            processing_total.tolist(),
            processing_count.tolist(),
            wait_total.tolist(),
            wait_count.tolist(),
            strict=True,
        )
    ]
    rows.sort(key=lambda row: -row.events)
    return rows


def _resource_bins(resource: np.ndarray, n_resources: int) -> np.ndarray:
    """Resource codes as int64 bincount bins; events without a resource go to the extra bin n_resources."""
    return np.where(resource >= 0, resource, np.int64(n_resources))


def _sum_and_count(bins: np.ndarray, values: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-group sum and count of the measured (non-NaN) values; ``bins`` as from :func:`_resource_bins`.

    Unmeasured rows are moved to the extra bin, so their NaN never reaches a result and
    no rows have to be selected first.
    """
    measured = np.where(np.isnan(values), n_groups, bins)
    return (
        np.bincount(measured, weights=values, minlength=n_groups + 1)[:n_groups],
        np.bincount(measured, minlength=n_groups + 1)[:n_groups],
    )


def _workload(times: EventTimes, period: Period) -> pd.DataFrame:
    """Events and busy time per (resource, period), ordered by resource name, then period.

    Each pair is one integer, resource code x periods + period; resource codes follow
    the names' sort order, so ordering the present pairs by that integer is the
    required order without comparing any strings.
    """
    codes = times.codes
    known = codes.resource >= 0
    everything = bool(known.all())
    resource = codes.resource if everything else codes.resource[known]
    end_ns = codes.end_ns if everything else codes.end_ns[known]
    processing_s = times.processing_s if everything else times.processing_s[known]
    days = PERIOD_DAYS[period]
    keys = end_ns // DAY_NS
    if days > 1:
        keys += EPOCH_WEEKDAY
        keys //= days
    first = int(keys.min())
    span = int(keys.max()) - first + 1
    keys -= first
    resource_part = resource.astype(np.int64)
    resource_part *= span
    keys += resource_part
    busy_weights = None
    if times.has_start:
        busy_weights = np.nan_to_num(processing_s) if times.any_estimated else processing_s
    cells, events, busy = _cell_totals(keys, busy_weights)
    period_days = (cells % span + first) * days - (EPOCH_WEEKDAY if days > 1 else 0)
    frame = pd.DataFrame(
        {
            "resource": names_at(codes.resources, cells // span),
            "period_start": pd.DatetimeIndex((period_days * DAY_NS).astype("datetime64[ns]"), tz="UTC"),
            "events": events,
        }
    )
    if busy is not None:
        frame["busy_s"] = busy
        frame["busy_share"] = busy / (days * 86_400)
    else:
        frame["busy_s"] = np.nan
        frame["busy_share"] = np.nan
    return frame


def names_at(names: np.ndarray, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``names[codes]`` as pandas' default text column.

    One Arrow take over the few distinct names: building the column from an object
    array of Python strings instead costs ten times as much on long tables.
    """
    return pd.array(pa.array(names.tolist(), type=pa.large_string()).take(pa.array(codes)), dtype="str")


def _cell_totals(
    keys: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(present keys ascending, rows per key, summed ``weights`` per key or None).

    Small keys are counted directly over the key space, which yields them in order and
    needs no per-row code; large ones are coded by :func:`compact` and then ordered.
    """
    top = int(keys.max())
    if dense_keys(top, len(keys)):
        events = np.bincount(keys, minlength=top + 1)
        cells = np.flatnonzero(events)
        busy = None if weights is None else np.bincount(keys, weights=weights, minlength=top + 1)[cells]
        return cells, events[cells], busy
    group, cells = compact(keys)
    events = np.bincount(group, minlength=len(cells))
    busy = None if weights is None else np.bincount(group, weights=weights, minlength=len(cells))
    order = np.argsort(cells)  # compact's hash path numbers keys by first appearance
    return cells[order], events[order], None if busy is None else busy[order]


def _handoffs(times: EventTimes, top: int) -> tuple[list[Handoff], int, float]:
    """The ``top`` most frequent handoffs, the number of handoffs and their share of transitions.

    Pairs are counted over all handoffs, but medians and case counts (which need a
    sort) are computed for the rows of the reported pairs only.
    """
    codes = times.codes
    resource = codes.resource
    n_resources = len(codes.resources)
    giving = np.append(resource, -1)[times.enabler]  # enabler -1 reads the appended "no resource"
    both_known = (giving >= 0) & (resource >= 0)
    handoff_rows = np.flatnonzero(both_known & (giving != resource))
    # One integer per (giving, receiving) pair, in 32 bits when it fits (it halves any sort).
    keys = giving[handoff_rows].astype(np.int32 if n_resources * n_resources < 1 << 31 else np.int64)
    keys *= n_resources
    keys += resource[handoff_rows]
    best, reported = _top_keys(keys, top)
    kept = reported >= 0
    rows, reported = handoff_rows[kept], reported[kept].astype(np.int64)
    stats = grouped_stats(times.wait_s[rows], reported, len(best))
    cases = distinct_cases(reported, codes.case[rows], len(best))
    estimated = np.bincount(reported, weights=times.estimated[rows], minlength=len(best))
    handoffs = [
        Handoff(
            from_resource=str(codes.resources[key // n_resources]),
            to_resource=str(codes.resources[key % n_resources]),
            count=int(stats.count[i]),
            cases=int(cases[i]),
            median_wait_s=float(stats.median[i]),
            total_wait_s=float(stats.total[i]),
            estimated=bool(estimated[i] > 0),
        )
        for i, key in enumerate(best.tolist())
    ]
    transitions = int(np.count_nonzero(both_known))
    return handoffs, len(handoff_rows), len(handoff_rows) / transitions if transitions else 0.0


def _top_keys(keys: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """(the ``top`` most frequent keys, most frequent first, ties in key order; each row's rank or -1).

    Small keys are counted over the key space, large ones by sorting them once and
    counting the runs; neither numbers every distinct key row by row. The rows' ranks
    come from a one-byte table over the key space, or from binary search when even
    that would be too large.
    """
    top_key = int(keys.max()) if len(keys) else -1
    if dense_keys(top_key, len(keys)):
        frequency_by_key = np.bincount(keys, minlength=top_key + 1)
        present = np.flatnonzero(frequency_by_key)
        best = present[_most_frequent(frequency_by_key[present], top)]
    else:
        ordered = np.sort(keys)
        run_starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        frequency = np.diff(np.append(run_starts, len(ordered)))
        best = ordered[run_starts[_most_frequent(frequency, top)]]
    if top_key < RANK_TABLE_LIMIT:
        lookup = np.full(top_key + 1, -1, dtype=np.int8 if top < 128 else np.int64)
        lookup[best] = np.arange(len(best))
        return best, lookup[keys]
    by_key = np.argsort(best)
    position = np.minimum(np.searchsorted(best[by_key], keys), len(best) - 1)
    found = best[by_key][position] == keys
    return best, np.where(found, by_key[position], -1)


RANK_TABLE_LIMIT = 1 << 26
"""Keys below this are ranked with a lookup table (one byte per possible key, at most 64 MB)."""


def _most_frequent(frequency: np.ndarray, top: int) -> np.ndarray:
    """Indices of the ``top`` largest frequencies, largest first, ties in index order.

    Only the candidates at or above the ``top``-th largest frequency (found by a
    partition, not a sort) are sorted: there are many distinct pairs, and few are reported.
    """
    if len(frequency) > top > 0:
        threshold = np.partition(frequency, len(frequency) - top)[len(frequency) - top]
        candidates = np.flatnonzero(frequency >= threshold)
    else:
        candidates = np.arange(len(frequency))
    return candidates[np.argsort(-frequency[candidates], kind="stable")[:top]]
