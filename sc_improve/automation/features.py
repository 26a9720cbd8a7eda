"""What each activity of a log looks like, as numbers a model and a person can read.

One row per activity, one column per feature from :data:`FEATURE_DESCRIPTIONS` (the
texts the app and the report show next to the numbers). The features describe the
work (how often, how long, how standard, how rule-driven, how stable) and never the
identity of whoever did it: the training labels come from the resources, so a
feature built on them would let a model read the answer instead of learning it.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sc_improve.automation import flow_features as flow
from sc_improve.automation import time_features as timing
from sc_improve.automation.rule_features import rule_features
from sc_improve.log.event_log import EventLog
from sc_improve.progress import ProgressCallback, ensure_progress

REVERSAL_PATTERN = (
    r"cancel|chang|block|revers|delet|reject|correct|void|storno|undo|rework|redo|restart|adjust|amend|return"
)
"""Activity names (case-insensitive regex) that undo or redo earlier work."""

FEATURE_DESCRIPTIONS: dict[str, str] = {
    "events": "How many times the activity was executed.",
    "cases": "In how many cases it occurs.",
    "case_share": "Share of all cases in which it occurs (0-1).",
    "events_per_working_day": "Executions per Monday-to-Friday day of the log's time span.",
    "volume_rank": "Its volume relative to the log's other activities (0 = rarest, 1 = most frequent).",
    "processing_time_mean_hours": "Mean time one execution takes, in hours: from start times "
    "(0 for steps the log records as instantaneous), or estimated as the time since the previous "
    "step of the case when the log has no start times.",
    "processing_time_cv": "Coefficient of variation of the processing time: low means every "
    "execution takes about as long.",
    "waiting_time_mean_hours": "Mean time a case waits before the activity starts, in hours "
    "(unknown when the log has no start times).",
    "repeats_per_case": "Extra executions per case that has it (0 = never repeated).",
    "rework_case_share": "Share of its cases in which it is executed more than once.",
    "reversal_after_share": "Share of its executions directly followed by a reversal "
    "(cancel, change, block, reverse, delete...).",
    "is_reversal": "1 when the activity itself undoes or redoes earlier work (by its name).",
    "handoff_share": "Share of its neighbouring steps done by a different person or user.",
    "distinct_resources": "How many different resources execute it.",
    "predecessor_entropy_bits": "Entropy of what comes directly before it: 0 bits = always the same step.",
    "successor_entropy_bits": "Entropy of what comes directly after it: 0 bits = always the same step.",
    "top_variant_share": "Share of its executions inside the ten most frequent variants.",
    "start_share": "Share of its executions that open a case.",
    "end_share": "Share of its executions that close a case.",
    "rule_accuracy": "Cross-validated accuracy of a depth-3 decision tree predicting the next "
    "step from the case and event attributes.",
    "rule_gain": "Share of the mistakes of always guessing the most common next step that the "
    "tree avoids (0-1; 0 when the next step never varies).",
    "off_hours_share": "Share of executions ending outside office hours (07:00-18:00).",
    "weekend_share": "Share of executions ending on a Saturday or Sunday.",
    "volume_change_monthly": "Mean month-to-month change of its share of the work, relative to "
    "that share (0 = steady).",
    "routing_change_monthly": "Mean month-to-month change of what follows it (0 = the same mix "
    "every month, 1 = completely different).",
}
FEATURES: tuple[str, ...] = tuple(FEATURE_DESCRIPTIONS)


def activity_features(
    log: EventLog,
    *,
    reversal_pattern: str = REVERSAL_PATTERN,
    random_state: int = 0,
    progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """All features of every activity of the log, indexed by activity name.

    Features that the log cannot support are NaN: waiting time without start times,
    handoffs and resources without a resource column, the time-of-day profile with
    date-only timestamps, stability with less than three months, rule-based-ness for
    activities with fewer than 20 events.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1", "2"],
    ...     "concept:name": ["a", "b", "a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00", "2024-01-02 08:00"])}))
    >>> activity_features(log).loc["a", "case_share"]
    np.float64(1.0)
    """
    report = ensure_progress(progress)
    codes = log.codes
    n_activities = len(codes.activities)
    columns: dict[str, np.ndarray] = {}
    report(0.0, "volume and rework")
    columns.update(flow.volume(codes))
    valid = timing.plausible(codes)
    days = timing.working_days(codes.end_ns[valid])
    columns["events_per_working_day"] = columns["events"] / max(days, 1)
    columns["volume_rank"] = _rank(columns["events"])

    report(0.15, "processing and waiting time")
    processing, waiting = timing.event_durations(codes, valid)
    columns["processing_time_mean_hours"], columns["processing_time_cv"] = timing.mean_and_cv(
        codes.activity, processing, n_activities
    )
    columns["waiting_time_mean_hours"], _ = timing.mean_and_cv(codes.activity, waiting, n_activities)

    report(0.3, "routing and handoffs")
    previous, following = flow.neighbours(codes)
    names = pd.Series(codes.activities, dtype="string")
    is_reversal = names.str.contains(reversal_pattern, flags=re.IGNORECASE, regex=True).fillna(False)
    is_reversal = is_reversal.to_numpy(dtype=bool)
    columns["reversal_after_share"] = flow.reversal_after(codes, is_reversal, following)
    columns["is_reversal"] = is_reversal.astype(float)
    columns.update(flow.handoffs(codes))
    columns["predecessor_entropy_bits"] = flow.entropy_by_activity(codes.activity, previous, n_activities)
    columns["successor_entropy_bits"] = flow.entropy_by_activity(codes.activity, following, n_activities)
    columns["top_variant_share"] = flow.top_variant_share(codes)
    columns.update(flow.position(codes))

    report(0.45, "rule-based-ness")
    columns.update(rule_features(log, following, random_state))

    report(0.85, "time profile and stability")
    columns.update(timing.time_profile(codes))
    month = timing.month_index(codes.end_ns[valid])
    activity = codes.activity[valid]
    columns["volume_change_monthly"] = timing.volume_change(activity, month, n_activities)
    columns["routing_change_monthly"] = timing.routing_change(activity, month, following[valid], n_activities)
    report(1.0, "features done")
    table = pd.DataFrame(
        {name: columns[name] for name in FEATURES}, index=pd.Index(codes.activities, name="activity")
    )
    return table.astype("float64")


def _rank(values: np.ndarray) -> np.ndarray:
    """0 for the smallest value, 1 for the largest; ties share their mean rank; 1 when alone."""
    if len(values) <= 1:
        return np.ones(len(values))
    return (pd.Series(values).rank(method="average").to_numpy() - 1) / (len(values) - 1)
