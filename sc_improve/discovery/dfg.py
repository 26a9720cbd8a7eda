"""Directly-follows process map with frequencies and performance, in column operations.

The map reads each case in *flow order*: by start time when the log has start times,
then end time, then file order (the order pm4py's DFG uses on an interval log), so an
activity that started first is drawn first even when it finished later. Every count
and time is computed with bincounts and sorts over integer codes; no step loops over
events in Python, which is what lets a 1M-event map take a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from sc_improve.discovery.process_map import ActivityNode, MapEdge, ProcessMap
from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import EventLog, LogCodes
from sc_improve.progress import ProgressCallback, ensure_progress

NS_PER_S = 1e9
DENSE_PAIR_LIMIT = 1 << 24
"""Up to this many possible activity pairs, pair codes are compacted with a lookup table."""
DISTINCT_FLAGS_PER_ROW = 16
"""Distinct cases are counted with a table of (group, case) flags up to this many cells per row."""


@dataclass(frozen=True)
class FlowSequence:
    """The events of every case in flow order (see the module docstring).

    Case blocks stay where they are in the frame (only events within a case move), so
    ``LogCodes.case`` and ``case_starts`` apply unchanged. Few cases, if any, need
    reordering: ``moved`` are the frame rows of those cases in flow order and
    ``moved_to`` the (ascending) positions they take, both empty when the frame order
    is the flow order. Columns in flow order are patched copies of the frame's, made
    only for the columns asked for. ``begins_ns`` (frame order) holds each event's
    start, or its end where it has none (taken as instantaneous), and is None when the
    log has no start times at all.
    """

    codes: LogCodes
    begins_ns: np.ndarray | None
    moved: np.ndarray
    moved_to: np.ndarray

    @cached_property
    def activity(self) -> np.ndarray:
        return self.in_flow_order(self.codes.activity)

    @cached_property
    def rows(self) -> np.ndarray | None:
        """The frame row at each flow position, or None when the frame order is the flow order."""
        if not len(self.moved):
            return None
        return self.in_flow_order(np.arange(len(self.codes.activity)))

    def in_flow_order(self, values: np.ndarray) -> np.ndarray:
        """A per-event column of the frame in flow order (the column itself when nothing moves)."""
        if not len(self.moved):
            return values
        result = values.copy()
        result[self.moved_to] = values[self.moved]
        return result

    def path_gaps_ns(self) -> np.ndarray:
        """For each path (an event and the next one of its case in flow order, listed in flow order):
        from the first one's end to the second one's start, or its end without start times."""
        codes = self.codes
        following = codes.end_ns if self.begins_ns is None else self.begins_ns
        gaps = (following[1:] - codes.end_ns[:-1])[codes.same_case_as_next]
        if len(self.moved):
            # Only the paths inside reordered cases change; the path from row p is path p - case[p],
            # since each earlier case ends with one event that starts no path.
            case = codes.case[self.moved_to]
            source = np.flatnonzero(case[1:] == case[:-1])
            path = self.moved_to[source] - case[source]
            gaps[path] = following[self.moved[source + 1]] - codes.end_ns[self.moved[source]]
        return gaps


@dataclass(frozen=True)
class GroupStats:
    """Per-group counts and duration statistics, groups numbered 0..n-1."""

    count: np.ndarray
    cases: np.ndarray
    mean_s: np.ndarray
    median_s: np.ndarray
    p90_s: np.ndarray
    total_s: np.ndarray


def flow_sequence(log: EventLog) -> FlowSequence:
    """The flow order of the log: cases whose start times disagree with the end-time order are reordered.

    Usually no case needs it; otherwise only the cases that do are put in order by
    :func:`order_within_cases` (ties keep the frame order, i.e. end time, then file
    order), so the cost follows those few cases, not the log.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"],
    ...     "concept:name": ["long", "short"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 09:30"]),
    ...     "start_timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00"])}))
    >>> [str(log.codes.activities[a]) for a in flow_sequence(log).activity]
    ['long', 'short']
    """
    codes = log.codes
    unmoved = np.zeros(0, dtype=np.int64)
    if codes.start_ns is None or np.all(codes.start_ns == LogCodes.MISSING_NS):
        return FlowSequence(codes, None, unmoved, unmoved)
    start = begins_ns(codes)
    backwards = np.flatnonzero(codes.same_case_as_next & (start[1:] < start[:-1]))
    if not len(backwards):
        return FlowSequence(codes, start, unmoved, unmoved)
    return FlowSequence(codes, start, *_reordered_rows(codes, start, backwards))


def _reordered_rows(
    codes: LogCodes, start: np.ndarray, backwards: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(rows of the cases with a backwards step in flow order, the positions they go to).

    ``backwards`` are ascending rows whose next row in the case starts earlier.
    """
    case = codes.case[backwards]
    cases = case[np.concatenate(([True], case[1:] != case[:-1]))]
    first = codes.case_starts[cases]
    lengths = codes.case_starts[cases + 1] - first
    local_starts = np.concatenate(([0], np.cumsum(lengths)))
    owner = np.repeat(np.arange(len(cases), dtype=np.int32), lengths)
    positions = np.arange(local_starts[-1]) + np.repeat(first - local_starts[:-1], lengths)
    order = order_within_cases(owner, start[positions], local_starts)
    return positions[order], positions


