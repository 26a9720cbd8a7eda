"""OCEL 2.0 SQLite into :class:`OcelTables`.

The OCEL 2.0 relational layout: ``event`` (id, type) and ``object`` (id, type), one
``event_<Type>`` table per event type (id, time, attributes) and one ``object_<Type>``
table per object type (id, time, changed field, attributes), with ``event_map_type`` /
``object_map_type`` naming those tables, and ``event_object`` linking events to
objects. In an ``object_<Type>`` table, a row with no ``ocel_changed_field`` gives the
initial values; later rows each change the one named field.

The database is opened read-only through Python's sqlite3 module; table names come
from the file and are always quoted. SQL does the joins; no Python loop over rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
    empty_object_attributes,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
_REQUIRED = ("event", "object", "event_object", "event_map_type", "object_map_type")
_OBJECT_META = {"ocel_id", "ocel_time", "ocel_changed_field"}
_EVENT_TYPE_COPIES = ["ocel_type", ACTIVITY]
"""pm4py's exporter repeats the event type in each ``event_<Type>`` table; it is no attribute."""


def read_ocel2_sqlite(path: Path) -> OcelTables:
    """Read an OCEL 2.0 SQLite database (see the module docstring)."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise LogImportError(f"the SQLite database cannot be opened ({exc})", path=str(path)) from exc
    try:
        return _read(connection, path)
    except sqlite3.DatabaseError as exc:
        raise LogImportError(f"the SQLite database cannot be read ({exc})", path=str(path)) from exc
    finally:
        connection.close()


def _read(connection: sqlite3.Connection, path: Path) -> OcelTables:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [name for name in _REQUIRED if name not in tables]
    if missing:
        raise LogImportError(
            f"this SQLite file is not an OCEL 2.0 log (no table {', '.join(repr(m) for m in missing)})",
            path=str(path),
        )
    event_tables = _typed_tables(connection, "event", tables)
    events = _query(
        connection,
        f'SELECT ocel_id AS "{EID}", ocel_type AS "{ACTIVITY}", rowid AS "{EVENT_NUMBER}" FROM "event"',
    )
    per_type = [
        _query(connection, f"SELECT * FROM {_quoted(table)}")
        .drop(_EVENT_TYPE_COPIES, strict=False)
        .rename({"ocel_id": EID, "ocel_time": TIMESTAMP})
        for table in event_tables
    ]
    if per_type:
        details = pl.concat([_as_text(frame) for frame in per_type], how="diagonal_relaxed")
        events = events.join(details.unique(EID, keep="first"), on=EID, how="left", maintain_order="left")
    else:
        events = events.with_columns(pl.lit(None, dtype=pl.String).alias(TIMESTAMP))
    events = events.sort(EVENT_NUMBER).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(EVENT_NUMBER)
    )

    relations = _query(
        connection,
        f'SELECT ocel_event_id AS "{EID}", ocel_object_id AS "{OID}", ocel_qualifier AS "{QUALIFIER}" '
        'FROM "event_object"',
    )
    objects = _query(connection, f'SELECT ocel_id AS "{OID}", ocel_type AS "{OBJECT_TYPE}" FROM "object"')
    object_tables = _typed_tables(connection, "object", tables)
    object_attributes = [
        _object_changes(_query(connection, f"SELECT * FROM {_quoted(table)}")) for table in object_tables
    ]
    return OcelTables(
        format="OCEL 2.0 SQLite",
        events=_as_text(events, keep=(EVENT_NUMBER,)),
        relations=_as_text(relations),
        objects=_as_text(objects),
        object_attributes=pl.concat(object_attributes) if object_attributes else empty_object_attributes(),
        event_attribute_types=_column_types(connection, event_tables),
        object_attribute_types=_column_types(connection, object_tables),
    )


def _column_types(connection: sqlite3.Connection, tables: list[str]) -> dict[str, str]:
    """Attribute types from the columns' declared SQLite types (TEXT, REAL, INTEGER, ...).

    Values are read as text and typed from these, so a TEXT column of digits stays
    text, as it would in the JSON and XML serialisations of the same log.
    """
    types: dict[str, str] = {}
    for table in tables:
        for _, name, declared, *_ in connection.execute(f"PRAGMA table_info({_quoted(table)})"):
            kind = _affinity(declared or "")
            if kind and name not in _OBJECT_META:
                types.setdefault(name, kind)
    return types


def _affinity(declared: str) -> str | None:
    """SQLite's type-affinity rules, mapped to OCEL attribute types."""
    upper = declared.upper()
    if "INT" in upper:
        return "integer"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "string"
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return "float"
    if "BOOL" in upper:
        return "boolean"
    if "TIME" in upper or "DATE" in upper:
        return "time"
    return None


def _typed_tables(connection: sqlite3.Connection, kind: str, tables: set[str]) -> list[str]:
    """The per-type tables (``event_<map>`` / ``object_<map>``) that exist in the file."""
    rows = connection.execute(f'SELECT ocel_type_map FROM "{kind}_map_type"').fetchall()
    return [f"{kind}_{row[0]}" for row in rows if f"{kind}_{row[0]}" in tables]


def _object_changes(table: pl.DataFrame) -> pl.DataFrame:
    """One ``object_<Type>`` table as (oid, name, value, time) rows.

    Initial rows (no changed field) contribute every attribute they fill; change rows
    contribute only the field they name.
    """
    attributes = [name for name in table.columns if name not in _OBJECT_META]
    if not attributes:
        return empty_object_attributes()
    if "ocel_time" not in table.columns:  # pm4py writes no time column when nothing ever changes
        table = table.with_columns(pl.lit(None, dtype=pl.String).alias("ocel_time"))
    index = [name for name in ("ocel_id", "ocel_time", "ocel_changed_field") if name in table.columns]
    long = _as_text(table).unpivot(index=index, on=attributes).drop_nulls("value")
    if "ocel_changed_field" in table.columns:
        changed = pl.col("ocel_changed_field")
        long = long.filter(changed.is_null() | (changed == pl.col("variable")))
    return long.select(
        pl.col("ocel_id").alias(OID),
        pl.col("variable").alias(NAME),
        pl.col("value").alias(VALUE),
        pl.col("ocel_time").alias(TIME),
    )


def _query(connection: sqlite3.Connection, sql: str) -> pl.DataFrame:
    return pl.read_database(sql, connection, infer_schema_length=None)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _as_text(frame: pl.DataFrame, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """SQLite columns are loosely typed; everything becomes text and is typed later, uniformly."""
    return frame.with_columns(pl.exclude(keep).cast(pl.String))
