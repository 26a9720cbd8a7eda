"""Activities that occur in very few cases.

An activity seen in under 1% of the cases is either genuine exceptional behaviour
(a cancellation, a manual correction) or noise: a typing variant, a label polluted
with a number, a test record. Either way it clutters the map with rarely used boxes,
so the analyst should know which ones they are; the finding is informational.
Counting cases (not events) keeps a rare activity repeated many times in one case rare.
"""

from __future__ import annotations

import numpy as np

from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import activity_case_counts, counted, fmt_count
from sc_improve.quality.types import Finding

CHECK = "rare_activities"


def rare_activities(log: EventLog, *, rare_case_share: float = 0.01) -> list[Finding]:
    """Activities occurring in fewer than ``rare_case_share`` of the cases.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> cases = [str(c) for c in range(200)]
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": cases + ["0"],
    ...     "concept:name": ["a"] * 200 + ["typo"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01"] * 200 + ["2024-01-02"])}))
    >>> rare_activities(log)[0].examples
    ("'typo': 1 case, 1 event",)
    """
    if log.n_events == 0:
        return []
    codes = log.codes
    cases_with = activity_case_counts(codes)
    rare = np.flatnonzero(cases_with < rare_case_share * log.n_cases)
    if len(rare) == 0:
        return []
    events = np.bincount(codes.activity, minlength=len(codes.activities))
    rare = rare[np.lexsort((codes.activities[rare].astype(str), cases_with[rare]))]
    n_events = int(events[rare].sum())
    return [
        Finding(
            check=CHECK,
            severity="info",
            count=len(rare),
            unit="labels",
            message=f"{counted(len(rare), 'activity', 'activities')} of {fmt_count(len(codes.activities))} "
            f"{'occurs' if len(rare) == 1 else 'occur'} in fewer than {rare_case_share * 100:g}% of the "
            "cases "
            f"({counted(n_events, 'event')} in all); they may be exceptions, typing variants or test data.",
            examples=tuple(
                f"'{codes.activities[a]}': {counted(int(cases_with[a]), 'case')}, "
                f"{counted(int(events[a]), 'event')}"
                for a in rare[:5]
            ),
            suggested_fix="Check whether each is a real step; hide rare activities in the map with the "
            "activity filter, or merge typing variants into the right label.",
        )
    ]
