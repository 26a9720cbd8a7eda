"""Per-event waiting and processing times, measured once and shared by every analysis.

Waiting time needs to know *what the event waited for*. We call that the enabling
instance: the activity instance of the same case that ended last among those that had
ended by the time this event started. Its end is the enabling time, and

* processing time = end - start (only when the event has a start time);
* waiting time = start - enabling time.

Parallel work is handled by that definition: an instance that was still running when
this one started did not enable it, so it is skipped, and the wait is measured from the
latest instance that had finished. An event with nothing finished before it (the first
of its case, or one that started while all earlier ones were still running) has no
measured wait: the log records no arrival time for a case, so its first wait is unknown.

An event without a start time is taken as instantaneous (start = end). Its "waiting
time" is then the time since the previous event of the case ended, which also contains
its own processing time: such waits are flagged ``estimated``. A start after the end is
a data error; that start is ignored and counted in ``invalid_starts``.

The grouped summaries (per activity, per transition) are cached on the
:class:`EventTimes` so that the bottleneck report computes each sort only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import EventLog, LogCodes
from sc_improve.performance.grouped import GroupStats, compact, dense_keys, grouped_stats, stable_group_order

NS_PER_S = 1e9


@dataclass(frozen=True)
class Repeats:
    """Repeated occurrences of activities within cases, as aligned arrays.

    ``rows`` are the repeats that started after the previous occurrence of the same
    activity ended (rework); ``self_loop`` marks those directly preceded by that
    previous occurrence; ``cost_s`` is their wait plus processing time. Repeats that
    started while the previous occurrence was still running are ``parallel_rows``.
    """

    rows: np.ndarray
    self_loop: np.ndarray
    cost_s: np.ndarray
    parallel_rows: np.ndarray


@dataclass(frozen=True)
class EventTimes:
    """Timing of every event of a log, aligned with its sorted frame.

    ``start_ns`` is the effective start (the end time when none is known); ``enabler``
    is the row of the enabling instance or -1; ``wait_s`` is NaN when there is no
    enabler, ``processing_s`` NaN when there is no start; ``estimated`` marks events
    whose wait is the time since the previous event (no start time).
    """

    codes: LogCodes
    start_ns: np.ndarray
    enabler: np.ndarray
    wait_s: np.ndarray
    processing_s: np.ndarray
    estimated: np.ndarray
    has_start: bool
    invalid_starts: int

    @property
    def n_events(self) -> int:
        return len(self.enabler)

    @property
    def n_activities(self) -> int:
        return len(self.codes.activities)

    @cached_property
    def any_estimated(self) -> bool:
        """Whether any event lacks a start time; when none does, estimated shares are all 0."""
        return bool(self.estimated.any())

    @cached_property
    def cycle_s(self) -> np.ndarray:
        """Cycle time in seconds of each case, indexed by case code: from its earliest
        (effective) start to its last end (see :mod:`sc_improve.performance.cycle_time`)."""
        starts = self.codes.case_starts
        first = np.minimum.reduceat(self.start_ns, starts[:-1])
        return (self.codes.end_ns[starts[1:] - 1] - first) / NS_PER_S

    @cached_property
    def wait_by_activity(self) -> GroupStats:
        return grouped_stats(self.wait_s, self.codes.activity, self.n_activities)

    @cached_property
    def processing_by_activity(self) -> GroupStats:
        if not self.has_start:
            return grouped_stats(np.zeros(0), np.zeros(0, dtype=np.int64), self.n_activities)
        return grouped_stats(self.processing_s, self.codes.activity, self.n_activities)

    @cached_property
    def repeats(self) -> Repeats:
        """Occurrences of an activity after its first in the case (see :class:`Repeats`).

        Rows grouped stably by activity keep frame order, so within an activity the rows
        of a case are adjacent and time-ordered: an occurrence is a repeat exactly when
        the row before it in that order belongs to the same case.
        """
        codes = self.codes
        order = stable_group_order(codes.activity, self.n_activities)
        activity = codes.activity[order]
        case = codes.case[order]
        again = np.flatnonzero((activity[1:] == activity[:-1]) & (case[1:] == case[:-1]))
        rows, previous = order[again + 1], order[again]
        sequential = self.start_ns[rows] >= codes.end_ns[previous]
        parallel_rows = rows[~sequential]
        rows, previous = rows[sequential], previous[sequential]
        processing_s = (codes.end_ns[rows] - self.start_ns[rows]) / NS_PER_S
        return Repeats(
            rows=rows,
            self_loop=previous == rows - 1,
            cost_s=processing_s + np.nan_to_num(self.wait_s[rows]),
            parallel_rows=parallel_rows,
        )

    @cached_property
    def transitions(self) -> tuple[np.ndarray, np.ndarray]:
        """(transition code of each row or -1, the (source * n_activities + target) key of each code).

        A transition is enabling activity -> activity; rows without an enabler have none.
        """
        n = self.n_activities
        if not dense_keys(n * (n + 1) - 1, self.n_events):
            activity = self.codes.activity.astype(np.int64)
            source = activity[np.maximum(self.enabler, 0)]
            return compact(np.where(self.enabler >= 0, source * n + activity, -1))
        # The numbering compact() gives, without masks: "no enabler" reads source n, whose keys
        # (n * n and above) are left out of the table. Keys and codes stay 32-bit when they fit.
        dtype = np.int32 if n * (n + 1) < 1 << 31 else np.int64
        keys = np.append(self.codes.activity, n).astype(dtype)[self.enabler]
        keys *= n
        keys += self.codes.activity
        present = np.flatnonzero(np.bincount(keys, minlength=n * (n + 1))[: n * n])
        table = np.full(n * (n + 1), -1, dtype=dtype)
        table[present] = np.arange(len(present))
        return table[keys], present.astype(np.int64)

    @cached_property
    def wait_by_transition(self) -> GroupStats:
        codes, keys = self.transitions
        return grouped_stats(self.wait_s, codes, len(keys))


def event_times(log: EventLog) -> EventTimes:
    """Measure waiting and processing time of every event (see the module docstring).

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["a", "b"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 10:00"]),
    ...     "start_timestamp": pd.to_datetime(["2024-01-01 07:00", "2024-01-01 09:30"])}))
    >>> times = event_times(log)
    >>> times.wait_s.tolist(), times.processing_s.tolist()
    ([nan, 5400.0], [3600.0, 1800.0])
    """
    if log.n_events == 0:
        raise AnalysisError("the log has no events, so there are no times to measure")
    codes = log.codes
    end = codes.end_ns
    start, estimated, invalid = _effective_start(codes)
    enabler, overlapping = _enablers(codes, start)
    # Nearly every enabler is the previous row: measure from its end with shifted columns, then
    # correct the overlapping rows and blank the rows without an enabler. The nanosecond
    # differences are exact integers, converted to float only as they are stored.
    wait_s = np.empty(len(end))
    np.subtract(start[1:], end[:-1], out=wait_s[1:], casting="unsafe")
    searched = overlapping[enabler[overlapping] >= 0]
    # max(0): the complex search keys hold ends as float64, which may round by a few ns on long cases.
    wait_s[searched] = np.maximum(start[searched] - end[enabler[searched]], 0)
    wait_s /= NS_PER_S
    wait_s[codes.case_starts[:-1]] = np.nan
    wait_s[overlapping[enabler[overlapping] < 0]] = np.nan
    processing_s = np.empty(len(end))
    np.subtract(end, start, out=processing_s, casting="unsafe")
    processing_s /= NS_PER_S
    if estimated.any():
        processing_s = np.where(estimated, np.nan, processing_s)
    return EventTimes(
        codes=codes,
        start_ns=start,
        enabler=enabler,
        wait_s=wait_s,
        processing_s=processing_s,
        estimated=estimated,
        has_start=not bool(estimated.all()),
        invalid_starts=invalid,
    )


def _effective_start(codes: LogCodes) -> tuple[np.ndarray, np.ndarray, int]:
    """(start or end when unknown, True where the start is unknown, starts after the end)."""
    end = codes.end_ns
    if codes.start_ns is None:
        return end, np.ones(len(end), dtype=bool), 0
    recorded = codes.start_ns != LogCodes.MISSING_NS
    valid = recorded & (codes.start_ns <= end)
    if valid.all():
        return codes.start_ns, ~valid, 0
    return np.where(valid, codes.start_ns, end), ~valid, int(np.count_nonzero(recorded & ~valid))


def _enablers(codes: LogCodes, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row of each event's enabling instance (-1 when none), and the rows that needed a search.

    Usually the previous row of the case had ended before this one started, and it is
    the enabler (ends are sorted within a case, so no other row can end later and still
    qualify). That is one comparison of shifted columns; only the rows that overlap
    their predecessor (few, in most logs) need a search.
    """
    end = codes.end_ns
    if len(end) < 2:
        return np.full(len(end), -1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    in_case = codes.same_case_as_next
    sequential = in_case & (end[:-1] <= start[1:])
    enabler = np.arange(-1, len(end) - 1)  # the previous row, then blanked where it is not the enabler
    np.putmask(enabler[1:], ~sequential, -1)
    overlapping = np.flatnonzero(in_case & ~sequential) + 1
    if len(overlapping):
        enabler[overlapping] = _latest_end_before(codes, start, overlapping)
    return enabler, overlapping


def _latest_end_before(codes: LogCodes, start: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each row (ascending), the last row of its case that ended by the row's start (-1: none).

    Only the cases of ``rows`` are searched, so the cost follows the overlapping work,
    not the log size. One binary search over the rows of those cases needs a key
    ordered by (case, end). Complex numbers sort lexicographically (real part, then
    imaginary part), so the case's position + 1j * (end relative to the case's first
    end) is such a key, without any risk of overflow.
    """
    row_case = codes.case[rows]
    new_case = np.ones(len(rows), dtype=bool)
    new_case[1:] = row_case[1:] != row_case[:-1]
    cases = row_case[new_case]
    first = codes.case_starts[cases]
    lengths = codes.case_starts[cases + 1] - first
    offsets = np.cumsum(lengths) - lengths
    local_case = np.repeat(np.arange(len(cases)), lengths)
    searched = np.arange(int(lengths.sum())) + np.repeat(first - offsets, lengths)
    origin = codes.end_ns[first]
    keys = np.empty(len(searched), dtype=np.complex128)
    keys.real = local_case
    keys.imag = codes.end_ns[searched] - origin[local_case]
    row_local = np.cumsum(new_case) - 1
    query = np.empty(len(rows), dtype=np.complex128)
    query.real = row_local
    query.imag = start[rows] - origin[row_local]
    position = offsets[row_local] + (rows - first[row_local])
    found = np.minimum(np.searchsorted(keys, query, side="right") - 1, position - 1)
    in_case = (found >= 0) & (local_case[np.maximum(found, 0)] == row_local)
    return np.where(in_case, searched[np.maximum(found, 0)], -1)
