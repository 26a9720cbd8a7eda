"""Open any supported event log file: the one entry point for the CLI and the app.

Tables (CSV/TSV/TXT, Excel, Parquet) go through column mapping: the roles are
suggested from a sample of the first rows (or taken from a saved mapping), the
user's overrides are applied, then the whole table is read and turned into the
canonical event log. XES and OCEL files carry their roles in the format itself and
go to their own readers. The format is chosen by extension; files with an
unfamiliar extension are recognised by their first bytes when those are
unambiguous (Parquet, Excel, SQLite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from sc_improve.errors import LogImportError
from sc_improve.log.build import apply_mapping, check_mapping
from sc_improve.log.categories import repetitive_text_columns
from sc_improve.log.event_log import EventLog
from sc_improve.log.mapping import ColumnMapping, MappingSuggestion, apply_overrides
from sc_improve.log.readers.csv_reader import read_csv_table
from sc_improve.log.readers.excel import EXCEL_EXTENSIONS, read_excel_table
from sc_improve.log.readers.parquet import read_parquet_table
from sc_improve.log.readers.sniff import read_sample, sniff
from sc_improve.log.suggest import suggest_mapping
from sc_improve.log.timestamps import is_plain_iso
from sc_improve.progress import ProgressCallback, ensure_progress, steps

SAMPLE_ROWS = 5000
"""Rows inspected to suggest a mapping: enough for cardinalities, cheap to read."""
TEXT_EXTENSIONS = (".csv", ".tsv", ".txt", ".tab")
OCEL_EXTENSIONS = (".jsonocel", ".xmlocel", ".sqlite", ".sqlite3")
SUPPORTED_FORMATS = (
    "CSV/TSV/TXT (.csv, .tsv, .txt, also .gz or .bz2 compressed), "
    "Excel (.xlsx, .xlsm, .xls, .xlsb, .ods), Parquet (.parquet), XES (.xes, .xes.gz), "
    "OCEL (.jsonocel, .xmlocel, .sqlite, and OCEL .json/.xml, optionally .gz)"
)
_MAGIC = (
    (b"PAR1", "parquet"),
    (b"PK\x03\x04", "excel"),
    (b"\xd0\xcf\x11\xe0", "excel"),
    (b"SQLite format 3\x00", "ocel"),
)


@dataclass
class _RawTable:
    table: pa.Table
    first_row: int = 1
    notes: list[str] = field(default_factory=list)
    from_text: bool = False
    decimal_comma: bool = False

    def release(self) -> pa.Table:
        """Hand the table over and drop this reference, so it is freed once the mapping has used it."""
        table, self.table = self.table, pa.table({})
        return table


def file_kind(path: str | Path) -> str:
    """The reader a file needs: "csv", "excel", "parquet", "xes" or "ocel".

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "orders.csv.gz")
    >>> _ = open(path, "wb").write(b"")
    >>> file_kind(path)
    'csv'
    """
    file = Path(path)
    if not file.exists():
        raise LogImportError("file not found", path=path)
    if not file.is_file():
        raise LogImportError("is a folder, not a file", path=path)
    name = file.name.lower()
    compressed = name.endswith((".gz", ".bz2"))
    suffix = Path(name.rsplit(".", 1)[0]).suffix if compressed else file.suffix.lower()
    if suffix in TEXT_EXTENSIONS:
        return "csv"
    if suffix in EXCEL_EXTENSIONS and not compressed:
        return "excel"
    if suffix == ".parquet" and not compressed:
        return "parquet"
    if suffix == ".xes":
        return "xes"
    if suffix in OCEL_EXTENSIONS:
        return "ocel"
    if suffix in (".json", ".xml"):
        return _json_or_xml_kind(file, suffix)
    with open(file, "rb") as handle:
        magic = handle.read(16)
    for prefix, kind in _MAGIC:
        if magic.startswith(prefix) and not compressed:
            return kind
    raise LogImportError(f"has an unsupported file type; supported formats: {SUPPORTED_FORMATS}", path=path)


def read_log(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    *,
    sheet: str | int | None = None,
    object_type: str | None = None,
    overrides: dict[str, str] | None = None,
    progress: ProgressCallback | None = None,
) -> EventLog:
    """Read an event log file of any supported format into the canonical :class:`EventLog`.

    For tables, ``mapping`` (e.g. from :func:`~sc_improve.log.mapping.load_mapping`)
    says which column is which; without it the mapping is suggested from the first
    5,000 rows of the table, which is read only once. ``overrides`` replace single roles either way (see
    :func:`~sc_improve.log.mapping.apply_overrides`). ``sheet`` picks an Excel sheet
    by name or 0-based index; ``object_type`` picks the OCEL object type whose
    objects become cases.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> _ = open(path, "w").write("Case ID,Activity,Timestamp\\n1,a,2024-01-01 08:00\\n1,b,2024-01-02\\n")
    >>> read_log(path).frame["concept:name"].tolist()
    ['a', 'b']
    """
    kind = file_kind(path)
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    if kind in ("xes", "ocel"):
        if mapping is not None or overrides:
            raise LogImportError(
                f"a column mapping applies to tables (CSV, Excel, Parquet); {kind.upper()} logs name "
                "their case, activity and time attributes themselves",
                path=path,
            )
        return _read_event_format(path, kind, object_type, progress)
    step = steps(progress, ["reading", "building the event log"])
    if kind == "csv":
        _check_sheet(path, kind, sheet)
        raw, suggestion = _read_text(path, mapping, overrides, step(0))
    else:
        projection = mapping.columns() if mapping is not None and mapping.attributes is not None else None
        raw = _read_raw(path, kind, sheet, None if overrides else projection, None, step(0))
        suggestion = _suggestion(raw.table, mapping, overrides)
    return apply_mapping(
        raw.release(),
        suggestion.mapping,
        source=str(path),
        first_row=raw.first_row,
        notes=raw.notes,
        numbers_from_text=raw.from_text,
        decimal_comma=raw.decimal_comma,
        progress=step(1),
    )


def log_from_frame(
    frame: pd.DataFrame,
    mapping: ColumnMapping | None = None,
    *,
    overrides: dict[str, str] | None = None,
    source: str = "",
    progress: ProgressCallback | None = None,
) -> EventLog:
    """Build the event log from a table already in memory (generated logs, the GUI's data).

    >>> frame = pd.DataFrame({"case_id": ["1", "1"], "activity": ["a", "b"],
    ...     "end_time": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00"])})
    >>> log_from_frame(frame).n_events
    2
    """
    suggestion = (
        suggest_mapping(frame.head(SAMPLE_ROWS))
        if mapping is None
        else MappingSuggestion(mapping=mapping, columns=[str(c) for c in frame.columns])
    )
    if overrides:
        suggestion = apply_overrides(suggestion, **overrides)
    return apply_mapping(frame, suggestion.mapping, source=source, progress=progress)


def preview_table(path: str | Path, rows: int = 200, sheet: str | int | None = None) -> pd.DataFrame:
    """The first ``rows`` rows of a table with its raw columns (for the mapping dialog).

    Text stays text (``string[pyarrow]``); Excel and Parquet keep their cell types.
    """
    kind = file_kind(path)
    if kind not in ("csv", "excel", "parquet"):
        raise LogImportError(
            f"a preview is for tables (CSV, Excel, Parquet); {kind.upper()} logs have no column choice",
            path=path,
        )
    raw = _read_raw(path, kind, sheet, None, rows, None)
    return raw.table.to_pandas(types_mapper=_pandas_type)


def suggest_for_file(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    overrides: dict[str, str] | None = None,
    sample_rows: int = SAMPLE_ROWS,
) -> MappingSuggestion:
    """Suggest a mapping for a table file from its first rows, with the user's overrides applied."""
    suggestion = suggest_mapping(preview_table(path, rows=sample_rows, sheet=sheet))
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    return apply_overrides(suggestion, **overrides) if overrides else suggestion


def describe_mapping(suggestion: MappingSuggestion) -> str:
    """What was chosen for each role and why, in the override syntax so it can be copied.

    >>> print(describe_mapping(MappingSuggestion(ColumnMapping(case=["EBELN", "EBELP"],
    ...     activity=["Activity"], timestamp=["ERDAT", "ERZET"]), columns=["EBELN", "EBELP"])))
    case:       EBELN,EBELP
    activity:   Activity
    timestamp:  ERDAT+ERZET
    start:      (none)
    resource:   (none)
    lifecycle:  (none)
    attributes: all other columns (0)
    """
    mapping = suggestion.mapping
    shown = {
        "case": ",".join(mapping.case),
        "activity": ",".join(mapping.activity),
        "timestamp": "+".join(mapping.timestamp),
        "start": "+".join(mapping.start),
        "resource": mapping.resource or "",
        "lifecycle": mapping.lifecycle or "",
    }
    lines = []
    for role, value in shown.items():
        line = f"{role + ':':<12}{value or '(none)'}"
        reason = suggestion.reasons.get(role)
        if reason and value:
            line += f"  ({reason}; confidence {suggestion.confidence.get(role, 0):.2f})"
        elif reason and role in ("case", "activity", "timestamp"):
            line += f"  ({reason})"
        lines.append(line)
    if mapping.attributes is None:
        others = [c for c in suggestion.columns if c not in mapping.role_columns()]
        lines.append(f"{'attributes:':<12}all other columns ({len(others)})")
    else:
        lines.append(f"{'attributes:':<12}{', '.join(mapping.attributes) or '(none)'}")
    if mapping.timestamp_format:
        lines.append(f"{'format:':<12}{mapping.timestamp_format}")
    if mapping.dayfirst is not None:
        lines.append(f"{'dates:':<12}{'day' if mapping.dayfirst else 'month'} first")
    return "\n".join(lines)


def _suggestion(
    table: pa.Table, mapping: ColumnMapping | None, overrides: dict[str, str]
) -> MappingSuggestion:
    """The mapping to apply: the given one or one suggested from the table's first rows, with overrides."""
    if mapping is None:
        suggestion = suggest_mapping(table.slice(0, SAMPLE_ROWS).to_pandas(types_mapper=_pandas_type))
    else:
        suggestion = MappingSuggestion(mapping=mapping, columns=table.column_names)
    return apply_overrides(suggestion, **overrides) if overrides else suggestion


def _read_text(
    path: str | Path,
    mapping: ColumnMapping | None,
    overrides: dict[str, str],
    progress: ProgressCallback | None,
) -> tuple[_RawTable, MappingSuggestion]:
    """A text table and its mapping, with the mapping settled before the whole file is read.

    The first rows come from the streaming reader (a file that has no more rows is
    then already read). Knowing the mapping first lets the whole read keep only the
    columns it names and parse ISO 8601 time columns on Arrow's reading threads,
    and a mapping that names a missing column fails before millions of rows are read.
    """
    dialect = sniff(path)
    head = read_csv_table(path, dialect=dialect, max_rows=SAMPLE_ROWS)
    suggestion = _suggestion(head.table, mapping, overrides)
    chosen = suggestion.mapping
    check_mapping(chosen, head.table.column_names, str(path))
    if head.table.num_rows < SAMPLE_ROWS:
        ensure_progress(progress)(1.0, f"reading {Path(path).name}: 100%")
        text = head
    else:
        text = read_csv_table(
            path,
            dialect=dialect,
            columns=chosen.columns() if chosen.attributes is not None else None,
            iso_times=_iso_time_columns(head.table, chosen),
            dictionary_columns=repetitive_text_columns(head.table, chosen),
            progress=progress,
        )
    return _RawTable(text.table, 1, text.notes, True, text.dialect.decimal_comma), suggestion


def _iso_time_columns(sample: pa.Table, mapping: ColumnMapping) -> list[str]:
    """Single time columns whose sample is plain ISO 8601, for the reader to parse (see ``read_csv_table``).

    Only when no format is forced: a user's own pattern must be applied as given.
    """
    if mapping.timestamp_format is not None:
        return []
    single = [names[0] for names in (mapping.timestamp, mapping.start) if len(names) == 1]
    return [name for name in dict.fromkeys(single) if is_plain_iso(sample.column(name))]


def _read_event_format(
    path: str | Path, kind: str, object_type: str | None, progress: ProgressCallback | None
) -> EventLog:
    if kind == "xes":
        from sc_improve.log.readers.xes import read_xes

        return read_xes(path, progress=progress)
    from sc_improve.log.readers.ocel import read_ocel

    return read_ocel(path, object_type=object_type, progress=progress)


def _read_raw(
    path: str | Path,
    kind: str,
    sheet: str | int | None,
    columns: list[str] | None,
    max_rows: int | None,
    progress: ProgressCallback | None,
) -> _RawTable:
    _check_sheet(path, kind, sheet)
    if kind == "csv":
        text = read_csv_table(path, columns=columns, max_rows=max_rows, progress=progress)
        return _RawTable(text.table, 1, text.notes, True, text.dialect.decimal_comma)
    if kind == "excel":
        sheet_table = read_excel_table(path, sheet=sheet, max_rows=max_rows, progress=progress)
        return _RawTable(sheet_table.table, sheet_table.first_row, sheet_table.notes)
    table = read_parquet_table(path, columns=columns, max_rows=max_rows, progress=progress)
    if table.num_rows == 0:
        raise LogImportError("has no rows", path=path)
    return _RawTable(table, 1, [f"Read {Path(path).name} (Parquet, {table.num_rows:,} rows)."])


def _check_sheet(path: str | Path, kind: str, sheet: str | int | None) -> None:
    if sheet is not None and kind != "excel":
        raise LogImportError("a sheet can only be chosen for Excel workbooks", path=path)


def _json_or_xml_kind(path: Path, suffix: str) -> str:
    head, _, _ = read_sample(path, 1 << 16)
    lowered = head.lower()
    if suffix == ".xml":
        if b"xes.version" in lowered or b"xes-standard.org" in lowered or b"<trace" in lowered:
            return "xes"
        if b"ocel" in lowered or b"<objects" in lowered:
            return "ocel"
        raise LogImportError("is XML but neither an XES nor an OCEL log", path=path)
    if b'"ocel:' in lowered or b'"objecttypes"' in lowered or b'"objects"' in lowered:
        return "ocel"
    raise LogImportError("is JSON but not an OCEL log", path=path)


def _pandas_type(kind: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.StringDtype("pyarrow")
    return None
