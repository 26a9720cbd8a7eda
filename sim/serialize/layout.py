"""The file layout shared by writing, reading and checking: schema version and calendar rows."""

from __future__ import annotations

SCHEMA_VERSION = 1
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_PER_DAY = 24
