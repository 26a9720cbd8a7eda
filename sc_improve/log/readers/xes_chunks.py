"""Cut a streamed XES file into pieces of whole traces and parse them, a few at a time.

The file is streamed (gunzipped through the gzip-bomb guard) and cut after a
``</trace>`` into pieces of about :data:`CHUNK_BYTES`, each kept as an Arrow table
once parsed: memory stays near the size of the final table, progress moves, and
Cancel works between pieces. Each piece goes first to the plain parser
(:mod:`sc_improve.log.readers.xes_plain`), in :data:`PARSER_THREADS` threads because
it works in numpy and Arrow outside the GIL. A piece it declines, and the log header
once, are written out as a complete XES document (header, traces, ``</log>``) and read
by rustxes, a Rust XES parser that cannot be interrupted, holds the GIL and keeps
about 1 KB per event while it runs.

rustxes silently returns what it read so far from some malformed input; each piece it
reads is therefore checked against the number of ``<event`` tags in its bytes. The
plain parser accepts a piece only when every byte of it is accounted for.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import polars as pl
import pyarrow as pa
import rustxes

from sc_improve.errors import LogImportError
from sc_improve.log.readers.rust_calls import RustPanic, call_quietly
from sc_improve.log.readers.xes_plain import parse_plain_traces
from sc_improve.log.xml_safety import LogBytes, ensure_well_formed, find_xml_error, raise_xml_error

CHUNK_BYTES = 32 << 20
"""Bytes of XES parsed at a time (roughly 100k events, ~150 MB while parsing)."""

PARSER_THREADS = 2
"""Pieces parsed at once; the plain parser's numpy and Arrow calls run outside the GIL."""

MAX_TRACE_BYTES = 512 << 20
"""A single trace (or the log header) larger than this is refused rather than buffered."""

_TRACE_START = re.compile(rb"<trace[\s>/]")
_TRACE_END = re.compile(rb"</trace\s*>")
_LOG_START = re.compile(rb"<log(?:\s[^>]*)?>")
_LOG_END = b"\n</log>\n"
_ENCODING = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']")
_GLOBAL = re.compile(rb"<global\b[^>]*/>|<global\b.*?</global\s*>", re.DOTALL)


@dataclass(frozen=True)
class Piece:
    """One piece of the stream: the log header plus whole traces, still in memory."""

    header: bytes
    body: bytes | memoryview
    ending: bytes
    fraction: float


@dataclass
class ParsedChunk:
    """A parsed piece as an Arrow table (text as large strings), plus rustxes' messages."""

    table: pa.Table
    messages: str


def split_pieces(data: LogBytes, path: Path) -> Iterator[Piece]:
    """Cut the stream after a ``</trace>`` into pieces of about :data:`CHUNK_BYTES`.

    The header is everything before the first ``<trace``: the XML declaration, the
    ``<log>`` start tag, extensions, classifiers and log attributes. ``<global>``
    declarations are dropped from it: their values are placeholders ("UNKNOWN",
    1970-01-01 in ProM exports) that rustxes would otherwise write into traces and
    events lacking the attribute, and only into some pieces. A piece ends after the
    last complete ``</trace>`` in the buffer; the rest waits for more input. The final
    piece carries the file's own ending, the others get ``</log>`` when written out.
    """
    buffer = b""
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
            header = _GLOBAL.sub(b"", buffer[:cut])
            buffer = buffer[cut:]
        if not block:
            _check_complete(header, buffer, path)
            yield Piece(header, buffer, b"", 1.0)
            return
        end = _last_trace_end(buffer)
        if end is None:
            _refuse_if_too_long(buffer, path, "a single trace")
            continue
        yield Piece(header, memoryview(buffer)[:end], _LOG_END, data.fraction)
        buffer = buffer[end:]


def _last_trace_end(buffer: bytes) -> int | None:
    position = buffer.rfind(b"</trace")
    while position >= 0:
        match = _TRACE_END.match(buffer, position)
        if match:
            return match.end()
        position = buffer.rfind(b"</trace", 0, position)
    return None


def _check_complete(header: bytes, rest: bytes, path: Path) -> None:
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


