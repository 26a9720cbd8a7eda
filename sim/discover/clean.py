"""The log made analysis-ready the way ``sc-improve analyze`` does it, before anything is learned.

Two of the core's own fixes matter for a simulation model: label spellings that differ
only in case, spaces or punctuation ("Clear Invoice", "CLEAR INVOICE") would become
separate activities with their own routing, durations and pools, and a case dated 1970
or far in the future would stretch an arrival gap, a cycle time or a train/test split by
decades. Each fix applied leaves a note saying how much it changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sc_improve.analysis import MAX_EXCLUDED_SHARE
from sc_improve.columns import ACTIVITY, RESOURCE
from sc_improve.log.event_log import EventLog
from sc_improve.quality import fix_synonymous_labels, fix_timestamp_outliers


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
    """``log`` without cases holding implausible timestamps, unless they are more than
    ``sc_improve.analysis.MAX_EXCLUDED_SHARE`` of the cases: then the time axis is shifted
    or anonymised (a log starting in 1970), not wrong, and every case stays."""
    kept = fix_timestamp_outliers(log, whole_cases=True).log
    dropped = log.n_cases - kept.n_cases
    if dropped == 0:
        return log, None
    if dropped > MAX_EXCLUDED_SHARE * log.n_cases or kept.n_events == 0:
        return log, (
            f"{dropped:,} of {log.n_cases:,} cases have timestamps outside the plausible range; the time "
            "axis looks shifted or anonymised, so every case was kept."
        )
    return kept, (
        f"{dropped:,} case(s) ({log.n_events - kept.n_events:,} events) with implausible timestamps "
        "were left out."
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
