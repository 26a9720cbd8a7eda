"""Filters on what happened: attribute values and activities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sc_improve.discovery.filters.base import Filter, activity_mask, as_tuple, keep_cases, keep_events
from sc_improve.errors import AnalysisError, OptionError
from sc_improve.log.event_log import EventLog

ATTRIBUTE_LEVELS = ("case", "event")


@dataclass(frozen=True)
class AttributeFilter(Filter):
    """Cases or events by the value of a column.

    ``level="case"`` keeps (``keep=True``) or removes the whole cases that have at least
    one event whose ``column`` is one of ``values``; for a case attribute (constant within
    a case) that is simply the cases with that value. ``level="event"`` keeps or removes
    the matching events themselves. Values match when they are equal as stored (text to
    text, numbers to numbers); a missing value never matches.

    >>> AttributeFilter("case:region", ["EU", "US"], keep=False).describe()
    "case:region in ('EU', 'US'): remove cases"
    """

    column: str
    values: tuple = ()
    keep: bool = True
    level: str = "case"
    kind: ClassVar[str] = "attribute"

    def __post_init__(self) -> None:
        if self.level not in ATTRIBUTE_LEVELS:
            raise OptionError(f"attribute filter level must be 'case' or 'event', not {self.level!r}")
        object.__setattr__(self, "values", as_tuple(self.values))

    def apply(self, log: EventLog) -> EventLog:
        if self.column not in log.frame.columns:
            raise AnalysisError(
                f"the filter '{self.describe()}' needs a column {self.column!r}, which the log lacks"
            )
        matches = log.frame[self.column].isin(self.values).to_numpy(dtype=bool, na_value=False)
        if self.level == "event":
            return keep_events(log, self, matches == self.keep)
        has_match = np.bincount(log.codes.case[matches], minlength=log.n_cases) > 0
        return keep_cases(log, self, has_match == self.keep)

    def describe(self) -> str:
        action = "keep" if self.keep else "remove"
        return f"{self.column} in {self.values}: {action} {self.level}s"


@dataclass(frozen=True)
class ActivityFilter(Filter):
    """Keep only (``keep=True``) or remove the events of the given activities.

    Unlike a case-level filter this changes the sequences: removing a noisy activity
    makes its neighbours directly follow each other on the map.

    >>> ActivityFilter(["Change price"], keep=False).describe()
    "activities ('Change price',): remove events"
    """

    activities: tuple = ()
    keep: bool = True
    kind: ClassVar[str] = "activity"

    def __post_init__(self) -> None:
        object.__setattr__(self, "activities", as_tuple(self.activities))

    def apply(self, log: EventLog) -> EventLog:
        codes = log.codes
        chosen = activity_mask(codes.activities, self.activities)
        return keep_events(log, self, chosen[codes.activity] == self.keep)

    def named_activities(self) -> tuple[str, ...]:
        return self.activities

    def describe(self) -> str:
        return f"activities {self.activities}: {'keep' if self.keep else 'remove'} events"
