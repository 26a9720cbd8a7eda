"""Cases with far more events than the rest, typically a catch-all case id.

When a join or an extract fills missing case references with a default ("0", "N/A",
"#"), unrelated events pile up in one huge case — events that belong to no real case,
Suriadi's *elusive case*. A genuine case can also be long (a framework contract with
hundreds of call-offs); either way it dominates variants and the map. A case is
oversized when it has more than ``oversized_factor`` (20) times the median number of
events per case and at least ``oversized_min_events`` (100) events.
"""

from __future__ import annotations

import numpy as np

from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import counted, fmt_count, fmt_share
from sc_improve.quality.types import ELUSIVE_CASE, Finding

CHECK = "oversized_cases"


def oversized_cases(
    log: EventLog, *, oversized_factor: float = 20.0, oversized_min_events: int = 100
) -> list[Finding]:
    """Cases with more than ``oversized_factor`` x the median events and ``oversized_min_events``.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> cases = [str(c) for c in range(10) for _ in range(2)] + ["N/A"] * 150
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": cases, "concept:name": ["a"] * 170,
    ...     "time:timestamp": pd.date_range("2024-01-01", periods=170, freq="h")}))
    >>> oversized_cases(log)[0].examples
    ('case N/A: 150 events',)
    """
    if log.n_events == 0:
        return []
    codes = log.codes
    sizes = np.diff(codes.case_starts)
    median = float(np.median(sizes))
    big = np.flatnonzero((sizes > oversized_factor * median) & (sizes >= oversized_min_events))
    if len(big) == 0:
        return []
    big = big[np.argsort(-sizes[big], kind="stable")]
    n_events = int(sizes[big].sum())
    return [
        Finding(
            check=CHECK,
            severity="warning",
            count=len(big),
            unit="cases",
            message=f"{counted(len(big), 'case')} {'holds' if len(big) == 1 else 'hold'} "
            f"{fmt_count(n_events)} events ({fmt_share(n_events, log.n_events)} of the log) while the "
            f"median case has {median:g}; a default case id may be collecting unrelated events.",
            examples=tuple(f"case {codes.case_ids[c]}: {counted(int(sizes[c]), 'event')}" for c in big[:5]),
            suggested_fix="Look at the case id: if it is a placeholder ('0', 'N/A', empty), fix the case "
            "reference in the source or filter the case out; if it is real, analyse it separately.",
            pattern=ELUSIVE_CASE,
        )
    ]
