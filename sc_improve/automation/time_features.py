"""Per-activity features of time: processing and waiting time, working-hours profile, stability.

Processing time comes from the start timestamp where the log has one (an activity
logged without start times in a log that has them counts as instantaneous); in a log
without start times it is estimated as the time since the previous event of the case
ended (which then also contains the waiting time, so waiting is unknown). Stability compares calendar months:
an activity whose share of the work or whose routing jumps from month to month is a
moving target for automation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sc_improve.log.event_log import LogCodes

NS_PER_HOUR = 3_600_000_000_000
NS_PER_DAY = 24 * NS_PER_HOUR
OFFICE_HOURS = (7, 18)
"""Office hours [start, end) by the clock time of the event's end."""
MIN_EVENTS_PER_MONTH = 5
"""Months with fewer events of an activity are left out of its routing comparison."""
MIDNIGHT_SHARE_DATE_ONLY = 0.9
"""When this share of events ends exactly at midnight, timestamps are dates only and the
time-of-day profile is unknown."""


def plausible(codes: LogCodes) -> np.ndarray:
    """Events whose end lies in the log's real time range, not at an outlier date.

    The range is the central 99% of end times widened by a tenth of its length on
    each side, so a few timestamps in 1970 or a century ahead (typing errors, epoch
    defaults) do not turn into years of processing time or empty months.
    """
    end = codes.end_ns
    if len(end) == 0:
        return np.zeros(0, dtype=bool)
    low, high = np.quantile(end, [0.005, 0.995])
    margin = (high - low) * 0.1
    return (end >= low - margin) & (end <= high + margin)


