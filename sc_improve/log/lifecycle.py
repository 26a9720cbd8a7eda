"""Turn lifecycle events (start, complete, schedule, ...) into one row per activity instance.

XES logs, and CSV extracts with a lifecycle column, record an activity as several
events: "start" when work begins and "complete" when it ends, sometimes with
"schedule"/"assign" before and "suspend"/"resume" in between. Every analysis in
sc-improve works on activity instances (one row with a start and an end time), so
the readers call :func:`pair_lifecycle` once on import.

Pairing rules (see docs/IMPORT_XES_OCEL.md):

* Transitions are compared case-insensitively; a missing transition means "complete".
* Within one case and activity (and one ``concept:instance`` id when the column is
  there), events are ordered by time, starts before completes at equal times, then
  by source row. The k-th complete is paired with the earliest start before it that
  is not yet paired (first in, first out). A complete with no such start becomes an
  instance without a start time; a start that no complete claims is listed as an
  issue ("unmatched lifecycle start") and dropped.
* "ate_abort" ends an instance like a complete, so a restarted activity does not pair
  with the wrong start, but aborted instances are dropped and listed as issues.
* "schedule"/"assign" times are kept on the instance as ``schedule_timestamp`` /
  ``assign_timestamp`` (the k-th schedule of a case and activity goes to its k-th
  instance); other transitions (suspend, resume, withdraw, ...) are dropped with a
  note.
* An instance keeps the columns of its complete event (so ``@@source_row`` is the
  complete's row); attributes empty there are filled from its start event.

Everything is done with sorts and cumulative sums over whole columns, never a
Python loop over events, so pairing 5M events takes a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sc_improve.columns import ACTIVITY, CASE, END, LIFECYCLE, SOURCE_ROW, START
from sc_improve.log.event_log import ISSUE_COLUMNS, empty_issues

INSTANCE = "concept:instance"
"""XES concept extension: the id of the activity instance an event belongs to."""

STAMP_COLUMNS = {"schedule": "schedule_timestamp", "assign": "assign_timestamp"}
"""Transitions whose time is kept as an attribute of the instance they precede."""

_SYNONYMS = {
    "completed": "complete",
    "end": "complete",
    "finish": "complete",
    "finished": "complete",
    "started": "start",
    "begin": "start",
}

_COMPLETE, _START, _ABORT, _SCHEDULE, _ASSIGN, _OTHER = range(6)
_KIND_OF = {
    "complete": _COMPLETE,
    "start": _START,
    "ate_abort": _ABORT,
    "schedule": _SCHEDULE,
    "assign": _ASSIGN,
}


@dataclass(frozen=True)
class _Groups:
    """Rows sorted by pairing key; ``first[g]`` is the sorted position where group g begins."""

    order: np.ndarray
    group: np.ndarray
    first: np.ndarray

    def cumcount(self, mask: np.ndarray) -> np.ndarray:
        """1-based running count of ``mask`` within each group, at every sorted position."""
        total = np.cumsum(mask, dtype=np.int64)
        before_group = total[self.first] - mask[self.first]
        return total - before_group[self.group]

    def nth(self, mask: np.ndarray, rank: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """Sorted position of the ``rank``-th (1-based) ``mask`` row of each group, or -1."""
        positions = np.flatnonzero(mask)
        if not len(positions):
            return np.full(len(groups), -1, dtype=np.int64)
        owner = self.group[positions]
        start = np.searchsorted(owner, groups, side="left")
        count = np.searchsorted(owner, groups, side="right") - start
        found = (rank >= 1) & (rank <= count)
        return np.where(found, positions[np.minimum(start + rank - 1, len(positions) - 1)], -1)


def pair_lifecycle(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Pair start and complete events into activity instances.

    Returns the instance frame (``start_timestamp`` filled where a start was found,
    the lifecycle column removed), an issues frame with
    :data:`~sc_improve.log.event_log.ISSUE_COLUMNS` (unmatched starts, aborted
    instances, lifecycle events without a time), and notes for the user.

    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "case:concept:name": ["1", "1"], "concept:name": ["a", "a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00"]),
    ...     "lifecycle:transition": ["start", "complete"], "@@source_row": [1, 2]})
    >>> instances, issues, notes = pair_lifecycle(events)
    >>> instances["start_timestamp"].tolist()
    [Timestamp('2024-01-01 08:00:00')]
    >>> notes
    ['paired 2 start/complete events into 1 activity instance']
    """
    if LIFECYCLE not in frame.columns:
        return frame, empty_issues(), []
    if SOURCE_ROW not in frame.columns:
        frame = frame.assign(**{SOURCE_ROW: np.arange(1, len(frame) + 1, dtype=np.int64)})
    transitions = _Transitions.of(frame[LIFECYCLE])
    kind = transitions.kind
    if bool((kind == _COMPLETE).all()):
        instances = frame.copy(deep=False)  # all complete: one instance per event, no data copied
        del instances[LIFECYCLE]
        return instances, empty_issues(), []

    timed = frame[END].notna().to_numpy()
    groups = _sort_into_groups(frame, kind, timed)
    sorted_kind = kind[groups.order]
    is_start = sorted_kind == _START
    is_end = (sorted_kind == _COMPLETE) | (sorted_kind == _ABORT)

    end_pos = np.flatnonzero(is_end)
    end_group = groups.group[end_pos]
    claimed = _claimed_starts(groups, is_start, is_end, end_pos, end_group)
    matched_start_pos = groups.nth(is_start, claimed, end_group)
    matched_start_pos[~_newly_claimed(claimed, end_group)] = -1

    start_row_of_end = np.full(len(frame), -1, dtype=np.int64)
    start_row_of_end[groups.order[end_pos]] = np.where(
        matched_start_pos >= 0, groups.order[np.maximum(matched_start_pos, 0)], -1
    )
    stamps = {
        column: _stamp_rows(groups, sorted_kind == code, end_pos, end_group, len(frame))
        for name, column in STAMP_COLUMNS.items()
        if ((code := _KIND_OF[name]) == kind).any()
    }

    unmatched_start_rows = _unclaimed_starts(groups, is_start, claimed, end_group)
    instance_rows = np.flatnonzero(kind == _COMPLETE)
    has_starts = bool(is_start.any())
    instances = _build_instances(frame, instance_rows, start_row_of_end, stamps, has_starts)

    abort_rows = np.flatnonzero(kind == _ABORT)
    untimed_rows = np.flatnonzero(~timed & (kind != _COMPLETE))
    issues = _issues(frame, unmatched_start_rows, abort_rows, untimed_rows)
    notes = _notes(
        other_counts=transitions.other_counts(),
        n_instances=len(instance_rows),
        n_paired=int((start_row_of_end[instance_rows] >= 0).sum()),
        n_unmatched_starts=len(unmatched_start_rows),
        n_aborted=len(abort_rows),
        stamps=stamps,
        has_starts=has_starts,
    )
    return instances, issues, notes


