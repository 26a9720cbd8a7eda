"""Missing values: rows dropped on import for lack of a key field, and empty attributes.

A row without case id, activity or end time cannot be placed in a process, so
:func:`make_event_log` drops it and records it in ``log.issues``; this check makes
those drops visible with their share of the file. It also reports, per kept column
(resource, start time, attributes), how many events leave it empty, because filters
and resource or attribute views silently ignore those events. A resource or start
column that is empty throughout only means the log has no such data (the views say
so), so it is not reported.
"""

from __future__ import annotations

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, SOURCE_ROW, START
from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import (
    EXAMPLE_LIMIT,
    event_examples,
    fmt_count,
    fmt_share,
    severity_by_share,
)
from sc_improve.quality.types import ELUSIVE_CASE, Finding

CHECK = "missing_values"

_DROPPED_REASONS = {
    "no case id": (
        "have no case id",
        ELUSIVE_CASE,
        "Map the case-id column correctly, or recover the "
        "case id from a reference field (order number, document number) before import.",
    ),
    "no activity": (
        "have no activity",
        None,
        "Check the activity column mapping; if the activity is "
        "held in another field for these rows, combine the fields before import.",
    ),
    "no end timestamp": (
        "have no end timestamp",
        None,
        "Check the timestamp column mapping; rows without any time cannot be ordered and are left out.",
    ),
}


def missing_values(log: EventLog) -> list[Finding]:
    """Rows dropped for a missing case id, activity or end time, and empty columns.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", None],
    ...     "concept:name": ["a", "b"], "time:timestamp": pd.to_datetime(["2024-01-01"] * 2)}))
    >>> [(f.count, f.unit) for f in missing_values(log)]
    [(1, 'rows')]
    """
    return [*_dropped_rows(log), *_empty_columns(log)]


def _dropped_rows(log: EventLog) -> list[Finding]:
    issues = log.issues
    if issues.empty:
        return []
    raw = max(log.raw_event_count, log.n_events)
    findings = []
    for reason, (what, pattern, fix) in _DROPPED_REASONS.items():
        rows = issues.loc[(issues["reason"] == reason) & issues["dropped"].astype(bool), "source_row"]
        if rows.empty:
            continue
        n = len(rows)
        findings.append(
            Finding(
                check=CHECK,
                severity=severity_by_share(n, raw),
                count=n,
                unit="rows",
                message=f"{fmt_count(n)} of {fmt_count(raw)} rows ({fmt_share(n, raw)}) {what} "
                "and were left out of the log.",
                examples=tuple(f"row {r}" for r in rows.head(EXAMPLE_LIMIT)),
                suggested_fix=fix,
                pattern=pattern,
            )
        )
    return findings


def _empty_columns(log: EventLog) -> list[Finding]:
    frame = log.frame
    n = len(frame)
    if n == 0:
        return []
    findings = []
    for column in frame.columns:
        if column in (CASE, ACTIVITY, END, SOURCE_ROW):
            continue
        missing = frame[column].isna()
        n_missing = int(missing.sum())
        if n_missing == 0 or (n_missing == n and column in (RESOURCE, START)):
            continue
        rows = missing.to_numpy().nonzero()[0]
        findings.append(
            Finding(
                check=CHECK,
                severity="warning" if column in (RESOURCE, START) else "info",
                count=n_missing,
                unit="events",
                message=f"Column '{column}' is empty in {fmt_count(n_missing)} of {fmt_count(n)} "
                f"events ({fmt_share(n_missing, n)}).",
                examples=event_examples(log, rows),
                suggested_fix=_empty_column_fix(column),
            )
        )
    return findings


def _empty_column_fix(column: str) -> str:
    if column == RESOURCE:
        return (
            "Resource views and filters ignore these events; fill the resource from the "
            "user field of the source system, or accept that they count as 'unknown'."
        )
    if column == START:
        return (
            "Processing times are measured only for events with a start time; check "
            "whether start times are missing for whole activities (not recorded) or at random."
        )
    return "Filters on this attribute leave these events out; fill the value in the source if it matters."
