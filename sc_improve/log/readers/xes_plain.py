"""Parse the traces of a plainly written XES piece with numpy and Arrow instead of rustxes.

rustxes builds a Rust object per attribute and turns them into columns afterwards,
about 0.5 µs per attribute, and holds the GIL throughout. Nearly every XES file in
practice (ProM/OpenXES, Disco, pm4py, our generator) writes the trace part in one
plain form: ``<trace>``/``<event>`` elements holding ``<string|date|int|float|boolean
key="..." value="..."/>`` attributes. That form can be cut into tags on ``<`` and
``"`` positions and checked and converted column by column, which is several times
faster. Whatever falls outside it (comments, CDATA, nested or list attributes, other
quoting or attribute order, numeric character references, ``<id>`` values, dates or
numbers in another notation, one key with two types, a key twice on one event) makes
:func:`parse_plain_traces` return ``None`` and the caller hands the piece to rustxes,
so odd files keep rustxes' behaviour, messages and errors.

The check is strict enough to stand in for an XML parser on this form: every byte
belongs to a recognised tag or is whitespace between tags, and the tags nest as
``(<trace> attribute* (<event> attribute* </event>)* </trace>)* </log>?``; a truncated
or garbled piece never passes, so nothing is read in part. The values come out as
rustxes gives them: entities resolved, whitespace kept, trace attributes as ``case:``
columns repeated on each event, dates with an offset moved to UTC and those without
kept as they are, nanosecond times without a zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sc_improve.columns import CASE_ATTRIBUTE_PREFIX

_LESS_THAN, _QUOTE, _AMPERSAND = ord("<"), ord('"'), ord("&")
_XML_SPACE = " \t\r\n"

_STRUCTURE = ("<trace>", "<event>", "</event>", "</trace>", "</log>")
_TRACE_OPEN, _EVENT_OPEN, _EVENT_CLOSE, _TRACE_CLOSE, _LOG_CLOSE = range(5)
_TYPES = ("string", "date", "int", "float", "boolean")
_ATTRIBUTE_HEADS = tuple(f"<{kind} key=" for kind in _TYPES)
_ATTRIBUTE_CLOSES = tuple(f"</{kind}>" for kind in _TYPES)
_HEADS = pa.array([*_STRUCTURE, *_ATTRIBUTE_HEADS, *_ATTRIBUTE_CLOSES], pa.large_string())
_FIRST_HEAD, _FIRST_CLOSE = len(_STRUCTURE), len(_STRUCTURE) + len(_TYPES)
_SELF_CLOSED = pa.array(['"/>', '" />'], pa.large_string())

_ALLOWED_NEXT = np.zeros((5, 5), dtype=bool)
"""Which structural tag may follow which (rows: previous tag, columns: next tag)."""
for _previous, _following in (
    (_TRACE_OPEN, _EVENT_OPEN),
    (_TRACE_OPEN, _TRACE_CLOSE),
    (_EVENT_OPEN, _EVENT_CLOSE),
    (_EVENT_CLOSE, _EVENT_OPEN),
    (_EVENT_CLOSE, _TRACE_CLOSE),
    (_TRACE_CLOSE, _TRACE_OPEN),
    (_TRACE_CLOSE, _LOG_CLOSE),
):
    _ALLOWED_NEXT[_previous, _following] = True

_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))
_INTEGER = r"^-?[0-9]+$"
_FLOAT = r"^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$"
_DATE = (
    r"^(?P<local>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?)"
    r"(?P<zone>Z|[-+](?:[01][0-9]|2[0-3]):[0-5][0-9])?$"
)
_NANOSECONDS = pa.timestamp("ns")


class _NotPlain(Exception):
    """The piece is not in the plain form; rustxes reads it instead."""


@dataclass(frozen=True)
class _Attributes:
    """The attribute tags of a piece: whose they are, their type, key and (unescaped) value."""

    on_event: np.ndarray
    owner: np.ndarray
    kind: np.ndarray
    key: pa.Array
    value: pa.Array


def parse_plain_traces(body: bytes | memoryview) -> pa.Table | None:
    """One row per event of the traces in ``body``, or ``None`` when it is not in the plain form.

    ``body`` is the part of an XES document from its first ``<trace`` on (the final
    piece also holds ``</log>``). Columns are typed as rustxes types them after
    ``to_arrow``: text as large strings, int64, float64, bool, naive nanosecond times.

    >>> table = parse_plain_traces(b'<trace><string key="concept:name" value="c1"/>'
    ...     b'<event><string key="concept:name" value="a &amp; b"/></event></trace>')
    >>> table.to_pylist()
    [{'case:concept:name': 'c1', 'concept:name': 'a & b'}]
    >>> parse_plain_traces(b"<trace><!-- a comment --></trace>") is None
    True
    """
    try:
        return _parse(body)
    except _NotPlain:
        return None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # invalid UTF-8, or a number or date Arrow cannot convert: rustxes decides


def _parse(body: bytes | memoryview) -> pa.Table:
    data = np.frombuffer(body, dtype=np.uint8)
    cuts = np.flatnonzero((data == _LESS_THAN) | (data == _QUOTE))
    if not len(cuts) or data[cuts[0]] != _LESS_THAN or bytes(body[: cuts[0]]).strip(b" \t\r\n"):
        raise _NotPlain
    offsets = np.append(cuts, len(data)).astype(np.int64)
    pieces = pa.LargeStringArray.from_buffers(
        len(cuts), pa.py_buffer(offsets), pa.py_buffer(body), null_count=0
    )
    pieces.validate(full=True)
    tag_piece = np.flatnonzero(data[cuts] == _LESS_THAN)
    quotes_after = np.diff(np.append(tag_piece, len(cuts))) - 1
    code = _tag_codes(pieces, tag_piece)
    is_attribute = (code >= _FIRST_HEAD) & (code < _FIRST_CLOSE)
    if not np.array_equal(quotes_after, np.where(is_attribute, 4, 0)):
        raise _NotPlain
    open_form = _check_attribute_tails(pieces, tag_piece[is_attribute], code, np.flatnonzero(is_attribute))
    structural = code < _FIRST_HEAD
    _check_nesting(code[structural])
    event_tags = np.flatnonzero(code == _EVENT_OPEN)
    if not len(event_tags):
        return pa.table({})
    attribute_tags = np.flatnonzero(is_attribute)
    close_tags = np.flatnonzero(code >= _FIRST_CLOSE)
    if not np.array_equal(close_tags, attribute_tags[open_form] + 1):
        raise _NotPlain
    trace_of_tag = np.cumsum(code == _TRACE_OPEN) - 1
    event_of_tag = np.cumsum(code == _EVENT_OPEN) - 1
    structure_tags = np.flatnonzero(structural)
    preceding = np.searchsorted(structure_tags, attribute_tags) - 1
    if (preceding < 0).any():
        raise _NotPlain
    parent = code[structure_tags[preceding]]
    if np.isin(parent, (_TRACE_CLOSE, _LOG_CLOSE)).any():
        raise _NotPlain  # attributes outside any trace
    on_event = parent == _EVENT_OPEN
    attribute_pieces = tag_piece[is_attribute]
    has_entities = bool((data == _AMPERSAND).any())
    attributes = _Attributes(
        on_event=on_event,
        owner=np.where(on_event, event_of_tag[attribute_tags], trace_of_tag[attribute_tags]),
        kind=code[attribute_tags] - _FIRST_HEAD,
        key=_quoted(body, cuts, attribute_pieces + 1, resolve=False, has_entities=has_entities),
        value=_quoted(body, cuts, attribute_pieces + 3, resolve=True, has_entities=has_entities),
    )
    return _table(attributes, trace_of_tag[event_tags], len(np.flatnonzero(code == _TRACE_OPEN)))


def _tag_codes(pieces: pa.Array, tag_piece: np.ndarray) -> np.ndarray:
    """Each tag's index in ``_HEADS``; a tag of any other shape is not plain."""
    heads = pc.utf8_rtrim(pieces.take(pa.array(tag_piece)), characters=_XML_SPACE)
    codes = pc.index_in(heads, value_set=_HEADS)
    if codes.null_count:
        raise _NotPlain
    return codes.to_numpy()


