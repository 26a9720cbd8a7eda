"""The canonical event table every analysis runs on.

One row per activity instance: case id, activity, end time, optional start time,
optional resource, the source row, plus case attributes (``case:``-prefixed) and
event attributes. Column names are pm4py's (see :mod:`sc_improve.columns`), strings
are ``string[pyarrow]`` (compact, and accepted by pm4py, which rejects categoricals),
timestamps are ``datetime64[ns, UTC]``.

The frame is sorted by case, then end time, then source row (a stable sort, as pm4py
does), so events with equal timestamps keep their order in the file. Hot paths do not
touch the string columns: they use :attr:`EventLog.codes`, integer codes computed
once and cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sc_improve.columns import (
    ACTIVITY,
    CASE,
    CASE_ATTRIBUTE_PREFIX,
    END,
    REQUIRED_COLUMNS,
    RESOURCE,
    SOURCE_ROW,
    START,
)
from sc_improve.errors import LogImportError
from sc_improve.log.arrowtools import as_chunked

STRING_DTYPE = pd.StringDtype("pyarrow")
TIME_DTYPE = "datetime64[ns, UTC]"

ISSUE_COLUMNS = ("source_row", "column", "value", "reason", "dropped")
"""Columns of :attr:`EventLog.issues`. Readers use these ``reason`` strings so that data
quality can count them: "no case id", "no activity", "no end timestamp",
"unparseable timestamp" (end; the row is dropped), "unparseable start timestamp" (the
row is kept without a start), "unmatched lifecycle start" and any reader-specific text."""


@dataclass(frozen=True)
class LogCodes:
    """Integer views of the key columns, aligned with the sorted frame.

    ``case`` codes are 0..n_cases-1 in frame order (so each case is one contiguous
    block starting at ``case_starts[c]``); ``activity`` codes index ``activities``.
    Times are int64 nanoseconds since the epoch (UTC); missing start times are
    ``MISSING_NS``.
    """

    case: np.ndarray
    activity: np.ndarray
    activities: np.ndarray
    case_ids: np.ndarray
    end_ns: np.ndarray
    start_ns: np.ndarray | None
    resource: np.ndarray | None
    resources: np.ndarray | None

    MISSING_NS = np.iinfo(np.int64).min

    @cached_property
    def case_starts(self) -> np.ndarray:
        """Index of each case's first row, plus a final sentinel equal to the row count."""
        boundaries = np.flatnonzero(np.diff(self.case)) + 1
        return np.concatenate(([0], boundaries, [len(self.case)])).astype(np.int64)

    @cached_property
    def same_case_as_next(self) -> np.ndarray:
        """``mask[i]`` is True when row i+1 belongs to the same case as row i (length n-1)."""
        return self.case[1:] == self.case[:-1]


@dataclass
class EventLog:
    """A canonical event log: the sorted frame plus where it came from.

    ``issues`` lists source rows that had a problem on import, with the value and the
    reason, and whether the row was dropped (no case id, no activity, unparseable or
    missing end time) or kept (e.g. an unparseable optional start time), so that data
    quality can report them and nothing is lost silently.
    """

    frame: pd.DataFrame
    source: str = ""
    raw_event_count: int = 0
    issues: pd.DataFrame = field(default_factory=lambda: empty_issues())
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, object] = field(default_factory=dict)

    @property
    def n_events(self) -> int:
        return len(self.frame)

    @property
    def n_cases(self) -> int:
        return len(self.codes.case_ids)

    @property
    def has_start(self) -> bool:
        return START in self.frame.columns and bool(self.frame[START].notna().any())

    @property
    def has_resource(self) -> bool:
        return RESOURCE in self.frame.columns and bool(self.frame[RESOURCE].notna().any())

    @property
    def case_attributes(self) -> list[str]:
        return [c for c in self.frame.columns if c.startswith(CASE_ATTRIBUTE_PREFIX) and c != CASE]

    @property
    def event_attributes(self) -> list[str]:
        core = {CASE, ACTIVITY, END, START, RESOURCE, SOURCE_ROW}
        return [c for c in self.frame.columns if c not in core and not c.startswith(CASE_ATTRIBUTE_PREFIX)]

    @cached_property
    def codes(self) -> LogCodes:
        return encode(self.frame)

    def with_frame(self, frame: pd.DataFrame, note: str | None = None) -> EventLog:
        """A new log over a subset/derivation of this frame (already canonical and sorted)."""
        notes = [*self.notes, note] if note else list(self.notes)
        return EventLog(
            frame=frame.reset_index(drop=True),
            source=self.source,
            raw_event_count=self.raw_event_count,
            issues=self.issues,
            notes=notes,
            mapping=self.mapping,
        )


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="bool" if c == "dropped" else "object") for c in ISSUE_COLUMNS})


