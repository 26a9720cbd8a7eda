"""Refuse hostile XML and gzip input before any parser sees it.

XES and OCEL XML never need a DTD, so a file that declares one (``<!DOCTYPE``,
``<!ENTITY``) is refused outright: that closes the classic attacks (billion-laughs
entity expansion, XXE reading local files or URLs) for every parser we use,
including Rust and pm4py parsers whose settings we do not control. The check reads
only a bounded prefix, so it is fast and needs little memory even on a hostile file.

Gzip input is decompressed through :func:`open_log_bytes`, which stops reading when
the output grows far beyond what event logs ever compress to (a "gzip bomb"); the
readers stream through it instead of loading the whole file.

Any XML we parse ourselves uses :func:`safe_xml_parser`: no entity resolution, no
network, no DTD, libxml2's size limits on.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, NoReturn

from lxml import etree

from sc_improve.errors import LogImportError

PROLOG_SCAN_BYTES = 1 << 20
"""How much of the (decompressed) file is searched for the root element."""

MAX_GZIP_RATIO = 200
"""Event logs compress 10-40x; deflate can reach ~1000x only on degenerate input."""

GZIP_RATIO_GRACE_BYTES = 64 << 20
"""The ratio is only enforced after this much output, so tiny files never trip it."""

_GZIP_MAGIC = b"\x1f\x8b"
_DTD_MESSAGE = (
    "the file contains a DTD/entity declaration; event logs never need one, refusing to parse it "
    "(possible XML bomb / XXE)"
)


def is_gzip(path: str | os.PathLike[str]) -> bool:
    """True when the file starts with the gzip magic bytes, whatever its name."""
    with open(path, "rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


class _GuardedGunzip:
    """Decompressed reads from a gzip file that refuse to inflate beyond ``MAX_GZIP_RATIO``.

    zlib directly rather than :mod:`gzip`, which is a third slower on big files.
    Concatenated gzip members are read one after the other, as gunzip does.
    """

    _BLOCK = 4 << 20

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = path
        self._file = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self.consumed = 0
        self.decompressed = 0

    def read(self, n: int = -1) -> bytes:
        pieces: list[bytes] = []
        size = 0
        while n < 0 or size < n:
            if self._inflate.eof:
                data = self._inflate.unused_data
                if len(data) < len(_GZIP_MAGIC):
                    data += self._next_block()
                if not data.startswith(_GZIP_MAGIC):
                    break  # end of the last member (trailing padding is ignored, as gunzip does)
                self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
            else:
                data = self._inflate.unconsumed_tail or self._next_block()
                if not data:
                    raise self._damaged("the file ends in the middle of the compressed data")
            try:
                piece = self._inflate.decompress(data, 0 if n < 0 else n - size)
            except zlib.error as exc:
                raise self._damaged(str(exc)) from exc
            pieces.append(piece)
            size += len(piece)
            self._check_ratio(len(piece))
        return b"".join(pieces)

    def _next_block(self) -> bytes:
        block = self._file.read(self._BLOCK)
        self.consumed += len(block)
        return block

    def _check_ratio(self, produced: int) -> None:
        self.decompressed += produced
        if self.decompressed > GZIP_RATIO_GRACE_BYTES and self.decompressed > MAX_GZIP_RATIO * max(
            self.consumed, 1
        ):
            raise LogImportError(
                f"the gzip file expands more than {MAX_GZIP_RATIO} times its size; event logs never "
                "compress that well, so this looks like a gzip bomb; refusing to read it",
                path=str(self._path),
            )

    def _damaged(self, detail: str) -> LogImportError:
        return LogImportError(
            f"the gzip data is damaged or truncated ({detail}); re-download or re-export the file",
            path=str(self._path),
        )

    def close(self) -> None:
        self._file.close()


@dataclass
class LogBytes:
    """A (decompressed) byte stream over a log file, and how far into the file on disk it is."""

    stream: BinaryIO | _GuardedGunzip
    size: int
    position: Callable[[], int]

    def read(self, n: int = -1) -> bytes:
        return self.stream.read(n)

    @property
    def fraction(self) -> float:
        """Share of the file on disk read so far, for progress bars."""
        return min(self.position() / self.size, 1.0) if self.size else 1.0


@contextmanager
def open_log_bytes(path: str | os.PathLike[str]) -> Iterator[LogBytes]:
    """Open a log for streaming reads, transparently gunzipping (with the bomb guard).

    >>> import tempfile, gzip, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.gz"
    >>> _ = p.write_bytes(gzip.compress(b"<log/>"))
    >>> with open_log_bytes(p) as data:
    ...     data.read()
    b'<log/>'
    """
    size = os.path.getsize(path)
    stream: BinaryIO | _GuardedGunzip
    if is_gzip(path):
        gunzip = _GuardedGunzip(path)
        stream = gunzip
        position: Callable[[], int] = lambda: gunzip.consumed  # noqa: E731
    else:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
        position = stream.tell
    try:
        yield LogBytes(stream=stream, size=size, position=position)
    finally:
        stream.close()


def read_head(path: str | os.PathLike[str], n: int = PROLOG_SCAN_BYTES) -> bytes:
    """The first ``n`` decompressed bytes of a file (for sniffing its format)."""
    with open_log_bytes(path) as data:
        return data.read(n)


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_NAME_START = re.compile(r"[A-Za-z_:\u00c0-\uffff]")


def _decode_prefix(head: bytes) -> str:
    """Decode enough to find markup: BOM-aware, UTF-16 sniffed, else byte-preserving latin-1."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="replace")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="replace")
    return head.decode("latin-1")


