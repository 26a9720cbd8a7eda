"""Columns as text, vectorised with pyarrow, for the CSV and XES writers.

Formatting millions of timestamps one by one in Python takes minutes; here a
timestamp is split into day and second of day, each looked up in a small table of
ready-made strings, and joined in Arrow's C++ kernels. Text columns (mostly
categoricals) are escaped once per distinct value, then expanded by their codes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DAY_SECONDS = 86_400


@cache
def _clock_strings() -> pa.Array:
    seconds = np.arange(DAY_SECONDS)
    hours, rest = np.divmod(seconds, 3600)
    minutes, secs = np.divmod(rest, 60)
    two = np.char.zfill
    text = np.char.add(
        np.char.add(
            np.char.add(two(hours.astype(str), 2), ":"), np.char.add(two(minutes.astype(str), 2), ":")
        ),
        two(secs.astype(str), 2),
    )
    return pa.array(text)


def naive_datetimes(series: pd.Series) -> np.ndarray:
    """``datetime64[ns]`` wall-clock values; zone-aware values are converted to UTC first."""
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series.to_numpy(dtype="datetime64[ns]")


def iso_timestamps(values: np.ndarray, *, date_only_at_midnight: bool = False, suffix: str = "") -> pa.Array:
    """ISO 8601 text (``2024-01-05T08:15:00``, to the second) for ``datetime64`` values.

    With ``date_only_at_midnight`` a value at exactly 00:00:00 is written as the date
    alone, which is how date-only fields look in an extract. Missing values are null.
    """
    missing = np.isnat(values)
    seconds = np.where(missing, 0, values.astype("datetime64[s]").astype(np.int64))
    day, clock = np.divmod(seconds, DAY_SECONDS)
    days, day_index = np.unique(day, return_inverse=True)
    dates = pa.DictionaryArray.from_arrays(
        pa.array(day_index.astype(np.int32)), pa.array(np.datetime_as_string(days.astype("datetime64[D]")))
    ).cast(pa.string())
    times = pa.DictionaryArray.from_arrays(pa.array(clock.astype(np.int32)), _clock_strings()).cast(
        pa.string()
    )
    text = pc.binary_join_element_wise(dates, times, "T")
    if date_only_at_midnight:
        text = pc.if_else(pa.array(clock == 0), dates, text)
    if suffix:
        text = pc.binary_join_element_wise(text, suffix, "")
    return pc.if_else(pa.array(missing), pa.nulls(len(values), pa.string()), text)


TextColumn = Callable[[np.ndarray], pa.Array]
"""Text of a column at the given row positions (null where missing)."""


def text_column(
    series: pd.Series,
    escape: Callable[[pa.Array], pa.Array],
    *,
    date_only_at_midnight: bool = False,
    time_suffix: str = "",
) -> TextColumn:
    """Prepare a column for writing in blocks of rows.

    Work that does not depend on the rows is done once here: categories (case ids,
    activities, resources, attributes) are converted and escaped once, not per block.
    Numbers never need escaping.
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        times = naive_datetimes(series)
        return lambda rows: iso_timestamps(
            times[rows], date_only_at_midnight=date_only_at_midnight, suffix=time_suffix
        )
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = escape(_plain_text(pd.Series(series.cat.categories)))
        codes = series.cat.codes.to_numpy().astype(np.int32)

        def expand(rows: np.ndarray) -> pa.Array:
            picked = codes[rows]
            return pa.DictionaryArray.from_arrays(pa.array(picked, mask=picked < 0), categories).cast(
                pa.string()
            )

        return expand
    if pd.api.types.is_numeric_dtype(series.dtype):
        return lambda rows: _plain_text(series.iloc[rows])
    return lambda rows: escape(_plain_text(series.iloc[rows]))


def _plain_text(series: pd.Series) -> pa.Array:
    if not pd.api.types.is_numeric_dtype(series.dtype):
        series = series.astype(pd.StringDtype("pyarrow"))
    return pc.cast(pa.array(series, from_pandas=True), pa.string())


def csv_escape(text: pa.Array) -> pa.Array:
    """RFC 4180 quoting: only fields containing a comma, quote or line break are quoted."""
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(text, '[,"\r\n]'), quoted, text)


def xml_escape(text: pa.Array) -> pa.Array:
    """Escaped for an XML attribute value; characters XML 1.0 forbids are dropped."""
    text = pc.replace_substring_regex(text, "[\x00-\x08\x0b\x0c\x0e-\x1f]", "")
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = pc.replace_substring(text, raw, entity)
    for raw, entity in (("\t", "&#9;"), ("\n", "&#10;"), ("\r", "&#13;")):
        text = pc.replace_substring(text, raw, entity)
    return text
