"""Timestamp outliers: impossible dates and dates far away from the rest of the log.

Three kinds, each an instance of Suriadi's *inadvertent time travel* (a wrong year
typed, a default date such as 1900-01-01 or 9999-12-31, a clock that was off):

* before ``earliest`` (default 1990-01-01): placeholder or epoch dates;
* after ``now`` plus one day: in the future (the day of slack absorbs the difference
  between the analyst's clock and the log's time zone);
* far from the bulk: more than ``bulk_margin`` (a year) before the ``bulk_quantile``
  (0.1%) quantile or after the 99.9% quantile of all timestamps. The quantiles use the
  nearest actual timestamp inside the bulk ("higher"/"lower"), so a handful of stray
  events is caught even in a small log, while genuine long tails (more than 0.1% of the
  events) are left alone. Needs ``bulk_min_events`` timestamps to judge.

Start and end times are both checked; an event is an outlier when either is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sc_improve.log.event_log import EventLog, LogCodes
from sc_improve.quality.common import counted, event_examples, fmt_count, fmt_ns, fmt_share, timestamp_ns
from sc_improve.quality.types import INADVERTENT_TIME_TRAVEL, Finding, FixResult

CHECK = "timestamp_outliers"
FIX = "fix_timestamp_outliers"

EARLIEST = pd.Timestamp("1990-01-01")
FUTURE_SLACK = pd.Timedelta(days=1)
BULK_MARGIN = pd.Timedelta(days=365)


@dataclass(frozen=True)
class OutlierMasks:
    """Per-event masks of the three kinds (an event falls in at most one) and the bulk range."""

    too_early: np.ndarray
    future: np.ndarray
    far: np.ndarray
    worst_ns: np.ndarray
    bulk_ns: tuple[int, int] | None

    @property
    def any(self) -> np.ndarray:
        return self.too_early | self.future | self.far


def outlier_masks(
    log: EventLog,
    *,
    now: pd.Timestamp | None = None,
    earliest: pd.Timestamp = EARLIEST,
    bulk_quantile: float = 0.001,
    bulk_margin: pd.Timedelta = BULK_MARGIN,
    bulk_min_events: int = 20,
) -> OutlierMasks:
    """Classify every event's timestamps; see the module docstring for the rules.

    ``worst_ns`` holds, per event, the timestamp that put it in its kind (start or end).
    """
    codes = log.codes
    low = timestamp_ns(earliest)
    high = timestamp_ns((pd.Timestamp.now() if now is None else pd.Timestamp(now)) + FUTURE_SLACK)
    series = [(codes.end_ns, np.ones(len(codes.end_ns), dtype=bool))]
    if codes.start_ns is not None:
        series.append((codes.start_ns, codes.start_ns != LogCodes.MISSING_NS))

    plausible = np.concatenate([v[valid & (v >= low) & (v <= high)] for v, valid in series])
    bulk_ns = None
    bulk_lo, bulk_hi = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    if len(plausible) >= bulk_min_events:
        bulk_ns = (
            int(np.quantile(plausible, bulk_quantile, method="higher")),
            int(np.quantile(plausible, 1 - bulk_quantile, method="lower")),
        )
        margin = int(pd.Timedelta(bulk_margin).value)
        bulk_lo, bulk_hi = bulk_ns[0] - margin, bulk_ns[1] + margin

    kinds = []
    for values, valid in series:
        early = valid & (values < low)
        future = valid & (values > high)
        far = valid & ~early & ~future & ((values < bulk_lo) | (values > bulk_hi))
        kinds.append((early, future, far))
    too_early = np.logical_or.reduce([k[0] for k in kinds])
    future = np.logical_or.reduce([k[1] for k in kinds]) & ~too_early
    far = np.logical_or.reduce([k[2] for k in kinds]) & ~too_early & ~future
    worst_ns = codes.end_ns
    if codes.start_ns is not None:
        (_, end_future, end_far), (start_early, _, _) = kinds
        start_is_worst = (too_early & start_early) | (future & ~end_future) | (far & ~end_far)
        worst_ns = np.where(start_is_worst, codes.start_ns, codes.end_ns)
    return OutlierMasks(too_early=too_early, future=future, far=far, worst_ns=worst_ns, bulk_ns=bulk_ns)


def timestamp_outliers(
    log: EventLog,
    *,
    now: pd.Timestamp | None = None,
    earliest: pd.Timestamp = EARLIEST,
    bulk_quantile: float = 0.001,
    bulk_margin: pd.Timedelta = BULK_MARGIN,
    bulk_min_events: int = 20,
) -> list[Finding]:
    """Events dated before ``earliest``, in the future, or far from the bulk of the log.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["a", "b"],
    ...     "time:timestamp": pd.to_datetime(["1900-01-01", "2024-01-01"])}))
    >>> [f.count for f in timestamp_outliers(log, now=pd.Timestamp("2025-01-01"))]
    [1]
    """
    if log.n_events == 0:
        return []
    masks = outlier_masks(
        log,
        now=now,
        earliest=earliest,
        bulk_quantile=bulk_quantile,
        bulk_margin=bulk_margin,
        bulk_min_events=bulk_min_events,
    )
    n = log.n_events
    findings = []
    for mask, what in (
        (masks.too_early, f"are dated before {pd.Timestamp(earliest).date()}"),
        (masks.future, "are dated in the future"),
        (masks.far, _far_wording(masks.bulk_ns, bulk_margin)),
    ):
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            continue
        times = masks.worst_ns[rows]
        findings.append(
            Finding(
                check=CHECK,
                severity="warning",
                count=len(rows),
                unit="events",
                message=f"{fmt_count(len(rows))} of {fmt_count(n)} events ({fmt_share(len(rows), n)}) {what} "
                f"(from {fmt_ns(times.min())} to {fmt_ns(times.max())}).",
                examples=event_examples(log, rows, [fmt_ns(t) for t in times[:5]]),
                suggested_fix="Check the example rows in the source: placeholder dates and typing "
                "errors are best corrected there; otherwise drop these events so they do not "
                "stretch case durations and the timeline.",
                pattern=INADVERTENT_TIME_TRAVEL,
                fix=FIX,
            )
        )
    return findings


def _far_wording(bulk_ns: tuple[int, int] | None, margin: pd.Timedelta) -> str:
    if bulk_ns is None:
        return ""
    return (
        f"lie more than {pd.Timedelta(margin).days} days outside the bulk of the log "
        f"({fmt_ns(bulk_ns[0])[:10]} to {fmt_ns(bulk_ns[1])[:10]})"
    )


def fix_timestamp_outliers(
    log: EventLog,
    *,
    now: pd.Timestamp | None = None,
    earliest: pd.Timestamp = EARLIEST,
    bulk_quantile: float = 0.001,
    bulk_margin: pd.Timedelta = BULK_MARGIN,
    bulk_min_events: int = 20,
    whole_cases: bool = False,
) -> FixResult:
    """A copy without the outlier events, or without their whole cases if ``whole_cases``.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["a", "b"],
    ...     "time:timestamp": pd.to_datetime(["1900-01-01", "2024-01-01"])}))
    >>> fix_timestamp_outliers(log).description
    'Dropped 1 event with an outlier timestamp.'
    """
    if log.n_events == 0:
        return FixResult(log, "No outlier timestamps to drop.")
    mask = outlier_masks(
        log,
        now=now,
        earliest=earliest,
        bulk_quantile=bulk_quantile,
        bulk_margin=bulk_margin,
        bulk_min_events=bulk_min_events,
    ).any
    if whole_cases:
        case_codes = log.codes.case
        bad_cases = np.zeros(log.n_cases, dtype=bool)
        bad_cases[case_codes[mask]] = True
        mask = bad_cases[case_codes]
        description = (
            f"Dropped {counted(int(bad_cases.sum()), 'case')} ({counted(int(mask.sum()), 'event')}) "
            "with an outlier timestamp."
        )
    else:
        description = f"Dropped {counted(int(mask.sum()), 'event')} with an outlier timestamp."
    return FixResult(log.with_frame(log.frame[~mask], note=description), description)
