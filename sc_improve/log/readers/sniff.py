"""Work out how a delimited text file is written before reading it.

ERP and spreadsheet exports differ in encoding (UTF-8, UTF-8 with a byte-order
mark, UTF-16 from Excel's "Unicode text", Windows-1252 from older SAP GUI
downloads), delimiter (comma, semicolon in German locales, tab, pipe), quoting and
whether a header row exists. We look at the first megabyte only, with the standard
library's csv module (a bounded sample, so plain Python is fine here), and hand the
result to the fast Arrow reader. Everything we decide is recorded in the
:class:`Dialect` so it can be shown to the user and overridden.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import csv
import gzip
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sc_improve.errors import LogImportError
from sc_improve.log.timestamps import looks_like_timestamp

SAMPLE_BYTES = 1 << 20
SAMPLE_LINES = 500
DELIMITERS = (",", ";", "\t", "|")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with byte-order mark",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "ISO-8859-1 (Latin-1)",
}


@dataclass(frozen=True)
class Dialect:
    """How a delimited text file is written: everything the reader needs to know.

    ``columns`` are the names to use (from the header row, made unique, or
    ``column_1``... when there is none); ``skip_rows`` counts the rows before the
    data (an Excel ``sep=;`` line and the header). ``multiline`` says that quoted
    values contain line breaks, which makes the fast reader scan more carefully.
    """

    encoding: str
    delimiter: str
    quotechar: str | None
    has_header: bool
    columns: tuple[str, ...]
    skip_rows: int
    compression: str | None = None
    multiline: bool = False
    decimal_comma: bool = False

    @property
    def arrow_encoding(self) -> str:
        """Arrow's name for the encoding ("utf8" reads natively and skips a BOM)."""
        return "utf8" if self.encoding in ("utf-8", "utf-8-sig") else self.encoding

    @property
    def encoding_name(self) -> str:
        return _ENCODING_NAMES.get(self.encoding, self.encoding)

    @property
    def delimiter_name(self) -> str:
        return "tab" if self.delimiter == "\t" else repr(self.delimiter)

    def describe(self) -> str:
        """One line for notes and the CLI, e.g. "UTF-8, delimiter ';', quote '\"', header row"."""
        parts = [self.encoding_name, f"delimiter {self.delimiter_name}"]
        parts.append(f"quote {self.quotechar!r}" if self.quotechar else "no quoting")
        parts.append("header row" if self.has_header else "no header row (columns named column_1, ...)")
        if self.compression:
            parts.append(f"{self.compression}-compressed")
        if self.decimal_comma:
            parts.append("decimal comma")
        return ", ".join(parts)


def sniff(path: str | Path, *, sample_bytes: int = SAMPLE_BYTES) -> Dialect:
    """Detect encoding, delimiter, quote character and header of a text table.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "po.csv")
    >>> _ = open(path, "w", encoding="utf-8").write("EBELN;ERDAT\\n4500000001;31.01.2024\\n")
    >>> d = sniff(path)
    >>> d.delimiter, d.columns, d.has_header
    (';', ('EBELN', 'ERDAT'), True)
    """
    raw, compression, complete = read_sample(path, sample_bytes)
    encoding = detect_encoding(raw, complete, path)
    text = _decode_chosen(raw, encoding, complete, path)
    _reject_binary(text, path)
    lines = text.splitlines()
    if not complete and lines:
        lines = lines[:-1]
    skip_rows = 0
    forced = re.fullmatch(r"sep=(.)", lines[0].strip()) if lines else None
    if forced:
        lines, skip_rows = lines[1:], 1
    lines = lines[:SAMPLE_LINES]
    if not any(line.strip() for line in lines):
        raise LogImportError("the file is empty (no header and no data rows)", path=path)
    delimiter = forced.group(1) if forced else detect_delimiter(lines)
    quotechar = _detect_quote(lines, delimiter)
    records = _records(lines, delimiter, quotechar)
    if not records:
        raise LogImportError("the file is empty (no header and no data rows)", path=path)
    has_header = not _looks_like_data(records[0])
    width = len(records[0])
    columns = unique_column_names(records[0] if has_header else [""] * width)
    data = records[1:] if has_header else records
    return Dialect(
        encoding=encoding,
        delimiter=delimiter,
        quotechar=quotechar,
        has_header=has_header,
        columns=columns,
        skip_rows=skip_rows + (1 if has_header else 0),
        compression=compression,
        multiline=any("\n" in value or "\r" in value for record in records for value in record),
        decimal_comma=delimiter != "," and _has_decimal_comma(data),
    )


