"""Events of one case that share one exact timestamp.

Suriadi's *form-based event capture*: saving a form (or posting a document) records
several steps at the same instant. Their true order is lost; the log keeps the file
order, so the map shows arbitrary directly-follows arcs between them and zero waiting
times. The share of events affected tells how much of the control flow is guesswork.
"""

from __future__ import annotations

import numpy as np

from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import EXAMPLE_LIMIT, counted, fmt_count, fmt_ns, fmt_share
from sc_improve.quality.types import FORM_BASED_EVENT_CAPTURE, Finding

CHECK = "same_timestamp"


def tied_groups(log: EventLog) -> tuple[np.ndarray, np.ndarray]:
    """Rows sharing case and end time with a neighbouring row, and a group number per row.

    The frame is sorted by case and end time, so such events are consecutive: one
    comparison of each row with the next finds them all.
    """
    codes = log.codes
    if log.n_events < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    tied = codes.same_case_as_next & (codes.end_ns[1:] == codes.end_ns[:-1])
    in_group = np.zeros(log.n_events, dtype=bool)
    in_group[:-1] |= tied
    in_group[1:] |= tied
    rows = np.flatnonzero(in_group)
    group = np.cumsum(np.concatenate(([True], ~tied)))[rows]
    return rows, group


def same_timestamp(log: EventLog, *, same_timestamp_warning_share: float = 0.05) -> list[Finding]:
    """Share of events whose case has another event at the very same time.

    A warning from ``same_timestamp_warning_share`` (5%) of the events, else info.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1"] * 3,
    ...     "concept:name": ["a", "b", "c"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00"] * 2 + ["2024-01-01 09:00"])}))
    >>> [f.count for f in same_timestamp(log)]
    [2]
    """
    rows, group = tied_groups(log)
    n_tied = len(rows)
    if n_tied == 0:
        return []
    n = log.n_events
    n_cases = int(np.count_nonzero(np.diff(log.codes.case[rows]))) + 1
    return [
        Finding(
            check=CHECK,
            severity="warning" if n_tied / n >= same_timestamp_warning_share else "info",
            count=n_tied,
            unit="events",
            message=f"{fmt_count(n_tied)} of {fmt_count(n)} events ({fmt_share(n_tied, n)}) share their "
            f"exact timestamp with another event of the same case, in {counted(n_cases, 'case')}; "
            "their order comes from the file, not from time.",
            examples=_group_examples(log, rows, group),
            suggested_fix="If these are steps saved together on one form or posting, merge them into "
            "one event or accept their order as arbitrary; if the system has a finer time (entry time "
            "besides posting date), extract that instead.",
            pattern=FORM_BASED_EVENT_CAPTURE,
        )
    ]


def _group_examples(log: EventLog, rows: np.ndarray, group: np.ndarray) -> tuple[str, ...]:
    """ "case X at T: a, b" for the first few groups of tied events."""
    codes = log.codes
    bounds = np.append(np.flatnonzero(np.diff(group, prepend=-1)), len(rows))
    out = []
    for i in range(min(EXAMPLE_LIMIT, len(bounds) - 1)):
        members = rows[bounds[i] : bounds[i + 1]]
        labels = ", ".join(str(codes.activities[a]) for a in codes.activity[members])
        first = members[0]
        out.append(f"case {codes.case_ids[codes.case[first]]} at {fmt_ns(codes.end_ns[first])}: {labels}")
    return tuple(out)
