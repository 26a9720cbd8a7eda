"""Shared fixtures: small canonical logs whose right answers are known by hand."""

from __future__ import annotations

import os

import pandas as pd
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sc_improve.log.event_log import EventLog, make_event_log  # noqa: E402


def build_log(rows: list[tuple], columns: tuple[str, ...] = ("case", "activity", "end")) -> EventLog:
    """A canonical log from (case, activity, end[, start][, resource]) tuples.

    Times are strings such as "2024-01-01 08:00". Column names are short aliases:
    case, activity, end, start, resource; anything else is kept as an attribute.
    """
    aliases = {
        "case": "case:concept:name",
        "activity": "concept:name",
        "end": "time:timestamp",
        "start": "start_timestamp",
        "resource": "org:resource",
    }
    frame = pd.DataFrame(rows, columns=[aliases.get(c, c) for c in columns])
    for column in ("time:timestamp", "start_timestamp"):
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column])
    return make_event_log(frame, source="test")


@pytest.fixture
def simple_log() -> EventLog:
    """Three cases: a-b-c, a-b-c, a-c (times one hour apart)."""
    return build_log(
        [
            ("1", "a", "2024-01-01 08:00"),
            ("1", "b", "2024-01-01 09:00"),
            ("1", "c", "2024-01-01 10:00"),
            ("2", "a", "2024-01-02 08:00"),
            ("2", "b", "2024-01-02 10:00"),
            ("2", "c", "2024-01-02 11:00"),
            ("3", "a", "2024-01-03 08:00"),
            ("3", "c", "2024-01-03 12:00"),
        ]
    )


def _hypothesis_profiles() -> None:
    """Fuzz tests explore freely on a developer's machine but are repeatable in CI."""
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")


_hypothesis_profiles()
