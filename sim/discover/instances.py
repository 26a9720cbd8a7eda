"""The log as activity instances with start, end, enabling time and predecessor.

Discovery needs each instance's start (processing time, resource occupation) and its
enabling time (waiting). Logs with a start column use it; logs with end times only get
the usual estimate: an instance started when both its case had finished the previous
step and its resource had finished its previous job, whichever came later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sc_improve.log.event_log import EventLog, LogCodes


@dataclass(frozen=True)
class Instances:
    """Activity instances sorted by case, start, end (the order cases are replayed in).

    ``resource`` is -1 where the log names none; ``predecessor`` is the activity code of
    the instance before it in the case (-1 for the first); ``estimated`` marks starts
    that were estimated rather than read.
    """

    case: np.ndarray
    activity: np.ndarray
    resource: np.ndarray
    start: np.ndarray
    end: np.ndarray
    enabled: np.ndarray
    predecessor: np.ndarray
    estimated: np.ndarray
    case_starts: np.ndarray
    activities: tuple[str, ...]
    resources: tuple[str, ...]
    row: np.ndarray
    """Row of the log frame each instance comes from."""

    @property
    def n(self) -> int:
        return len(self.case)

    @property
    def first_in_case(self) -> np.ndarray:
        first = np.zeros(self.n, dtype=bool)
        first[self.case_starts[:-1]] = True
        return first

    @property
    def duration(self) -> np.ndarray:
        return self.end - self.start


def build_instances(log: EventLog) -> Instances:
    """Instances of ``log`` with known or estimated starts and enabling times."""
    codes = log.codes
    end = codes.end_ns / 1e9
    resource = codes.resource if codes.resource is not None else np.full(len(end), -1, dtype=np.int32)
    given = _given_starts(codes)
    estimate = _estimated_starts(codes.case, codes.activity, resource, end)
    if given is None:
        estimated, start = np.ones(len(end), dtype=bool), estimate
    else:
        estimated = ~np.isfinite(given)
        start = np.where(estimated, estimate, given)
    start = np.minimum(start, end)
    order = np.lexsort((end, start, codes.case))
    case = codes.case[order]
    start, end = start[order], end[order]
    activity = codes.activity[order]
    first = np.ones(len(case), dtype=bool)
    first[1:] = case[1:] != case[:-1]
    earlier_end = pd.Series(end).groupby(case).cummax().shift(1).to_numpy()
    enabled = np.where(first, start, np.minimum(np.nan_to_num(earlier_end, nan=-np.inf), start))
    predecessor = np.where(first, -1, np.roll(activity, 1)).astype(np.int32)
    case_starts = np.concatenate((np.flatnonzero(first), [len(case)])).astype(np.int64)
    return Instances(
        case=case,
        activity=activity,
        resource=resource[order].astype(np.int32),
        start=start,
        end=end,
        enabled=enabled,
        predecessor=predecessor,
        estimated=estimated[order],
        case_starts=case_starts,
        activities=tuple(str(a) for a in codes.activities),
        resources=tuple(str(r) for r in codes.resources) if codes.resources is not None else (),
        row=order,
    )


def _given_starts(codes: LogCodes) -> np.ndarray | None:
    """Start seconds where the log has a usable start (not missing, not after the end), else NaN."""
    if codes.start_ns is None:
        return None
    usable = (codes.start_ns != LogCodes.MISSING_NS) & (codes.start_ns <= codes.end_ns)
    if not usable.any():
        return None
    return np.where(usable, codes.start_ns / 1e9, np.nan)


def _estimated_starts(
    case: np.ndarray, activity: np.ndarray, resource: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """The later of the case's previous end and the resource's previous end.

    Rows are in the log's order (case, end). A case's first instance has no enabling
    time, so it starts at the resource's previous end but no earlier than its end minus
    the activity's typical estimated duration elsewhere.
    """
    n = len(end)
    first = np.ones(n, dtype=bool)
    first[1:] = case[1:] != case[:-1]
    enabled = np.where(first, -np.inf, np.roll(end, 1))
    resource_free = np.full(n, -np.inf)
    known = np.flatnonzero(resource >= 0)
    if len(known):
        by_resource = known[np.lexsort((end[known], resource[known]))]
        same = np.zeros(len(by_resource), dtype=bool)
        same[1:] = resource[by_resource[1:]] == resource[by_resource[:-1]]
        previous_end = np.where(same, np.roll(end[by_resource], 1), -np.inf)
        resource_free[by_resource] = previous_end
    start = np.minimum(np.maximum(enabled, resource_free), end)
    later = ~first & np.isfinite(start)
    typical = np.zeros(int(activity.max()) + 1 if n else 0)
    if later.any():
        medians = pd.Series(end[later] - start[later]).groupby(activity[later]).median()
        typical[medians.index.to_numpy()] = medians.to_numpy()
    floor = end - typical[activity] if n else end
    return np.where(first, np.minimum(np.maximum(resource_free, floor), end), np.where(later, start, end))