def _refuse_if_too_long(buffer: bytes, path: Path, what: str) -> None:
    if len(buffer) > MAX_TRACE_BYTES:
        raise LogImportError(
            f"{what} is larger than {MAX_TRACE_BYTES >> 20} MiB; this is not a usable XES file",
            path=str(path),
        )


def parse_pieces(
    pieces: Iterator[Piece], path: Path, scratch: Path, report: Callable[[int, float], None]
) -> Iterator[ParsedChunk]:
    """Parse the pieces in file order; ``report(events_so_far, fraction_of_file)`` after each.

    Up to :data:`PARSER_THREADS` pieces go through the plain parser at once while the
    next one is read; a piece it declines is written to ``scratch`` and read by
    rustxes here, in this thread (rustxes redirects stderr for the whole process, so
    two calls must never overlap).
    """
    events = 0
    header_ok: bool | None = None
    pending: deque[tuple[Piece, Future[pa.Table | None]]] = deque()
    with ThreadPoolExecutor(max_workers=PARSER_THREADS, thread_name_prefix="xes-parse") as pool:
        try:
            for piece in chain(pieces, [None]):
                if piece is not None:
                    if header_ok is None and not _declares_utf8(piece.header):
                        header_ok = False
                    pending.append((piece, pool.submit(_parse_plain, piece, header_ok is not False)))
                while pending and (piece is None or len(pending) > PARSER_THREADS or pending[0][1].done()):
                    first, future = pending.popleft()
                    parsed, header_ok = _finish(first, future.result(), header_ok, path, scratch)
                    events += parsed.table.num_rows
                    report(events, first.fraction)
                    yield parsed
        finally:
            for _, future in pending:
                future.cancel()


def _parse_plain(piece: Piece, allowed: bool) -> pa.Table | None:
    return parse_plain_traces(piece.body) if allowed else None


def _finish(
    piece: Piece, table: pa.Table | None, header_ok: bool | None, path: Path, scratch: Path
) -> tuple[ParsedChunk, bool | None]:
    """The plain parser's table once the header has passed rustxes, else rustxes on the piece."""
    if table is not None and header_ok is None:
        header_ok = _header_is_plain(piece, path, scratch)
    if table is not None and header_ok:
        return ParsedChunk(table, ""), header_ok
    return _parse_with_rustxes(piece, path, scratch), header_ok


def _declares_utf8(header: bytes) -> bool:
    """The plain parser reads UTF-8 only; a file declaring another encoding is left to rustxes."""
    declared = _ENCODING.match(header)
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")


def _header_is_plain(piece: Piece, path: Path, scratch: Path) -> bool:
    """rustxes reads the header alone (so a broken header fails as before); it must hold no events."""
    table, _ = _rustxes_table(scratch / "header.xes", (piece.header, _LOG_END), path)
    return table.num_rows == 0


def _parse_with_rustxes(piece: Piece, path: Path, scratch: Path) -> ParsedChunk:
    """rustxes on one piece, or a ``LogImportError`` naming the line where the XML breaks."""
    event_tags = bytes(piece.body).count(b"<event")
    table, messages = _rustxes_table(scratch / "chunk.xes", (piece.header, piece.body, piece.ending), path)
    if table.num_rows < event_tags:
        ensure_well_formed(path)  # fewer events than <event> tags: broken XML read in part, or:
        raise LogImportError(
            f"the XES reader found {table.num_rows:,} events where this part of the file has "
            f"{event_tags:,} <event> tags; events or </trace> tags inside XML comments or "
            "CDATA sections are not supported",
            path=str(path),
        )
    return ParsedChunk(table, messages)


def _rustxes_table(file: Path, parts: tuple[bytes | memoryview, ...], path: Path) -> tuple[pa.Table, str]:
    """Write ``parts`` as one XES document and read it with rustxes; its printed messages too."""
    with open(file, "wb") as out:
        for part in parts:
            out.write(part)
    try:
        (frame, _), messages = call_quietly(rustxes.import_xes, str(file))
    except RustPanic as panic:
        fallback = (
            "this is XML but not an XES event log (the root element must be <log>)"
            if "NoTopLevelLog" in str(panic)
            else f"the XES reader could not read it ({panic})"
        )
        raise_xml_error(path, fallback)
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest()), messages
