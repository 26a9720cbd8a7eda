"""A streaming XES (IEEE 1849) writer for event tables with start and end times.

An activity instance with a real duration becomes a lifecycle ``start`` and
``complete`` event pair; an instantaneous one (start equal to end, or no start) a
single ``complete`` event. Events are ordered by time within each trace. The XML is
built column-wise with pyarrow for a block of whole traces at a time and written
straight to the (optionally gzip-compressed) file, so memory stays bounded and a
million events take seconds.

Columns whose value never changes within a case are written as trace attributes,
all others as event attributes, each typed by its dtype (date, int, float, boolean,
string). Timestamps are written as given with a ``+00:00`` offset: naive wall-clock
times are labelled UTC, the project's convention (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sc_improve.generate.text import TextColumn, iso_timestamps, naive_datetimes, text_column, xml_escape

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<string key="lifecycle:transition" value="complete"/>
\t</global>
\t<classifier name="Activity" keys="concept:name"/>
\t<classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>
"""
FOOTER = "</log>\n"
EVENTS_PER_BLOCK = 100_000


def write_xes(
    frame: pd.DataFrame,
    out: BinaryIO,
    *,
    case: str = "case_id",
    activity: str = "activity",
    start: str = "start_time",
    end: str = "end_time",
    resource: str = "resource",
) -> None:
    """Write ``frame`` as XES to the binary stream ``out``."""
    n = len(frame)
    case_code, _ = pd.factorize(frame[case], sort=False)
    end_ns = naive_datetimes(frame[end]).astype(np.int64)
    if start in frame.columns:
        start_values = naive_datetimes(frame[start])
        has_start = ~np.isnat(start_values) & (start_values.astype(np.int64) < end_ns)
    else:
        start_values, has_start = None, np.zeros(n, dtype=bool)

    # One row per lifecycle event, ordered by case (first appearance), time, row.
    paired = np.flatnonzero(has_start)
    row = np.concatenate([np.arange(n), paired])
    is_start = np.concatenate([np.zeros(n, dtype=bool), np.ones(len(paired), dtype=bool)])
    time = (
        np.concatenate([end_ns, start_values[paired].astype(np.int64)])
        if start_values is not None
        else end_ns
    )
    order = np.lexsort((row, time, case_code[row]))
    row, is_start, time = row[order], is_start[order], time[order]
    trace_of = case_code[row]

    core = {case, activity, start, end, resource}
    others = [c for c in frame.columns if c not in core]
    constant = _constant_within_case(frame, case_code, others)
    trace_parts = [_attribute(frame[case], "concept:name")] + [
        _attribute(frame[c], c) for c in others if constant[c]
    ]
    event_parts = [_attribute(frame[activity], "concept:name")]
    if resource in frame.columns:
        event_parts.append(_attribute(frame[resource], "org:resource"))
    event_parts += [_attribute(frame[c], c) for c in others if not constant[c]]

    out.write(HEADER.encode())
    case_first_row = np.unique(case_code, return_index=True)[1]
    boundaries = np.flatnonzero(np.r_[True, trace_of[1:] != trace_of[:-1]])[: len(row)]
    block_starts = boundaries[np.unique(boundaries // EVENTS_PER_BLOCK, return_index=True)[1]]
    for a, b in zip(block_starts, np.r_[block_starts[1:], len(row)], strict=True):
        trace = trace_of[a:b]
        opens = np.r_[True, trace[1:] != trace[:-1]]
        closes = np.r_[trace[1:] != trace[:-1], True]
        head_rows = case_first_row[trace[opens]]
        head = pc.binary_join_element_wise("\t<trace>", *(part(head_rows) for part in trace_parts), "\n", "")
        heads = pa.DictionaryArray.from_arrays(pa.array(np.cumsum(opens) - 1, mask=~opens), head)
        lifecycle = pa.DictionaryArray.from_arrays(pa.array(is_start[a:b].astype(np.int8)), _TRANSITIONS)
        body = pc.binary_join_element_wise(
            "\t\t<event>",
            *(part(row[a:b]) for part in event_parts),
            lifecycle.cast(pa.string()),
            _date(time[a:b], "time:timestamp"),
            "</event>\n",
            "",
        )
        tail = pc.if_else(pa.array(closes), "\t</trace>\n", "")
        lines = pc.binary_join_element_wise(pc.fill_null(heads.cast(pa.string()), ""), body, tail, "")
        out.write("".join(lines.to_pylist()).encode())
    out.write(FOOTER.encode())


_TRANSITIONS = pa.array(
    [
        '<string key="lifecycle:transition" value="complete"/>',
        '<string key="lifecycle:transition" value="start"/>',
    ]
)


def _attribute(series: pd.Series, key: str) -> TextColumn:
    """``<type key=".." value=".."/>`` per row, empty where the value is missing."""
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        tag = "date"
    elif pd.api.types.is_bool_dtype(dtype):
        tag = "boolean"
    elif pd.api.types.is_integer_dtype(dtype):
        tag = "int"
    elif pd.api.types.is_float_dtype(dtype):
        tag = "float"
    else:
        tag = "string"
    text = text_column(series, xml_escape, time_suffix="+00:00")
    prefix = f'<{tag} key="{_key(key)}" value="'
    return lambda rows: pc.fill_null(pc.binary_join_element_wise(prefix, text(rows), '"/>', ""), "")


def _date(ns: np.ndarray, key: str) -> pa.Array:
    text = iso_timestamps(ns.view("datetime64[ns]"), suffix="+00:00")
    return pc.fill_null(pc.binary_join_element_wise(f'<date key="{_key(key)}" value="', text, '"/>', ""), "")


def _key(name: str) -> str:
    return str(xml_escape(pa.array([str(name)]))[0])


def _constant_within_case(frame: pd.DataFrame, case_code: np.ndarray, columns: list[str]) -> dict[str, bool]:
    """Whether each column has one value (missing counts as a value) in every case."""
    order = np.argsort(case_code, kind="stable")
    same_case = case_code[order][1:] == case_code[order][:-1]
    result = {}
    for column in columns:
        codes, _ = pd.factorize(frame[column].iloc[order], use_na_sentinel=True)
        result[column] = bool(np.all(codes[1:][same_case] == codes[:-1][same_case]))
    return result
