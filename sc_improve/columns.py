"""The one place that names the canonical event-table columns.

The names are pm4py's defaults, so a canonical frame can be handed to any pm4py
algorithm as it is. Every other module imports these constants instead of spelling
the strings, so a rename is a one-line change.
"""

from __future__ import annotations

CASE = "case:concept:name"
ACTIVITY = "concept:name"
END = "time:timestamp"
START = "start_timestamp"
RESOURCE = "org:resource"
LIFECYCLE = "lifecycle:transition"
SOURCE_ROW = "@@source_row"
"""1-based row (CSV line after the header, XES event number, sheet row) the activity
instance was read from; for a paired start/complete instance, the row of its end event.
Used to point the user at the place in the file that a finding or error is about."""

CASE_ATTRIBUTE_PREFIX = "case:"

CORE_COLUMNS: tuple[str, ...] = (CASE, ACTIVITY, END, START, RESOURCE, SOURCE_ROW)
REQUIRED_COLUMNS: tuple[str, ...] = (CASE, ACTIVITY, END)