def event_durations(codes: LogCodes, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Processing and waiting time of every event in hours (NaN where unknown).

    * An activity with a valid start (not after the end) on at least half of its
      events is timed from the start: processing is end minus start, waiting is
      start minus the end of the previous event of the case (zero when they overlap).
    * In a log that has start times, an activity recorded mostly without them is
      logged as instantaneous (typical of steps a system does): processing 0,
      waiting the gap since the previous event.
    * In a log without any start time, processing is estimated by the gap since the
      previous event (which then includes the waiting) and waiting is unknown.

    ``valid`` marks events with plausible times; durations touching any other event are NaN.
    """
    n = len(codes.end_ns)
    end = codes.end_ns
    has_previous = np.zeros(n, dtype=bool)
    has_previous[1:] = codes.same_case_as_next & valid[:-1]
    has_previous &= valid
    previous_end = np.zeros(n, dtype=np.int64)
    previous_end[1:] = end[:-1]
    gap = np.where(has_previous, (end - previous_end) / NS_PER_HOUR, np.nan)
    start = codes.start_ns
    has_start = (
        np.zeros(n, dtype=bool) if start is None else (start != LogCodes.MISSING_NS) & (start <= end) & valid
    )
    if not has_start.any():
        return gap, np.full(n, np.nan)
    n_activities = len(codes.activities)
    timed = np.bincount(codes.activity, weights=has_start, minlength=n_activities) >= 0.5 * np.bincount(
        codes.activity, minlength=n_activities
    )
    from_start = timed[codes.activity]
    own = np.where(has_start, (end - start) / NS_PER_HOUR, np.nan)
    processing = np.where(from_start, own, np.where(has_start, own, np.where(valid, 0.0, np.nan)))
    waiting_from_start = np.where(
        has_start & has_previous, np.maximum(start - previous_end, 0) / NS_PER_HOUR, np.nan
    )
    waiting = np.where(from_start | has_start, waiting_from_start, gap)
    return processing, waiting


def mean_and_cv(activity: np.ndarray, values: np.ndarray, n_activities: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and coefficient of variation of the known values per activity (CV 0 when mean is 0)."""
    known = ~np.isnan(values)
    count = np.bincount(activity[known], minlength=n_activities)
    total = np.bincount(activity[known], weights=values[known], minlength=n_activities)
    squares = np.bincount(activity[known], weights=values[known] ** 2, minlength=n_activities)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
        variance = np.maximum(squares / count - mean**2, 0.0)
        cv = np.where(mean > 0, np.sqrt(variance) / mean, np.where(count > 0, 0.0, np.nan))
    return mean, cv


def working_days(end_ns: np.ndarray) -> int:
    """Monday-to-Friday days between the first and the last of these end times, both included."""
    if len(end_ns) == 0:
        return 0
    first = np.datetime64(int(end_ns.min() // NS_PER_DAY), "D")
    last = np.datetime64(int(end_ns.max() // NS_PER_DAY), "D")
    return int(np.busday_count(first, last + 1))


def time_profile(codes: LogCodes) -> dict[str, np.ndarray]:
    """Share of events ending outside office hours and on Saturday or Sunday.

    NaN when the log's timestamps are dates only (nearly all at midnight).
    """
    n_activities = len(codes.activities)
    ns_of_day = codes.end_ns % NS_PER_DAY
    if len(ns_of_day) == 0 or np.mean(ns_of_day == 0) >= MIDNIGHT_SHARE_DATE_ONLY:
        missing = np.full(n_activities, np.nan)
        return {"off_hours_share": missing, "weekend_share": missing.copy()}
    hour = ns_of_day // NS_PER_HOUR
    weekday = (codes.end_ns // NS_PER_DAY + 3) % 7
    off_hours = (hour < OFFICE_HOURS[0]) | (hour >= OFFICE_HOURS[1])
    total = np.bincount(codes.activity, minlength=n_activities)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "off_hours_share": np.bincount(codes.activity, weights=off_hours, minlength=n_activities) / total,
            "weekend_share": np.bincount(codes.activity, weights=weekday >= 5, minlength=n_activities)
            / total,
        }


def month_index(end_ns: np.ndarray) -> np.ndarray:
    """Calendar month of each end time as consecutive integers (months since 1970)."""
    return end_ns.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)


def volume_change(activity: np.ndarray, month: np.ndarray, n_activities: int) -> np.ndarray:
    """Mean month-to-month change of an activity's share of the events, relative to its mean share.

    Shares rather than counts, so that the log's overall growth or seasonality and
    the partial first and last months do not count as instability. NaN with fewer
    than three months of events.
    """
    months, month_code = np.unique(month, return_inverse=True)
    if len(months) < 3:
        return np.full(n_activities, np.nan)
    counts = np.zeros((n_activities, len(months)))
    np.add.at(counts, (activity, month_code), 1.0)
    shares = counts / counts.sum(axis=0, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(np.diff(shares, axis=1)).mean(axis=1) / shares.mean(axis=1)


def routing_change(
    activity: np.ndarray, month: np.ndarray, following: np.ndarray, n_activities: int
) -> np.ndarray:
    """Mean total-variation distance between the successor mix of consecutive months.

    0 means the activity is followed by the same mix of activities every month, 1
    that the mix changed completely. Only months with at least
    :data:`MIN_EVENTS_PER_MONTH` events of the activity count; NaN with no pair of
    consecutive such months.
    """
    counts = (
        pd.DataFrame({"activity": activity, "month": month, "next": following})
        .groupby(["activity", "month", "next"], sort=False)
        .size()
        .rename("n")
        .reset_index()
    )
    per_month = counts.groupby(["activity", "month"])["n"].transform("sum")
    counts = counts[per_month >= MIN_EVENTS_PER_MONTH].assign(p=lambda t: t["n"] / per_month)
    valid = counts[["activity", "month"]].drop_duplicates()
    pairs = valid.merge(valid.assign(month=valid["month"] + 1), on=["activity", "month"])
    current = counts.merge(pairs, on=["activity", "month"])[["activity", "month", "next", "p"]]
    before = counts.assign(month=counts["month"] + 1).merge(pairs, on=["activity", "month"])
    before = before[["activity", "month", "next"]].assign(p=-before["p"].to_numpy())
    diff = pd.concat([current, before]).groupby(["activity", "month", "next"])["p"].sum().abs()
    distance = diff.groupby(level=["activity", "month"]).sum() / 2
    mean = distance.groupby(level="activity").mean()
    result = np.full(n_activities, np.nan)
    result[mean.index.to_numpy(dtype=np.int64)] = mean.to_numpy()
    return result