def check_xml_prolog(path: str | os.PathLike[str]) -> None:
    """Raise :class:`LogImportError` unless the file reaches its root element without a DTD.

    Only the prolog (XML declaration, comments, processing instructions) may come
    before the root element; a ``<!DOCTYPE`` or ``<!ENTITY`` there is refused. Reads
    at most :data:`PROLOG_SCAN_BYTES`, gunzipping if needed.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "bomb.xes"
    >>> _ = p.write_text('<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aa">]><log>&a;</log>')
    >>> check_xml_prolog(p)
    Traceback (most recent call last):
    ...
    sc_improve.errors.LogImportError: ...: the file contains a DTD/entity declaration; ...
    """
    head = read_head(path)
    if not head.strip():
        raise LogImportError("the file is empty", path=str(path))
    text = _decode_prefix(head)
    truncated = len(head) >= PROLOG_SCAN_BYTES
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        line = text.count("\n", 0, pos) + 1
        if text.startswith("<", pos) and _NAME_START.match(text, pos + 1):
            return
        if text.upper().startswith(("<!DOCTYPE", "<!ENTITY"), pos):
            raise LogImportError(_DTD_MESSAGE, path=str(path), row=line)
        closer = next((end for start, end in _PROLOG_ITEMS if text.startswith(start, pos)), None)
        if closer is None:
            if pos >= len(text):
                break
            raise LogImportError(
                "this is not an XML file, or it is damaged before its first element",
                path=str(path),
                row=line,
            )
        end = text.find(closer, pos + 2)
        if end < 0:
            break
        pos = end + len(closer)
    if truncated:
        raise LogImportError(
            f"no XML root element in the first {PROLOG_SCAN_BYTES >> 20} MiB; refusing to scan further",
            path=str(path),
        )
    raise LogImportError("the XML has no root element (it ends inside its header)", path=str(path))


_PROLOG_ITEMS = (("<?", "?>"), ("<!--", "-->"))


def safe_xml_parser(**options: object) -> etree.XMLParser:
    """An lxml parser that never expands entities, loads a DTD or touches the network."""
    settings: dict[str, object] = {
        "resolve_entities": False,
        "no_network": True,
        "huge_tree": False,
        "load_dtd": False,
        "dtd_validation": False,
    }
    settings.update(options)
    return etree.XMLParser(**settings)


@dataclass(frozen=True)
class XmlErrorLocation:
    """Where a file stops being well-formed XML."""

    line: int
    column: int
    message: str


class _DiscardTarget:
    """SAX target that keeps nothing, so checking a 2 GB file needs no memory."""

    def close(self) -> None:
        return None


def find_xml_error(path: str | os.PathLike[str]) -> XmlErrorLocation | None:
    """Stream the file through the safe parser; the first syntax error, or None if well-formed.

    Used after a fast parser failed, to tell the user the exact line.
    """
    parser = safe_xml_parser(target=_DiscardTarget())
    try:
        with open_log_bytes(path) as data:
            while block := data.read(1 << 20):
                parser.feed(block)
        parser.close()
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        message = re.sub(r", line \d+, column \d+$", "", exc.msg or str(exc))
        return XmlErrorLocation(line=line, column=column, message=message)
    return None


def ensure_well_formed(path: str | os.PathLike[str]) -> None:
    """Raise a :class:`LogImportError` naming the line of the first XML syntax error, if any."""
    location = find_xml_error(path)
    if location is not None:
        raise LogImportError(
            f"the XML is broken here (column {location.column}): {location.message}",
            path=str(path),
            row=location.line,
        )


def raise_xml_error(path: str | os.PathLike[str], fallback: str) -> NoReturn:
    """After a fast parser failed: the line of the XML syntax error, else ``fallback``.

    When the XML is well-formed the problem is its structure, explained by ``fallback``.
    """
    ensure_well_formed(path)
    raise LogImportError(fallback, path=str(path))
