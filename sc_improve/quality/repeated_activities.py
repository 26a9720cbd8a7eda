"""Activities repeated many times within the cases they occur in.

Suriadi's *homonymous label*: one label stands for different things depending on when
it happens ("Change PO" for a price change early on, a quantity change after goods
receipt). Its indicator is the ratio of occurrences to cases: an activity that occurs
on average ``min_repeats`` (3) or more times per case it appears in, in at least
``min_repeat_cases`` (10) cases, gets a self-loop and many arcs in the map and may hide
several steps. Only the analyst can tell; the finding is informational.
"""

from __future__ import annotations

import numpy as np

from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import activity_case_counts, counted, fmt_count
from sc_improve.quality.types import HOMONYMOUS_LABEL, Finding

CHECK = "repeated_activities"


def repeated_activities(
    log: EventLog, *, min_repeats: float = 3.0, min_repeat_cases: int = 10
) -> list[Finding]:
    """Activities averaging ``min_repeats`` or more occurrences per case they occur in.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": [str(c) for c in range(10) for _ in range(4)],
    ...     "concept:name": ["change"] * 40,
    ...     "time:timestamp": pd.date_range("2024-01-01", periods=40, freq="h")}))
    >>> repeated_activities(log)[0].examples
    ("'change': 4.0 times per case in 10 cases",)
    """
    if log.n_events == 0:
        return []
    codes = log.codes
    cases_with = activity_case_counts(codes)
    events = np.bincount(codes.activity, minlength=len(codes.activities))
    ratio = events / np.maximum(cases_with, 1)
    repeated = np.flatnonzero((ratio >= min_repeats) & (cases_with >= min_repeat_cases))
    if len(repeated) == 0:
        return []
    repeated = repeated[np.argsort(-ratio[repeated], kind="stable")]
    n_events = int(events[repeated].sum())
    return [
        Finding(
            check=CHECK,
            severity="info",
            count=len(repeated),
            unit="labels",
            message=f"{counted(len(repeated), 'activity', 'activities')} "
            f"{'occurs' if len(repeated) == 1 else 'occur'} {min_repeats:g} or more "
            f"times per case on average ({fmt_count(n_events)} events); a repeated label may stand "
            "for different steps.",
            examples=tuple(
                f"'{codes.activities[a]}': {ratio[a]:.1f} times per case "
                f"in {counted(int(cases_with[a]), 'case')}"
                for a in repeated[:5]
            ),
            suggested_fix="Check what each repetition means; if they differ (e.g. first approval vs "
            "re-approval), rename them by position or by an attribute before analysis.",
            pattern=HOMONYMOUS_LABEL,
        )
    ]