def _check_attribute_tails(
    pieces: pa.Array, attribute_pieces: np.ndarray, code: np.ndarray, attribute_tags: np.ndarray
) -> np.ndarray:
    """Check ``key="K" value="V"/>``; True where it is written ``key="K" value="V"></type>``."""
    middles = pieces.take(pa.array(attribute_pieces + 2))
    if not pc.all(pc.equal(middles, '" value='), min_count=0).as_py():
        raise _NotPlain
    tails = pc.utf8_rtrim(pieces.take(pa.array(attribute_pieces + 4)), characters=_XML_SPACE)
    closed = pc.is_in(tails, value_set=_SELF_CLOSED).to_numpy(zero_copy_only=False)
    open_form = pc.equal(tails, '">').to_numpy(zero_copy_only=False)
    if not (closed | open_form).all():
        raise _NotPlain
    following = np.minimum(attribute_tags[open_form] + 1, len(code) - 1)
    expected_close = code[attribute_tags[open_form]] - _FIRST_HEAD + _FIRST_CLOSE
    if not np.array_equal(code[following], expected_close):
        raise _NotPlain
    return open_form


def _check_nesting(structure: np.ndarray) -> None:
    """Traces hold events, events hold no elements, ``</log>`` comes last, nothing is left open."""
    if not len(structure):
        raise _NotPlain
    if structure[0] not in (_TRACE_OPEN, _LOG_CLOSE) or structure[-1] not in (_TRACE_CLOSE, _LOG_CLOSE):
        raise _NotPlain
    if not _ALLOWED_NEXT[structure[:-1], structure[1:]].all():
        raise _NotPlain


