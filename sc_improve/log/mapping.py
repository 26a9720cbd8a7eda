"""Which source columns play which role in the event log, and how to store that choice.

A :class:`ColumnMapping` is the user's (or the suggestion's) answer to "which
column is the case, the activity, the time?". Case and activity may combine several
columns (SAP purchase order *item* = EBELN + EBELP; activity + lifecycle), and a
timestamp may be a date column plus a time column (SAP ERDAT + ERZET). Mappings are
saved as small, readable JSON files so an analyst can reuse them for next month's
extract of the same system.

The text override syntax used by the CLI (and by :func:`apply_overrides`): a comma
joins several columns into one value (``"EBELN,EBELP"``), a plus sign joins a date
column and a time column (``"ERDAT+ERZET"``), and an empty value clears an optional
role. A value that is exactly the name of a column is taken as that column, even if
the name contains a comma.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from sc_improve.errors import LogImportError

MAPPING_FORMAT = "sc-improve column mapping"
MAPPING_VERSION = 1
ROLES = ("case", "activity", "timestamp", "start", "resource", "lifecycle")
OVERRIDE_KEYS = (*ROLES, "timestamp_format", "dayfirst", "attributes", "separator")


@dataclass
class ColumnMapping:
    """Source columns for each role of the canonical event table.

    ``case`` and ``activity`` list one or more columns whose values are joined with
    ``separator``. ``timestamp`` (end time) and ``start`` are one column or a
    [date, time] pair. ``attributes`` is an explicit list of further columns to keep,
    or None for "all other columns". ``timestamp_format`` (a strptime pattern or
    iso8601/epoch_s/epoch_ms/excel) and ``dayfirst`` override detection; the
    format applies to the date column of a [date, time] pair.

    >>> ColumnMapping(case=["EBELN", "EBELP"], activity=["Activity"], timestamp=["ERDAT", "ERZET"]).columns()
    ['EBELN', 'EBELP', 'Activity', 'ERDAT', 'ERZET']
    """

    case: list[str] = field(default_factory=list)
    activity: list[str] = field(default_factory=list)
    timestamp: list[str] = field(default_factory=list)
    start: list[str] = field(default_factory=list)
    resource: str | None = None
    lifecycle: str | None = None
    attributes: list[str] | None = None
    timestamp_format: str | None = None
    dayfirst: bool | None = None
    separator: str = "|"

    def role_columns(self) -> list[str]:
        """Columns used by a role (not as plain attributes), in role order."""
        used = [*self.case, *self.activity, *self.timestamp, *self.start]
        used += [c for c in (self.resource, self.lifecycle) if c]
        return list(dict.fromkeys(used))

    def columns(self) -> list[str]:
        """Every source column the mapping names, including explicit attributes."""
        return list(dict.fromkeys([*self.role_columns(), *(self.attributes or [])]))

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready form (stored on the EventLog and in mapping files)."""
        data: dict[str, object] = {"format": MAPPING_FORMAT, "version": MAPPING_VERSION}
        for item in fields(self):
            value = getattr(self, item.name)
            data[item.name] = list(value) if isinstance(value, list) else value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object], *, source: str | Path | None = None) -> ColumnMapping:
        """Build from :meth:`to_dict` output; lists may also be given in override syntax."""
        if not isinstance(data, dict):
            raise LogImportError("a column mapping must be a JSON object", path=source)
        unknown = sorted(set(data) - {f.name for f in fields(cls)} - {"format", "version"})
        if unknown:
            raise LogImportError(
                f"unknown keys in the column mapping: {', '.join(unknown)} "
                f"(known: {', '.join(f.name for f in fields(cls))})",
                path=source,
            )
        version = data.get("version", MAPPING_VERSION)
        if version != MAPPING_VERSION:
            raise LogImportError(f"column mapping version {version} is not supported", path=source)
        mapping = cls()
        for name in ("case", "activity", "timestamp", "start"):
            if name in data:
                setattr(mapping, name, _column_list(data[name], name, source))
        for name in ("resource", "lifecycle", "timestamp_format"):
            if data.get(name) is not None:
                setattr(mapping, name, _text(data[name], name, source) or None)
        if data.get("attributes") is not None:
            mapping.attributes = _column_list(data["attributes"], "attributes", source, joiner=",")
        if data.get("dayfirst") is not None:
            mapping.dayfirst = _flag(data["dayfirst"], source)
        if data.get("separator") is not None:
            mapping.separator = _text(data["separator"], "separator", source)
        return mapping


@dataclass
class MappingSuggestion:
    """A mapping plus why each role was chosen, how sure we are, and the columns available.

    ``confidence`` is 0..1 per role; the CLI and GUI show ``reasons`` so the user can
    check the choice and override it.
    """

    mapping: ColumnMapping
    reasons: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)