@dataclass(frozen=True)
class _Transitions:
    """The lifecycle column as one kind code per event, computed on its few distinct values.

    Normalising (trim, lower case, synonyms) the distinct values instead of the whole
    column keeps memory flat: a 5M-event column of "complete" is never copied.
    """

    kind: np.ndarray
    codes: np.ndarray
    names: list[str]

    @classmethod
    def of(cls, column: pd.Series) -> _Transitions:
        codes, uniques = pd.factorize(column)
        names = [_normalised(value) for value in uniques]
        lookup = np.array([_KIND_OF.get(name, _OTHER) for name in names] + [_COMPLETE], dtype=np.int8)
        return cls(kind=lookup[codes], codes=codes, names=names)  # code -1 (missing) -> complete

    def other_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for code, n in enumerate(np.bincount(self.codes[self.codes >= 0], minlength=len(self.names))):
            name = self.names[code]
            if n and _KIND_OF.get(name, _OTHER) == _OTHER:
                counts[name] = counts.get(name, 0) + int(n)
        return dict(sorted(counts.items()))


def _normalised(value: object) -> str:
    text = str(value).strip().lower()
    return _SYNONYMS.get(text, text) or "complete"


def _sort_into_groups(frame: pd.DataFrame, kind: np.ndarray, timed: np.ndarray) -> _Groups:
    """Sort the pairable rows (timed start/complete/abort/schedule/assign) by key and time.

    The key is (case, activity[, concept:instance]); missing values form their own key
    so such rows still pair among themselves and are dropped later by the log builder.
    Untimed and other-transition rows get key -1 and never pair.
    """
    key = np.zeros(len(frame), dtype=np.int64)
    for column in (CASE, ACTIVITY, INSTANCE):
        if column in frame.columns:
            codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
            key = key * (len(uniques) + 1) + codes
            key, _ = pd.factorize(key)
    key = np.where(timed & (kind != _OTHER), key, -1)
    time_ns = frame[END].to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view(np.int64)
    not_start = kind != _START
    rows = frame[SOURCE_ROW].to_numpy()
    order = np.lexsort((rows, not_start, time_ns, key))
    order = order[key[order] >= 0]
    sorted_key = key[order]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = sorted_key[1:] != sorted_key[:-1]
    return _Groups(order=order, group=np.cumsum(new_group) - 1, first=np.flatnonzero(new_group))


def _claimed_starts(
    groups: _Groups, is_start: np.ndarray, is_end: np.ndarray, end_pos: np.ndarray, end_group: np.ndarray
) -> np.ndarray:
    """How many starts have been claimed after each end event (first in, first out).

    With ``S_j`` starts seen before the j-th end of a group, greedy FIFO matching claims
    ``m_j = min(m_{j-1} + 1, S_j)``, which unrolls to ``j + min(0, min_{i<=j}(S_i - i))``:
    a grouped cumulative minimum instead of a loop.
    """
    starts_before = groups.cumcount(is_start)[end_pos]
    end_rank = groups.cumcount(is_end)[end_pos]
    slack = pd.Series(starts_before - end_rank).groupby(end_group, sort=False).cummin().to_numpy()
    return end_rank + np.minimum(slack, 0)


