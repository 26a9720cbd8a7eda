"""Hand Arrow tables and polars frames to pandas with the canonical dtypes, in C.

The Rust-backed readers (rustxes, polars' JSON reader) produce polars frames or
Arrow tables; the canonical event table is pandas. Going through Arrow keeps the
conversion in C: text becomes ``string[pyarrow]`` without copying it or creating
one Python object per value; integer and boolean columns with missing values become
pandas' nullable types (so a gap does not turn integers into floats) and plain numpy
ones otherwise; datetimes become ``datetime64[ns, UTC]``, naive ones taken as UTC
(the readers have already converted any offsets). Text attributes with few distinct
values become categoricals, as in every reader (see :mod:`sc_improve.log.categories`).
"""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.types as pat

from sc_improve.columns import ACTIVITY, CASE, LIFECYCLE, RESOURCE
from sc_improve.log.categories import compact_text
from sc_improve.log.event_log import STRING_DTYPE

_PANDAS_TYPE = {
    pa.large_string(): STRING_DTYPE,
    pa.string(): STRING_DTYPE,
    pa.int64(): pd.Int64Dtype(),
    pa.int32(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}
_UTC_NS = pa.timestamp("ns", tz="UTC")
_KEYS = (CASE, ACTIVITY, RESOURCE, LIFECYCLE)
"""Text columns that stay text: they get integer codes of their own and pm4py reads them."""


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Convert with canonical dtypes; ``table`` is consumed (its buffers move to pandas).

    >>> df = arrow_to_pandas(pa.table({"concept:name": ["x", "y"], "org:group": ["A", "A"],
    ...     "n": [1, None], "row": [1, 2]}))
    >>> [str(t) for t in df.dtypes]
    ['string', 'category', 'Int64', 'int64']
    """
    complete = [
        field.name
        for field in table.schema
        if (pat.is_integer(field.type) or pat.is_boolean(field.type))
        and table.column(field.name).null_count == 0
    ]
    for index, field in enumerate(table.schema):
        if pat.is_timestamp(field.type) and field.type != _UTC_NS:
            table = table.set_column(index, field.name, table.column(index).cast(_UTC_NS))
    compact = {}
    for name in table.column_names:
        categorical = None if name in _KEYS else compact_text(table.column(name))
        if categorical is not None:
            compact[name] = categorical
    order = table.column_names
    table = table.drop_columns(list(compact))
    frame = table.to_pandas(types_mapper=_PANDAS_TYPE.get, self_destruct=True, split_blocks=True)
    for name in complete:
        frame[name] = frame[name].to_numpy(dtype=frame[name].dtype.numpy_dtype)
    for name, categorical in compact.items():
        frame[name] = categorical
    return frame[order] if compact else frame


def polars_to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """A polars frame as canonical pandas (strings leave polars as Arrow large strings)."""
    return arrow_to_pandas(frame.to_arrow(compat_level=pl.CompatLevel.oldest()))
