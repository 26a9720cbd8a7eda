"""OCEL 2.0 and OCEL 1.0 JSON (also gzipped) into :class:`OcelTables`.

OCEL 2.0 JSON is parsed by polars' Rust JSON reader straight into nested columns,
which are then exploded; no Python object is created per event. OCEL 1.0 JSON keys
its events and objects by id (``{"e1": {...}, "e2": {...}}``), which has no columnar
form, so it goes through Python's json module; it is a legacy format whose published
logs are small. OCEL 1.0 files from ocpa (``"ocel:version": ["1.0"]`` as a list, which
pm4py rejects) are read too, since we ignore the version field.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import NoReturn

import polars as pl

from sc_improve.errors import LogImportError
from sc_improve.log.readers.ocel_tables import (
    ACTIVITY,
    EID,
    EVENT_NUMBER,
    NAME,
    OBJECT_TYPE,
    OID,
    QUALIFIER,
    TIME,
    TIMESTAMP,
    VALUE,
    OcelTables,
    as_text,
    declared_type,
    empty_object_attributes,
    struct_rows,
    wide_attributes,
)

_OCEL1_KEYS = re.compile(rb'"ocel:(events|objects|global-log|global-event|global-object)"')


def is_ocel1_json(head: bytes) -> bool:
    """OCEL 1.0 JSON uses ``ocel:``-prefixed top-level keys; OCEL 2.0 uses ``events``/``objects``."""
    return _OCEL1_KEYS.search(head) is not None


def read_ocel2_json(data: bytes, path: Path) -> OcelTables:
    """Parse OCEL 2.0 JSON bytes (see the module docstring)."""
    try:
        document = pl.read_json(io.BytesIO(data), infer_schema_length=None)
    except Exception as exc:  # polars reports malformed JSON with a generic ComputeError
        _raise_json_error(data, path, exc)
    if "events" not in document.columns:
        raise LogImportError("this JSON file is not an OCEL log (it has no 'events' list)", path=str(path))

    events = struct_rows(document, "events", ["id", "type", "time"]).with_row_index(EVENT_NUMBER, offset=1)
    attributes = struct_rows(events, "attributes", [NAME, VALUE], keep=("id",))
    relations = struct_rows(events, "relationships", ["objectId", "qualifier"], keep=("id",))
    objects = struct_rows(document, "objects", ["id", "type"])
    object_attributes = struct_rows(objects, "attributes", [NAME, VALUE, TIME], keep=("id",))

    event_table = events.select(
        pl.col("id").alias(EID),
        pl.col("type").alias(ACTIVITY),
        pl.col("time").alias(TIMESTAMP),
        pl.col(EVENT_NUMBER).cast(pl.Int64),
    ).join(wide_attributes(attributes.rename({"id": EID}), EID), on=EID, how="left", maintain_order="left")
    return OcelTables(
        format="OCEL 2.0 JSON",
        events=event_table,
        relations=relations.select(
            pl.col("id").alias(EID), pl.col("objectId").alias(OID), pl.col("qualifier").alias(QUALIFIER)
        ),
        objects=objects.select(pl.col("id").alias(OID), pl.col("type").alias(OBJECT_TYPE)),
        object_attributes=object_attributes.select(pl.col("id").alias(OID), NAME, VALUE, TIME),
        event_attribute_types=_declared_types(document, "eventTypes"),
        object_attribute_types=_declared_types(document, "objectTypes"),
    )


def _declared_types(document: pl.DataFrame, column: str) -> dict[str, str]:
    types = struct_rows(document, column, ["name"])
    declared = struct_rows(types, "attributes", ["name", "type"])
    return dict(zip(declared["name"].to_list(), declared["type"].to_list(), strict=True))


def read_ocel1_json(data: bytes, path: Path) -> OcelTables:
    """Parse OCEL 1.0 JSON bytes: events and objects are maps keyed by id.

    OCEL 1.0 declares no attribute types; the JSON value types stand in for them, so a
    quoted "007" stays text while 12.5 is a number.
    """
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        _raise_json_error(data, path, exc)
    if not isinstance(document, dict) or not isinstance(document.get("ocel:events"), dict):
        raise LogImportError("this JSON file is not an OCEL 1.0 log (no 'ocel:events' map)", path=str(path))
    events = _keyed_records(document["ocel:events"], EID)
    events = as_text(events, [ACTIVITY, TIMESTAMP]).with_row_index(EVENT_NUMBER, offset=1)
    relations = (
        events.select(EID, pl.col("ocel:omap").alias(OID))
        .explode(OID)
        .drop_nulls(OID)
        .with_columns(pl.col(OID).cast(pl.String), pl.lit(None, dtype=pl.String).alias(QUALIFIER))
        if "ocel:omap" in events.columns
        else pl.DataFrame(schema={EID: pl.String, OID: pl.String, QUALIFIER: pl.String})
    )
    event_table = events.select(EID, ACTIVITY, TIMESTAMP, pl.col(EVENT_NUMBER).cast(pl.Int64))
    vmap = _scalar_fields(events, "ocel:vmap", keep=EID)
    event_types = {name: declared_type(dtype) for name, dtype in vmap.schema.items() if name != EID}
    if vmap.width > 1:
        event_table = event_table.join(vmap, on=EID, how="left", maintain_order="left")

    objects = _keyed_records(document.get("ocel:objects") or {}, OID)
    objects = as_text(objects, [OBJECT_TYPE])
    ovmap = _scalar_fields(objects, "ocel:ovmap", keep=OID)
    object_types = {name: declared_type(dtype) for name, dtype in ovmap.schema.items() if name != OID}
    object_attributes = (
        ovmap.with_columns(pl.exclude(OID).cast(pl.String))
        .unpivot(index=OID, variable_name=NAME, value_name=VALUE)
        .drop_nulls(VALUE)
        .with_columns(pl.lit(None, dtype=pl.String).alias(TIME))
        if ovmap.width > 1
        else empty_object_attributes()
    )
    return OcelTables(
        format="OCEL 1.0 JSON",
        events=event_table,
        relations=relations.select(EID, OID, QUALIFIER),
        objects=objects.select(OID, OBJECT_TYPE),
        object_attributes=object_attributes,
        event_attribute_types=event_types,
        object_attribute_types=object_types,
    )


def _keyed_records(records: dict[str, dict], key: str) -> pl.DataFrame:
    """``{"id": {...}}`` to a frame with the id as column ``key``."""
    if not records:
        return pl.DataFrame(schema={key: pl.String})
    frame = pl.from_dicts(list(records.values()), infer_schema_length=None)
    return frame.with_columns(pl.Series(key, list(records.keys()), dtype=pl.String))


def _scalar_fields(frame: pl.DataFrame, column: str, keep: str) -> pl.DataFrame:
    """The scalar members of a struct column (OCEL 1.0 vmap/ovmap) as columns next to ``keep``."""
    dtype = frame.schema.get(column)
    if not isinstance(dtype, pl.Struct):
        return frame.select(keep)
    members = frame.select(keep, pl.col(column)).unnest(column)
    return members.select(keep, *[n for n, t in members.schema.items() if n != keep and not t.is_nested()])


def _raise_json_error(data: bytes, path: Path, exc: Exception) -> NoReturn:
    """Point at the line of a JSON syntax error (json's message has it; polars' has not)."""
    try:
        json.loads(data)
    except json.JSONDecodeError as error:
        raise LogImportError(
            f"the JSON is broken here (column {error.colno}): {error.msg}",
            path=str(path),
            row=error.lineno,
        ) from exc
    except UnicodeDecodeError as error:
        raise LogImportError(f"the file is not UTF-8 text ({error.reason})", path=str(path)) from exc
    raise LogImportError(f"the JSON could not be read as an OCEL log ({exc})", path=str(path)) from exc
