"""Coarse timestamps: dates without a time, or times rounded to the minute.

When the whole log records dates only, every event of a day sits at midnight: order
within a day is lost and durations come in whole days. When only some activities carry
a date (a posting date next to entry times, common in ERP extracts), those activities
appear at 00:00, i.e. before everything else done that day, which creates wrong
directly-follows arcs and negative-looking waits. Both are reported; whole-minute
precision is noted for information because it multiplies ties in busy processes.

Coarse timestamps are an *imprecise timestamp* problem, which is not one of Suriadi's
eleven patterns, although their signature (many events of a case at one timestamp) is
that of *form-based event capture*; ``pattern`` is left empty to avoid confusing the two.
"""

from __future__ import annotations

import numpy as np

from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import DAY_NS, MINUTE_NS, counted, event_examples, fmt_count, fmt_share
from sc_improve.quality.types import Finding

CHECK = "timestamp_granularity"


def timestamp_granularity(
    log: EventLog, *, coarse_share: float = 0.9, min_activity_events: int = 5, midnight_share: float = 0.005
) -> list[Finding]:
    """Date-only or whole-minute capture for the log, date-only activities, stray dates.

    A log (or activity with ``min_activity_events`` events or more) is "date-only" when
    at least ``coarse_share`` of its end times fall on midnight; a real clock time lands
    on midnight once in 1,440 minutes (0.07%), so this is no coincidence. Without a
    date-only activity, ``midnight_share`` (0.5%, seven times chance) of events at
    midnight still points to dates without a time scattered over activities.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "2"], "concept:name": ["a", "a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"])}))
    >>> timestamp_granularity(log)[0].severity
    'warning'
    """
    n = log.n_events
    if n == 0:
        return []
    codes = log.codes
    midnight = codes.end_ns % DAY_NS == 0
    n_midnight = int(midnight.sum())
    if n_midnight >= coarse_share * n:
        return [
            Finding(
                check=CHECK,
                severity="warning",
                count=n_midnight,
                unit="events",
                message=f"{fmt_count(n_midnight)} of {fmt_count(n)} events ({fmt_share(n_midnight, n)}) "
                "carry a date without a time, so the order of events within a day is unknown and "
                "durations are whole days.",
                suggested_fix="Extract a time-of-day field (entry or change time) if the source has "
                "one; otherwise read waiting times in days and treat same-day order as arbitrary.",
            )
        ]
    findings = []
    n_minute = int(np.count_nonzero(codes.end_ns % MINUTE_NS == 0))
    if n_minute >= coarse_share * n:
        findings.append(
            Finding(
                check=CHECK,
                severity="info",
                count=n_minute,
                unit="events",
                message=f"{fmt_count(n_minute)} of {fmt_count(n)} events ({fmt_share(n_minute, n)}) "
                "are recorded to the whole minute, so steps done within the same minute tie.",
                suggested_fix="Nothing to do unless many events of a case share a minute; then "
                "prefer a source field with seconds.",
            )
        )
    by_activity = _date_only_activities(log, midnight, coarse_share, min_activity_events)
    if by_activity is not None:
        findings.append(by_activity)
    elif n_midnight >= midnight_share * n:
        findings.append(_scattered_midnight(log, midnight))
    return findings


def _scattered_midnight(log: EventLog, midnight: np.ndarray) -> Finding:
    n, rows = log.n_events, np.flatnonzero(midnight)
    times_chance = len(rows) / n * 1440
    return Finding(
        check=CHECK,
        severity="info",
        count=len(rows),
        unit="events",
        message=f"{fmt_count(len(rows))} of {fmt_count(n)} events ({fmt_share(len(rows), n)}) fall "
        f"exactly on midnight, {times_chance:.0f} times as often as clock times would by chance; some "
        "events probably carry a date only and appear before everything else done that day.",
        examples=event_examples(log, rows),
        suggested_fix="Look up the example rows: if midnight stands for a missing time, take the "
        "time from another field; if it is a real midnight batch job, ignore this.",
    )


def _date_only_activities(
    log: EventLog, midnight: np.ndarray, coarse_share: float, min_activity_events: int
) -> Finding | None:
    codes = log.codes
    n_activities = len(codes.activities)
    events = np.bincount(codes.activity, minlength=n_activities)
    at_midnight = np.bincount(codes.activity, weights=midnight, minlength=n_activities)
    coarse = (events >= min_activity_events) & (at_midnight >= coarse_share * events)
    if not coarse.any():
        return None
    order = np.argsort(-events[coarse], kind="stable")
    labels = codes.activities[coarse][order]
    n_events = int(events[coarse].sum())
    names = ", ".join(f"'{label}'" for label in labels[:5])
    return Finding(
        check=CHECK,
        severity="warning",
        count=n_events,
        unit="events",
        message=f"{counted(len(labels), 'activity', 'activities')} ({names}, {fmt_count(n_events)} "
        f"events) {'is' if len(labels) == 1 else 'are'} recorded with a date but no time, so "
        "they appear before everything else done that day.",
        examples=tuple(
            f"{label}: {fmt_count(e)} events" for label, e in zip(labels, events[coarse][order], strict=True)
        ),
        suggested_fix="Take the time of these activities from another field (entry or change "
        "time), or compare them with other activities per day rather than per minute.",
    )
