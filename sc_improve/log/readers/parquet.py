"""Read a Parquet file into Arrow, keeping its native column types.

Parquet already carries types, so timestamp columns arrive as timestamps and need
no format detection. We read only the columns the mapping uses when it names them
(column projection keeps memory low on wide ERP extracts), row group by row group
so progress can be reported and the read cancelled, and drop the index columns that
pandas writes (``__index_level_0__``), which are not part of the data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sc_improve.errors import LogImportError
from sc_improve.progress import ProgressCallback, ensure_progress


def parquet_columns(path: str | Path) -> list[str]:
    """The data columns of a Parquet file (without pandas index columns)."""
    return _data_columns(_open(path))


def read_parquet_table(
    path: str | Path,
    *,
    columns: list[str] | None = None,
    max_rows: int | None = None,
    progress: ProgressCallback | None = None,
) -> pa.Table:
    """Read (some columns of) a Parquet file.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "log.parquet")
    >>> pq.write_table(pa.table({"case": ["1"], "activity": ["a"]}), path)
    >>> read_parquet_table(path, columns=["activity"]).column_names
    ['activity']
    """
    report = ensure_progress(progress)
    parquet = _open(path)
    available = _data_columns(parquet)
    wanted = available if columns is None else [c for c in columns if c in available]
    try:
        if max_rows is not None:
            batch = next(parquet.iter_batches(batch_size=max(max_rows, 1), columns=wanted), None)
            if batch is None:
                return parquet.schema_arrow.empty_table().select(wanted)
            return pa.Table.from_batches([batch]).slice(0, max_rows)
        groups = []
        total = max(parquet.num_row_groups, 1)
        for index in range(parquet.num_row_groups):
            groups.append(parquet.read_row_group(index, columns=wanted))
            report((index + 1) / total, f"reading {Path(path).name}: row group {index + 1} of {total}")
    except (pa.ArrowException, OSError) as error:
        raise LogImportError(f"is a damaged Parquet file ({error})", path=path) from error
    if not groups:
        return parquet.schema_arrow.empty_table().select(wanted)
    return pa.concat_tables(groups)


def _open(path: str | Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(str(path))
    except (pa.ArrowException, OSError) as error:
        raise LogImportError(f"is not a readable Parquet file ({error})", path=path) from error


def _data_columns(parquet: pq.ParquetFile) -> list[str]:
    metadata = parquet.schema_arrow.metadata or {}
    index_columns: set[str] = set()
    if b"pandas" in metadata:
        described = json.loads(metadata[b"pandas"]).get("index_columns", [])
        index_columns = {c for c in described if isinstance(c, str)}
    return [name for name in parquet.schema_arrow.names if name not in index_columns]
