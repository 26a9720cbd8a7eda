"""Timestamps the reader could not parse, with the raw text and the row.

Readers record every timestamp they could not read in ``log.issues``: an unreadable
end time drops the row ("unparseable timestamp"), an unreadable start time keeps the
row without a start ("unparseable start timestamp"). Showing the raw values lets the
analyst see at a glance whether a second format is mixed in (e.g. "31.01.2024" among
ISO dates), which is Suriadi's *unanchored event* pattern.
"""

from __future__ import annotations

from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import EXAMPLE_LIMIT, fmt_count, fmt_share, severity_by_share
from sc_improve.quality.types import UNANCHORED_EVENT, Finding

CHECK = "unparseable_timestamps"

_REASONS = {
    "unparseable timestamp": ("end timestamp", "were left out of the log", "warning"),
    "unparseable start timestamp": ("start timestamp", "were kept without a start time", "info"),
}


def unparseable_timestamps(log: EventLog) -> list[Finding]:
    """One finding per kind of unreadable timestamp (end: rows dropped; start: kept).

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> issues = pd.DataFrame({"source_row": [7], "column": ["time"], "value": ["31/02/2024"],
    ...     "reason": ["unparseable timestamp"], "dropped": [True]})
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01"])}), issues=issues)
    >>> unparseable_timestamps(log)[0].examples
    ("row 7: '31/02/2024'",)
    """
    issues = log.issues
    if issues.empty:
        return []
    raw = max(log.raw_event_count, log.n_events)
    findings = []
    for reason, (what, outcome, base) in _REASONS.items():
        rows = issues[issues["reason"] == reason]
        if rows.empty:
            continue
        n = len(rows)
        distinct = rows["value"].astype(str).nunique()
        head = rows.head(EXAMPLE_LIMIT)
        findings.append(
            Finding(
                check=CHECK,
                severity=severity_by_share(n, raw, base=base),
                count=n,
                unit="rows",
                message=f"{fmt_count(n)} of {fmt_count(raw)} rows ({fmt_share(n, raw)}) have an {what} "
                f"that could not be read ({fmt_count(distinct)} distinct values) and {outcome}.",
                examples=tuple(
                    f"row {r}: {v!r}"
                    for r, v in zip(head["source_row"], head["value"].astype(str), strict=True)
                ),
                suggested_fix="Look at the example values: if they follow a second date format, "
                "re-import with that format (or convert the column in the source) so these rows are kept.",
                pattern=UNANCHORED_EVENT,
            )
        )
    return findings
