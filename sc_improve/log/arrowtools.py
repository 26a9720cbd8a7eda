"""Small conversions between pandas, pyarrow and numpy used by the table readers.

The readers keep columns as Arrow arrays for as long as possible (compact strings,
C-speed compute kernels) and only build pandas objects for the final canonical frame.
These helpers are the few places that cross between the libraries, so every reader
handles nulls, chunking and odd dtypes the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NAT_NS = np.iinfo(np.int64).min
"""int64 value of NaT: missing instants in the nanosecond arrays."""

ArrowLike = pa.Array | pa.ChunkedArray | pd.Series | Sequence[object]


def as_chunked(values: ArrowLike) -> pa.ChunkedArray:
    """Any column-like input as a ChunkedArray, without copying Arrow-backed data.

    Object columns that Arrow cannot type (mixed numbers and text, as users build
    them by hand) are turned into text, because text is what the parsers accept.

    >>> as_chunked(pd.Series(["a", None])).to_pylist()
    ['a', None]
    """
    if isinstance(values, pa.ChunkedArray):
        return values
    if isinstance(values, pa.Array):
        return pa.chunked_array([values])
    if isinstance(values, pd.Series):
        to_arrow = getattr(values.array, "__arrow_array__", None)
        if to_arrow is not None:
            result = to_arrow()
            return result if isinstance(result, pa.ChunkedArray) else pa.chunked_array([result])
        try:
            return pa.chunked_array([pa.array(values, from_pandas=True)])
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.chunked_array([pa.array(values.astype("string"), from_pandas=True)])
    try:
        return pa.chunked_array([pa.array(list(values), from_pandas=True)])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.chunked_array([pa.array(pd.Series(list(values), dtype="object").astype("string"))])


def is_text(array: pa.ChunkedArray) -> bool:
    kind = array.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


BLANKS = (" ", "\t", "\u00a0")
"""Characters that pad exported fields: space, tab, and the no-break space of Excel exports."""


def plain_text(array: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text values trimmed of surrounding blanks; blank strings become null.

    ERP exports pad fields ("PO1   ") and write "" for "no value"; both must not
    create distinct case ids or activities. Clean columns (the usual case) are
    returned as they are: a few cheap prefix/suffix tests avoid copying millions
    of strings.
    """
    if pa.types.is_dictionary(array.type):
        array = pc.cast(array, pa.large_string())
    edges = [_edges(chunk) for chunk in array.chunks]
    padded = any(padded for padded, _ in edges)
    if padded:
        array = pc.utf8_trim_whitespace(array)
    elif not any(empty for _, empty in edges):
        return array
    empty = pc.equal(array, "")
    if not pc.any(empty).as_py():
        return array
    return pc.if_else(empty, pa.scalar(None, array.type), array)


_SPACE, _TAB, _NBSP_LEAD, _NBSP_TAIL = 0x20, 0x09, 0xC2, 0xA0
"""The bytes of ``BLANKS`` in UTF-8: the no-break space is the two bytes C2 A0."""


def _edges(chunk: pa.Array) -> tuple[bool, bool]:
    """(some value starts or ends with one of ``BLANKS``, some value is empty) for one text chunk.

    Read straight from the offsets and data buffers with numpy: one gather of the
    first and last byte of every value instead of six string scans.
    """
    if len(chunk) == 0:
        return False, False
    _, offsets_buffer, data_buffer = chunk.buffers()
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
    starts, ends = offsets[:-1], offsets[1:]
    present = chunk.is_valid().to_numpy(zero_copy_only=False) if chunk.null_count else True
    lengths = ends - starts
    filled = (lengths > 0) & present
    empty = bool(np.any((lengths == 0) & present))
    if data_buffer is None or not filled.any():
        return False, empty
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    wide = lengths[filled] > 1
    first, last = starts[filled], ends[filled] - 1
    head, tail = data[first], data[last]
    padded = bool(
        np.any((head == _SPACE) | (head == _TAB) | (tail == _SPACE) | (tail == _TAB))
        or np.any(data[first[(head == _NBSP_LEAD) & wide] + 1] == _NBSP_TAIL)
        or np.any(data[last[(tail == _NBSP_TAIL) & wide] - 1] == _NBSP_LEAD)
    )
    return padded, empty


def as_text(array: pa.ChunkedArray) -> pa.ChunkedArray:
    """Any column as trimmed text; whole-number floats lose their ".0".

    Excel and Parquet often store ids as floating point (4500001234.0); the case id
    must read "4500001234", as in the ERP.
    """
    kind = array.type
    if is_text(array):
        return plain_text(pc.cast(array, pa.large_string()))
    if pa.types.is_null(kind):
        return pa.chunked_array([pa.nulls(len(array), pa.large_string())])
    if pa.types.is_floating(kind):
        values = array.to_numpy()
        finite = values[np.isfinite(values)]
        if finite.size and np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53):
            array = pc.cast(array, pa.int64(), safe=False)
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        array = pc.strftime(array, format="%Y-%m-%d %H:%M:%S" if pa.types.is_timestamp(kind) else "%Y-%m-%d")
    try:
        text = pc.cast(array, pa.large_string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        text = pa.chunked_array([pa.array(array.to_pandas().astype("string"), type=pa.large_string())])
    return plain_text(text)


def ns_values(timestamps: pa.ChunkedArray) -> np.ndarray:
    """Arrow timestamps (any unit, any zone) as int64 ns since the epoch, NaT = ``NAT_NS``.

    Values outside the range pandas can hold (years before 1677 or after 2262, such
    as SAP's 9999-12-31 "valid forever") become NaT instead of overflowing.
    """
    unit = timestamps.type.unit
    scale = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[unit]
    raw = filled_int64(pc.cast(as_chunked(timestamps), pa.int64()), NAT_NS)
    if scale == 1:
        return raw
    limit = np.iinfo(np.int64).max // scale
    result = np.full(raw.shape, NAT_NS, dtype=np.int64)
    ok = (raw != NAT_NS) & (np.abs(raw) < limit)
    result[ok] = raw[ok] * scale
    return result


def filled_int64(values: pa.ChunkedArray, missing: int) -> np.ndarray:
    """An int64 column as one fresh, writable numpy array with ``missing`` for nulls.

    Only chunks that have nulls are filled (``fill_null`` copies even when there is
    nothing to fill), and numpy joins the chunks' zero-copy views: one copy in all.
    """
    parts = [
        (pc.fill_null(chunk, missing) if chunk.null_count else chunk).to_numpy()
        for chunk in values.chunks
        if len(chunk)
    ]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def string_series(array: pa.ChunkedArray, name: str | None = None) -> pd.Series:
    """An Arrow text column as a ``string[pyarrow]`` Series without copying the text."""
    return pd.Series(pd.arrays.ArrowStringArray(pc.cast(array, pa.large_string())), name=name)


def to_pandas(array: pa.ChunkedArray, name: str) -> pd.Series:
    """An attribute column for the canonical frame: text stays Arrow-backed, numbers numpy."""
    if is_text(array):
        return string_series(pc.cast(array, pa.large_string()), name)
    if pa.types.is_null(array.type):
        return string_series(pa.chunked_array([pa.nulls(len(array), pa.large_string())]), name)
    try:
        series = array.to_pandas()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return string_series(as_text(array), name)
    series.name = name
    return series
