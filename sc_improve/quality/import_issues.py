"""Reader-specific import problems that no other check covers.

``log.issues`` can hold reasons beyond missing keys and unreadable timestamps, e.g.
"unmatched lifecycle start" (a start event whose complete event never came). They are
listed here, one finding per reason, so that nothing a reader noticed is lost silently.
"""

from __future__ import annotations

from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import EXAMPLE_LIMIT, counted, fmt_count
from sc_improve.quality.types import Finding

CHECK = "import_issues"

COVERED_REASONS = frozenset(
    {"no case id", "no activity", "no end timestamp", "unparseable timestamp", "unparseable start timestamp"}
)
"""Reasons reported by the missing-value and unparseable-timestamp checks instead."""


def import_issues(log: EventLog) -> list[Finding]:
    """One finding per other import-issue reason, with how many rows were dropped.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> issues = pd.DataFrame({"source_row": [3], "column": ["lifecycle:transition"],
    ...     "value": ["start"], "reason": ["unmatched lifecycle start"], "dropped": [True]})
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01"])}), issues=issues)
    >>> import_issues(log)[0].message
    "1 row was reported on import as 'unmatched lifecycle start' (1 of them left out of the log)."
    """
    issues = log.issues
    if issues.empty:
        return []
    other = issues[~issues["reason"].isin(COVERED_REASONS)]
    findings = []
    for reason, rows in other.groupby("reason", sort=True):
        n = len(rows)
        dropped = int(rows["dropped"].astype(bool).sum())
        head = rows.head(EXAMPLE_LIMIT)
        findings.append(
            Finding(
                check=CHECK,
                severity="warning" if dropped else "info",
                count=n,
                unit="rows",
                message=f"{counted(n, 'row')} {'was' if n == 1 else 'were'} reported on import as '{reason}' "
                f"({fmt_count(dropped)} of them left out of the log).",
                examples=tuple(
                    f"row {r}: {v!r}"
                    for r, v in zip(head["source_row"], head["value"].astype(str), strict=True)
                ),
                suggested_fix="Look up the example rows in the source file; the reason names what the "
                "reader could not interpret.",
            )
        )
    return findings
