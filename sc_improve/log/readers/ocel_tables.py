"""The format-neutral form every OCEL reader produces, and the helpers they share.

OCEL 2.0 comes as JSON, XML and SQLite, OCEL 1.0 as JSON and XML; each reader turns
its format into the same five polars tables (:class:`OcelTables`), so flattening on
an object type (:mod:`sc_improve.log.readers.ocel`) is written once.

Attribute values travel as text and are typed at the end: by the type the log
declares (OCEL 2.0 ``objectTypes``/``eventTypes``, OCEL 1.0 XML element names), else
by what every value parses as (integer, then decimal), else they stay text. A declared
type that some value does not fit also leaves the column as text, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import polars as pl

EID = "ocel:eid"
OID = "ocel:oid"
ACTIVITY = "ocel:activity"
TIMESTAMP = "ocel:timestamp"
OBJECT_TYPE = "ocel:type"
QUALIFIER = "ocel:qualifier"
NAME = "name"
VALUE = "value"
TIME = "time"
EVENT_NUMBER = "event_number"

_BOOLEAN_TEXT = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


@dataclass
class OcelTables:
    """An object-centric log as plain tables (all ids and raw times as text).

    * ``events``: ocel:eid, ocel:activity, ocel:timestamp (raw text, or UTC datetimes
      from a Rust reader), event_number
      (1-based position in the file), plus one column per event attribute;
    * ``relations``: ocel:eid, ocel:oid, ocel:qualifier (event-to-object links);
    * ``objects``: ocel:oid, ocel:type;
    * ``object_attributes``: ocel:oid, name, value (text), time (like ocel:timestamp, or null;
      OCEL 2.0 attributes are time-stamped, OCEL 1.0 ones are not);
    * the attribute types the log declares, by attribute name.
    """

    format: str
    events: pl.DataFrame
    relations: pl.DataFrame
    objects: pl.DataFrame
    object_attributes: pl.DataFrame
    event_attribute_types: dict[str, str] = field(default_factory=dict)
    object_attribute_types: dict[str, str] = field(default_factory=dict)


def empty_object_attributes() -> pl.DataFrame:
    return pl.DataFrame(schema={OID: pl.String, NAME: pl.String, VALUE: pl.String, TIME: pl.String})


def as_text(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Make sure ``columns`` exist and are text; absent or list-valued ones become all-null."""
    return frame.with_columns(
        [
            pl.col(name).cast(pl.String)
            if name in frame.columns and not frame.schema[name].is_nested()
            else pl.lit(None, dtype=pl.String).alias(name)
            for name in columns
        ]
    )


def struct_rows(
    frame: pl.DataFrame, column: str, fields: list[str], keep: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Explode a list-of-struct column into one row per struct, with ``fields`` as text.

    ``keep`` columns are repeated on every row (e.g. the event id next to each of its
    attributes). JSON readers get e.g. ``events`` as one list; an empty or absent list
    gives an empty table with the expected columns rather than an error. Struct
    members not in ``fields`` (nested lists such as ``relationships``) stay as they are.
    """
    dtype = frame.schema.get(column)
    if not (isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)):
        return pl.DataFrame(schema=dict.fromkeys([*keep, *fields], pl.String))
    rows = frame.select(*keep, column).explode(column).drop_nulls(column).unnest(column)
    return as_text(rows, fields)


def wide_attributes(long: pl.DataFrame, key: str) -> pl.DataFrame:
    """(key, name, value) rows to one row per key and one text column per name (first value wins)."""
    if long.is_empty():
        return pl.DataFrame(schema={key: pl.String})
    return long.select(key, NAME, VALUE).pivot(on=NAME, index=key, values=VALUE, aggregate_function="first")


def typed(frame: pl.DataFrame, columns: list[str], declared: dict[str, str]) -> pl.DataFrame:
    """Give text attribute columns their declared or evident type (see module docstring)."""
    return frame.with_columns([_typed_column(frame[name], declared.get(name)) for name in columns])


def _typed_column(values: pl.Series, declared: str | None) -> pl.Series:
    if values.dtype != pl.String:
        return values
    present = values.drop_nulls()
    if present.is_empty():
        return values
    kind = (declared or "").lower()
    candidates: list[pl.DataType]
    if kind in ("int", "integer"):
        candidates = [pl.Int64()]
    elif kind in ("float", "double"):
        candidates = [pl.Float64()]
    elif kind in ("boolean", "bool"):
        lowered = values.str.strip_chars().str.to_lowercase()
        if lowered.drop_nulls().is_in(list(_BOOLEAN_TEXT)).all():
            return lowered.replace_strict(_BOOLEAN_TEXT, return_dtype=pl.Boolean)
        return values
    elif kind in ("time", "date"):
        parsed = parse_times(values)
        return parsed if parsed.null_count() == values.null_count() else values
    elif kind:
        return values
    else:
        candidates = [pl.Int64(), pl.Float64()]
    stripped = values.str.strip_chars()
    for dtype in candidates:
        converted = stripped.cast(dtype, strict=False)
        if converted.null_count() == values.null_count():
            return converted
    return values


def utc_times(values: pl.Series) -> pl.Series:
    """Times as UTC datetimes, from text (see :func:`parse_times`) or from a Rust reader's datetimes.

    rustxes returns naive datetimes already converted to UTC; they are labelled so.
    """
    if isinstance(values.dtype, pl.Datetime):
        zone = values.dtype.time_zone
        labelled = values.dt.replace_time_zone("UTC") if zone is None else values.dt.convert_time_zone("UTC")
        return labelled.dt.cast_time_unit("ns")
    return parse_times(values)


_WITH_OFFSET = r"[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"


def declared_type(dtype: pl.DataType) -> str:
    """The OCEL type name for a column type a format already carries (JSON values, SQLite columns)."""
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "float"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_temporal():
        return "time"
    return "string"


def parse_times(values: pl.Series) -> pl.Series:
    """ISO 8601 text (any mix of offsets, 'Z', no offset, space or 'T') to UTC datetimes.

    Values with an offset are converted to UTC; values without one are taken as UTC,
    the same policy as everywhere in sc-improve. Unparseable values become null.
    The two kinds are parsed separately because pandas 2.3, given a mix, applies the
    previous value's offset to a value without one.

    >>> parse_times(pl.Series(["2024-03-01T06:00:00-05:30", "2024-03-01 12:00"])).to_list()
    [datetime.datetime(2024, 3, 1, 11, 30, tzinfo=zoneinfo.ZoneInfo(key='UTC')), \
datetime.datetime(2024, 3, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo(key='UTC'))]
    """
    text = values.cast(pl.String).str.strip_chars()
    aware = text.str.contains(_WITH_OFFSET).fill_null(False)
    parsed = pl.Series(values.name, [None] * len(text), dtype=pl.Datetime("ns", "UTC"))
    for mask in (aware, ~aware):
        if mask.any():
            part = text.filter(mask).to_pandas(use_pyarrow_extension_array=True)
            times = pd.to_datetime(part, format="ISO8601", utc=True, errors="coerce").astype(
                "datetime64[ns, UTC]"
            )
            parsed = parsed.scatter(mask.arg_true(), pl.from_pandas(times))
    return parsed
