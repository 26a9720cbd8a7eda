"""Read one sheet of an Excel workbook (.xlsx, .xlsm, .xls, .xlsb, .ods) into Arrow.

We use python-calamine (a Rust reader, many times faster than openpyxl) and convert
the rows it yields in chunks, so a full 1,048,576-row sheet never exists as one big
list of Python objects. Cells keep their Excel types: date cells become timestamps
(no guessing needed), numbers stay numbers (the mapping step turns whole-number ids
such as 4500001234.0 back into "4500001234", and reads plain numbers in a
timestamp column as Excel serial dates).

Row numbers reported to the user are the sheet's own row numbers, as Excel shows
them in the left margin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import python_calamine as calamine

from sc_improve.errors import LogImportError
from sc_improve.log.arrowtools import as_text
from sc_improve.log.readers.sniff import unique_column_names
from sc_improve.progress import ProgressCallback, ensure_progress

EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CHUNK_ROWS = 50_000
HEADER_SEARCH_ROWS = 20
"""A header is looked for in the first rows, so report titles above the table are skipped."""


@dataclass
class SheetTable:
    """One sheet as Arrow columns; ``first_row`` is the sheet row number of the first data row."""

    table: pa.Table
    sheet: str
    first_row: int
    notes: list[str] = field(default_factory=list)


def list_sheets(path: str | Path) -> list[str]:
    """Sheet names in workbook order (for the GUI's sheet chooser)."""
    return list(_open(path).sheet_names)


def read_excel_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    max_rows: int | None = None,
    progress: ProgressCallback | None = None,
) -> SheetTable:
    """Read a sheet: by name, by 0-based index, or (default) the first sheet that has data.

    The header is the first row, among the first 20, that has as many filled cells
    as the fullest of those rows; title rows above the table are skipped.

    >>> import tempfile, os, openpyxl
    >>> path = os.path.join(tempfile.mkdtemp(), "log.xlsx")
    >>> book = openpyxl.Workbook(); book.active.append(["case", "activity"])
    >>> book.active.append(["1", "a"]); book.save(path)
    >>> read_excel_table(path).table.column("activity").to_pylist()
    ['a']
    """
    report = ensure_progress(progress)
    name, data = _choose_sheet(_open(path), sheet, path)
    try:
        header_index, columns = _read_sheet(data, name, path, max_rows, report)
    except (calamine.CalamineError, ValueError) as error:
        raise LogImportError(f"sheet '{name}' cannot be read ({error})", path=path) from error
    table = pa.table(columns)
    notes = [f"Read sheet '{name}' of {Path(path).name}; header in row {header_index + 1}."]
    return SheetTable(table=table, sheet=name, first_row=header_index + 2, notes=notes)


def _read_sheet(
    data: calamine.CalamineSheet,
    name: str,
    path: str | Path,
    max_rows: int | None,
    report: ProgressCallback,
) -> tuple[int, dict[str, pa.ChunkedArray]]:
    """The header's index among the sheet's rows, and the columns below it."""
    height = max(data.total_height, 1)
    rows = data.iter_rows()
    head = [row for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]
    header_index = _header_index(head)
    if header_index is None:
        raise LogImportError(f"sheet '{name}' is empty", path=path)
    names = unique_column_names([_cell_text(v) for v in head[header_index]])
    parts: list[list[pa.Array]] = [[] for _ in names]
    count = 0
    for chunk in _chunks(iter(head[header_index + 1 :]), rows, CHUNK_ROWS, max_rows):
        for index, values in enumerate(_columns_of(chunk, len(names))):
            parts[index].append(_column_array(values))
        count += len(chunk)
        report(min(count / height, 1.0), f"reading sheet '{name}': {count:,} rows")
    if count == 0:
        raise LogImportError(f"sheet '{name}' has a header row but no data rows", path=path)
    return header_index, {column: _combine(chunks) for column, chunks in zip(names, parts, strict=True)}


def _open(path: str | Path) -> calamine.CalamineWorkbook:
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except (calamine.CalamineError, OSError, ValueError) as error:
        raise LogImportError(f"is not a readable Excel workbook ({error})", path=path) from error


