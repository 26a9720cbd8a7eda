"""Cases with implausible timestamps are left out before anything is learned from the log."""

from __future__ import annotations

from sc_improve.log.event_log import EventLog
from sc_improve.quality.outliers import fix_timestamp_outliers

MAX_OUTLIER_CASE_SHARE = 0.2
"""Above this share the dates are not stray typos but a shifted time axis: keep every case."""


def without_time_outliers(log: EventLog) -> tuple[EventLog, str | None]:
    """``log`` without cases dated 1970 or far in the future, and a note saying how many went.

    One such case would stretch an arrival gap, a cycle time or a train/test split by decades.
    """
    kept = fix_timestamp_outliers(log, whole_cases=True).log
    dropped = log.n_cases - kept.n_cases
    if dropped == 0 or dropped > MAX_OUTLIER_CASE_SHARE * log.n_cases or kept.n_events == 0:
        return log, None
    return kept, f"{dropped:,} case(s) with implausible timestamps were left out."