def read_sample(path: str | Path, size: int) -> tuple[bytes, str | None, bool]:
    """The first ``size`` bytes (decompressed), the compression, and whether that is the whole file."""
    file = Path(path)
    with open(file, "rb") as handle:
        magic = handle.read(4)
    if magic.startswith(b"PK\x03\x04"):
        raise LogImportError(
            "is a zip archive, not a text table; unpack it first "
            "(an Excel workbook needs the .xlsx extension)",
            path=path,
        )
    compression = "gzip" if magic.startswith(b"\x1f\x8b") else "bz2" if magic.startswith(b"BZh") else None
    try:
        with open_binary(file, compression) as handle:
            raw = handle.read(size + 1)
    except (OSError, EOFError, ValueError) as error:
        raise LogImportError(f"the {compression} data is damaged ({error})", path=path) from error
    return raw[:size], compression, len(raw) <= size


def open_binary(path: str | Path, compression: str | None) -> BinaryIO:
    """The file's (decompressed) bytes as a Python stream."""
    opener = {"gzip": gzip.open, "bz2": bz2.open, None: open}[compression]
    return opener(path, "rb")


def detect_encoding(raw: bytes, complete: bool, path: str | Path = "") -> str:
    """UTF-8 (with or without BOM), UTF-16 by its BOM, else Windows-1252, else Latin-1.

    >>> detect_encoding("Müller".encode("cp1252"), True)
    'cp1252'
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in raw:
        raise LogImportError("is not a text table (it contains binary data)", path=path or None)
    for encoding in ("utf-8", "cp1252"):
        try:
            _decode(raw, encoding, complete)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def detect_delimiter(lines: list[str]) -> str:
    """The candidate that splits the most lines into the same number (at least 2) of fields.

    Ties go to the candidate giving more fields, then to the order of ``DELIMITERS``.
    A semicolon file with decimal commas has a steady semicolon count, while its
    comma count varies (and the header usually has none), so the semicolon wins.

    >>> detect_delimiter(["a;b;c", "1,5;2;3", "2,5;3;4"])
    ';'
    """
    best: tuple[float, int, int] = (0.0, 0, 0)
    chosen = ","
    for rank, delimiter in enumerate(DELIMITERS):
        counts = [len(r) for r in _records(lines, delimiter, '"')]
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (hits / len(counts), width, -rank)
        if score > best:
            best, chosen = score, delimiter
    return chosen


def _decode(raw: bytes, encoding: str, complete: bool) -> str:
    """Decode a sample; a multi-byte character cut at the sample's end is not an error."""
    decoder = codecs.getincrementaldecoder(encoding)()
    return decoder.decode(raw, final=complete)


def _decode_chosen(raw: bytes, encoding: str, complete: bool, path: str | Path) -> str:
    """Decode with the chosen encoding; only a file chosen by a UTF-16 byte-order mark can
    still fail here (truncated, or not really UTF-16), and that is bad input, not a crash."""
    try:
        return _decode(raw, encoding, complete)
    except UnicodeDecodeError as error:
        raise LogImportError(
            f"starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()} text "
            f"(byte {error.start + 1}): {error.reason}",
            path=path or None,
        ) from None


def _reject_binary(text: str, path: str | Path) -> None:
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise LogImportError("is not a text table (it contains binary data)", path=path)


def _detect_quote(lines: list[str], delimiter: str) -> str | None:
    text = "\n".join(lines)
    if '"' in text:
        return '"'
    boundary = re.escape(delimiter)
    if re.search(rf"(?:^|{boundary})'", text, re.M) and re.search(rf"'(?:{boundary}|$)", text, re.M):
        return "'"
    return '"'


def _records(lines: list[str], delimiter: str, quotechar: str | None) -> list[list[str]]:
    """Parse sample lines; a quoted value cut off at the end of the sample is tolerated."""
    reader = csv.reader(
        io.StringIO("\n".join(lines)),
        delimiter=delimiter,
        quotechar=quotechar or '"',
        quoting=csv.QUOTE_MINIMAL if quotechar else csv.QUOTE_NONE,
    )
    records: list[list[str]] = []
    with contextlib.suppress(csv.Error):
        records.extend(record for record in reader if record)
    return records


def _looks_like_data(record: list[str]) -> bool:
    """A first row holding a date, or only numbers, is data rather than a header."""
    values = [v.strip() for v in record if v.strip()]
    if not values:
        return False
    return any(looks_like_timestamp(v) for v in values) or all(_NUMBER.match(v) for v in values)


def unique_column_names(header: list[str]) -> tuple[str, ...]:
    """Header names stripped, blanks named ``column_N``, duplicates suffixed ``_2``, ``_3``."""
    names: list[str] = []
    for index, value in enumerate(header, start=1):
        base = value.strip() or f"column_{index}"
        name, copy = base, 1
        while name in names:
            copy += 1
            name = f"{base}_{copy}"
        names.append(name)
    return tuple(names)


def _has_decimal_comma(records: list[list[str]]) -> bool:
    values = [v.strip() for record in records for v in record]
    return any(_DECIMAL_COMMA.match(v) for v in values) and not any(
        re.match(r"^[+-]?\d+\.\d+$", v) for v in values
    )
