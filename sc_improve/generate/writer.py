"""Write a generated event table as CSV, gzipped CSV, Parquet or XES, by file extension.

CSV and XES are built with vectorised pyarrow string kernels in blocks of rows, so the
5M-event benchmark log is written in seconds with bounded memory. Gzip output has a
zero modification time in its header, so the same log always gives the same bytes
(the bundled sample logs can be checked by hash after regeneration).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sc_improve.generate.choices import format_of
from sc_improve.generate.text import csv_escape, text_column
from sc_improve.generate.xes import write_xes

ROWS_PER_BLOCK = 100_000


def write_log(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``path`` in the format its extension names; return the path.

    CSV: a header row, ISO 8601 timestamps to the second (a timestamp at exactly
    midnight is written as the date alone, as date-only fields appear in extracts),
    empty fields for missing values, RFC 4180 quoting only where needed.
    Parquet: the frame as it is. XES: see :mod:`sc_improve.generate.xes`.
    """
    path = Path(path)
    kind = format_of(path)
    if kind == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        with _open(path) as out:
            (write_csv if kind.startswith(".csv") else write_xes)(frame, out)
    return path


def write_csv(frame: pd.DataFrame, out: BinaryIO) -> None:
    header = pa.array([str(c) for c in frame.columns])
    out.write((",".join(csv_escape(header).to_pylist()) + "\n").encode())
    columns = [text_column(frame[c], csv_escape, date_only_at_midnight=True) for c in frame.columns]
    for first in range(0, len(frame), ROWS_PER_BLOCK):
        rows = np.arange(first, min(first + ROWS_PER_BLOCK, len(frame)))
        fields = [pc.fill_null(column(rows), "") for column in columns]
        lines = pc.binary_join_element_wise(*fields, ",")
        out.write(("\n".join(lines.to_pylist()) + "\n").encode())


@contextmanager
def _open(path: Path) -> Iterator[BinaryIO]:
    with open(path, "wb") as raw:
        if path.name.lower().endswith(".gz"):
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as zipped:
                yield zipped
        else:
            yield raw
