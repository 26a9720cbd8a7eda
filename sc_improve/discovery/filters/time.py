"""Filters on time: a calendar window, and how long a case took.

Windows are half-open, ``[start, end)``: a case or event at exactly ``end`` is
outside, so consecutive windows (January, February, ...) split a log without counting
anything twice. Naive times are read as UTC, like the log's own timestamps (see
:func:`sc_improve.log.event_log.to_utc`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sc_improve.discovery.dfg import begins_ns
from sc_improve.discovery.filters.base import Filter, keep_cases, keep_events
from sc_improve.discovery.variants import case_cycle_times_ns, case_spans_ns
from sc_improve.errors import OptionError
from sc_improve.log.event_log import EventLog

TIMEFRAME_MODES = ("contained", "intersecting", "started", "completed", "trim")


@dataclass(frozen=True)
class TimeframeFilter(Filter):
    """Cases (or, with ``trim``, events) by their position relative to ``[start, end)``.

    A case spans from its earliest start (or end) to its last end. ``contained``:
    the whole case lies in the window; ``intersecting``: some of it does; ``started``:
    it began in the window; ``completed``: it ended in it; ``trim``: keep only the
    events that lie wholly in the window (from their start, if any, to their end), which
    cuts cases at the window's edges. ``None`` leaves that side open.

    >>> TimeframeFilter("2024-01-01", "2024-02-01", "started").describe()
    'timeframe 2024-01-01 00:00 to 2024-02-01 00:00 (started)'
    """

    start: pd.Timestamp | str | datetime | None = None
    end: pd.Timestamp | str | datetime | None = None
    mode: str = "intersecting"
    kind: ClassVar[str] = "timeframe"

    def __post_init__(self) -> None:
        if self.mode not in TIMEFRAME_MODES:
            raise OptionError(
                f"timeframe mode must be one of {', '.join(TIMEFRAME_MODES)}, not {self.mode!r}"
            )
        object.__setattr__(self, "start", _utc(self.start))
        object.__setattr__(self, "end", _utc(self.end))

    def apply(self, log: EventLog) -> EventLog:
        codes = log.codes
        low = np.iinfo(np.int64).min if self.start is None else self.start.value
        high = np.iinfo(np.int64).max if self.end is None else self.end.value
        if self.mode == "trim":
            return keep_events(log, self, (begins_ns(codes) >= low) & (codes.end_ns < high))
        first, last = case_spans_ns(log)
        masks = {
            "contained": (first >= low) & (last < high),
            "intersecting": (first < high) & (last >= low),
            "started": (first >= low) & (first < high),
            "completed": (last >= low) & (last < high),
        }
        return keep_cases(log, self, masks[self.mode])

    def describe(self) -> str:
        def show(moment: pd.Timestamp | None, open_side: str) -> str:
            return open_side if moment is None else moment.strftime("%Y-%m-%d %H:%M")

        return f"timeframe {show(self.start, 'the beginning')} to {show(self.end, 'the end')} ({self.mode})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "mode": self.mode,
        }


@dataclass(frozen=True)
class DurationFilter(Filter):
    """Cases whose cycle time (earliest start to last end) lies within ``[min_s, max_s]`` seconds.

    >>> DurationFilter(min_s=3600).describe()
    'cycle time at least 3,600 s'
    """

    min_s: float | None = None
    max_s: float | None = None
    kind: ClassVar[str] = "duration"

    def __post_init__(self) -> None:
        if self.min_s is None and self.max_s is None:
            raise OptionError("a duration filter needs min_s, max_s or both")

    def apply(self, log: EventLog) -> EventLog:
        seconds = case_cycle_times_ns(log) / 1e9
        keep = np.ones(len(seconds), dtype=bool)
        if self.min_s is not None:
            keep &= seconds >= self.min_s
        if self.max_s is not None:
            keep &= seconds <= self.max_s
        return keep_cases(log, self, keep)

    def describe(self) -> str:
        if self.max_s is None:
            return f"cycle time at least {_seconds(self.min_s)}"
        if self.min_s is None:
            return f"cycle time at most {_seconds(self.max_s)}"
        return f"cycle time {_seconds(self.min_s)} to {_seconds(self.max_s)}"


def _seconds(value: float) -> str:
    return f"{int(value):,} s" if float(value).is_integer() else f"{value:,} s"


def _utc(moment: pd.Timestamp | str | datetime | None) -> pd.Timestamp | None:
    if moment is None:
        return None
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
