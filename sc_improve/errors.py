"""Errors that carry the place in the user's input they are about.

Every reader raises :class:`LogImportError` for bad input, never a bare pandas or
parser exception, so the CLI and the app can show one line that names the file,
the row or line, and the column, and keep running.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class LogImportError(ValueError):
    """Bad input: what is wrong and where."""

    message: str
    path: str | Path | None = None
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.path is not None:
            where.append(str(self.path))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class AnalysisError(ValueError):
    """An analysis cannot run on this log (e.g. it is empty after filtering)."""
