"""Cut a streamed XES file into small XES documents and parse them with rustxes one by one.

rustxes holds a whole log in memory as Rust objects (about 1 KB per event, so 5 GB
for 5M events) and cannot be interrupted. So the file is streamed (gunzipped through
the gzip-bomb guard), cut after a ``</trace>`` into documents of about
:data:`CHUNK_BYTES` that each repeat the log header, and the pieces are parsed one
at a time and kept as Arrow tables: memory stays near the size of the final table,
progress moves, and Cancel works between pieces.

rustxes silently returns what it read so far from some malformed input; each piece's
event count is therefore checked against the number of ``<event`` tags in its bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import rustxes

from sc_improve.errors import LogImportError
from sc_improve.log.readers.rust_calls import RustPanic, call_quietly
from sc_improve.log.xml_safety import LogBytes, ensure_well_formed, find_xml_error, raise_xml_error

CHUNK_BYTES = 32 << 20
"""Bytes of XES handed to rustxes at a time (roughly 100k events, ~120 MB while parsing)."""

MAX_TRACE_BYTES = 512 << 20
"""A single trace (or the log header) larger than this is refused rather than buffered."""

_TRACE_START = re.compile(rb"<trace[\s>/]")
_TRACE_END = re.compile(rb"</trace\s*>")
_LOG_START = re.compile(rb"<log(?:\s[^>]*)?>")
_LOG_END = b"\n</log>\n"
_GLOBAL = re.compile(rb"<global\b[^>]*/>|<global\b.*?</global\s*>", re.DOTALL)


@dataclass(frozen=True)
class Chunk:
    """One piece written to disk: a complete XES document."""

    file: Path
    event_tags: int
    fraction: float


@dataclass
class ParsedChunk:
    """A parsed piece as an Arrow table (text as large strings), plus rustxes' messages."""

    table: pa.Table
    messages: str


def write_chunks(data: LogBytes, path: Path, scratch: Path) -> Iterator[Chunk]:
    """Write the stream as XES documents to ``scratch/chunk.xes``, one per iteration.

    The header is everything before the first ``<trace``: the XML declaration, the
    ``<log>`` start tag, extensions, classifiers and log attributes. ``<global>``
    declarations are dropped from it: their values are placeholders ("UNKNOWN",
    1970-01-01 in ProM exports) that rustxes would otherwise write into traces and
    events lacking the attribute, and only into some pieces. A piece ends after the
    last complete ``</trace>`` in the buffer; the rest waits for more input. The final
    piece carries the file's own ending.
    """
    buffer = bytearray()
    header: bytes | None = None
    while True:
        block = data.read(CHUNK_BYTES)
        buffer += block
        if header is None:
            match = _TRACE_START.search(buffer)
            if match is None and block:
                _refuse_if_too_long(buffer, path, "the XES header (before the first trace)")
                continue
            cut = match.start() if match else len(buffer)
            header = _GLOBAL.sub(b"", bytes(buffer[:cut]))
            del buffer[:cut]
        if not block:
            _check_complete(header, buffer, path)
            yield _write(scratch / "chunk.xes", (header, buffer), buffer.count(b"<event"), 1.0)
            return
        end = _last_trace_end(buffer)
        if end is None:
            _refuse_if_too_long(buffer, path, "a single trace")
            continue
        with memoryview(buffer) as view, view[:end] as body:
            chunk = _write(
                scratch / "chunk.xes",
                (header, body, _LOG_END),
                buffer.count(b"<event", 0, end),
                data.fraction,
            )
        yield chunk
        del buffer[:end]


def _write(
    file: Path, parts: tuple[bytes | bytearray | memoryview, ...], event_tags: int, fraction: float
) -> Chunk:
    with open(file, "wb") as out:
        for part in parts:
            out.write(part)
    return Chunk(file=file, event_tags=event_tags, fraction=fraction)


def _last_trace_end(buffer: bytearray) -> int | None:
    position = buffer.rfind(b"</trace")
    while position >= 0:
        match = _TRACE_END.match(buffer, position)
        if match:
            return match.end()
        position = buffer.rfind(b"</trace", 0, position)
    return None


def _check_complete(header: bytes, rest: bytearray, path: Path) -> None:
    """rustxes accepts a file cut off right after a trace; the missing ``</log>`` gives it away."""
    opened = _LOG_START.search(header)
    closed = b"</log" in rest or b"</log" in header
    if opened and not opened.group(0).endswith(b"/>") and not closed:
        location = find_xml_error(path)
        raise LogImportError(
            "the file ends before </log>: it is incomplete (cut off during download or export?)",
            path=str(path),
            row=location.line if location else None,
        )


def _refuse_if_too_long(buffer: bytearray, path: Path, what: str) -> None:
    if len(buffer) > MAX_TRACE_BYTES:
        raise LogImportError(
            f"{what} is larger than {MAX_TRACE_BYTES >> 20} MiB; this is not a usable XES file",
            path=str(path),
        )


def parse_chunks(
    chunks: Iterator[Chunk], path: Path, report: Callable[[int, float], None]
) -> Iterator[ParsedChunk]:
    """Parse the pieces in file order; ``report(events_so_far, fraction_of_file)`` after each."""
    events = 0
    for chunk in chunks:
        parsed = _parse(chunk, path)
        events += parsed.table.num_rows
        report(events, chunk.fraction)
        yield parsed


def _parse(chunk: Chunk, path: Path) -> ParsedChunk:
    """rustxes on one piece, or a ``LogImportError`` naming the line where the XML breaks."""
    try:
        (frame, _), messages = call_quietly(rustxes.import_xes, str(chunk.file))
    except RustPanic as panic:
        fallback = (
            "this is XML but not an XES event log (the root element must be <log>)"
            if "NoTopLevelLog" in str(panic)
            else f"the XES reader could not read it ({panic})"
        )
        raise_xml_error(path, fallback)
    if frame.height < chunk.event_tags:
        ensure_well_formed(path)  # fewer events than <event> tags: broken XML read in part, or:
        raise LogImportError(
            f"the XES reader found {frame.height:,} events where this part of the file has "
            f"{chunk.event_tags:,} <event> tags; events or </trace> tags inside XML comments or "
            "CDATA sections are not supported",
            path=str(path),
        )
    return ParsedChunk(frame.to_arrow(compat_level=pl.CompatLevel.oldest()), messages)
