"""Turn a raw table plus a :class:`ColumnMapping` into the canonical :class:`EventLog`.

This is where the roles are applied: several case or activity columns are joined,
timestamps (or date + time pairs) are parsed with the detected format, rows whose
end time cannot be read are dropped and listed as issues (an unreadable start time
only loses the start), text columns that hold numbers become numbers, and columns
that are constant within every case become case attributes (``case:`` prefix), as
pm4py and XES expect. Everything runs on whole Arrow/numpy columns, and the columns
that do not depend on each other are converted on a few threads at once (Arrow's and
numpy's kernels release the GIL while they work).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sc_improve.columns import (
    ACTIVITY,
    CASE,
    CASE_ATTRIBUTE_PREFIX,
    CORE_COLUMNS,
    END,
    LIFECYCLE,
    RESOURCE,
    SOURCE_ROW,
    START,
)
from sc_improve.errors import LogImportError
from sc_improve.log.arrowtools import NAT_NS, as_chunked, as_text, is_text, string_series, to_pandas
from sc_improve.log.categories import category_codes, compact_text
from sc_improve.log.event_log import (
    ISSUE_COLUMNS,
    TIME_DTYPE,
    EventLog,
    make_event_log,
    sorted_codes,
)
from sc_improve.log.mapping import ColumnMapping, check_columns
from sc_improve.log.timestamps import (
    ParsedTimes,
    TimestampFormat,
    format_from_text,
    parse_date_time,
    parse_timestamps,
)
from sc_improve.memory import trim_c_heap
from sc_improve.progress import ProgressCallback, ensure_progress

_RESERVED = {*CORE_COLUMNS, LIFECYCLE}
TYPE_PROBE_ROWS = 1000
"""Rows a number conversion is tried on before the whole column (see :func:`typed`)."""
CASE_PROBE_ROWS = 10_000
"""Rows checked for a change within a case before the whole column (see :func:`promote_case_attributes`)."""
RELEASE_BYTES = 256 << 20
"""Raw tables at least this large have the build's scratch memory handed back to the system
afterwards (see :func:`apply_mapping`)."""
WORKERS = 2
"""Threads converting independent columns at once: the machines this runs on have few
cores, and each thread in flight can hold one extra copy of a column, so more would
cost memory on large logs for little gain."""

_T = TypeVar("_T")
_R = TypeVar("_R")
AttributeValues = pa.ChunkedArray | np.ndarray | pd.Categorical
"""An attribute column between conversion and the frame: Arrow, numbers or a categorical."""


def apply_mapping(
    table: pa.Table | pd.DataFrame,
    mapping: ColumnMapping,
    *,
    source: str = "",
    first_row: int = 1,
    notes: list[str] | None = None,
    numbers_from_text: bool = False,
    decimal_comma: bool = False,
    progress: ProgressCallback | None = None,
) -> EventLog:
    """Build the canonical event log from a raw table.

    ``first_row`` is the source row number of the table's first row (1 for CSV data
    rows, the sheet row for Excel), used in issues and ``@@source_row``.
    ``numbers_from_text`` turns attribute columns that hold only numbers into numbers
    (for CSV, which has no types; Excel and Parquet keep their own), and
    ``decimal_comma`` lets "12,5" count as a number (semicolon-separated exports).

    >>> raw = pd.DataFrame({"PO": ["1", "1"], "Step": ["Create", "Approve"],
    ...     "When": ["31.01.2024 08:00", "31.01.2024 09:30"]})
    >>> log = apply_mapping(raw, ColumnMapping(case=["PO"], activity=["Step"], timestamp=["When"]))
    >>> log.frame["concept:name"].tolist()
    ['Create', 'Approve']
    """
    report = ensure_progress(progress)
    table = _as_table(table)
    check_mapping(mapping, table.column_names, source)
    rows = table.num_rows
    large = table.nbytes >= RELEASE_BYTES
    source_rows = np.arange(first_row, first_row + rows, dtype=np.int64)
    notes = list(notes or [])
    report(0.0, "combining case and activity columns")
    fmt = format_from_text(mapping.timestamp_format) if mapping.timestamp_format else None
    # Lifecycle pairing rebuilds the rows, so codes of the raw rows would be of no use there.
    case_coder = None if mapping.lifecycle else first_appearance_codes
    value_coder = None if mapping.lifecycle else sorted_codes
    with _threads() as pool:
        texts = {
            CASE: pool.submit(_keyed, table, mapping.case, mapping.separator, case_coder),
            ACTIVITY: pool.submit(_keyed, table, mapping.activity, mapping.separator, value_coder),
        }
        for role, name in ((RESOURCE, mapping.resource), (LIFECYCLE, mapping.lifecycle)):
            if name:
                texts[role] = pool.submit(
                    _keyed, table, [name], "", value_coder if role == RESOURCE else None
                )
        end_job = pool.submit(_parse, table, mapping.timestamp, fmt, mapping.dayfirst)
        start_job = (
            pool.submit(_parse, table, mapping.start, fmt, mapping.dayfirst) if mapping.start else None
        )
        typed_jobs = _submit_typed(pool, _attribute_sources(table, mapping), numbers_from_text, decimal_comma)
        keyed = _results(texts)
        columns = {role: text for role, (text, _) in keyed.items()}
        codes = {role: found for role, (_, found) in keyed.items() if found is not None}
        del keyed
        report(0.2, "parsing timestamps")
        end = end_job.result()
        notes += end.notes
        issues = [_issues(table, mapping.timestamp, end.failed, source_rows, "unparseable timestamp", True)]
        start = None
        if start_job is not None:
            start = start_job.result()
            notes += start.notes
            kept_start_failure = start.failed & ~end.failed
            issues.append(
                _issues(
                    table,
                    mapping.start,
                    kept_start_failure,
                    source_rows,
                    "unparseable start timestamp",
                    False,
                )
            )
        report(0.5, "typing attribute columns")
        keep = ~end.failed
        del table
        attributes = _results(typed_jobs)
    if mapping.lifecycle:
        order, case_codes = (None if keep.all() else np.flatnonzero(keep)), None
    else:
        case_codes = codes.pop(CASE)[0]
        order, case_codes = _canonical_rows(case_codes, codes[ACTIVITY][0], end.ns, keep)
        codes = {role: (_rows(found, order), values) for role, (found, values) in codes.items()}
    frame = _frame(columns, end, start, attributes, source_rows, order)
    report(0.7, "building the event log")
    issue_frame = pd.concat([i for i in issues if len(i)] or [issues[0]], ignore_index=True)
    if mapping.lifecycle:
        from sc_improve.log.lifecycle import pair_lifecycle

        frame, lifecycle_issues, lifecycle_notes = pair_lifecycle(frame)
        if len(lifecycle_issues):
            issue_frame = pd.concat([issue_frame, lifecycle_issues], ignore_index=True)
        notes += lifecycle_notes
    log = make_event_log(
        frame,
        source=source,
        raw_event_count=rows,
        issues=issue_frame,
        notes=notes,
        mapping=mapping.to_dict(),
        case_codes=case_codes,
        value_codes=codes or None,
    )
    report(0.9, "finding case attributes")
    promote_case_attributes(log)
    if large:
        _release_scratch()
    report(1.0, "")
    return log


def _release_scratch() -> None:
    """Hand the memory of the build's freed temporaries back to the system.

    Arrow's default allocator keeps freed memory for reuse, and so does glibc in the
    per-thread heaps of the reader's worker threads, but the analyses that follow a
    large import run in the main thread, mostly in numpy, and would not reuse either:
    at 5 million rows that is over 100 MB and about 60 MB that would otherwise add to
    their peak. Takes milliseconds.
    """
    pa.default_memory_pool().release_unused()
    trim_c_heap()


def promote_case_attributes(log: EventLog) -> list[str]:
    """Prefix ``case:`` to attribute columns that are constant within every case; return their new names.

    Compares each row with the next one of the same case (the frame is sorted by
    case), a single vectorised pass per column, after a pass over the first rows
    that rules out most event attributes at once. Nothing is promoted when every
    case has one event, since then every column would trivially qualify; empty
    columns stay event attributes. Columns are checked on ``WORKERS`` threads.
    """
    frame = log.frame
    if log.n_events == log.n_cases or log.n_events == 0:
        return []
    same_case = log.codes.same_case_as_next
    candidates = [
        name
        for name in log.event_attributes
        if name != LIFECYCLE and f"{CASE_ATTRIBUTE_PREFIX}{name}" not in frame.columns
    ]

    def case_level(name: str) -> bool:
        series = frame[name]
        return not _all_missing(series) and _constant_within_cases(series, same_case)

    flags = _each(case_level, candidates)
    renamed = {
        name: f"{CASE_ATTRIBUTE_PREFIX}{name}" for name, flag in zip(candidates, flags, strict=True) if flag
    }
    if renamed:
        frame.columns = [renamed.get(c, c) for c in frame.columns]
    return list(renamed.values())


def _all_missing(series: pd.Series) -> bool:
    codes = category_codes(series)
    if codes is not None:
        return bool(np.all(codes < 0))
    if isinstance(series.dtype, pd.StringDtype | pd.ArrowDtype):
        return as_chunked(series).null_count == len(series)
    return bool(series.isna().all())


def _constant_within_cases(series: pd.Series, same_case: np.ndarray) -> bool:
    """No row differs from the next row of its case; the first rows are checked alone first."""
    probe = min(CASE_PROBE_ROWS, len(series))
    head = _equal_to_next(series.iloc[:probe])
    if not np.all(head | ~same_case[: probe - 1]):
        return False
    return bool(np.all(_equal_to_next(series) | ~same_case))


def _equal_to_next(series: pd.Series) -> np.ndarray:
    """``equal[i]``: row i has the same value as row i+1 (two missing values count as equal)."""
    codes = category_codes(series)
    if codes is not None:
        return codes[1:] == codes[:-1]
    if isinstance(series.dtype, pd.StringDtype | pd.ArrowDtype):
        values = as_chunked(series)
        head, tail = values.slice(0, len(values) - 1), values.slice(1)
        same = pc.equal(head, tail)
        if values.null_count:
            same = pc.or_(pc.fill_null(same, False), pc.and_(pc.is_null(head), pc.is_null(tail)))
        return same.to_numpy(zero_copy_only=False).astype(bool)
    values = series.to_numpy()
    missing = pd.isna(values)
    return (values[1:] == values[:-1]) | (missing[1:] & missing[:-1])


def _as_table(table: pa.Table | pd.DataFrame) -> pa.Table:
    if isinstance(table, pa.Table):
        return table
    return pa.table({str(name): as_chunked(table[name]) for name in table.columns})


def check_mapping(mapping: ColumnMapping, available: list[str], source: str = "") -> None:
    """Raise a clear error for a mapping that cannot be applied to a table with the ``available`` columns."""
    where = source or None
    shown = ", ".join(repr(c) for c in available[:30])
    for role, chosen in (
        ("case id", mapping.case),
        ("activity", mapping.activity),
        ("timestamp", mapping.timestamp),
    ):
        if not chosen:
            hint = (
                f"; the table has only {len(available)} column(s): for a text file, the delimiter may be "
                "something other than , ; tab or |"
                if len(available) < 3
                else ""
            )
            raise LogImportError(
                f"no column is chosen as the {role}; available columns: {shown}{hint}", path=where
            )
    for role, chosen in (("timestamp", mapping.timestamp), ("start", mapping.start)):
        if len(chosen) > 2:
            raise LogImportError(
                f"the {role} is one column or a date and a time column, not {len(chosen)} columns", path=where
            )
    if mapping.lifecycle and mapping.start:
        raise LogImportError(
            "choose either a start time column or a lifecycle column (start/complete events), not both",
            path=where,
        )
    check_columns(mapping.columns(), available, source=where)


def _keyed(
    table: pa.Table,
    names: list[str],
    separator: str,
    coder: Callable[[pa.ChunkedArray], tuple[np.ndarray, np.ndarray | None]] | None,
) -> tuple[pa.ChunkedArray, tuple[np.ndarray, np.ndarray | None] | None]:
    """A key column's text and, given a ``coder``, its integer codes.

    Hashing the case, activity and resource text here, on the worker threads and
    while the other columns convert, keeps it off the single-threaded stretch that
    sorts the rows and builds the log, which reuses these codes instead of hashing again.
    """
    text = _joined(table, names, separator)
    return text, (None if coder is None else coder(text))


def first_appearance_codes(values: pa.ChunkedArray) -> tuple[np.ndarray, None]:
    """Case codes in order of first appearance (see :func:`_first_appearance_codes`); no value list."""
    return _first_appearance_codes(values), None


def _joined(table: pa.Table, names: list[str], separator: str) -> pa.ChunkedArray:
    """One text column from several, joined with ``separator`` (missing parts are left out)."""
    parts = [as_text(table.column(name)) for name in names]
    if len(parts) == 1:
        return parts[0]
    joined = pc.binary_join_element_wise(
        *parts, pa.scalar(separator, pa.large_string()), null_handling="skip"
    )
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, joined.type), joined)


def _parse(
    table: pa.Table, names: list[str], fmt: TimestampFormat | None, dayfirst: bool | None
) -> ParsedTimes:
    label = "+".join(names)
    if len(names) == 2:
        return parse_date_time(
            table.column(names[0]), table.column(names[1]), column=label, fmt=fmt, dayfirst=dayfirst
        )
    return parse_timestamps(table.column(names[0]), column=label, fmt=fmt, dayfirst=dayfirst)


def _issues(
    table: pa.Table, names: list[str], failed: np.ndarray, source_rows: np.ndarray, reason: str, dropped: bool
) -> pd.DataFrame:
    """Issue rows (see ISSUE_COLUMNS) for the rows whose timestamp could not be read."""
    positions = np.flatnonzero(failed)
    issue = {
        "source_row": source_rows[positions],
        "column": "+".join(names),
        "value": _failed_values(table, names, failed) if len(positions) else [],
        "reason": reason,
        "dropped": dropped,
    }
    return pd.DataFrame(issue, columns=list(ISSUE_COLUMNS)).astype({"dropped": bool})


def _failed_values(table: pa.Table, names: list[str], failed: np.ndarray) -> list[str | None]:
    """The raw text of the failed rows, a date and a time joined by a space."""
    picks = pa.array(failed)
    raw = [as_text(table.column(name).filter(picks)) for name in names]
    space = pa.scalar(" ", pa.large_string())
    value = raw[0] if len(raw) == 1 else pc.binary_join_element_wise(*raw, space, null_handling="skip")
    return value.to_pylist()


def _attribute_sources(table: pa.Table, mapping: ColumnMapping) -> list[tuple[str, pa.ChunkedArray]]:
    """Further columns to keep, with their names in the log (clashes with canonical names get a suffix)."""
    used = set(mapping.role_columns())
    names = mapping.attributes if mapping.attributes is not None else table.column_names
    return [
        (f"{name} (source)" if name in _RESERVED else name, table.column(name))
        for name in names
        if name not in used
    ]


def _submit_typed(
    pool: ThreadPoolExecutor, sources: list[tuple[str, pa.ChunkedArray]], numbers: bool, decimal_comma: bool
) -> dict[str, Future[AttributeValues]]:
    """The attribute columns converted by :func:`_converted`, as jobs in column order.

    ``sources`` is emptied into the pool, which drops each job's text once its
    numbers exist, so (with the caller's table released) a column is held twice only
    while a thread works on it.
    """
    jobs = {}
    sources.reverse()
    while sources:
        target, column = sources.pop()
        jobs[target] = pool.submit(_converted, column, numbers, decimal_comma)
    return jobs


def _converted(column: pa.ChunkedArray, numbers: bool, decimal_comma: bool) -> AttributeValues:
    """Numbers if the text is all numbers (when asked), a categorical if it has few distinct values
    (see :mod:`sc_improve.log.categories`), else the column as it is."""
    values = typed(column, decimal_comma) if numbers else column
    if isinstance(values, np.ndarray):
        return values
    compact = compact_text(values)
    return values if compact is None else compact


@contextmanager
def _threads() -> Iterator[ThreadPoolExecutor]:
    """``WORKERS`` threads; after an error, jobs not yet started are dropped instead of run."""
    pool = ThreadPoolExecutor(max_workers=WORKERS)
    try:
        yield pool
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    pool.shutdown()


def _results(jobs: dict[str, Future[_T]]) -> dict[str, _T]:
    """The jobs' results under the same keys and in the same order.

    The jobs are removed as they are read, so the caller's dict of futures does not
    keep columns alive that :func:`_frame` releases one by one.
    """
    results = {}
    for key in list(jobs):
        results[key] = jobs.pop(key).result()
    return results


def _each(func: Callable[[_T], _R], items: Iterable[_T]) -> list[_R]:
    """``[func(item) for item in items]``, spread over ``WORKERS`` threads; results in item order."""
    with _threads() as pool:
        return list(pool.map(func, items))


def typed(array: pa.ChunkedArray, decimal_comma: bool = False) -> pa.ChunkedArray | np.ndarray:
    """Text that is entirely numbers becomes an int64 or float64 numpy array; other columns stay as they are.

    Ids with leading zeros stay text. Each conversion is first tried on the column's
    first rows, so text columns (names, codes) are rejected without scanning millions
    of values. The numbers are what pandas would make of Arrow's (integers with
    missing values become float64 with NaN), cast block by block straight into one
    writable array: no column-sized Arrow copy is made only to be copied again and
    freed, which at millions of rows would leave its memory with the allocator.

    >>> typed(pa.chunked_array([["1", "2"]])).dtype
    dtype('int64')
    >>> typed(pa.chunked_array([["0010", "2"]])).to_pylist()
    ['0010', '2']
    """
    if not is_text(array) or array.null_count == len(array):
        return array
    head = array.slice(0, TYPE_PROBE_ROWS)
    for kind, comma in ((pa.int64(), False), (pa.float64(), False), (pa.float64(), True)):
        if comma and not decimal_comma:
            continue
        try:
            pc.cast(_decimal_point(head) if comma else head, kind)
            numbers = _cast_to_numpy(array, kind, comma)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return array if kind == pa.int64() and _leading_zero(array) else numbers
    return array


def _cast_to_numpy(text: pa.ChunkedArray, kind: pa.DataType, comma: bool) -> np.ndarray:
    """``text`` cast to ``kind`` chunk by chunk into one numpy array (float64 with NaN for missing values)."""
    exact = kind == pa.int64() and not text.null_count
    numbers = np.empty(len(text), dtype=np.int64 if exact else np.float64)
    position = 0
    for chunk in text.chunks:
        part = pc.cast(_decimal_point(chunk) if comma else chunk, kind)
        numbers[position : position + len(part)] = part.to_numpy(zero_copy_only=False)
        position += len(part)
    return numbers


def _decimal_point(text: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.replace_substring(text, ",", ".")


def _leading_zero(text: pa.ChunkedArray) -> bool:
    """Any value such as "00010": an id whose zeros must survive, not a number.

    Only called on text that converted to whole numbers, so every value is ASCII
    and its byte length (a free look at the offsets) is its length in characters.
    """
    zero = pc.starts_with(text, "0")
    if not pc.any(zero).as_py():
        return False
    return bool(pc.any(pc.and_(zero, pc.greater(pc.binary_length(text), 1))).as_py())


def _frame(
    columns: dict[str, pa.ChunkedArray],
    end: ParsedTimes,
    start: ParsedTimes | None,
    attributes: dict[str, AttributeValues],
    source_rows: np.ndarray,
    rows: np.ndarray | None,
) -> pd.DataFrame:
    """The canonical frame of the given rows, in that order (all rows as they are for ``None``).

    Each unsorted column is released as soon as its reordered copy exists, so the
    peak holds one extra column rather than a second copy of the whole table. The
    time and row-number arrays are wrapped without copying (pandas 3 copies numpy
    input by default): they are fresh arrays nothing else writes to, and the times
    are labelled UTC in place, which :func:`make_event_log` then leaves as they are.
    """
    picks = None if rows is None else pa.array(rows)
    data: dict[str, pd.Series] = {}
    for name in list(columns):
        values = columns.pop(name)
        data[name] = string_series(values if picks is None else values.take(picks))
    data[END] = _utc_series(_rows(end.ns, rows))
    if start is not None:
        data[START] = _utc_series(_rows(start.ns, rows))
    data[SOURCE_ROW] = pd.Series(_rows(source_rows, rows), copy=False)
    for name in list(attributes):
        data[name] = _attribute(attributes.pop(name), name, rows)
    return pd.DataFrame(data, copy=False)


def _attribute(values: AttributeValues, name: str, rows: np.ndarray | None) -> pd.Series:
    """An attribute column of the frame, in the order of ``rows``, that can be edited in place.

    Numbers arrive as, or become, one fresh writable numpy array, which a reorder
    copies once more; categoricals reorder their codes; text is taken by Arrow. Other
    types go through pandas' conversion, copied if Arrow handed them out read-only.
    """
    if isinstance(values, pd.Categorical):
        return pd.Series(values if rows is None else values.take(rows), name=name, copy=False)
    numbers = values if isinstance(values, np.ndarray) else _numbers(values)
    if numbers is not None:
        return pd.Series(numbers if rows is None else numbers[rows], name=name, copy=False)
    series = to_pandas(values, name)
    if rows is None:
        return _writable(series)
    return pd.Series(series.array.take(rows), name=name, copy=False)


def _numbers(values: pa.ChunkedArray) -> np.ndarray | None:
    """An int64 or float64 column as numpy, as ``to_pandas`` gives it (missing integers make it
    float64 with NaN), but in one writable array; None for other types.

    pyarrow's own conversion of a column read in many blocks joins them into an array it
    marks read-only, which would cost a second copy to make editable. Joining the chunks'
    zero-copy views with numpy is the one copy.
    """
    if values.type not in (pa.int64(), pa.float64()):
        return None
    if values.null_count and values.type == pa.int64():
        values = pc.cast(values, pa.float64())
    parts = [chunk.to_numpy(zero_copy_only=False) for chunk in values.chunks if len(chunk)]
    if not parts:
        return np.empty(0, dtype=values.type.to_pandas_dtype())
    return np.concatenate(parts)


def _writable(series: pd.Series) -> pd.Series:
    """A numpy-backed column that can be edited in place.

    Arrow hands out a single-chunk number column without copying, as a read-only
    array; users (and pandas' ``.loc`` assignment) expect to be able to change values.
    """
    if isinstance(series.dtype, np.dtype) and not series.to_numpy().flags.writeable:
        return series.copy()
    return series


def _utc_series(ns: np.ndarray) -> pd.Series:
    """Nanoseconds as a ``datetime64[ns, UTC]`` column over the same memory (see :func:`_frame`)."""
    return pd.Series(ns, copy=False).astype(TIME_DTYPE)


def _rows(values: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    return values if rows is None else values[rows]


def _canonical_rows(
    case_codes: np.ndarray, activity_codes: np.ndarray, end_ns: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray]:
    """Kept rows in the order :func:`make_event_log` sorts into, and their case codes.

    Sorting here, column by column, is far lighter on memory than letting the
    finished frame be sorted as a whole; the log builder then finds the frame
    already sorted. The order is the same: cases by first appearance, then end
    time, then source row (stable sorts on rows that are in source order). Rows it
    will drop go last, with case code -1 (rows without a case or an activity have code
    -1 in ``case_codes`` or ``activity_codes``). The codes number the cases 0, 1, ... in
    the new order, so the log builder need not hash the case ids again. The rows
    are ``None`` when the table is already in that order and every row is kept (as
    in extracts sorted by case and time), so no column needs reordering.
    """
    valid = keep & (end_ns != NAT_NS) & (case_codes >= 0) & (activity_codes >= 0)
    if valid.all() and _in_case_time_order(case_codes, end_ns):
        return None, case_codes
    valid_rows = np.flatnonzero(valid)
    first_seen = case_codes[valid_rows] if valid.all() else pd.factorize(case_codes[valid_rows])[0]
    by_case = _case_time_order(first_seen.astype(np.int64), end_ns[valid_rows])
    dropped = np.flatnonzero(keep & ~valid)
    codes = np.concatenate([first_seen[by_case], np.full(len(dropped), -1, dtype=first_seen.dtype)])
    return np.concatenate([valid_rows[by_case], dropped]), codes


def _first_appearance_codes(values: pa.ChunkedArray) -> np.ndarray:
    """``pd.factorize(values, sort=False)[0]`` as read-only int32 codes, -1 for missing values.

    Taken straight from Arrow's dictionary encoding, which numbers values in order of
    first appearance as pandas does (pandas calls it too), without pandas' int64 copy.
    Missing values are filled only when there are some: ``fill_null`` copies every code
    even when there is nothing to fill.
    """
    indices = pc.dictionary_encode(values).combine_chunks().indices
    if indices.null_count:
        indices = pc.fill_null(indices, -1)
    return indices.to_numpy(zero_copy_only=False)


def _in_case_time_order(case: np.ndarray, end_ns: np.ndarray) -> bool:
    """Case codes never decrease and times never decrease within a case (neighbour comparisons only)."""
    later_case = case[1:] > case[:-1]
    return bool(np.all(later_case | ((case[1:] == case[:-1]) & (end_ns[1:] >= end_ns[:-1]))))


def _case_time_order(case: np.ndarray, end_ns: np.ndarray) -> np.ndarray:
    """Positions sorted by case, then time, then position; free when already in that order.

    One stable sort by time gives every row a unique time rank; ``case * n + rank``
    is then a unique int64 key, so the second sort needs no stability (quicker than
    ``np.lexsort`` on millions of rows).
    """
    count = len(case)
    if _in_case_time_order(case, end_ns):
        return np.arange(count)
    by_time = np.argsort(end_ns, kind="stable")
    time_rank = np.empty(count, dtype=np.int64)
    time_rank[by_time] = np.arange(count)
    return np.argsort(case * count + time_rank)