ValueCodes = dict[str, tuple[np.ndarray, np.ndarray]]
"""Codes of text columns by column name, as :func:`sorted_codes` gives them, one per frame row."""


def encode(
    frame: pd.DataFrame, case_codes: np.ndarray | None = None, value_codes: ValueCodes | None = None
) -> LogCodes:
    """Integer codes for the key columns of a sorted canonical frame.

    ``case_codes`` are the frame's case codes when the caller already has them (0, 1, ...
    in order of first appearance, as :func:`make_event_log` verifies), which saves
    hashing millions of case ids a second time; ``value_codes`` likewise for the
    activity and resource columns.
    """
    if case_codes is None:
        case_codes, case_ids = pd.factorize(frame[CASE], sort=False)
    else:
        case_ids = frame[CASE].array.take(_block_starts(case_codes))
    known = value_codes or {}
    activity_codes, activities = known.get(ACTIVITY) or _sorted_codes(frame[ACTIVITY])
    end_ns = _as_ns(frame[END])
    start_ns = _as_ns(frame[START]) if START in frame.columns else None
    resource_codes = resources = None
    if RESOURCE in frame.columns:
        resource_codes, resources = known.get(RESOURCE) or _sorted_codes(frame[RESOURCE])
    return LogCodes(
        case=case_codes.astype(np.int32),
        activity=activity_codes,
        activities=activities,
        case_ids=np.asarray(case_ids, dtype=object),
        end_ns=end_ns,
        start_ns=start_ns,
        resource=resource_codes,
        resources=resources,
    )


