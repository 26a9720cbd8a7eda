"""Cycle time per case, its distribution, and what drives long cases.

A case's cycle time runs from its earliest known moment (the earliest start time, or
the earliest end time where no start is recorded) to its last end. Without start times
the first activity's own duration is not seen, so cycle times are then slightly short.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from sc_improve.columns import CASE
from sc_improve.log.event_log import EventLog
from sc_improve.performance.case_features import case_features
from sc_improve.performance.drivers import (
    MAX_CASES,
    MAX_GROUP_CASES,
    DriversResult,
    driver_sample,
    explain_cycle_times,
)
from sc_improve.performance.timing import EventTimes, Repeats, event_times
from sc_improve.progress import ProgressCallback, ensure_progress

MAX_BINS = 30
NICE_STEPS_S: tuple[float, ...] = (
    1, 2, 5, 10, 15, 30,
    60, 2 * 60, 5 * 60, 10 * 60, 15 * 60, 30 * 60,
    3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
    86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 60 * 86400, 90 * 86400, 180 * 86400, 365 * 86400,
)  # fmt: skip
"""Histogram bin widths people read without arithmetic: seconds, minutes, hours, days, weeks, months."""
HISTOGRAM_QUANTILE = 0.99
"""The bins cover cases up to this quantile; longer ones share one open-ended last bin."""


@dataclass(frozen=True)
class HistogramBin:
    """Cases with ``lower_s <= cycle time < upper_s``; ``upper_s`` is None for the open last bin."""

    lower_s: float
    upper_s: float | None
    cases: int


@dataclass
class CycleTimeResult:
    """Distribution of case cycle times and, when asked for, its drivers."""

    cases: int
    mean_s: float
    median_s: float
    p90_s: float
    p95_s: float
    max_s: float
    total_s: float
    histogram: list[HistogramBin]
    drivers: DriversResult | None
    estimated: bool
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def case_cycle_times(times: EventTimes) -> np.ndarray:
    """Cycle time in seconds of each case, indexed by case code."""
    return times.cycle_s


def case_durations(log: EventLog, times: EventTimes | None = None) -> pd.DataFrame:
    """One row per case: case id, first moment, last end, cycle time in seconds and events.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["a", "b"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 10:00"])}))
    >>> case_durations(log)["cycle_time_s"].tolist()
    [7200.0]
    """
    times = times if times is not None else event_times(log)
    codes = times.codes
    starts = codes.case_starts
    return pd.DataFrame(
        {
            CASE: codes.case_ids,
            "start": pd.to_datetime(np.minimum.reduceat(times.start_ns, starts[:-1]), utc=True),
            "end": pd.to_datetime(codes.end_ns[starts[1:] - 1], utc=True),
            "cycle_time_s": case_cycle_times(times),
            "events": np.diff(starts),
        }
    )


def cycle_time(
    log: EventLog,
    times: EventTimes | None = None,
    *,
    drivers: bool = True,
    max_driver_cases: int = MAX_CASES,
    max_group_cases: int = MAX_GROUP_CASES,
    progress: ProgressCallback | None = None,
) -> CycleTimeResult:
    """Cycle-time distribution with a histogram, and its drivers unless ``drivers=False``.

    The driver model is fitted on at most ``max_driver_cases`` cases, and the case
    features and slow groups are measured on at most ``max_group_cases`` (seeded samples).

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1", "2", "2"],
    ...     "concept:name": ["a", "b", "a", "b"], "time:timestamp": pd.to_datetime(
    ...     ["2024-01-01 08:00", "2024-01-01 10:00", "2024-01-02 08:00", "2024-01-02 12:00"])}))
    >>> cycle_time(log).median_s
    10800.0
    """
    report = ensure_progress(progress)
    times = times if times is not None else event_times(log)
    report(0.0, "measuring cycle times")
    cycle_s = case_cycle_times(times)
    p50, p90, p95, covered = np.quantile(cycle_s, [0.5, 0.9, 0.95, HISTOGRAM_QUANTILE])
    result_drivers = None
    if drivers:
        report(0.2, "ranking cycle-time drivers")
        result_drivers = cycle_time_drivers(
            log, times.repeats, cycle_s, max_cases=max_driver_cases, max_group_cases=max_group_cases
        )
    report(1.0, "")
    notes = []
    if not times.has_start:
        notes.append("the log has no start times: cycle times start at the first event's end")
    return CycleTimeResult(
        cases=len(cycle_s),
        mean_s=float(cycle_s.mean()),
        median_s=float(p50),
        p90_s=float(p90),
        p95_s=float(p95),
        max_s=float(cycle_s.max()),
        total_s=float(cycle_s.sum()),
        histogram=histogram(cycle_s, float(covered)),
        drivers=result_drivers,
        estimated=not times.has_start,
        notes=notes,
    )


def cycle_time_drivers(
    log: EventLog,
    repeated: Repeats,
    cycle_s: np.ndarray,
    *,
    max_cases: int = MAX_CASES,
    max_group_cases: int = MAX_GROUP_CASES,
) -> DriversResult:
    """What goes with long cases (``cycle_s`` per case): the case features ranked by the driver model.

    Above ``max_group_cases`` cases the features are read for a seeded sample of that many
    (see :func:`driver_sample`): reading a few text attributes of every case of a big log
    would cost more than all the rest of the driver analysis.
    """
    sample = driver_sample(len(cycle_s), max_cases=max_group_cases)
    if sample is None:
        return explain_cycle_times(case_features(log, repeated), cycle_s, max_cases=max_cases)
    features = case_features(log, repeated, sample)
    return explain_cycle_times(features, cycle_s[sample], max_cases=max_cases, all_cases=len(cycle_s))


def histogram(seconds: np.ndarray, covered: float | None = None) -> list[HistogramBin]:
    """Equal bins of a readable width (1 h, 1 d, 1 week ...) up to the 99th percentile, then one open bin.

    ``covered`` is that percentile when the caller has it already.

    >>> bins = histogram(np.array([0.0, 30.0, 90.0, 100.0, 3600.0]))
    >>> len(bins), bins[0].upper_s, bins[0].cases, bins[-1].upper_s, bins[-1].cases
    (30, 120.0, 4, None, 1)
    """
    if covered is None:
        covered = float(np.quantile(seconds, HISTOGRAM_QUANTILE))
    step = next((s for s in NICE_STEPS_S if covered / s < MAX_BINS), None)
    if step is None:
        step = NICE_STEPS_S[-1] * np.ceil(covered / NICE_STEPS_S[-1] / MAX_BINS)
    n_bins = int(covered // step) + 1
    counts = np.bincount(np.minimum(seconds // step, n_bins).astype(np.int64), minlength=n_bins + 1)
    bins = [HistogramBin(float(i * step), float((i + 1) * step), int(counts[i])) for i in range(n_bins)]
    if counts[n_bins]:
        bins.append(HistogramBin(float(n_bins * step), None, int(counts[n_bins])))
    return bins
