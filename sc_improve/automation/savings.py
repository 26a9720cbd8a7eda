"""What automating an activity would save: hours per year, cost and full-time equivalents.

Savings are the manual work that remains: the executions not already done by
technical users, scaled to a year from the log's time span, times the manual time
per execution. That time comes from start timestamps where the log has them (each
execution capped at :data:`MAX_TOUCH_HOURS`, since an interval spanning a night is
not all work). A manual execution recorded as instantaneous or without a usable start
(typical of steps a person does in a screen that only logs the save) gets the assumed
touch time instead of zero; technical users' executions are never counted. Without
start times the gap between events mixes waiting with work and would overstate the
effort by orders of magnitude, so an assumed touch time per execution is used instead
and the result says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sc_improve.automation.time_features import NS_PER_DAY, event_durations, plausible
from sc_improve.log.event_log import EventLog

MAX_TOUCH_HOURS = 8.0
ASSUMED_TOUCH_HOURS = 0.1
"""Manual minutes per execution (6) assumed when the log has no start times."""
FTE_HOURS_PER_YEAR = 1_720.0
"""Productive hours of one full-time employee per year (about 215 days of 8 hours)."""
DAYS_PER_YEAR = 365.25


def estimate_savings(
    log: EventLog,
    system_events: np.ndarray | None,
    hourly_rate: float,
    *,
    fte_hours: float = FTE_HOURS_PER_YEAR,
    assumed_touch_hours: float = ASSUMED_TOUCH_HOURS,
) -> pd.DataFrame:
    """Yearly savings of automating each activity's remaining manual executions.

    ``system_events`` marks the events done by technical users (None: no resource
    column, every execution counts as manual). Columns: manual_executions_per_year,
    hours_per_execution, touch_time ("start times" or "assumed"), assumed_touch_share
    (share of the manual executions that got ``assumed_touch_hours`` because the log
    records them as instantaneous or without a usable start), savings_hours_per_year,
    savings_cost_per_year, savings_fte.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "2"], "concept:name": ["a", "a"],
    ...     "start_timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-12-31 08:00"]),
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-12-31 09:00"])}))
    >>> estimate_savings(log, None, hourly_rate=50).loc["a", "savings_hours_per_year"].round(1)
    np.float64(2.0)
    """
    codes = log.codes
    n_activities = len(codes.activities)
    valid = plausible(codes)
    manual = valid if system_events is None else valid & ~system_events
    ends = codes.end_ns[valid]
    span_days = max((ends.max() - ends.min()) / NS_PER_DAY, 1.0) if len(ends) else 1.0
    executions = np.bincount(codes.activity[manual], minlength=n_activities) * DAYS_PER_YEAR / span_days

    processing, _ = event_durations(codes, valid)
    has_start = codes.start_ns is not None and bool(
        np.any((codes.start_ns != codes.MISSING_NS) & (codes.start_ns <= codes.end_ns))
    )
    manual_count = np.bincount(codes.activity[manual], minlength=n_activities)
    if has_start:
        # A person's execution recorded as instantaneous (or without a usable start)
        # still took their time: it gets the assumed touch time rather than zero.
        untimed = manual & ~(processing > 0)
        touch = np.where(untimed, assumed_touch_hours, np.minimum(np.nan_to_num(processing), MAX_TOUCH_HOURS))
        total = np.bincount(codes.activity[manual], weights=touch[manual], minlength=n_activities)
        per_execution = np.divide(total, manual_count, out=np.zeros(n_activities), where=manual_count > 0)
        assumed = np.bincount(codes.activity[untimed], minlength=n_activities)
    else:
        per_execution = np.full(n_activities, assumed_touch_hours)
        assumed = manual_count
    assumed_share = np.divide(assumed, manual_count, out=np.zeros(n_activities), where=manual_count > 0)
    hours = executions * per_execution
    return pd.DataFrame(
        {
            "manual_executions_per_year": executions,
            "hours_per_execution": per_execution,
            "touch_time": "start times" if has_start else "assumed",
            "assumed_touch_share": assumed_share,
            "savings_hours_per_year": hours,
            "savings_cost_per_year": hours * hourly_rate,
            "savings_fte": hours / fte_hours,
        },
        index=pd.Index(codes.activities, name="activity"),
    )
