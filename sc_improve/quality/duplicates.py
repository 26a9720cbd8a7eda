"""Duplicate events: the same activity recorded twice for one case at one moment.

Suriadi's *collateral events*: several records of one real occurrence, typically from
joining tables (one row per item of an order) or from re-saving a form. They inflate
activity counts and create self-loops in the map. Two events are duplicates when case,
activity, end time, and — where the log has them — resource and start time are equal.

Because the frame is sorted by case and end time, duplicates can only sit inside a
group of consecutive rows with equal case and end time (see
:func:`~sc_improve.quality.same_timestamp.tied_groups`); only those (usually few) rows
are hashed with ``pandas.DataFrame.duplicated``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import counted, event_examples, fmt_count, fmt_share, severity_by_share
from sc_improve.quality.same_timestamp import tied_groups
from sc_improve.quality.types import COLLATERAL_EVENTS, Finding, FixResult

CHECK = "duplicate_events"
FIX = "fix_duplicate_events"


def duplicate_mask(log: EventLog) -> np.ndarray:
    """True for every repeated copy of an event (the first copy in file order is False)."""
    codes = log.codes
    mask = np.zeros(log.n_events, dtype=bool)
    rows, group = tied_groups(log)
    if len(rows) == 0:
        return mask
    keys = {"group": group, "activity": codes.activity[rows]}
    if codes.resource is not None:
        keys["resource"] = codes.resource[rows]
    if codes.start_ns is not None:
        keys["start"] = codes.start_ns[rows]
    mask[rows] = pd.DataFrame(keys).duplicated(keep="first").to_numpy()
    return mask


def duplicate_events(log: EventLog) -> list[Finding]:
    """Events repeating the case, activity, end time, resource and start of an earlier one.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"],
    ...     "concept:name": ["a", "a"], "time:timestamp": pd.to_datetime(["2024-01-01"] * 2)}))
    >>> [f.count for f in duplicate_events(log)]
    [1]
    """
    mask = duplicate_mask(log)
    n_dup = int(mask.sum())
    if n_dup == 0:
        return []
    rows = np.flatnonzero(mask)
    codes = log.codes
    n_cases = len(np.unique(codes.case[rows]))
    activities = [str(codes.activities[codes.activity[r]]) for r in rows[:5]]
    return [
        Finding(
            check=CHECK,
            severity=severity_by_share(n_dup, log.n_events),
            count=n_dup,
            unit="events",
            message=f"{fmt_count(n_dup)} of {fmt_count(log.n_events)} events "
            f"({fmt_share(n_dup, log.n_events)}) repeat an earlier event of the same case with the same "
            f"activity and time, in {counted(n_cases, 'case')}.",
            examples=event_examples(log, rows, [f"repeated '{a}'" for a in activities]),
            suggested_fix="Drop the repeated copies, unless each copy stands for a separate item "
            "(then keep them and add the item as an attribute).",
            pattern=COLLATERAL_EVENTS,
            fix=FIX,
        )
    ]


def fix_duplicate_events(log: EventLog) -> FixResult:
    """A copy of the log without the repeated copies (the first in file order is kept).

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"],
    ...     "concept:name": ["a", "a"], "time:timestamp": pd.to_datetime(["2024-01-01"] * 2)}))
    >>> fix_duplicate_events(log).log.n_events
    1
    """
    mask = duplicate_mask(log)
    n_dup = int(mask.sum())
    description = f"Dropped {counted(n_dup, 'duplicate event')} (same case, activity and time)."
    return FixResult(log.with_frame(log.frame[~mask], note=description), description)
