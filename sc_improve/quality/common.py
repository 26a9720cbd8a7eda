"""Helpers shared by the quality checks: wording of numbers, examples, per-case arrays.

Everything here works on :attr:`EventLog.codes` (integer arrays) so that the checks
stay vectorised; only the handful of examples shown to the user touch strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sc_improve.columns import SOURCE_ROW
from sc_improve.log.event_log import EventLog, LogCodes
from sc_improve.quality.types import Severity

EXAMPLE_LIMIT = 5
"""Examples per finding: enough to look a few up in the source, few enough to read."""

MINUTE_NS = 60 * 10**9
DAY_NS = 24 * 60 * MINUTE_NS


def fmt_count(n: int) -> str:
    """``1234`` -> ``"1,234"``."""
    return f"{int(n):,}"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``counted(1, "row")`` -> ``"1 row"``, ``counted(1234, "row")`` -> ``"1,234 rows"``."""
    return f"{fmt_count(n)} {noun if n == 1 else plural or noun + 's'}"


def fmt_share(part: int, whole: int) -> str:
    """A percentage that never rounds a real problem down to "0.0%"."""
    if whole <= 0:
        return "0%"
    share = part / whole
    if 0 < share < 0.001:
        return "<0.1%"
    return f"{share:.1%}"


def fmt_ns(ns: int) -> str:
    """Nanoseconds since the epoch as the wall-clock reading the log carries."""
    return str(pd.Timestamp(int(ns), unit="ns"))


def timestamp_ns(value: pd.Timestamp) -> int:
    """A user-given timestamp on the log's time axis (naive = wall clock, as readers do)."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int(stamp.as_unit("ns").value)


def severity_by_share(
    part: int, whole: int, *, base: Severity = "warning", error_at: float = 0.05
) -> Severity:
    """``base`` severity, raised to "error" when the affected share reaches ``error_at``."""
    return "error" if whole > 0 and part / whole >= error_at else base


def event_examples(log: EventLog, rows: np.ndarray, details: list[str] | None = None) -> tuple[str, ...]:
    """Labels like "case X, row N: detail" for the first few frame positions in ``rows``."""
    rows = np.asarray(rows)[:EXAMPLE_LIMIT]
    codes = log.codes
    source_rows = log.frame[SOURCE_ROW].to_numpy()[rows]
    out = []
    for i, (row, source_row) in enumerate(zip(rows, source_rows, strict=True)):
        text = f"case {codes.case_ids[codes.case[row]]}, row {source_row}"
        if details is not None:
            text += f": {details[i]}"
        out.append(text)
    return tuple(out)


def activity_case_counts(codes: LogCodes) -> np.ndarray:
    """Number of distinct cases each activity occurs in, indexed by activity code.

    Encodes (case, activity) pairs as one int64 and keeps the distinct ones. The frame
    is sorted by case, so the keys are already sorted run by run and a stable (merge)
    sort finishes in close to linear time.
    """
    n_activities = len(codes.activities)
    keys = np.sort(codes.case.astype(np.int64) * n_activities + codes.activity, kind="stable")
    distinct = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return np.bincount(distinct % n_activities, minlength=n_activities)
