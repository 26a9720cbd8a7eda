"""Turn an event log (frame or :class:`EventLog`) into the integer arrays every measure works on.

Validation lives here, once, so each measure can assume clean input: a bad log fails with
a message naming the log ("original"/"simulated") and the column, not deep inside numpy.

Conventions shared with the ``log-distance-measures`` package (which every measure mirrors):

* Times are compared as UTC instants (the published protocol parses with ``utc=True``);
  naive timestamps keep their wall-clock reading, as everywhere in sc-improve.
* An activity instance without a start time is treated as instantaneous (start = end):
  the package needs a start for every event, and logs with end times only are common.
* Within a case, events are ordered by start, then end, then their order in the input,
  which is how the package orders them before building n-grams.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sc_improve.columns import ACTIVITY, CASE, END, START
from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import EventLog, to_utc

NS_PER_HOUR = 3_600_000_000_000


@dataclass(frozen=True)
class LogArrays:
    """A log as columns, grouped by case and ordered by (start, end) inside each case.

    ``activity_codes`` index ``activity_labels``; ``case_bounds`` holds the first row of
    each case plus a final sentinel equal to the number of events, ready for
    ``np.ufunc.reduceat``. Times are int64 nanoseconds since the epoch (UTC).
    """

    activity_codes: np.ndarray
    activity_labels: np.ndarray
    start_ns: np.ndarray
    end_ns: np.ndarray
    case_bounds: np.ndarray

    @property
    def n_events(self) -> int:
        return len(self.end_ns)

    @property
    def n_cases(self) -> int:
        return len(self.case_bounds) - 1

    @property
    def case_lengths(self) -> np.ndarray:
        return np.diff(self.case_bounds)

    def cycle_times_ns(self) -> np.ndarray:
        """Per case: last end minus first start (the package's definition of cycle time)."""
        first_rows = self.case_bounds[:-1]
        return np.maximum.reduceat(self.end_ns, first_rows) - np.minimum.reduceat(self.start_ns, first_rows)


LogLike = pd.DataFrame | EventLog | LogArrays


def as_log_arrays(log: LogLike, role: str) -> LogArrays:
    """Validate ``log`` and convert it; ``role`` ("original"/"simulated") names it in errors."""
    if isinstance(log, LogArrays):
        return log
    if isinstance(log, EventLog):
        frame = log.frame
    elif isinstance(log, pd.DataFrame):
        frame = log
    else:
        raise TypeError(f"the {role} log must be a pandas DataFrame or an EventLog, not {type(log).__name__}")
    _check_columns(frame, role)
    end_ns = _utc_ns(frame[END], role)
    start_ns = end_ns
    if START in frame.columns:
        start_ns = _utc_ns(frame[START], role)
        start_ns = np.where(start_ns == np.iinfo(np.int64).min, end_ns, start_ns)
    case_codes, _ = pd.factorize(frame[CASE], sort=False)
    activity_codes, activity_labels = pd.factorize(frame[ACTIVITY], sort=False)
    order = np.lexsort((np.arange(len(frame)), end_ns, start_ns, case_codes))
    sorted_cases = case_codes[order]
    case_bounds = np.concatenate(([0], np.flatnonzero(np.diff(sorted_cases)) + 1, [len(frame)]))
    return LogArrays(
        activity_codes=activity_codes[order].astype(np.int64),
        activity_labels=np.asarray(activity_labels, dtype=object),
        start_ns=start_ns[order],
        end_ns=end_ns[order],
        case_bounds=case_bounds.astype(np.int64),
    )


def _check_columns(frame: pd.DataFrame, role: str) -> None:
    missing = [column for column in (CASE, ACTIVITY, END) if column not in frame.columns]
    if missing:
        names = ", ".join(repr(column) for column in missing)
        raise AnalysisError(
            f"the {role} log has no {names} column; expected the canonical names of sc_improve.columns"
        )
    if frame.empty:
        raise AnalysisError(
            f"the {role} log is empty: a distance between logs needs at least one event in each"
        )
    for column in (CASE, ACTIVITY, END):
        missing_values = frame[column].isna().to_numpy()
        if missing_values.any():
            first = frame.index[np.argmax(missing_values)]
            raise AnalysisError(
                f"the {role} log has {int(missing_values.sum())} missing values in column {column!r} "
                f"(first at index {first!r})"
            )


def _utc_ns(series: pd.Series, role: str) -> np.ndarray:
    """Int64 UTC nanoseconds; missing values become the int64 minimum (pandas' NaT)."""
    if not pd.api.types.is_datetime64_any_dtype(series):
        raise AnalysisError(
            f"column {series.name!r} of the {role} log must hold datetimes, not {series.dtype} "
            "(parse it with pandas.to_datetime first)"
        )
    return to_utc(series).array.asi8


def hour_bins(offsets_ns: np.ndarray) -> np.ndarray:
    """Whole hours in each non-negative or negative offset, rounded down (``math.floor`` of hours)."""
    return np.floor_divide(offsets_ns, NS_PER_HOUR)