def _newly_claimed(claimed: np.ndarray, end_group: np.ndarray) -> np.ndarray:
    """True for the end events that claimed a start (the claimed count went up)."""
    previous = np.zeros(len(claimed), dtype=np.int64)
    previous[1:] = claimed[:-1]
    group_begins = np.ones(len(claimed), dtype=bool)
    group_begins[1:] = end_group[1:] != end_group[:-1]
    previous[group_begins] = 0
    return claimed > previous


def _unclaimed_starts(
    groups: _Groups, is_start: np.ndarray, claimed: np.ndarray, end_group: np.ndarray
) -> np.ndarray:
    """Frame rows of starts that no end claimed: FIFO claims the first ``m`` starts of a group."""
    claimed_in_group = np.zeros(len(groups.first), dtype=np.int64)
    np.maximum.at(claimed_in_group, end_group, claimed)
    start_pos = np.flatnonzero(is_start)
    rank = groups.cumcount(is_start)[start_pos]
    return groups.order[start_pos[rank > claimed_in_group[groups.group[start_pos]]]]


def _stamp_rows(
    groups: _Groups, is_stamp: np.ndarray, end_pos: np.ndarray, end_group: np.ndarray, n_rows: int
) -> np.ndarray:
    """Frame row of the k-th schedule/assign event for the k-th end event of each group (-1 if none)."""
    end_rank = np.arange(1, len(end_pos) + 1) - np.searchsorted(end_group, end_group, side="left")
    stamp_pos = groups.nth(is_stamp, end_rank, end_group)
    rows = np.full(n_rows, -1, dtype=np.int64)
    rows[groups.order[end_pos]] = np.where(stamp_pos >= 0, groups.order[np.maximum(stamp_pos, 0)], -1)
    return rows


def _build_instances(
    frame: pd.DataFrame,
    instance_rows: np.ndarray,
    start_row_of_end: np.ndarray,
    stamps: dict[str, np.ndarray],
    has_starts: bool,
) -> pd.DataFrame:
    start_rows = start_row_of_end[instance_rows]
    matched = start_rows >= 0
    columns: dict[str, object] = {}
    for name in frame.columns:
        if name == LIFECYCLE or (name == START and has_starts):
            continue
        values = frame[name].array.take(instance_rows)
        if name not in (CASE, ACTIVITY, END, SOURCE_ROW) and matched.any():
            missing = np.asarray(pd.isna(values)) & matched
            if missing.any():
                from_start = frame[name].array.take(np.where(missing, start_rows, -1), allow_fill=True)
                values = pd.Series(values).where(~missing, pd.Series(from_start)).array
        columns[name] = values
        if name == END and has_starts:
            columns[START] = frame[END].array.take(start_rows, allow_fill=True)
    for column, rows in stamps.items():
        columns[column] = frame[END].array.take(rows[instance_rows], allow_fill=True)
    return pd.DataFrame(columns)


def _issues(
    frame: pd.DataFrame, unmatched_starts: np.ndarray, aborts: np.ndarray, untimed: np.ndarray
) -> pd.DataFrame:
    parts = []
    for rows, column, reason in (
        (np.sort(unmatched_starts), ACTIVITY, "unmatched lifecycle start"),
        (aborts, ACTIVITY, "aborted activity instance (ate_abort)"),
        (untimed, END, "no end timestamp"),
    ):
        if len(rows):
            values = frame[column].astype("string").iloc[rows].fillna("").to_numpy(dtype=object)
            parts.append(
                pd.DataFrame(
                    {
                        "source_row": frame[SOURCE_ROW].to_numpy()[rows],
                        "column": column,
                        "value": values,
                        "reason": reason,
                        "dropped": True,
                    },
                    columns=list(ISSUE_COLUMNS),
                )
            )
    return pd.concat(parts, ignore_index=True) if parts else empty_issues()


def _notes(
    *,
    other_counts: dict[str, int],
    n_instances: int,
    n_paired: int,
    n_unmatched_starts: int,
    n_aborted: int,
    stamps: dict[str, np.ndarray],
    has_starts: bool,
) -> list[str]:
    notes = []
    if has_starts:
        notes.append(
            f"paired {2 * n_paired:,} start/complete events into {_count(n_paired, 'activity instance')}"
        )
    if n_unmatched_starts:
        notes.append(f"{_count(n_unmatched_starts, 'start')} had no complete; dropped (see issues)")
    unpaired = n_instances - n_paired
    if has_starts and unpaired:
        notes.append(f"{_count(unpaired, 'complete')} had no start; kept without a start time")
    if n_aborted:
        notes.append(f"{_count(n_aborted, 'aborted activity instance')} (ate_abort) dropped (see issues)")
    for column, rows in stamps.items():
        used = int((rows >= 0).sum())
        notes.append(f"kept {_count(used, column.split('_')[0] + ' time')} as column '{column}'")
    if other_counts:
        counts = ", ".join(f"{name} ({count:,})" for name, count in other_counts.items())
        notes.append(f"dropped events with transitions that neither start nor end an activity: {counts}")
    return notes


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
