"""Weak labels: how much of each activity the log's technical users already do.

An instance executed by a batch job, workflow or interface user is automated. The
automation rate of an activity is the share of its instances (those with a known
resource) that technical users executed; an activity counts as automatable in the
training data when that share reaches :data:`AUTOMATED_RATE`. The labels come from
the resources only; the features never look at them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sc_improve.automation.system_users import SystemUsers
from sc_improve.log.event_log import EventLog

AUTOMATED_RATE = 0.5
"""An activity that technical users execute at least half of the time is labelled
automatable, and is listed apart as already (mostly) automated in the candidates.
Half, because a step that machines do in most cases has proven it can be automated;
partly automated steps below it (an EDI channel used by some vendors) stay
candidates, since the rest of their volume is still manual work."""


def automation_rates(log: EventLog, system_users: SystemUsers) -> pd.Series | None:
    """Share (0-1) of each activity's instances executed by technical users.

    None when the log has no resource column; NaN for an activity none of whose
    instances has a resource.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> from sc_improve.automation.system_users import detect_system_users
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1", "2"],
    ...     "concept:name": ["a", "b", "b"], "org:resource": ["ANNA", "BATCH", "ANNA"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])}))
    >>> automation_rates(log, detect_system_users(log)).to_dict()
    {'a': 0.0, 'b': 0.5}
    """
    codes = log.codes
    mask = system_users.event_mask(codes)
    if mask is None or not log.has_resource:
        return None
    n_activities = len(codes.activities)
    known = codes.resource >= 0
    with_resource = np.bincount(codes.activity[known], minlength=n_activities)
    by_system = np.bincount(codes.activity[known], weights=mask[known], minlength=n_activities)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(with_resource > 0, by_system / np.maximum(with_resource, 1), np.nan)
    return pd.Series(rate, index=pd.Index(codes.activities, name="activity"), name="automation_rate")


def weak_labels(rates: pd.Series) -> pd.Series:
    """1 for activities at or above :data:`AUTOMATED_RATE`, 0 below, NaN where unknown."""
    return (rates >= AUTOMATED_RATE).astype(float).where(rates.notna()).rename("label")
