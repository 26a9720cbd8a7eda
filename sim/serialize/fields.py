"""Typed readers for values of a parsed file: each names the field it rejects.

Every reader takes the value and its :data:`~sim.errors.FieldPath`, so a wrong type or a
misspelt key becomes a :class:`~sim.errors.ModelError` that the file loader turns into a
line number.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from sim.errors import FieldPath, ModelError


def expect_mapping(value: Any, field: FieldPath) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ModelError(f"expected a mapping of names to values, got {_kind(value)}", field)
    for key in value:
        if not isinstance(key, str):
            raise ModelError(f"names must be text, got {key!r}", field)
    return value


def expect_list(value: Any, field: FieldPath) -> list[Any]:
    if not isinstance(value, list):
        raise ModelError(f"expected a list, got {_kind(value)}", field)
    return value


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), f"{type(value).__name__} {value!r}"
    )


def expect_keys(
    data: Mapping[str, Any], field: FieldPath, required: Iterable[str], optional: Iterable[str]
) -> None:
    required, optional = tuple(required), tuple(optional)
    known = required + optional
    for key in data:
        if key not in known:
            raise ModelError(f"unknown field '{key}'{did_you_mean(key, known)}", (*field, key))
    for key in required:
        if key not in data:
            raise ModelError(f"missing field '{key}'", field)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'Approve PO'?)`` for a near miss, else nothing."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def expect_number(value: Any, field: FieldPath) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelError(f"expected a number, got {_kind(value)}", field)
    if not math.isfinite(value):
        raise ModelError(f"expected a finite number, got {value}", field)
    return float(value)


def expect_integer(value: Any, field: FieldPath) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(f"expected a whole number, got {_kind(value)}", field)
    return value


def expect_string(value: Any, field: FieldPath) -> str:
    if not isinstance(value, str):
        raise ModelError(f"expected text, got {_kind(value)}", field)
    return value


def expect_timestamp(value: Any, field: FieldPath) -> str:
    """An ISO 8601 timestamp with offset; YAML dates and offset-less times are read as UTC."""
    if isinstance(value, datetime | date):
        value = value.isoformat()
    text = expect_string(value, field)
    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        raise ModelError(f"'{text}' is not an ISO 8601 timestamp", field) from None
    if stamp is pd.NaT:
        raise ModelError(f"'{text}' is not an ISO 8601 timestamp", field)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.isoformat()
