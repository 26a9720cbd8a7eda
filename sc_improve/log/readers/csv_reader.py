"""Read a delimited text file (CSV, TSV, TXT, optionally gzip/bz2-compressed) into Arrow.

Arrow's multithreaded CSV reader parses blocks of the file in parallel in C. It runs in
a worker thread and reads the file through a small wrapper that counts the bytes it
has taken, so the calling thread can report progress (and let the user cancel, which
stops the next read) while millions of rows go by in well under a second. A preview
uses the streaming reader instead, which can stop after the first rows. Columns are
read as text (``string``, whose 32-bit offsets make parsing about a third faster than
``large_string`` and the raw table smaller; pandas' wider offsets are made later
without copying the text): ids keep their leading zeros, and the mapping step
decides which columns are timestamps and parses them with the format it detected.
Only timestamp columns that the caller has seen to be plain ISO 8601 are parsed by
Arrow while reading (see :func:`read_csv_table`). Bad input becomes a
:class:`LogImportError` naming the line; to find that line we re-read the file with
Python's csv module, which is slow but only ever runs after Arrow has already failed.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv

from sc_improve.errors import LogImportError
from sc_improve.log.readers.sniff import Dialect, open_binary, sniff
from sc_improve.progress import Cancelled, ProgressCallback, ensure_progress

BLOCK_SIZE = 4 << 20
"""Bytes per parsed block: large enough for Arrow's speed, small enough for smooth progress
and for both cores to get blocks to parse."""
LOW_MEMORY_FILE_SIZE = 256 << 20
"""Files at least this large are read into memory that is handed back as soon as it is freed."""
COMPRESSION_GUESS = 5
"""How many times larger than the file a gzip or bz2 compressed table is taken to be."""
PROGRESS_INTERVAL = 0.1
"""Seconds between progress reports (and chances to cancel) while the worker thread parses."""
PREVIEW_BLOCK_SIZE = 1 << 20
"""Smaller blocks when only the first rows are wanted, so a preview does not parse megabytes."""


@dataclass
class CsvTable:
    """A text table read as Arrow text columns, with how it was read."""

    table: pa.Table
    dialect: Dialect
    notes: list[str] = field(default_factory=list)


def read_csv_table(
    path: str | Path,
    *,
    dialect: Dialect | None = None,
    columns: list[str] | None = None,
    max_rows: int | None = None,
    iso_times: Sequence[str] = (),
    dictionary_columns: Sequence[str] = (),
    progress: ProgressCallback | None = None,
) -> CsvTable:
    """Read a delimited file into an Arrow table of text columns.

    ``columns`` limits the columns kept (saves memory on wide ERP extracts);
    ``max_rows`` stops early (previews). The dialect is sniffed unless given.
    ``iso_times`` names columns whose sample showed ISO 8601 times without a UTC
    offset: Arrow parses them into ``timestamp[ns]`` on its reading threads, which
    spares building their text and parsing it again. Arrow's parser is the one an
    ISO 8601 cast uses, so the instants are the same; if any value does not parse
    (a typo, padding, an offset), the file is read again with those columns as text,
    for the caller to parse and to report the rows that fail. ``dictionary_columns`` are
    read dictionary-encoded on the reading threads (text columns the caller expects to
    repeat a few values), so their text is never built row by row.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> _ = open(path, "w").write("case,activity\\n1,a\\n1,b\\n")
    >>> read_csv_table(path).table.column("activity").to_pylist()
    ['a', 'b']
    """
    dialect = dialect or sniff(path)
    notes = [f"Read {Path(path).name} as {dialect.describe()}."]
    report = _never_backwards(ensure_progress(progress))
    try:
        table = _read_typed(path, dialect, columns, max_rows, iso_times, dictionary_columns, report)
    except (pa.ArrowException, OSError) as error:
        if "invalid UTF8" not in str(error) or dialect.encoding not in ("utf-8", "utf-8-sig"):
            raise _explain(path, dialect, error) from error
        dialect = replace(dialect, encoding="cp1252")
        notes = [
            f"Read {Path(path).name} as {dialect.describe()}: the file is not valid UTF-8 beyond its "
            "first megabyte, so it was read as Windows-1252."
        ]
        try:
            table = _read_typed(path, dialect, columns, max_rows, iso_times, dictionary_columns, report)
        except (pa.ArrowException, OSError) as second:
            raise _explain(path, dialect, second) from second
    if table.num_rows == 0:
        raise LogImportError("has a header row but no data rows", path=path)
    if _ends_inside_quotes(table):
        problem = locate_problem(path, dialect)
        if problem is not None:
            raise problem
    return CsvTable(table=table, dialect=dialect, notes=notes)


def _read_typed(
    path: str | Path,
    dialect: Dialect,
    columns: list[str] | None,
    max_rows: int | None,
    iso_times: Sequence[str],
    dictionary_columns: Sequence[str],
    report: ProgressCallback,
) -> pa.Table:
    """The table with ``iso_times`` parsed, or as text when one of their values is not plain ISO 8601."""
    encoded = {name: pa.dictionary(pa.int32(), pa.string()) for name in dictionary_columns}
    if not iso_times:
        return _read(path, dialect, columns, max_rows, encoded, report)
    times = {name: pa.timestamp("ns") for name in iso_times}
    try:
        return _read(path, dialect, columns, max_rows, {**encoded, **times}, report)
    except pa.ArrowInvalid as error:
        if "conversion error to timestamp" not in str(error):
            raise
    return _read(path, dialect, columns, max_rows, encoded, report)


def _never_backwards(report: ProgressCallback) -> ProgressCallback:
    """Progress that holds still while a second read of the file catches up with the first."""
    furthest = 0.0

    def forward(fraction: float, message: str = "") -> None:
        nonlocal furthest
        furthest = max(furthest, fraction)
        report(furthest, message)

    return forward


def _read(
    path: str | Path,
    dialect: Dialect,
    columns: list[str] | None,
    max_rows: int | None,
    types: dict[str, pa.DataType],
    report: ProgressCallback,
) -> pa.Table:
    raw = pa.OSFile(str(path))
    stream = pa.CompressedInputStream(raw, dialect.compression) if dialect.compression else raw
    options = _options(dialect, columns, max_rows, types)
    try:
        if max_rows is None:
            return _read_whole(path, raw, stream, options, report)
        return _read_head(path, raw, stream, options, max_rows, report)
    finally:
        stream.close()


def _options(
    dialect: Dialect, columns: list[str] | None, max_rows: int | None, types: dict[str, pa.DataType]
) -> tuple[pcsv.ReadOptions, pcsv.ParseOptions, pcsv.ConvertOptions]:
    """Arrow's options for the dialect; columns not in ``types`` as text, so ids keep their leading zeros."""
    return (
        pcsv.ReadOptions(
            use_threads=True,
            block_size=BLOCK_SIZE if max_rows is None else PREVIEW_BLOCK_SIZE,
            skip_rows=dialect.skip_rows,
            column_names=list(dialect.columns),
            encoding=dialect.arrow_encoding,
        ),
        pcsv.ParseOptions(
            delimiter=dialect.delimiter,
            quote_char=dialect.quotechar or False,
            double_quote=True,
            newlines_in_values=dialect.multiline,
            ignore_empty_lines=True,
        ),
        pcsv.ConvertOptions(
            column_types={name: types.get(name, pa.string()) for name in dialect.columns},
            include_columns=columns or [],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def _read_head(
    path: str | Path,
    raw: pa.NativeFile,
    stream: pa.NativeFile,
    options: tuple[pcsv.ReadOptions, pcsv.ParseOptions, pcsv.ConvertOptions],
    max_rows: int,
    report: ProgressCallback,
) -> pa.Table:
    """The first ``max_rows`` rows, parsing only as many blocks as they need."""
    size = max(Path(path).stat().st_size, 1)
    reader = pcsv.open_csv(stream, *options)
    batches = []
    rows = 0
    for batch in reader:
        batches.append(batch)
        rows += batch.num_rows
        report(min(raw.tell() / size, 1.0), f"reading {Path(path).name}: {rows:,} rows")
        if rows >= max_rows:
            break
    return pa.Table.from_batches(batches, schema=reader.schema).slice(0, max_rows)


class _CountingReader:
    """The file as the parser sees it: counts where it has read to, and refuses to go on once stopped.

    Arrow's reader calls ``read`` from its own threads; the calling thread only looks
    at ``position`` and sets ``stopped``, so no lock is needed.
    """

    def __init__(self, raw: pa.NativeFile, stream: pa.NativeFile) -> None:
        self.raw = raw
        self.stream = stream
        self.position = 0
        self.stopped = False
        self.closed = False

    def read(self, nbytes: int = -1) -> bytes:
        if self.stopped:
            raise Cancelled
        data = self.stream.read(nbytes)
        self.position = self.raw.tell()
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


def _read_whole(
    path: str | Path,
    raw: pa.NativeFile,
    stream: pa.NativeFile,
    options: tuple[pcsv.ReadOptions, pcsv.ParseOptions, pcsv.ConvertOptions],
    report: ProgressCallback,
) -> pa.Table:
    """The whole file with the multithreaded reader, in a worker thread so that this one reports progress.

    A ``Cancelled`` raised by the progress callback stops the worker at its next read
    and is re-raised here once the worker has finished.
    """
    source = _CountingReader(raw, stream)
    size = max(Path(path).stat().st_size, 1)
    pool = _table_pool(size * (COMPRESSION_GUESS if stream is not raw else 1))
    tables: list[pa.Table] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            tables.append(pcsv.read_csv(source, *options, memory_pool=pool))
        except BaseException as error:  # handed to the calling thread, which raises it
            errors.append(error)

    worker = threading.Thread(target=work, name="csv-reader", daemon=True)
    worker.start()
    name = Path(path).name
    try:
        while worker.is_alive():
            worker.join(PROGRESS_INTERVAL)
            report(min(source.position / size, 1.0), f"reading {name}: {source.position / size:.0%}")
    except BaseException:
        source.stopped = True
        worker.join()
        raise
    if errors:
        raise errors[0]
    report(1.0, f"reading {name}: 100%")
    return tables[0]


def _table_pool(size: int) -> pa.MemoryPool:
    """The memory pool for a table read from ``size`` bytes of file.

    The canonical frame keeps the text of most columns and drops the rest, so the
    table's blocks are freed piecemeal while the frame is built. mimalloc, pyarrow's
    default, keeps most of that memory; jemalloc set to return freed pages at once
    does not, which lowers the peak at 5 million rows by several hundred megabytes
    but costs about a third more parsing time. So large files use it (where pyarrow
    has it: Linux, macOS) and smaller ones, whose peak is no concern, the default.
    """
    if size < LOW_MEMORY_FILE_SIZE:
        return pa.default_memory_pool()
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.default_memory_pool()
    pa.jemalloc_set_decay_ms(0)
    return pool


def _ends_inside_quotes(table: pa.Table) -> bool:
    """A line break in the last row's values usually means a quote was never closed.

    Arrow then silently reads the rest of the file into one value; checking the last
    row is cheap, and only a suspicious file pays for the full check.
    """
    last = table.slice(table.num_rows - 1, 1).to_pylist()[0]
    return any(isinstance(value, str) and ("\n" in value or "\r" in value) for value in last.values())


def _explain(path: str | Path, dialect: Dialect, error: Exception) -> LogImportError:
    problem = locate_problem(path, dialect)
    if problem is not None:
        return problem
    detail = str(error).split("\n")[0]
    return LogImportError(f"could not be read as a {dialect.describe()} table: {detail}", path=path)


def locate_problem(path: str | Path, dialect: Dialect) -> LogImportError | None:
    """Find the first malformed line with Python's csv module (only after Arrow failed).

    Reports the line number as a text editor shows it, the field counts, and the
    start of the line, or an unterminated quote with the line where it opens.
    """
    expected = len(dialect.columns)
    quotechar = dialect.quotechar or '"'
    line = 0
    try:
        binary = open_binary(path, dialect.compression)
        with io.TextIOWrapper(binary, encoding=dialect.encoding, newline="") as text:
            reader = csv.reader(
                text,
                delimiter=dialect.delimiter,
                quotechar=quotechar,
                quoting=csv.QUOTE_MINIMAL if dialect.quotechar else csv.QUOTE_NONE,
                strict=True,
            )
            for index, record in enumerate(reader):
                start, line = line + 1, reader.line_num
                if index < dialect.skip_rows or not record or len(record) == expected:
                    continue
                shown = dialect.delimiter.join(record)[:80]
                return LogImportError(
                    f"line {start} has {len(record)} field{'' if len(record) == 1 else 's'} "
                    f"but the header has {expected} "
                    f"(delimiter {dialect.delimiter_name}): {shown!r}",
                    path=path,
                    row=start,
                )
    except csv.Error as error:
        if "end of data" in str(error) or "EOF" in str(error):
            return LogImportError(
                f"a quoted value that starts on line {line + 1} is never closed (missing {quotechar})",
                path=path,
                row=line + 1,
            )
        return LogImportError(f"line {line + 1} is malformed: {error}", path=path, row=line + 1)
    except UnicodeDecodeError as error:
        return LogImportError(f"is not valid {dialect.encoding_name} text ({error.reason})", path=path)
    except (OSError, EOFError) as error:
        return LogImportError(f"could not be read: {error}", path=path)
    return None
