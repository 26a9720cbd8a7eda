"""Errors that carry the place in the user's input they are about.

Every reader raises :class:`LogImportError` for bad input, never a bare pandas or
parser exception, so the CLI and the app can show one line that names the file,
the row or line, and the column, and keep running.

All of them derive from :class:`InputError`: the line between "the user can fix this"
(exit code 2, one line) and "this is a bug" (exit code 1, a hint to run with --debug).
A plain ``ValueError`` is a bug, wherever it comes from. ``InputError`` subclasses
``ValueError`` so that code catching ``ValueError`` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class InputError(ValueError):
    """The user's input is wrong and they can fix it; the message says what and where."""


class UsageError(InputError):
    """A command-line argument is missing, out of range or contradicts another one."""


class OptionError(InputError):
    """A setting the user chose (a filter, an output format, a generator or quality option) is
    unknown or out of range; raised by the core, which the CLI and the app both call."""


@dataclass
class LogImportError(InputError):
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


class AnalysisError(InputError):
    """An analysis cannot run on this log (e.g. it is empty after filtering)."""
