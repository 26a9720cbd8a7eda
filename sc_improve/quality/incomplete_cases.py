"""Cases cut off by the extraction window: still running at its end, or begun before it.

An extract covers a period. Cases still open when it was taken end with an activity
that normally is not an end, and they look short and fast; cases begun before the
period lack their first steps. Both distort cycle times and the map. The heuristic:

1. The *horizon* is the ``horizon_quantile`` (90%) quantile of the case durations
   (first start or end to last end) of cases with some duration: a case still running
   at the window end started, and so last moved, within about that much time of it.
2. *Usual end activities* are the last activities of at least ``usual_share`` (2%)
   of the settled cases — those whose last event lies before the horizon, which are
   very likely complete (all cases, when fewer than ``incomplete_min_cases`` settled).
3. A case is *unfinished* when its last event lies within the horizon of the window
   end and its last activity is not a usual end activity. Mirror-wise, a case is
   *begun before the window* when its first event lies within the horizon of the
   window start and its first activity is not a usual start activity.

Events with outlier timestamps (before 1990, in the future, far from the bulk; see
:mod:`~sc_improve.quality.outliers`) are left out first, and the window edges are the
0.1%/99.9% quantiles of the case begin/end times, so stray timestamps do not move
them. Logs with fewer than ``incomplete_min_cases`` (10) cases are not judged. This is
not one of Suriadi's eleven patterns (it is a property of the extraction, not of the
recording), so ``pattern`` is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sc_improve.log.event_log import EventLog, LogCodes
from sc_improve.quality.common import counted, fmt_count, fmt_ns, fmt_share
from sc_improve.quality.outliers import outlier_masks
from sc_improve.quality.types import Finding, FixResult

CHECK = "incomplete_cases"
FIX = "fix_incomplete_cases"


@dataclass(frozen=True)
class CaseSpans:
    """Per case (by case code): first and last kept row, earliest and latest kept time.

    ``has_rows`` is False for a case all of whose events were left out; its other
    entries are then meaningless.
    """

    has_rows: np.ndarray
    first: np.ndarray
    last: np.ndarray
    begin_ns: np.ndarray
    finish_ns: np.ndarray

    @property
    def duration_ns(self) -> np.ndarray:
        return self.finish_ns - self.begin_ns


def case_spans(codes: LogCodes, keep: np.ndarray) -> CaseSpans:
    """Spans over the events in ``keep`` only, with ``reduceat`` per case, no loop.

    ``begin_ns`` is a start time when the log has one, else the first end time. Rows are
    sorted by end time within a case, so the last kept row holds the latest end.
    """
    n = len(codes.case)
    bounds = codes.case_starts[:-1]
    rows = np.arange(n)
    first = np.minimum.reduceat(np.where(keep, rows, n), bounds)
    last = np.maximum.reduceat(np.where(keep, rows, -1), bounds)
    has_rows = last >= 0
    first, last = np.where(has_rows, first, 0), np.where(has_rows, last, 0)
    earliest = codes.end_ns
    if codes.start_ns is not None:
        start_ns = codes.start_ns
        earliest = np.where(start_ns == LogCodes.MISSING_NS, earliest, np.minimum(start_ns, earliest))
    begin_ns = np.minimum.reduceat(np.where(keep, earliest, np.iinfo(np.int64).max), bounds)
    return CaseSpans(has_rows, first, last, begin_ns, codes.end_ns[last])


@dataclass(frozen=True)
class IncompleteCases:
    """Per-case masks (by case code) and the window and horizon they were judged with."""

    unfinished: np.ndarray
    begun_before: np.ndarray
    window_ns: tuple[int, int]
    horizon_ns: int
    spans: CaseSpans


@dataclass(frozen=True)
class _Side:
    """Wording for one edge of the window."""

    position: str
    verb: str
    rarely: str
    edge: str
    probably: str


_END = _Side("last", "end", "rarely ends", "end", "still running when the data was extracted")
_START = _Side("first", "begin", "rarely starts", "start", "begun before the extracted period")


def incomplete_case_masks(
    log: EventLog,
    *,
    now: pd.Timestamp | None = None,
    horizon_quantile: float = 0.9,
    usual_share: float = 0.02,
    incomplete_min_cases: int = 10,
) -> IncompleteCases | None:
    """The heuristic of the module docstring; None when the log is too small to judge.

    Events with outlier timestamps (see :mod:`~sc_improve.quality.outliers`, judged
    against ``now``) are left out, so that a 1970 or 2124 date cannot move the window.
    """
    if log.n_cases < incomplete_min_cases:
        return None
    codes = log.codes
    spans = case_spans(codes, ~outlier_masks(log, now=now).any)
    has = spans.has_rows
    durations = spans.duration_ns[has]
    moving = durations[durations > 0]
    if len(moving) == 0:
        return None
    horizon = int(np.quantile(moving, horizon_quantile))
    window_start = int(np.quantile(spans.begin_ns[has], 0.001, method="higher"))
    window_end = int(np.quantile(spans.finish_ns[has], 0.999, method="lower"))
    n_activities = len(codes.activities)

    last_activity = codes.activity[spans.last]
    recent = has & (spans.finish_ns >= window_end - horizon)
    usual_end = _usual(last_activity, has & ~recent, n_activities, usual_share, incomplete_min_cases)
    first_activity = codes.activity[spans.first]
    early = has & (spans.begin_ns <= window_start + horizon)
    usual_start = _usual(first_activity, has & ~early, n_activities, usual_share, incomplete_min_cases)
    return IncompleteCases(
        unfinished=recent & ~usual_end[last_activity],
        begun_before=early & ~usual_start[first_activity],
        window_ns=(window_start, window_end),
        horizon_ns=horizon,
        spans=spans,
    )


def _usual(
    activity: np.ndarray, settled: np.ndarray, n_activities: int, min_share: float, min_cases: int
) -> np.ndarray:
    """Per activity code: is it the first/last activity of at least ``min_share`` of the
    settled cases (of all cases, when fewer than ``min_cases`` are settled)?"""
    reference = activity[settled] if settled.sum() >= min_cases else activity
    counts = np.bincount(reference, minlength=n_activities)
    return counts >= min_share * len(reference)


def incomplete_cases(
    log: EventLog,
    *,
    now: pd.Timestamp | None = None,
    horizon_quantile: float = 0.9,
    usual_share: float = 0.02,
    incomplete_min_cases: int = 10,
) -> list[Finding]:
    """Cases that look cut off at the end or the start of the extraction window.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> rows = [(str(c), a, pd.Timestamp("2024-01-01") + pd.Timedelta(days=c, hours=h))
    ...         for c in range(12) for a, h in (("create", 0), ("pay", 5))]
    >>> rows.append(("open", "create", pd.Timestamp("2024-01-12 06:00")))
    >>> log = make_event_log(pd.DataFrame(rows, columns=["case:concept:name", "concept:name",
    ...     "time:timestamp"]))
    >>> incomplete_cases(log)[0].examples
    ("case open: last 'create' at 2024-01-12 06:00:00",)
    """
    masks = incomplete_case_masks(
        log,
        now=now,
        horizon_quantile=horizon_quantile,
        usual_share=usual_share,
        incomplete_min_cases=incomplete_min_cases,
    )
    if masks is None:
        return []
    spans = masks.spans
    hours = masks.horizon_ns / 3.6e12
    within = f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"
    findings = []
    for mask, side, row_of, time_of, edge_ns in (
        (masks.unfinished, _END, spans.last, spans.finish_ns, masks.window_ns[1]),
        (masks.begun_before, _START, spans.first, spans.begin_ns, masks.window_ns[0]),
    ):
        cases = np.flatnonzero(mask)
        if len(cases) == 0:
            continue
        findings.append(
            Finding(
                check=CHECK,
                severity="warning",
                count=len(cases),
                unit="cases",
                message=f"{fmt_count(len(cases))} of {fmt_count(log.n_cases)} cases "
                f"({fmt_share(len(cases), log.n_cases)}) {side.verb} with an activity that {side.rarely} a "
                f"case and had their {side.position} event within {within} of the {side.edge} of the log "
                f"({fmt_ns(edge_ns)[:10]}); they were probably {side.probably}.",
                examples=_examples(log, cases, side.position, row_of, time_of),
                suggested_fix="Leave these cases out of cycle-time and variant analyses (drop them), "
                "or extract a longer period so they are complete.",
                fix=FIX,
            )
        )
    return findings


def _examples(
    log: EventLog, cases: np.ndarray, position: str, row_of: np.ndarray, time_of: np.ndarray
) -> tuple[str, ...]:
    codes = log.codes
    labels = codes.activities[codes.activity[row_of[cases[:5]]]]
    return tuple(
        f"case {codes.case_ids[c]}: {position} '{label}' at {fmt_ns(time_of[c])}"
        for c, label in zip(cases[:5], labels, strict=True)
    )


def fix_incomplete_cases(
    log: EventLog,
    *,
    now: pd.Timestamp | None = None,
    horizon_quantile: float = 0.9,
    usual_share: float = 0.02,
    incomplete_min_cases: int = 10,
    unfinished: bool = True,
    begun_before: bool = True,
) -> FixResult:
    """A copy without the cases cut off at the end (``unfinished``) and/or the start.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> rows = [(str(c), a, pd.Timestamp("2024-01-01") + pd.Timedelta(days=c, hours=h))
    ...         for c in range(12) for a, h in (("create", 0), ("pay", 5))]
    >>> rows.append(("open", "create", pd.Timestamp("2024-01-12 06:00")))
    >>> log = make_event_log(pd.DataFrame(rows, columns=["case:concept:name", "concept:name",
    ...     "time:timestamp"]))
    >>> fix_incomplete_cases(log).description
    'Dropped 1 incomplete case (1 event).'
    """
    masks = incomplete_case_masks(
        log,
        now=now,
        horizon_quantile=horizon_quantile,
        usual_share=usual_share,
        incomplete_min_cases=incomplete_min_cases,
    )
    if masks is None:
        return FixResult(log, "No incomplete cases to drop.")
    drop_case = np.zeros(log.n_cases, dtype=bool)
    if unfinished:
        drop_case |= masks.unfinished
    if begun_before:
        drop_case |= masks.begun_before
    drop_event = drop_case[log.codes.case]
    description = (
        f"Dropped {counted(int(drop_case.sum()), 'incomplete case')} "
        f"({counted(int(drop_event.sum()), 'event')})."
    )
    return FixResult(log.with_frame(log.frame[~drop_event], note=description), description)
