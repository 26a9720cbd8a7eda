"""Read XES and XES.gz event logs into the canonical event table.

The file is streamed and parsed piece by piece, by our column-wise parser for the
plain form nearly all files use and by rustxes, a Rust XES parser, for anything else
(:mod:`sc_improve.log.readers.xes_chunks` explains how and why); both give the same
table. ``<date>`` values with an offset (``+02:00``) are converted to UTC and values
without one kept as they are; both end up labelled UTC, the same policy as the CSV
reader (see :func:`sc_improve.log.event_log.to_utc`). A value rustxes cannot parse
(for example a date without a time) becomes a missing timestamp, so that event is
dropped and listed as an issue, and a note quotes examples. ``<list>``/``<container>``
attributes have no tabular form and are left out with a note. Trace attributes become
``case:`` columns. ``<global>`` default values are not applied: an attribute an event
or trace lacks stays missing rather than becoming a placeholder such as "UNKNOWN".
Whether a file is gzipped is read from its first bytes, not its name.

The event number in the file is kept as ``@@source_row``; start/complete events are
then paired into activity instances (:func:`sc_improve.log.lifecycle.pair_lifecycle`).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from sc_improve.columns import ACTIVITY, CASE, CASE_ATTRIBUTE_PREFIX, END, LIFECYCLE, RESOURCE, SOURCE_ROW
from sc_improve.errors import LogImportError
from sc_improve.log.event_log import EventLog, make_event_log
from sc_improve.log.lifecycle import pair_lifecycle
from sc_improve.log.readers.frame_bridge import arrow_to_pandas
from sc_improve.log.readers.xes_chunks import parse_pieces, split_pieces
from sc_improve.log.xml_safety import check_xml_prolog, open_log_bytes
from sc_improve.progress import ProgressCallback, ensure_progress

_UNPARSED_DATE = re.compile(r'Failed to parse data from "([^"]*)"')
_NESTED_VALUE_PREFIX = "[Attribute {"


def read_xes(path: str | os.PathLike[str], progress: ProgressCallback | None = None) -> EventLog:
    """Read an XES or XES.gz file into an :class:`EventLog` of activity instances.

    >>> log = read_xes("PurchasingExample.xes.gz")  # doctest: +SKIP
    >>> log.raw_event_count, log.n_events, log.has_start  # 18,238 start/complete events  # doctest: +SKIP
    (18238, 9119, True)
    """
    report = ensure_progress(progress)
    path = Path(path)
    if not path.is_file():
        raise LogImportError("file not found", path=str(path))
    check_xml_prolog(path)
    report(0.0, "reading XES")

    def reading(events: int, fraction: float) -> None:
        report(0.8 * fraction, f"reading XES: {events:,} events")

    tables: list[pa.Table] = []
    failed_dates: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="sc-improve-xes-", ignore_cleanup_errors=True) as scratch,
        open_log_bytes(path) as data,
    ):
        for parsed in parse_pieces(split_pieces(data, path), path, Path(scratch), reading):
            failed_dates += _UNPARSED_DATE.findall(parsed.messages)
            if parsed.table.num_rows:
                tables.append(parsed.table)
    if not tables:
        raise LogImportError("the XES file contains no events", path=str(path))
    events = _concat(tables)
    del tables
    n_events = events.num_rows
    events, notes = _tidy(events, path)
    if failed_dates:
        examples = ", ".join(f"'{value}'" for value in dict.fromkeys(failed_dates[:3]))
        notes.append(
            f"{len(failed_dates):,} date values could not be read as XES dates (e.g. {examples}); "
            "those attributes are empty"
        )
    report(0.85, "converting")
    frame = arrow_to_pandas(events)
    del events
    report(0.9, "pairing start/complete events")
    frame, issues, pairing_notes = pair_lifecycle(frame)
    report(0.95, "building the event table")
    log = make_event_log(
        frame,
        source=str(path),
        raw_event_count=n_events,
        issues=issues,
        notes=[*notes, *pairing_notes],
        mapping={"format": "xes"},
    )
    report(1.0, f"read {n_events:,} events")
    return log


def _concat(tables: list[pa.Table]) -> pa.Table:
    """Stack the pieces; an attribute typed differently in two pieces (int and text) becomes text.

    Missing columns are filled with nulls and compatible types widened (int to float)
    by Arrow itself; only incompatible ones need the cast.
    """
    kinds: dict[str, set[pa.DataType]] = {}
    for table in tables:
        for field in table.schema:
            kinds.setdefault(field.name, set()).add(field.type)
    clashing = {name for name, types in kinds.items() if len(types) > 1 and not _compatible(types)}
    if clashing:
        tables = [
            table.cast(
                pa.schema([f.with_type(pa.large_string()) if f.name in clashing else f for f in table.schema])
            )
            for table in tables
        ]
    return pa.concat_tables(tables, promote_options="permissive")


def _compatible(types: set[pa.DataType]) -> bool:
    try:
        pa.unify_schemas([pa.schema([("value", kind)]) for kind in types], promote_options="permissive")
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return False
    return True


def _tidy(events: pa.Table, path: Path) -> tuple[pa.Table, list[str]]:
    """Check the key columns, drop list attributes, order columns and number the events."""
    missing = {
        ACTIVITY: "no event has a concept:name (activity) attribute",
        END: "no event has a time:timestamp attribute",
        CASE: "no trace has a concept:name (case id) attribute",
    }
    for column, message in missing.items():
        if column not in events.column_names:
            raise LogImportError(message, path=str(path))
    nested = sorted(
        field.name
        for field in events.schema
        if pat.is_large_string(field.type)
        and pc.any(pc.starts_with(events.column(field.name), _NESTED_VALUE_PREFIX)).as_py()
    )
    notes = []
    if nested:
        events = events.drop_columns(nested)
        listed = ", ".join(f"'{name}'" for name in nested)
        notes.append(f"left out list/container attributes, which have no table form: {listed}")
    names = events.column_names
    core = [c for c in (CASE, ACTIVITY, END, RESOURCE, LIFECYCLE) if c in names]
    case_attributes = sorted(c for c in names if c.startswith(CASE_ATTRIBUTE_PREFIX) and c not in core)
    others = sorted(c for c in names if c not in core and c not in case_attributes)
    events = events.select([*core, *case_attributes, *others])
    rows = pa.array(np.arange(1, events.num_rows + 1, dtype=np.int64))
    return events.append_column(SOURCE_ROW, rows), notes
