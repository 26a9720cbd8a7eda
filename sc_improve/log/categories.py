"""Text attributes with few distinct values are kept as pandas categoricals.

ERP attribute columns (vendor, plant, company code, currency, payment terms, document
type, ...) repeat a handful of values over millions of rows. As Arrow text each row
costs its bytes plus an 8-byte offset (10-25 bytes per row in the generated P2P
log); as a categorical it costs a 1- or 2-byte code. At 5 million events that is
several hundred megabytes, most of what the canonical table weighs besides its keys.
Equality, ``isin``, grouping and ``.str`` work on categoricals as on text, and the
categories are sorted, so sorting a column orders it alphabetically as before.

Case id, activity, resource and lifecycle keep their Arrow text: they have integer
codes of their own (:class:`~sc_improve.log.event_log.LogCodes`) and pm4py reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sc_improve.log.arrowtools import is_text
from sc_improve.log.event_log import sorted_codes

if TYPE_CHECKING:
    from sc_improve.log.mapping import ColumnMapping

MAX_DISTINCT_SHARE = 0.5
"""A text column becomes categorical when its distinct values are at most this share of
its present values: below that the codes and the categories together are smaller than
the text, and near-unique columns (document numbers, free text) gain nothing."""


def compact_text(values: pa.ChunkedArray) -> pd.Categorical | None:
    """``values`` as a categorical with sorted categories, or None when it is not text with few values.

    >>> compact_text(pa.chunked_array([["DE01", None, "DE01", "US02", "DE01"]])).categories.tolist()
    ['DE01', 'US02']
    >>> compact_text(pa.chunked_array([["4500000001", "4500000002"]])) is None
    True
    """
    present = len(values) - values.null_count
    if not is_text(values) or present == 0:
        return None
    codes, categories = sorted_codes(values)
    if len(categories) > MAX_DISTINCT_SHARE * present:
        return None
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype="str"))


def category_codes(series: pd.Series) -> np.ndarray | None:
    """The integer codes of a categorical column (-1 where missing), None for other columns."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy()
    return None


def repetitive_text_columns(sample: pa.Table, mapping: ColumnMapping) -> list[str]:
    """Attribute columns whose sample is text with few distinct values, for a reader to dictionary-encode.

    These are the columns that will become categoricals; reading them encoded spares
    building millions of strings only to hash them afterwards. A column that turns out
    to have many values further down still works: :func:`compact_text` then declines
    it and it is decoded to text. Columns whose sample is all numbers are left to the
    number typing.
    """
    roles = set(mapping.role_columns())
    wanted = mapping.attributes if mapping.attributes is not None else sample.column_names
    chosen = []
    for name in wanted:
        column = sample.column(name)
        present = len(column) - column.null_count
        if name in roles or present == 0 or not is_text(column) or _all_numbers(column):
            continue
        if pc.count_distinct(column).as_py() <= MAX_DISTINCT_SHARE * present:
            chosen.append(name)
    return chosen


def _all_numbers(column: pa.ChunkedArray) -> bool:
    try:
        pc.cast(column, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True