def _sorted_codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(series, sort=True)`` as int32 codes and an object array of the values.

    For Arrow text the codes come from Arrow's dictionary encoding, remapped to the
    sorted values through a small rank table: the same result as pandas, without its
    int64 intermediate copies of every code (about 100 MB per column at 5 million rows).
    Missing values are filled only when there are some, since ``fill_null`` copies
    every code even when there is nothing to fill.
    """
    if series.dtype != STRING_DTYPE or series.empty:
        codes, uniques = pd.factorize(series, sort=True)
        return codes.astype(np.int32), np.asarray(uniques, dtype=object)
    return sorted_codes(as_chunked(series))


def sorted_codes(values: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of Arrow text numbering its distinct values in sorted order (-1 for missing), and those values.

    Readers call it on the raw column and hand the result to :func:`make_event_log`,
    so the activity and resource text is hashed once, on their worker threads.
    """
    if len(values) == 0:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=object)
    encoded = pc.dictionary_encode(values).combine_chunks()
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.full(max(len(order), 1), -1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    indices = encoded.indices
    codes = rank[(pc.fill_null(indices, 0) if indices.null_count else indices).to_numpy()]
    if indices.null_count:
        codes[~indices.is_valid().to_numpy(zero_copy_only=False)] = -1
    values = encoded.dictionary.take(pa.array(order)).to_numpy(zero_copy_only=False)
    return codes, values.astype(object)


def _block_starts(case_codes: np.ndarray) -> np.ndarray:
    """Index of the first row of each case in a frame whose case codes never decrease."""
    return np.concatenate(([0], np.flatnonzero(case_codes[1:] != case_codes[:-1]) + 1)).astype(np.int64)


def _as_ns(series: pd.Series) -> np.ndarray:
    """Int64 nanoseconds since the epoch (UTC), NaT as ``LogCodes.MISSING_NS``.

    A canonical UTC column is returned as a read-only view of its own values: copying
    them, as ``to_numpy`` does for time-zone-aware data, costs a fresh array per column
    (40 MB at 5 million rows), and read-only keeps callers from editing the frame through it.
    """
    if series.dtype == TIME_DTYPE:
        values = series.array.asi8.view()
        values.flags.writeable = False
        return values
    values = series.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    return values.view(np.int64)


def to_utc(series: pd.Series) -> pd.Series:
    """Timestamps as UTC: naive values are taken as already UTC, aware ones converted.

    ERP extracts usually carry local wall-clock time without an offset; we keep those
    clock readings unchanged (labelled UTC) so that hour-of-day and calendar analyses
    see the times people actually worked. See docs/ARCHITECTURE.md.
    """
    if not pd.api.types.is_datetime64_any_dtype(series):
        raise TypeError(f"column {series.name!r} is not a datetime column")
    if getattr(series.dt, "tz", None) is None:
        series = series.dt.tz_localize("UTC")
        if series.dtype == TIME_DTYPE:
            return series  # already a fresh array: a second copy would only cost time and memory
    else:
        series = series.dt.tz_convert("UTC")
    return series.astype(TIME_DTYPE)


def make_event_log(
    frame: pd.DataFrame,
    *,
    source: str = "",
    raw_event_count: int | None = None,
    issues: pd.DataFrame | None = None,
    notes: list[str] | None = None,
    mapping: dict[str, object] | None = None,
    case_codes: np.ndarray | None = None,
    value_codes: ValueCodes | None = None,
) -> EventLog:
    """Build a canonical :class:`EventLog` from a frame that already uses canonical names.

    Timestamps must already be datetimes (readers parse them). Rows without case,
    activity or end time are dropped and listed in ``issues`` (appended to the
    reader's own ``issues``). Strings become ``string[pyarrow]``,
    times UTC, and the frame is stably sorted by case, end time and source row.

    ``case_codes`` (one integer per row, equal for rows of the same case) lets a reader
    that has already put the frame in canonical order skip hashing the case ids: if
    they number the cases 0, 1, ... in order and the rows are sorted, the frame is
    kept as it is and :attr:`EventLog.codes` is computed from them; otherwise they are
    ignored and the frame is sorted as usual. ``value_codes`` (activity and resource
    codes of the same rows, from :func:`sorted_codes`) are kept together with them.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["b", "a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-02", "2024-01-01"])})
    >>> make_event_log(df).frame["concept:name"].tolist()
    ['a', 'b']
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise LogImportError(f"the event table has no {', '.join(missing)} column", path=source or None)
    frame = frame.copy(deep=False)
    if SOURCE_ROW not in frame.columns:
        frame[SOURCE_ROW] = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame[END] = to_utc(frame[END])
    if START in frame.columns:
        frame[START] = to_utc(frame[START])
    for column in (CASE, ACTIVITY, RESOURCE):
        if column in frame.columns and frame[column].dtype != STRING_DTYPE:
            frame[column] = _as_string(frame[column])

    bad = frame[CASE].isna() | frame[ACTIVITY].isna() | frame[END].isna()
    issue_parts = [] if issues is None or issues.empty else [issues]
    if bad.any():
        issue_parts.append(_dropped_rows(frame[bad]))
        frame = frame[~bad]
        kept = ~bad.to_numpy()
        case_codes = None if case_codes is None else case_codes[kept]
        value_codes = {name: _kept_codes(*found, kept) for name, found in (value_codes or {}).items()}
    issue_frame = pd.concat(issue_parts, ignore_index=True) if issue_parts else empty_issues()
    dropped = int(issue_frame["dropped"].sum()) if len(issue_frame) else 0
    presorted = case_codes is not None and _is_canonical(frame, case_codes)
    frame = _with_row_numbers(frame) if presorted else sort_canonical(frame)
    log = EventLog(
        frame=frame,
        source=source,
        raw_event_count=len(frame) + dropped if raw_event_count is None else raw_event_count,
        issues=issue_frame,
        notes=list(notes or []),
        mapping=dict(mapping or {}),
    )
    if presorted:
        log.codes = encode(frame, case_codes, value_codes)
    return log


def _kept_codes(codes: np.ndarray, values: np.ndarray, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted codes of the kept rows; values found on no kept row are left out and the codes closed up."""
    codes = codes[kept]
    used = np.bincount(codes[codes >= 0], minlength=len(values)) > 0
    if used.all():
        return codes, values
    renumbered = np.cumsum(used, dtype=np.int32) - 1
    return np.where(codes >= 0, renumbered[codes], -1).astype(np.int32), values[used]


def _as_string(series: pd.Series) -> pd.Series:
    """Text column as string[pyarrow]; empty or whitespace-only strings count as missing."""
    converted = series.astype(STRING_DTYPE)
    blank = converted.str.strip() == ""
    if blank.any():
        converted = converted.mask(blank.fillna(False))
    return converted


def _dropped_rows(bad: pd.DataFrame) -> pd.DataFrame:
    parts = []
    seen = np.zeros(len(bad), dtype=bool)
    for column, reason in ((CASE, "no case id"), (ACTIVITY, "no activity"), (END, "no end timestamp")):
        missing = bad[column].isna().to_numpy() & ~seen
        seen |= missing
        rows = bad[missing]
        if len(rows):
            parts.append(
                pd.DataFrame(
                    {
                        "source_row": rows[SOURCE_ROW].to_numpy(),
                        "column": column,
                        "value": "",
                        "reason": reason,
                        "dropped": True,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def sort_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Stable sort by case (in order of first appearance), end time, source row.

    Two stable integer argsorts instead of a multi-key string sort: cases are grouped
    by their first-appearance code, so the order is deterministic and cheap on
    millions of rows. Already-sorted input is detected and left alone.
    """
    if frame.empty:
        return frame.reset_index(drop=True)
    case_codes, _ = pd.factorize(frame[CASE], sort=False)
    end_ns = _as_ns(frame[END])
    rows = frame[SOURCE_ROW].to_numpy()
    if _is_sorted(case_codes, end_ns, rows, first_appearance=False):
        return frame.reset_index(drop=True)
    by_row = np.argsort(rows, kind="stable")
    by_time = by_row[np.argsort(end_ns[by_row], kind="stable")]
    order = by_time[np.argsort(case_codes[by_time], kind="stable")]
    return frame.iloc[order].reset_index(drop=True)


def _with_row_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame indexed 0..n-1, without ``reset_index``'s deep copy of every numeric column.

    ``frame`` is already a shallow copy made by :func:`make_event_log`, so setting its
    index leaves the caller's frame alone.
    """
    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        frame.index = pd.RangeIndex(len(frame))
    return frame


def _is_canonical(frame: pd.DataFrame, case_codes: np.ndarray) -> bool:
    """The frame is in canonical order and ``case_codes`` number its cases 0, 1, ... in that order."""
    if frame.empty or len(case_codes) != len(frame) or case_codes[0] != 0:
        return False
    return _is_sorted(case_codes, _as_ns(frame[END]), frame[SOURCE_ROW].to_numpy(), first_appearance=True)


def _is_sorted(
    case_codes: np.ndarray, end_ns: np.ndarray, rows: np.ndarray, *, first_appearance: bool
) -> bool:
    """Each row follows the previous one in (case, end time, source row) order.

    Plain element-wise comparisons of neighbours, with no boolean indexing, so a
    sorted log of millions of rows is confirmed in a few milliseconds.
    ``first_appearance`` also requires each new case to take the next code.
    """
    case, previous_case = case_codes[1:], case_codes[:-1]
    later_case = case == previous_case + 1 if first_appearance else case > previous_case
    end, previous_end = end_ns[1:], end_ns[:-1]
    in_case = (end > previous_end) | ((end == previous_end) & (rows[1:] > rows[:-1]))
    return bool(np.all(later_case | ((case == previous_case) & in_case)))