def begins_ns(codes: LogCodes) -> np.ndarray:
    """Each event's start time, or its end time where it has none (taken as instantaneous).

    When every start is recorded this is the log's own start column: never write into it.
    """
    if codes.start_ns is None:
        return codes.end_ns
    missing = codes.start_ns == LogCodes.MISSING_NS
    if not missing.any():
        return codes.start_ns
    return np.where(missing, codes.end_ns, codes.start_ns)


def order_within_cases(case: np.ndarray, start: np.ndarray, case_starts: np.ndarray) -> np.ndarray:
    """Row order that sorts each (contiguous) case by ``start``, ties keeping their current order.

    The fast way packs (case, start relative to the case's first start) into one int64
    and runs a stable argsort, which is close to linear because the rows are already
    nearly in order. Times are packed in the coarsest unit (s, ms, us, ns) that all of
    them are multiples of; when even that does not fit next to the case number, one
    stable polars sort by (case, start) does the job.
    """
    relative = start - np.minimum.reduceat(start, case_starts[:-1])[case]
    case_bits = max(int(len(case_starts) - 2).bit_length(), 1)
    unit = next(u for u in (10**9, 10**6, 10**3, 1) if not np.any(relative % u))
    relative //= unit
    if case_bits + int(relative.max()).bit_length() <= 63:
        return np.argsort((case.astype(np.int64) << (63 - case_bits)) | relative, kind="stable")
    keys = pl.DataFrame({"case": case, "start": start})
    return keys.select(pl.arg_sort_by(["case", "start"], maintain_order=True)).to_series().to_numpy()


