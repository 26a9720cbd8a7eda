"""The one error type for an invalid simulation model, and its file-located form.

Discovery, scenario edits, the file loader and the engine all reject models for the same
reasons, so they raise the same :class:`ModelError`; callers catch one type whatever
found the problem. ``field`` points into the model (empty when the rule spans the whole
model); :class:`ModelFileError` adds the file and line when the model came from a file.
"""

from __future__ import annotations

import json
from pathlib import Path

from sc_improve.errors import InputError

FieldPath = tuple[str | int, ...]
"""Where a value sits in the model, e.g. ("activities", "Approve PO", "executions", 0, "probability")."""


def format_field(field: FieldPath) -> str:
    """``activities["Approve PO"].executions[0].probability``: the path a reader can follow."""
    text = ""
    for step in field:
        if isinstance(step, int):
            text += f"[{step}]"
        elif step.isidentifier():
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(step, ensure_ascii=False)}]"
    return text


class ModelError(InputError):
    """A model (or the data it was read from) breaks a rule; ``field`` says where, when known."""

    def __init__(self, message: str, field: FieldPath = ()) -> None:
        self.message = message
        self.field = field
        super().__init__(f"{format_field(field)}: {message}" if field else message)


class ModelFileError(ModelError):
    """A bad model or scenario file: what is wrong, in which file and on which line."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        super().__init__(message)
        where = " ".join(
            part for part in (Path(path).name if path else "", f"line {line}" if line else "") if part
        )
        self.args = (f"{where}: {message}" if where else message,)
