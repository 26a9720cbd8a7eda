"""OCEL 2.0 and OCEL 1.0 XML (also gzipped) into :class:`OcelTables`.

Both are read only after the DTD check (:func:`sc_improve.log.xml_safety.check_xml_prolog`).

OCEL 2.0 XML goes to rustxes' Rust importer, which types attribute values by the
declared attribute types and converts time offsets to UTC; gzipped files are first
streamed (through the gzip-bomb guard) into a temporary file, since rustxes reads
only plain files. If it panics on malformed XML, the safe lxml parser finds the line.

OCEL 1.0 XML (legacy, small files) is parsed with the safe lxml parser, and each
table is cut out of the tree by a small XSLT stylesheet that prints tab-separated
text, which pyarrow reads as columns: libxslt walks the tree in C, so there is no
Python loop over events. The stylesheets run with all file and network access denied.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import rustxes
from lxml import etree

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
    declared_type,
    wide_attributes,
)
from sc_improve.log.readers.rust_calls import RustPanic, call_quietly
from sc_improve.log.xml_safety import (
    ensure_well_formed,
    is_gzip,
    open_log_bytes,
    raise_xml_error,
    safe_xml_parser,
)

_FIELD = "ocel:field"


def is_ocel1_xml(head: bytes) -> bool:
    """OCEL 1.0 XML declares log-level globals and keyed attributes; OCEL 2.0 has object-types."""
    return b"<object-types" not in head and b"<event-types" not in head and b"<global" in head


def read_ocel2_xml(path: Path) -> OcelTables:
    """Parse an OCEL 2.0 XML file (already past the DTD check) with rustxes.

    rustxes silently returns what it read so far from a truncated or mis-nested file,
    so the file is first checked for well-formedness by the safe lxml parser (a
    streaming pass that builds nothing, about 0.1 s for 20 MB).
    """
    ensure_well_formed(path)
    with tempfile.TemporaryDirectory(prefix="sc-improve-ocel-") as scratch:
        source = path
        if is_gzip(path):
            source = Path(scratch) / "log.xml"
            with open_log_bytes(path) as data, open(source, "wb") as out:
                shutil.copyfileobj(data.stream, out, 1 << 20)
        try:
            tables, _ = call_quietly(rustxes.import_ocel_xml, str(source))
        except RustPanic as panic:
            raise_xml_error(path, f"the OCEL 2.0 XML reader could not read it ({panic})")
    events = _sorted_columns(tables["events"])
    if events.width == 0 or EID not in events.columns:
        raise LogImportError("this XML file is not an OCEL 2.0 log (no events found)", path=str(path))
    attribute_columns = [c for c in events.columns if c not in (EID, ACTIVITY, TIMESTAMP)]
    changes = _sorted_columns(tables["object_changes"])
    return OcelTables(
        format="OCEL 2.0 XML",
        events=_text_ids(events, [EID, ACTIVITY])
        .with_row_index(EVENT_NUMBER, offset=1)
        .with_columns(pl.col(EVENT_NUMBER).cast(pl.Int64)),
        relations=_text_ids(tables["relations"], [EID, OID, QUALIFIER]).select(EID, OID, QUALIFIER),
        objects=_text_ids(tables["objects"], [OID, OBJECT_TYPE]).select(OID, OBJECT_TYPE),
        object_attributes=_changes_to_rows(changes),
        event_attribute_types={c: declared_type(events.schema[c]) for c in attribute_columns},
        object_attribute_types={
            c: declared_type(t)
            for c, t in changes.schema.items()
            if c not in (OID, OBJECT_TYPE, _FIELD, TIMESTAMP)
        },
    )


def _sorted_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns in name order: rustxes returns attribute columns in hash order, which differs
    from run to run and would reorder the log's columns and every report built on them."""
    return frame.select(sorted(frame.columns))