def discover_map(log: EventLog, progress: ProgressCallback | None = None) -> ProcessMap:
    """The directly-follows map of a log: activity and path frequencies and times.

    Nodes count events and the cases they occur in, with the mean processing time
    (end - start) when the log has start times. Edges count how often the target
    directly followed the source within a case, in how many cases, and the time
    between them: from source end to target start when the log has start times
    (waiting time; an overlap counts as 0), else from end to end. Frequencies equal
    ``pm4py.discover_dfg`` on the same frame; see docs/DISCOVERY.md for the details.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["a", "b"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00"])}))
    >>> discover_map(log).edge("a", "b").mean_s
    3600.0
    """
    report = ensure_progress(progress)
    if log.n_events == 0:
        raise AnalysisError("the log has no events, so there is no process map to discover")
    report(0.0, "ordering events")
    codes = log.codes
    flow = flow_sequence(log)
    names = codes.activities
    n_activities = len(names)
    first_rows = codes.case_starts[:-1]
    last_rows = codes.case_starts[1:] - 1

    report(0.2, "counting activities")
    nodes = _activity_nodes(log)
    start_counts = np.bincount(flow.activity[first_rows], minlength=n_activities)
    end_counts = np.bincount(flow.activity[last_rows], minlength=n_activities)

    report(0.5, "measuring paths")
    # Row i and row i + 1 form a path when they are in the same case: slices and one mask, no row lists.
    linked = codes.same_case_as_next
    gaps = flow.path_gaps_ns()
    notes = []
    if flow.begins_ns is None:
        time_basis = "end_to_end"
    else:
        time_basis = "end_to_start"
        overlaps = int(np.count_nonzero(gaps < 0))
        if overlaps:
            notes.append(
                f"{overlaps:,} of {len(gaps):,} transitions overlap (the next activity started before "
                "the previous one ended); their waiting time counts as 0"
            )
            np.maximum(gaps, 0, out=gaps)
        unstarted = int(np.count_nonzero(codes.start_ns == LogCodes.MISSING_NS))
        if unstarted:
            verb = "event has" if unstarted == 1 else "events have"
            notes.append(f"{unstarted:,} {verb} no start time; they count as instantaneous")
    pair = flow.activity[:-1][linked].astype(np.int64)
    pair *= n_activities
    pair += flow.activity[1:][linked]
    group, pairs = compact_codes(pair, n_activities * n_activities)
    stats = group_stats(group, len(pairs), gaps, codes.case[:-1][linked], log.n_cases)

    report(0.9, "building the map")
    edges = _edges(names, pairs // n_activities, pairs % n_activities, stats)
    report(1.0, "")
    return ProcessMap(
        activities=nodes,
        edges=edges,
        start_activities=_counts_by_name(names, start_counts),
        end_activities=_counts_by_name(names, end_counts),
        n_cases=log.n_cases,
        time_basis=time_basis,
        notes=notes,
    )


def compact_codes(
    values: np.ndarray, size: int, dense_limit: int = DENSE_PAIR_LIMIT
) -> tuple[np.ndarray, np.ndarray]:
    """Renumber integer codes in ``0..size-1`` to ``0..k-1``; return (new codes, the k old values).

    A lookup table when ``size`` is small enough (one gather, no sort), else a sort
    and binary search, so that logs with thousands of activities stay within memory.
    """
    if size <= dense_limit:
        present = np.flatnonzero(np.bincount(values, minlength=size))
        table = np.zeros(size, dtype=np.int64)
        table[present] = np.arange(len(present))
        return table[values], present
    ordered = np.sort(values)
    present = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered
    return np.searchsorted(present, values), present


def group_stats(
    group: np.ndarray, n_groups: int, durations_ns: np.ndarray, case: np.ndarray, n_cases: int
) -> GroupStats:
    """Count, distinct cases, mean, median, 90th percentile and total of non-negative durations per group.

    Medians and percentiles interpolate linearly between the two nearest values, like
    pandas' ``median`` and ``quantile``. Instead of a group-by, group and duration are
    packed into one int64 and sorted once (a plain value sort, much faster than an
    argsort); ``case`` (codes below ``n_cases``) gives the distinct-case counts.
    """
    count = np.bincount(group, minlength=n_groups)
    # Float weights: bincount converts integer weights much more slowly than astype does.
    total_ns = np.bincount(group, weights=durations_ns.astype(np.float64), minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_s = total_ns / count / NS_PER_S
    group_bits = max(int(n_groups - 1).bit_length(), 1)
    value_bits = 63 - group_bits
    longest = int(durations_ns.max()) if len(durations_ns) else 0
    shift = max(longest.bit_length() - value_bits, 0)
    packed = group.astype(np.int64)
    packed <<= value_bits
    packed |= (durations_ns >> shift) if shift else durations_ns
    packed.sort()
    seconds_per_unit = 2.0**shift / NS_PER_S
    first = np.concatenate(([0], np.cumsum(count)[:-1]))
    return GroupStats(
        count=count,
        cases=count_distinct_cases(group, n_groups, case, n_cases),
        mean_s=mean_s,
        median_s=_quantile(packed, value_bits, first, count, 0.5) * seconds_per_unit,
        p90_s=_quantile(packed, value_bits, first, count, 0.9) * seconds_per_unit,
        total_s=total_ns / NS_PER_S,
    )


def _quantile(
    packed: np.ndarray, value_bits: int, first: np.ndarray, count: np.ndarray, q: float
) -> np.ndarray:
    """Linear-interpolation quantile of each group's sorted slice, decoding only the two values it needs."""
    result = np.full(len(count), np.nan)
    present = count > 0
    position = first[present] + (count[present] - 1) * q
    low = np.floor(position).astype(np.int64)
    high = np.ceil(position).astype(np.int64)
    mask = (1 << value_bits) - 1
    low_value = (packed[low] & mask).astype(np.float64)
    high_value = (packed[high] & mask).astype(np.float64)
    result[present] = low_value + (high_value - low_value) * (position - low)
    return result


def count_distinct_cases(
    group: np.ndarray, n_groups: int, case: np.ndarray, n_cases: int, dense_limit: int | None = None
) -> np.ndarray:
    """Per group, the number of distinct cases among its rows.

    A (group, case) table of flags when it is small (at most ``dense_limit`` cells; by
    default about sixteen per row, one byte each), else a sort of packed (group, case)
    keys: either way no group-by and no Python loop.
    """
    limit = DISTINCT_FLAGS_PER_ROW * len(group) + (1 << 20) if dense_limit is None else dense_limit
    if n_cases * n_groups <= limit:
        # Group major: each group's flags are one contiguous row, so counting them is a plain scan.
        seen = np.zeros(n_groups * n_cases, dtype=bool)
        seen[group.astype(np.int64) * n_cases + case] = True
        return np.count_nonzero(seen.reshape(n_groups, n_cases), axis=1)
    case_bits = max(int(n_cases - 1).bit_length(), 1)
    packed = (group.astype(np.int64) << case_bits) | case
    packed.sort()
    new = np.concatenate(([True], packed[1:] != packed[:-1])) if len(packed) else np.zeros(0, bool)
    return np.bincount(packed[new] >> case_bits, minlength=n_groups)


def _activity_nodes(log: EventLog) -> list[ActivityNode]:
    codes = log.codes
    n_activities = len(codes.activities)
    events = np.bincount(codes.activity, minlength=n_activities)
    cases = count_distinct_cases(codes.activity, n_activities, codes.case, log.n_cases)
    means: list[float | None] = [None] * n_activities
    if codes.start_ns is not None:
        has_start = codes.start_ns != LogCodes.MISSING_NS
        everything = bool(has_start.all())
        activity = codes.activity if everything else codes.activity[has_start]
        timed = events if everything else np.bincount(activity, minlength=n_activities)
        busy = (
            codes.end_ns - codes.start_ns
            if everything
            else codes.end_ns[has_start] - codes.start_ns[has_start]
        )
        total = np.bincount(activity, weights=busy.astype(np.float64), minlength=n_activities)
        means = [t / c / NS_PER_S if c else None for t, c in zip(total.tolist(), timed.tolist(), strict=True)]
    order = np.argsort(-events, kind="stable")
    return [
        ActivityNode(
            name=str(codes.activities[i]),
            events=int(events[i]),
            cases=int(cases[i]),
            mean_duration_s=means[i],
        )
        for i in order.tolist()
    ]


def _edges(names: np.ndarray, sources: np.ndarray, targets: np.ndarray, stats: GroupStats) -> list[MapEdge]:
    edges = [
        MapEdge(
            source=str(names[s]),
            target=str(names[t]),
            frequency=f,
            cases=c,
            mean_s=mean,
            median_s=median,
            p90_s=p90,
            total_s=total,
        )
        for s, t, f, c, mean, median, p90, total in zip(
            sources.tolist(),
            targets.tolist(),
            stats.count.tolist(),
            stats.cases.tolist(),
            stats.mean_s.tolist(),
            stats.median_s.tolist(),
            stats.p90_s.tolist(),
            stats.total_s.tolist(),
            strict=True,
        )
    ]
    edges.sort(key=lambda e: (-e.frequency, e.source, e.target))
    return edges


def _counts_by_name(names: np.ndarray, counts: np.ndarray) -> dict[str, int]:
    present = np.flatnonzero(counts)
    order = present[np.argsort(-counts[present], kind="stable")]
    return {str(names[i]): int(counts[i]) for i in order.tolist()}