def _quoted(
    body: bytes | memoryview, cuts: np.ndarray, opening: np.ndarray, *, resolve: bool, has_entities: bool
) -> pa.Array:
    """The text between the quote at ``cuts[opening]`` and the next one, entities resolved.

    The spans are laid out as every other string of one array over ``body`` (the
    strings in between are the gaps), so taking the even ones is the only copy.
    """
    bounds = np.empty(2 * len(opening), dtype=np.int64)
    bounds[0::2] = cuts[opening] + 1
    bounds[1::2] = cuts[opening + 1]
    spans = pa.LargeStringArray.from_buffers(
        len(bounds) - 1, pa.py_buffer(bounds), pa.py_buffer(body), null_count=0
    )
    text = spans.take(pa.array(np.arange(0, len(bounds) - 1, 2)))
    if not has_entities or not pc.any(pc.match_substring(text, "&")).as_py():
        return text
    if not resolve:
        raise _NotPlain
    ampersands = pc.sum(pc.count_substring(text, "&")).as_py()
    named = sum(pc.sum(pc.count_substring(text, entity)).as_py() for entity, _ in _ENTITIES)
    if ampersands != named:
        raise _NotPlain  # numeric character references (&#65;) are left to rustxes
    for entity, character in _ENTITIES:
        text = pc.replace_substring(text, entity, character)
    return text


def _table(attributes: _Attributes, trace_of_event: np.ndarray, n_traces: int) -> pa.Table:
    """Spread the attributes into one column per (trace or event, key); trace ones repeat per event."""
    n_events = len(trace_of_event)
    keys = pc.dictionary_encode(attributes.key)
    key_code = keys.indices.to_numpy()
    group = (attributes.on_event.astype(np.int64) * len(keys.dictionary) + key_code).astype(np.int64)
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    columns: dict[str, pa.Array] = {}
    for rows in np.split(order, bounds) if len(order) else []:
        first = rows[0]
        kinds = attributes.kind[rows]
        if (kinds != kinds[0]).any():
            raise _NotPlain
        owners = attributes.owner[rows]  # ascending: rows keep file order within a group
        if (np.diff(owners) == 0).any():
            raise _NotPlain  # a key twice on one trace or event
        on_event = bool(attributes.on_event[first])
        name = keys.dictionary[key_code[first]].as_py()
        if not on_event:
            name = CASE_ATTRIBUTE_PREFIX + name
        if name in columns:
            raise _NotPlain  # an event attribute named like a trace attribute's column
        row_of_owner = np.full(n_events if on_event else n_traces, -1, dtype=np.int64)
        row_of_owner[owners] = rows
        if not on_event:
            row_of_owner = row_of_owner[trace_of_event]
        if (row_of_owner >= 0).any():
            picked = attributes.value.take(pa.array(row_of_owner, mask=row_of_owner < 0))
            columns[name] = _typed(picked, int(kinds[0]))
    if not columns:
        raise _NotPlain  # events without any attribute
    return pa.table(columns)


def _typed(text: pa.Array, kind: int) -> pa.Array:
    """Convert like rustxes, or give up where rustxes would read the value differently."""
    name = _TYPES[kind]
    if name == "string":
        return text
    if name == "boolean":
        spelled_out = pc.or_kleene(pc.equal(text, "true"), pc.equal(text, "false"))
        if not pc.all(spelled_out, min_count=0).as_py():
            raise _NotPlain  # rustxes reads anything else as false with a warning
        return pc.equal(text, "true")
    if name == "int":
        _require(text, _INTEGER)
        return pc.cast(text, pa.int64())
    if name == "float":
        _require(text, _FLOAT)
        return pc.cast(text, pa.float64())
    return _utc_times(text)


def _require(text: pa.Array, pattern: str) -> None:
    if not pc.all(pc.match_substring_regex(text, pattern), min_count=0).as_py():
        raise _NotPlain


def _utc_times(text: pa.Array) -> pa.Array:
    """ISO 8601 times; an offset is subtracted (to UTC), a missing one leaves the time as written."""
    parts = pc.extract_regex(text, _DATE)
    if parts.null_count != text.null_count:
        raise _NotPlain
    local = pc.cast(pc.struct_field(parts, "local"), _NANOSECONDS)
    zone = pc.struct_field(parts, "zone")
    with_offset = pc.greater(pc.utf8_length(zone), 1)
    if not pc.any(with_offset).as_py():
        return local
    sign = pc.if_else(pc.starts_with(zone, "-"), -1, 1)
    hours = pc.cast(pc.if_else(with_offset, pc.utf8_slice_codeunits(zone, 1, 3), "0"), pa.int64())
    minutes = pc.cast(pc.if_else(with_offset, pc.utf8_slice_codeunits(zone, 4, 6), "0"), pa.int64())
    offset_ns = pc.multiply(pc.multiply(pc.add(pc.multiply(hours, 60), minutes), sign), 60_000_000_000)
    as_ns = pc.subtract_checked(pc.cast(local, pa.int64()), offset_ns)
    return pc.cast(as_ns, _NANOSECONDS)
