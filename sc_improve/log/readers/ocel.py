"""Read object-centric event logs (OCEL 2.0 and 1.0) as a case-centric view on one object type.

An OCEL event can concern many objects (an order, its items, the employee). Process
maps and performance analyses need cases, so we "flatten": pick one object type, and
every event related to an object of that type becomes one row whose case is that
object. An event related to two orders appears in both cases; events related to no
object of the type are not in the view. The rules are in docs/IMPORT_XES_OCEL.md:

* default object type: the one related to the most events (a note says which was
  chosen and lists the others); an unknown type is an error listing the known ones;
* case attributes: the object's own attributes as ``case:<name>``. OCEL 2.0 attributes
  carry a time and may change; the case gets the latest value (the state at the end
  of the log), and a note says how many values changed over time;
* resource: if an object type named like employee/user/resource/worker is related to
  events, its object id becomes ``org:resource`` (automatically when exactly one such
  type exists, or when named with ``resource_object_type``; ``False`` turns it off);
* event attributes are kept as columns, with ``ocel:eid`` (the event id) and
  ``ocel:qualifier`` (the relation's qualifier, when the log has them).

The format is recognised from the content, not the file name: SQLite databases,
JSON (OCEL 2.0 or 1.0, also gzipped) and XML (OCEL 2.0 or 1.0, also gzipped, after
the DTD check).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import polars as pl

from sc_improve.columns import ACTIVITY, CASE, CASE_ATTRIBUTE_PREFIX, END, RESOURCE, SOURCE_ROW, START
from sc_improve.errors import LogImportError
from sc_improve.log.event_log import ISSUE_COLUMNS, EventLog, empty_issues, make_event_log
from sc_improve.log.readers import ocel_tables as t
from sc_improve.log.readers.frame_bridge import polars_to_pandas
from sc_improve.log.readers.ocel_json import is_ocel1_json, read_ocel1_json, read_ocel2_json
from sc_improve.log.readers.ocel_sqlite import SQLITE_MAGIC, read_ocel2_sqlite
from sc_improve.log.readers.ocel_tables import OcelTables, typed, utc_times, wide_attributes
from sc_improve.log.readers.ocel_xml import is_ocel1_xml, read_ocel1_xml, read_ocel2_xml
from sc_improve.log.xml_safety import check_xml_prolog, is_gzip, open_log_bytes, read_head
from sc_improve.progress import ProgressCallback, ensure_progress

RESOURCE_TYPE_NAME = re.compile(
    r"employee|user|resource|worker|staff|person|operator|clerk|agent", re.IGNORECASE
)
"""Object types whose objects are people or machines doing the work."""

_SNIFF_BYTES = 64 << 10
_RESERVED = {CASE, ACTIVITY, END, START, RESOURCE, SOURCE_ROW}


@dataclass(frozen=True)
class ObjectTypeInfo:
    """An object type of an OCEL log: how many objects it has and how many events concern them."""

    name: str
    objects: int
    events: int


def read_ocel(
    path: str | os.PathLike[str],
    object_type: str | None = None,
    progress: ProgressCallback | None = None,
    *,
    resource_object_type: str | Literal[False] | None = None,
) -> EventLog:
    """Read an OCEL file flattened on ``object_type`` (default: the type with the most events).

    ``resource_object_type``: the object type whose related object becomes
    ``org:resource``; None picks it automatically (see the module docstring), False
    means no resource column.

    >>> log = read_ocel("tests/data/xes_ocel/ocel20_example.jsonocel", "Purchase Order")  # doctest: +SKIP
    >>> log.n_cases, log.n_events  # doctest: +SKIP
    (2, 5)
    """
    report = ensure_progress(progress)
    path = Path(path)
    report(0.0, "reading OCEL")
    tables = load_ocel(path)
    report(0.6, "flattening on one object type")
    frame, issues, notes, mapping = _flatten(tables, path, object_type, resource_object_type)
    report(0.8, "building the event table")
    log = make_event_log(frame, source=str(path), issues=issues, notes=notes, mapping=mapping)
    report(1.0, f"read {log.n_events:,} events on {log.n_cases:,} {mapping['object_type']} objects")
    return log


def list_object_types(path: str | os.PathLike[str]) -> list[ObjectTypeInfo]:
    """The object types of an OCEL file, the type with the most related events first.

    >>> [i.name for i in list_object_types("tests/data/xes_ocel/ocel20_example.sqlite")]  # doctest: +SKIP
    ['Invoice', 'Purchase Order', 'Payment', 'Purchase Requisition']
    """
    return _type_infos(load_ocel(Path(path)))


def load_ocel(path: Path) -> OcelTables:
    """Recognise the format from the content and read it into :class:`OcelTables`."""
    if not path.is_file():
        raise LogImportError("file not found", path=str(path))
    head = read_head(path, _SNIFF_BYTES)
    if head.startswith(SQLITE_MAGIC):
        if is_gzip(path):
            raise LogImportError("a gzipped SQLite database cannot be read; unzip it first", path=str(path))
        return read_ocel2_sqlite(path)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"{":
        with open_log_bytes(path) as data:
            content = data.read()
        return read_ocel1_json(content, path) if is_ocel1_json(head) else read_ocel2_json(content, path)
    if start == b"<":
        check_xml_prolog(path)
        return read_ocel1_xml(path) if is_ocel1_xml(head) else read_ocel2_xml(path)
    raise LogImportError("this is not an OCEL file (expected OCEL JSON, XML or SQLite)", path=str(path))


def _type_infos(tables: OcelTables) -> list[ObjectTypeInfo]:
    links = tables.relations.join(tables.objects, on=t.OID, how="inner")
    objects = tables.objects.group_by(t.OBJECT_TYPE).agg(pl.len().alias("objects"))
    events = links.group_by(t.OBJECT_TYPE).agg(pl.col(t.EID).n_unique().alias("events"))
    counts = objects.join(events, on=t.OBJECT_TYPE, how="full", coalesce=True).fill_null(0)
    counts = counts.drop_nulls(t.OBJECT_TYPE).sort(["events", t.OBJECT_TYPE], descending=[True, False])
    return [
        ObjectTypeInfo(name, int(n_objects), int(n_events))
        for name, n_objects, n_events in counts.iter_rows()
    ]


def _describe(info: ObjectTypeInfo) -> str:
    return f"{info.name} ({_count(info.objects, 'object')}, {_count(info.events, 'event')})"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _choose(infos: list[ObjectTypeInfo], wanted: str | None, path: Path) -> ObjectTypeInfo:
    if not infos:
        raise LogImportError("the OCEL log has no objects, so it cannot be flattened", path=str(path))
    if wanted is None:
        return infos[0]
    for info in infos:
        if info.name == wanted:
            return info
    known = ", ".join(_describe(info) for info in infos)
    raise LogImportError(f"there is no object type '{wanted}'; the log has: {known}", path=str(path))


def _flatten(
    tables: OcelTables,
    path: Path,
    object_type: str | None,
    resource_object_type: str | Literal[False] | None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict[str, object]]:
    infos = _type_infos(tables)
    chosen = _choose(infos, object_type, path)
    if chosen.events == 0:
        raise LogImportError(
            f"no event concerns a {chosen.name} object, so there are no cases", path=str(path)
        )
    others = [info for info in infos if info.name != chosen.name]
    why = "" if object_type else "; chosen because it has the most events"
    notes = [f"{tables.format}: flattened on object type {_describe(chosen)}{why}"]
    if others:
        notes.append("other object types: " + ", ".join(_describe(info) for info in others))

    links = tables.relations.join(tables.objects, on=t.OID, how="inner")
    dangling = tables.relations.height - links.height
    if dangling:
        links_name = "link names an object" if dangling == 1 else "links name objects"
        notes.append(f"{dangling:,} event-object {links_name} missing from the object list; ignored")
    rows = (
        links.filter(pl.col(t.OBJECT_TYPE) == chosen.name)
        .unique([t.EID, t.OID], keep="first", maintain_order=True)
        .select(t.EID, pl.col(t.OID).alias(CASE), t.QUALIFIER)
    )
    events, issues = _timed_events(tables, rows)
    attribute_columns = [
        c for c in events.columns if c not in (t.EID, t.ACTIVITY, t.TIMESTAMP, t.EVENT_NUMBER)
    ]
    events = typed(events, attribute_columns, tables.event_attribute_types)
    events = events.rename({c: f"event:{c}" for c in attribute_columns if c in _RESERVED and c != RESOURCE})
    n_events = tables.events.height
    if chosen.events < n_events:
        notes.append(f"{n_events - chosen.events:,} of {n_events:,} events concern no {chosen.name} object")

    flat = rows.join(events, on=t.EID, how="inner").rename(
        {t.ACTIVITY: ACTIVITY, t.TIMESTAMP: END, t.EVENT_NUMBER: SOURCE_ROW}
    )
    if flat.get_column(t.QUALIFIER).null_count() == flat.height:
        flat = flat.drop(t.QUALIFIER)
    resource_type = _resource_type(infos, chosen, resource_object_type, RESOURCE in flat.columns, path)
    if resource_type is not None:
        flat, note = _with_resource(flat, links, resource_type)
        notes.append(note)
    case_attributes, note = _case_attributes(tables, chosen.name)
    if note:
        notes.append(note)
    if case_attributes.width > 1:
        flat = flat.join(case_attributes, on=CASE, how="left", maintain_order="left")

    empty = [name for name, nulls in flat.null_count().row(0, named=True).items() if nulls == flat.height]
    flat = flat.drop([name for name in empty if name not in (CASE, ACTIVITY, END, SOURCE_ROW)])
    first = [c for c in (CASE, ACTIVITY, END, RESOURCE) if c in flat.columns]
    cases = sorted(c for c in flat.columns if c.startswith(CASE_ATTRIBUTE_PREFIX) and c != CASE)
    rest = [c for c in flat.columns if c not in first and c not in cases and c != SOURCE_ROW]
    flat = flat.select([*first, *cases, *rest, SOURCE_ROW])
    mapping: dict[str, object] = {
        "format": tables.format,
        "object_type": chosen.name,
        "resource_object_type": resource_type,
    }
    return polars_to_pandas(flat), issues, notes, mapping


def _timed_events(tables: OcelTables, rows: pl.DataFrame) -> tuple[pl.DataFrame, pd.DataFrame]:
    """Events with parsed times; events in the view without a usable time become issues."""
    events = tables.events.with_columns(utc_times(tables.events[t.TIMESTAMP]).alias("parsed"))
    in_view = pl.col(t.EID).is_in(rows[t.EID].unique().implode())
    bad = events.filter(pl.col("parsed").is_null() & in_view)
    issues = empty_issues()
    if bad.height:
        raw = bad[t.TIMESTAMP].cast(pl.String)
        issues = pd.DataFrame(
            {
                "source_row": bad[t.EVENT_NUMBER].to_numpy(),
                "column": t.TIMESTAMP,
                "value": raw.fill_null("").to_numpy(),
                "reason": np.where(raw.is_null().to_numpy(), "no end timestamp", "unparseable timestamp"),
                "dropped": True,
            },
            columns=list(ISSUE_COLUMNS),
        )
    good = events.filter(pl.col("parsed").is_not_null())
    return good.drop(t.TIMESTAMP).rename({"parsed": t.TIMESTAMP}), issues


def _resource_type(
    infos: list[ObjectTypeInfo],
    chosen: ObjectTypeInfo,
    wanted: str | Literal[False] | None,
    has_resource_attribute: bool,
    path: Path,
) -> str | None:
    """Which object type provides ``org:resource`` (see the module docstring)."""
    if wanted is False:
        return None
    if wanted is not None:
        return _choose(infos, wanted, path).name
    if has_resource_attribute:
        return None
    candidates = [
        i.name for i in infos if i.events and i.name != chosen.name and RESOURCE_TYPE_NAME.search(i.name)
    ]
    return candidates[0] if len(candidates) == 1 else None


def _with_resource(flat: pl.DataFrame, links: pl.DataFrame, resource_type: str) -> tuple[pl.DataFrame, str]:
    """``org:resource`` = the (first) object of ``resource_type`` related to each event."""
    per_event = (
        links.filter(pl.col(t.OBJECT_TYPE) == resource_type)
        .group_by(t.EID, maintain_order=True)
        .agg(pl.col(t.OID).first().alias(RESOURCE), pl.len().alias("n"))
    )
    several = int((per_event["n"] > 1).sum())
    flat = flat.drop(RESOURCE, strict=False).join(
        per_event.drop("n"), on=t.EID, how="left", maintain_order="left"
    )
    note = f"org:resource is the related {resource_type} object"
    if several:
        note += f" ({several:,} events have several; the first listed is used)"
    return flat, note


def _case_attributes(tables: OcelTables, object_type: str) -> tuple[pl.DataFrame, str | None]:
    """One row per object of the type with its latest attribute values as ``case:`` columns."""
    ids = tables.objects.filter(pl.col(t.OBJECT_TYPE) == object_type).select(t.OID)
    values = tables.object_attributes.join(ids, on=t.OID, how="semi")
    if values.is_empty():
        return pl.DataFrame(schema={CASE: pl.String}), None
    ordered = (
        values.with_row_index("order")
        .with_columns(utc_times(values[t.TIME]).alias("at"))
        .sort([t.OID, t.NAME, "at", "order"], nulls_last=False)
    )
    latest = ordered.group_by([t.OID, t.NAME], maintain_order=True).agg(
        pl.col(t.VALUE).last(), pl.col(t.VALUE).n_unique().alias("distinct")
    )
    changed = int((latest["distinct"] > 1).sum())
    wide = wide_attributes(latest, t.OID)
    names = [c for c in wide.columns if c != t.OID]
    wide = typed(wide, names, tables.object_attribute_types).rename(
        {t.OID: CASE, **{name: f"{CASE_ATTRIBUTE_PREFIX}{name}" for name in names}}
    )
    note = None
    if changed:
        note = (
            f"{_count(changed, object_type + ' attribute')} changed over time; the case gets the latest value"
        )
    return wide, note