def _text_ids(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """rustxes gives all-null (``Null``-typed) columns for empty tables; make them text."""
    return frame.with_columns(
        [
            pl.col(c).cast(pl.String) if c in frame.columns else pl.lit(None, dtype=pl.String).alias(c)
            for c in columns
        ]
    )


def _changes_to_rows(changes: pl.DataFrame) -> pl.DataFrame:
    """rustxes' object_changes (one column per attribute, ``ocel:field`` naming the one set) to rows."""
    attributes = [c for c in changes.columns if c not in (OID, OBJECT_TYPE, _FIELD, TIMESTAMP)]
    if not attributes or changes.is_empty():
        return pl.DataFrame(
            schema={OID: pl.String, NAME: pl.String, VALUE: pl.String, TIME: pl.Datetime("ns")}
        )
    long = changes.select(OID, _FIELD, TIMESTAMP, *[pl.col(c).cast(pl.String) for c in attributes]).unpivot(
        index=[OID, _FIELD, TIMESTAMP], on=attributes, variable_name=NAME, value_name=VALUE
    )
    return long.filter(pl.col(NAME) == pl.col(_FIELD)).select(OID, NAME, VALUE, pl.col(TIMESTAMP).alias(TIME))


@dataclass(frozen=True)
class _Table:
    """Rows selected by ``rows`` (XPath); each column is an XPath relative to the row."""

    rows: str
    columns: dict[str, str]


_ID = "string[@key='id']/@value"
_OCEL1 = {
    "events": _Table(
        "/log/events/event",
        {EID: _ID, ACTIVITY: "string[@key='activity']/@value", TIMESTAMP: "date[@key='timestamp']/@value"},
    ),
    "event_attributes": _Table(
        "/log/events/event/list[@key='vmap']/*",
        {EID: f"../../{_ID}", NAME: "@key", VALUE: "@value", "type": "local-name()"},
    ),
    "relations": _Table("/log/events/event/list[@key='omap']/*", {EID: f"../../{_ID}", OID: "@value"}),
    "objects": _Table("/log/objects/object", {OID: _ID, OBJECT_TYPE: "string[@key='type']/@value"}),
    "object_attributes": _Table(
        "/log/objects/object/list[@key='ovmap']/*",
        {OID: f"../../{_ID}", NAME: "@key", VALUE: "@value", "type": "local-name()"},
    ),
}


def read_ocel1_xml(path: Path) -> OcelTables:
    """Parse an OCEL 1.0 XML file (already past the DTD check) with XSLT table extracts."""
    try:
        with open_log_bytes(path) as data:
            tree = etree.parse(data.stream, safe_xml_parser())
    except etree.XMLSyntaxError:
        raise_xml_error(path, "the XML could not be read")
    if tree.getroot().tag != "log":
        raise LogImportError(
            "this XML file is not an OCEL log (the root element must be <log>)", path=str(path)
        )
    tables = {name: _extract(tree, spec) for name, spec in _OCEL1.items()}
    events = (
        tables["events"]
        .with_row_index(EVENT_NUMBER, offset=1)
        .with_columns(pl.col(EVENT_NUMBER).cast(pl.Int64))
    )
    event_attributes = tables["event_attributes"]
    events = events.join(wide_attributes(event_attributes, EID), on=EID, how="left", maintain_order="left")
    object_attributes = tables["object_attributes"]
    return OcelTables(
        format="OCEL 1.0 XML",
        events=events,
        relations=tables["relations"].with_columns(pl.lit(None, dtype=pl.String).alias(QUALIFIER)),
        objects=tables["objects"],
        object_attributes=object_attributes.with_columns(pl.lit(None, dtype=pl.String).alias(TIME)).select(
            OID, NAME, VALUE, TIME
        ),
        event_attribute_types=_element_types(event_attributes),
        object_attribute_types=_element_types(object_attributes),
    )


def _element_types(attributes: pl.DataFrame) -> dict[str, str]:
    """OCEL 1.0 XML types each value by its element: <int>, <float>, <boolean>, <date>, <string>."""
    pairs = attributes.select(NAME, "type").unique(NAME, keep="first", maintain_order=True)
    names = {"int": "integer", "float": "float", "boolean": "boolean", "date": "time", "string": "string"}
    return {name: names.get(kind, "string") for name, kind in pairs.iter_rows()}


def _extract(tree: etree._ElementTree, spec: _Table) -> pl.DataFrame:
    """Run the table's stylesheet and read its tab-separated output as text columns."""
    text = bytes(_stylesheet(spec.rows, tuple(spec.columns.values()))(tree))
    names = list(spec.columns)
    if not text.strip():
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    table = pacsv.read_csv(
        io.BytesIO(text),
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    return pl.from_arrow(table)


@cache
def _stylesheet(rows: str, paths: tuple[str, ...]) -> etree.XSLT:
    """Compile (once) an XSLT that prints one tab-separated line per selected row.

    Tabs and line breaks inside values become spaces so they cannot split a cell.
    """
    cells = "<xsl:text>&#9;</xsl:text>".join(
        f"<xsl:value-of select=\"translate(string({path}), '&#9;&#10;&#13;', '   ')\"/>" for path in paths
    )
    source = (
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:output method="text" encoding="UTF-8"/>'
        f'<xsl:template match="/"><xsl:for-each select="{rows}">{cells}'
        "<xsl:text>&#10;</xsl:text></xsl:for-each></xsl:template></xsl:stylesheet>"
    )
    return etree.XSLT(etree.XML(source), access_control=etree.XSLTAccessControl.DENY_ALL)
