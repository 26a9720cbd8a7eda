"""The log made analysis-ready the way ``sc-improve analyze`` does it, before anything is learned.

Two of the core's own fixes matter for a simulation model: label spellings that differ
only in case, spaces or punctuation ("Clear Invoice", "CLEAR INVOICE") would become
separate activities with their own routing, durations and pools, and a case dated 1970
or far in the future would stretch an arrival gap, a cycle time or a train/test split by
decades. Each fix applied leaves a note saying how much it changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sc_improve.analysis import exclude_time_outliers
from sc_improve.columns import ACTIVITY, RESOURCE
from sc_improve.log.event_log import EventLog
from sc_improve.quality import fix_synonymous_labels


@dataclass(frozen=True)
class PreparedLog:
    log: EventLog
    notes: list[str] = field(default_factory=list)


def prepare_log(log: EventLog, *, merge_label_spellings: bool, exclude_time_outliers: bool) -> PreparedLog:
    """``log`` with the fixes switched on applied, and a note for each that changed something."""
    notes: list[str] = []
    if exclude_time_outliers:
        log, note = without_time_outliers(log)
        if note:
            notes.append(note)
    if merge_label_spellings:
        log, note = with_merged_spellings(log)
        if note:
            notes.append(note)
    return PreparedLog(log, notes)


def without_time_outliers(log: EventLog) -> tuple[EventLog, str | None]:
    """``log`` without cases of implausible dates, by the standard analysis's rule, and a note."""
    exclusion = exclude_time_outliers(log)
    if exclusion.axis_shifted:
        return log, (
            f"{exclusion.outlier_cases:,} of {log.n_cases:,} cases have timestamps outside the plausible "
            "range; the time axis looks shifted or anonymised, so every case was kept."
        )
    if exclusion.excluded_cases == 0:
        return log, None
    return exclusion.log, (
        f"{exclusion.excluded_cases:,} case(s) ({log.n_events - exclusion.log.n_events:,} events) with "
        "implausible timestamps were left out."
    )


def with_merged_spellings(log: EventLog) -> tuple[EventLog, str | None]:
    """``log`` with each group of label spellings merged into its most frequent one."""
    fixed = fix_synonymous_labels(log)
    if fixed.log is log:
        return log, None
    changed = [
        f"{int((log.frame[column] != fixed.log.frame[column]).sum()):,} {what}"
        for column, what in ((ACTIVITY, "activity labels"), (RESOURCE, "resource names"))
        if column in log.frame.columns
    ]
    return fixed.log, f"{fixed.description} Events relabelled: {', '.join(changed)}."