def save_mapping(mapping: ColumnMapping, path: str | Path) -> None:
    """Write a mapping file atomically (temporary file, then rename), so a crash never leaves half a file.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "sap.json")
    >>> save_mapping(ColumnMapping(case=["EBELN"], activity=["TCODE"], timestamp=["CPUDT", "CPUTM"]), path)
    >>> load_mapping(path).timestamp
    ['CPUDT', 'CPUTM']
    """
    target = Path(path)
    text = json.dumps(mapping.to_dict(), indent=2, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read a mapping file written by :func:`save_mapping` (or by hand)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise LogImportError("mapping file not found", path=path) from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LogImportError(f"is not a readable JSON mapping file ({error})", path=path) from error
    return ColumnMapping.from_dict(data, source=path)


def parse_columns(text: str, available: list[str], *, role: str) -> list[str]:
    """Column list from override text: "A,B" joins columns, "DATE+TIME" pairs date and time.

    >>> parse_columns("EBELN, EBELP", ["EBELN", "EBELP"], role="case")
    ['EBELN', 'EBELP']
    >>> parse_columns("ERDAT+ERZET", ["ERDAT", "ERZET"], role="timestamp")
    ['ERDAT', 'ERZET']
    """
    cleaned = text.strip()
    if cleaned in available:
        return [cleaned]
    if role in ("timestamp", "start"):
        parts = [p.strip() for p in cleaned.split("+")]
        if len(parts) > 2 or "," in cleaned:
            raise LogImportError(
                f"the {role} is one column or a date column and a time column joined with '+' "
                f"(e.g. ERDAT+ERZET), not {text!r}",
                column=text,
            )
    else:
        parts = [p.strip() for p in cleaned.split(",")]
    columns = [p for p in parts if p]
    check_columns(columns, available)
    return columns


def check_columns(columns: list[str], available: list[str], *, source: str | Path | None = None) -> None:
    """Raise for the first column that does not exist, listing the available ones (closest first)."""
    for column in columns:
        if column in available:
            continue
        close = difflib.get_close_matches(column, available, n=len(available), cutoff=0.0)
        listed = ", ".join(repr(c) for c in close[:30])
        more = f" and {len(available) - 30} more" if len(available) > 30 else ""
        raise LogImportError(
            f"there is no column '{column}'; available columns (closest match first): {listed}{more}",
            path=source,
            column=column,
        )


def apply_overrides(suggestion: MappingSuggestion, **overrides: str | None) -> MappingSuggestion:
    """Replace roles of a suggestion with the user's choices (CLI flags, dialog fields).

    Keys are the roles (case, activity, timestamp, start, resource, lifecycle) and
    timestamp_format, dayfirst (yes/no, true/false, day/month), attributes (comma
    list, or "all"), separator. None leaves a role as suggested; "" clears an optional
    role.

    >>> s = MappingSuggestion(ColumnMapping(case=["EBELN"]), columns=["EBELN", "EBELP", "ERDAT", "ERZET"])
    >>> apply_overrides(s, case="EBELN,EBELP", timestamp="ERDAT+ERZET").mapping.timestamp
    ['ERDAT', 'ERZET']
    """
    unknown = sorted(set(overrides) - set(OVERRIDE_KEYS))
    if unknown:
        raise LogImportError(
            f"unknown mapping options: {', '.join(unknown)} (known: {', '.join(OVERRIDE_KEYS)})"
        )
    mapping = replace(suggestion.mapping)
    reasons = dict(suggestion.reasons)
    confidence = dict(suggestion.confidence)
    available = suggestion.columns
    for key, value in overrides.items():
        if value is None:
            continue
        text = str(value)
        if key in ("case", "activity", "timestamp", "start"):
            columns = parse_columns(text, available, role=key) if text.strip() else []
            if not columns and key != "start":
                raise LogImportError(f"the {key} role cannot be empty")
            setattr(mapping, key, columns)
        elif key in ("resource", "lifecycle"):
            setattr(mapping, key, parse_columns(text, available, role=key)[0] if text.strip() else None)
        elif key == "attributes":
            mapping.attributes = (
                None if text.strip().lower() in ("", "all") else parse_columns(text, available, role=key)
            )
        elif key == "dayfirst":
            mapping.dayfirst = _flag(text, None)
        elif key == "timestamp_format":
            mapping.timestamp_format = text.strip() or None
        else:
            mapping.separator = text
        reasons[key] = "set by you"
        confidence[key] = 1.0
    return MappingSuggestion(mapping=mapping, reasons=reasons, confidence=confidence, columns=list(available))


def _column_list(value: object, name: str, source: str | Path | None, joiner: str = "+") -> list[str]:
    if isinstance(value, str):
        separator = joiner if name in ("timestamp", "start") else ","
        return [part.strip() for part in value.split(separator) if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise LogImportError(f"'{name}' must be a column name or a list of column names", path=source)


def _text(value: object, name: str, source: str | Path | None) -> str:
    if not isinstance(value, str):
        raise LogImportError(f"'{name}' must be text", path=source)
    return value


def _flag(value: object, source: str | Path | None) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "day", "dayfirst", "y"):
        return True
    if text in ("false", "no", "0", "month", "monthfirst", "n"):
        return False
    raise LogImportError(f"dayfirst must be yes or no (day or month first), not {value!r}", path=source)
