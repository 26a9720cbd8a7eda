"""Read a delimited text file (CSV, TSV, TXT, optionally gzip/bz2-compressed) into Arrow.

Arrow's streaming CSV reader parses in C, block by block, so we can report progress
(and let the user cancel) between blocks while millions of rows go by in well under
a second each. Every column is read as text: ids keep their leading zeros, and the
mapping step decides which columns are timestamps and parses them with the format
it detected. Bad input becomes a :class:`LogImportError` naming the line; to find
that line we re-read the file with Python's csv module, which is slow but only ever
runs after Arrow has already failed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv

from sc_improve.errors import LogImportError
from sc_improve.log.readers.sniff import Dialect, open_binary, sniff
from sc_improve.progress import ProgressCallback, ensure_progress

BLOCK_SIZE = 4 << 20
"""Bytes per parsed block: large enough for Arrow's speed, small enough for smooth progress."""
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
    progress: ProgressCallback | None = None,
) -> CsvTable:
    """Read a delimited file into an Arrow table of text columns.

    ``columns`` limits the columns kept (saves memory on wide ERP extracts);
    ``max_rows`` stops early (previews). The dialect is sniffed unless given.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> _ = open(path, "w").write("case,activity\\n1,a\\n1,b\\n")
    >>> read_csv_table(path).table.column("activity").to_pylist()
    ['a', 'b']
    """
    dialect = dialect or sniff(path)
    notes = [f"Read {Path(path).name} as {dialect.describe()}."]
    try:
        table = _read(path, dialect, columns, max_rows, progress)
    except (pa.ArrowException, OSError) as error:
        if "invalid UTF8" not in str(error) or dialect.encoding not in ("utf-8", "utf-8-sig"):
            raise _explain(path, dialect, error) from error
        dialect = replace(dialect, encoding="cp1252")
        notes = [
            f"Read {Path(path).name} as {dialect.describe()}: the file is not valid UTF-8 beyond its "
            "first megabyte, so it was read as Windows-1252."
        ]
        try:
            table = _read(path, dialect, columns, max_rows, progress)
        except (pa.ArrowException, OSError) as second:
            raise _explain(path, dialect, second) from second
    if table.num_rows == 0:
        raise LogImportError("has a header row but no data rows", path=path)
    if _ends_inside_quotes(table):
        problem = locate_problem(path, dialect)
        if problem is not None:
            raise problem
    return CsvTable(table=table, dialect=dialect, notes=notes)


def _read(
    path: str | Path,
    dialect: Dialect,
    columns: list[str] | None,
    max_rows: int | None,
    progress: ProgressCallback | None,
) -> pa.Table:
    report = ensure_progress(progress)
    size = max(Path(path).stat().st_size, 1)
    raw = pa.OSFile(str(path))
    stream = pa.CompressedInputStream(raw, dialect.compression) if dialect.compression else raw
    try:
        reader = pcsv.open_csv(
            stream,
            read_options=pcsv.ReadOptions(
                use_threads=True,
                block_size=BLOCK_SIZE if max_rows is None else PREVIEW_BLOCK_SIZE,
                skip_rows=dialect.skip_rows,
                column_names=list(dialect.columns),
                encoding=dialect.arrow_encoding,
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=dialect.delimiter,
                quote_char=dialect.quotechar or False,
                double_quote=True,
                newlines_in_values=dialect.multiline,
                ignore_empty_lines=True,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.large_string() for name in dialect.columns},
                include_columns=columns or [],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        batches = []
        rows = 0
        for batch in reader:
            batches.append(batch)
            rows += batch.num_rows
            report(min(raw.tell() / size, 1.0), f"reading {Path(path).name}: {rows:,} rows")
            if max_rows is not None and rows >= max_rows:
                break
        table = pa.Table.from_batches(batches, schema=reader.schema)
    finally:
        stream.close()
    return table.slice(0, max_rows) if max_rows is not None else table


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