def _choose_sheet(
    workbook: calamine.CalamineWorkbook, sheet: str | int | None, path: str | Path
) -> tuple[str, calamine.CalamineSheet]:
    names = list(workbook.sheet_names)
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise LogImportError(
                f"has {len(names)} sheets; sheet index {sheet} does not exist (counting from 0)", path=path
            )
        return names[sheet], _load(workbook, names[sheet], path)
    if sheet is not None:
        if sheet not in names:
            raise LogImportError(f"has no sheet named '{sheet}'; sheets are: {', '.join(names)}", path=path)
        return sheet, _load(workbook, sheet, path)
    for name in names:
        data = _load(workbook, name, path)
        if data.height > 0:
            return name, data
    raise LogImportError("has no sheet with data", path=path)


def _load(workbook: calamine.CalamineWorkbook, name: str, path: str | Path) -> calamine.CalamineSheet:
    try:
        return workbook.get_sheet_by_name(name)
    except (calamine.CalamineError, ValueError) as error:
        raise LogImportError(f"sheet '{name}' cannot be read ({error})", path=path) from error


def _header_index(head: list[list[object]]) -> int | None:
    filled = [sum(1 for v in row if v not in ("", None)) for row in head]
    widest = max(filled, default=0)
    if widest == 0:
        return None
    return filled.index(widest)


def _chunks(
    first: Iterator[list[object]], rest: Iterator[list[object]], size: int, limit: int | None
) -> Iterator[list[list[object]]]:
    """Rows in lists of ``size``, stopping after ``limit`` rows; trailing empty rows are dropped."""
    chunk: list[list[object]] = []
    taken = 0
    for source in (first, rest):
        for row in source:
            chunk.append(row)
            taken += 1
            if len(chunk) == size or (limit is not None and taken >= limit):
                yield _trim(chunk)
                chunk = []
            if limit is not None and taken >= limit:
                return
    if chunk and (trimmed := _trim(chunk)):
        yield trimmed


def _trim(chunk: list[list[object]]) -> list[list[object]]:
    end = len(chunk)
    while end and all(v in ("", None) for v in chunk[end - 1]):
        end -= 1
    return chunk[:end] if end < len(chunk) else chunk


def _columns_of(chunk: list[list[object]], width: int) -> list[np.ndarray]:
    grid = pd.DataFrame(chunk, dtype=object).reindex(columns=range(width)).to_numpy()
    return [grid[:, i] for i in range(width)]


def _column_array(values: np.ndarray) -> pa.Array:
    """One column of cells as a typed Arrow array (empty cells are null)."""
    values = np.where(values == "", None, values)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("floating", "integer", "mixed-integer-float"):
        return pa.array(values, type=pa.float64(), from_pandas=True)
    if kind in ("datetime", "date", "datetime64"):
        return pa.array(pd.to_datetime(pd.Series(values), errors="coerce"), type=pa.timestamp("ns"))
    if kind in ("string", "empty", "boolean", "time", "timedelta"):
        return pa.array(values, from_pandas=True)
    return _mixed_as_text(values)


def _mixed_as_text(values: np.ndarray) -> pa.Array:
    """Cells of mixed type as text: whole numbers without ".0", dates as ISO."""
    text = pd.Series(values, dtype=object).map(_cell_text, na_action="ignore")
    return pa.array(text, type=pa.large_string(), from_pandas=True)


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return "" if value is None else str(value)


def _combine(chunks: list[pa.Array]) -> pa.ChunkedArray:
    """Chunks of one column with one type: all-empty chunks take the others' type, else text."""
    types = {c.type for c in chunks if not pa.types.is_null(c.type)}
    if not types:
        return pa.chunked_array(chunks, type=pa.null())
    if len(types) == 1:
        kind = types.pop()
        return pa.chunked_array([c.cast(kind) for c in chunks], type=kind)
    return as_text(pa.chunked_array([as_text(pa.chunked_array([c])).combine_chunks() for c in chunks]))
