"""Waiting and processing times per event, activity and transition, checked against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import make_event_log
from sc_improve.performance import activity_times, event_times, transition_times
from tests.conftest import build_log

HOUR = 3600.0
COLUMNS = ("case", "activity", "start", "end")


@pytest.fixture
def parallel_log():
    """Case 1 runs b and c in parallel after a; case 2 is sequential.

    Case 1: a 08:00-09:00, b 09:30-11:00, c 10:00-10:30 (started while b ran), d 11:15-12:00.
    b and c both wait for a (30 min, 1 h); d waits for b, the last one to end (15 min).
    Case 2: a 08:00-08:30, b 10:30-11:00 (waits 2 h), d 11:00-13:00 (waits 0).
    """
    return build_log(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
            ("1", "b", "2024-01-01 09:30", "2024-01-01 11:00"),
            ("1", "c", "2024-01-01 10:00", "2024-01-01 10:30"),
            ("1", "d", "2024-01-01 11:15", "2024-01-01 12:00"),
            ("2", "a", "2024-01-02 08:00", "2024-01-02 08:30"),
            ("2", "b", "2024-01-02 10:30", "2024-01-02 11:00"),
            ("2", "d", "2024-01-02 11:00", "2024-01-02 13:00"),
        ],
        COLUMNS,
    )


def test_parallel_instances_wait_for_the_latest_finished_instance(parallel_log):
    times = event_times(parallel_log)
    # frame order is by end: a, c, b, d | a, b, d
    assert parallel_log.frame["concept:name"].tolist() == ["a", "c", "b", "d", "a", "b", "d"]
    assert times.enabler.tolist() == [-1, 0, 0, 2, -1, 4, 5]
    assert np.isnan(times.wait_s[0]) and np.isnan(times.wait_s[4])
    assert times.wait_s[1:4].tolist() == [HOUR, 0.5 * HOUR, 0.25 * HOUR]
    assert times.wait_s[5:].tolist() == [2 * HOUR, 0.0]
    assert times.processing_s.tolist() == [
        HOUR,
        0.5 * HOUR,
        1.5 * HOUR,
        0.75 * HOUR,
        0.5 * HOUR,
        0.5 * HOUR,
        2 * HOUR,
    ]
    assert not times.estimated.any()


def test_activity_statistics_with_start_times(parallel_log):
    result = activity_times(parallel_log)
    a, b, d = result.row("a"), result.row("b"), result.row("d")
    assert (a.events, a.cases, a.waits) == (2, 2, 0)
    assert a.mean_wait_s is None and a.total_wait_s == 0.0
    assert (a.mean_processing_s, a.median_processing_s) == (2700.0, 2700.0)
    assert a.p90_processing_s == pytest.approx(1800 + 0.9 * 1800)
    assert (b.mean_wait_s, b.median_wait_s, b.total_wait_s) == (4500.0, 4500.0, 9000.0)
    assert b.p90_wait_s == pytest.approx(1800 + 0.9 * 5400)
    assert b.mean_processing_s == 3600.0
    assert (d.median_wait_s, d.total_wait_s, d.total_processing_s) == (450.0, 900.0, 9900.0)
    assert not any(row.estimated for row in result.rows)
    assert result.has_start and result.notes == []
    assert [row.activity for row in result.rows][0] == "b"  # longest total wait first


def test_transitions_follow_the_enabling_instance(parallel_log):
    result = transition_times(parallel_log)
    assert {(row.source, row.target) for row in result.rows} == {("a", "b"), ("a", "c"), ("b", "d")}
    a_b = result.row("a", "b")
    assert (a_b.frequency, a_b.cases, a_b.median_wait_s, a_b.total_wait_s) == (2, 2, 4500.0, 9000.0)
    assert result.row("a", "c").mean_wait_s == HOUR
    b_d = result.row("b", "d")
    assert (b_d.frequency, b_d.median_wait_s, b_d.p90_wait_s) == (2, 450.0, pytest.approx(810.0))
    total_by_transition = sum(row.total_wait_s for row in result.rows)
    total_by_activity = sum(row.total_wait_s for row in activity_times(parallel_log).rows)
    assert total_by_transition == total_by_activity


def test_without_start_times_waits_are_estimated_time_since_previous_event(simple_log):
    result = activity_times(simple_log)
    b, c = result.row("b"), result.row("c")
    assert (b.waits, b.mean_wait_s, b.median_wait_s) == (2, 5400.0, 5400.0)
    assert (c.waits, c.mean_wait_s, c.median_wait_s, c.total_wait_s) == (3, 7200.0, 3600.0, 21600.0)
    assert b.estimated and c.estimated
    assert not result.row("a").estimated  # first activity: no wait, nothing estimated
    assert b.mean_processing_s is None and b.total_processing_s is None
    assert not result.has_start
    assert "no start times" in result.notes[0]
    transitions = transition_times(simple_log)
    assert transitions.row("a", "c").total_wait_s == 4 * HOUR
    assert transitions.row("b", "c").frequency == 2
    assert all(row.estimated for row in transitions.rows)


def test_event_without_start_in_a_log_with_starts_is_an_estimate():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
            ("1", "b", None, "2024-01-01 11:00"),
            ("1", "c", "2024-01-01 11:30", "2024-01-01 12:00"),
        ],
        COLUMNS,
    )
    times = event_times(log)
    assert times.estimated.tolist() == [False, True, False]
    assert times.wait_s[1:].tolist() == [2 * HOUR, 0.5 * HOUR]  # b: end to end; c: exact
    result = activity_times(log)
    assert result.row("b").estimated and not result.row("c").estimated
    assert result.row("b").median_processing_s is None
    assert "1 events have no usable start time" in result.notes[0]


def test_start_after_end_is_ignored_and_reported():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
            ("1", "b", "2024-01-01 12:00", "2024-01-01 10:00"),
        ],
        COLUMNS,
    )
    times = event_times(log)
    assert times.invalid_starts == 1
    assert times.wait_s[1] == HOUR and math.isnan(times.processing_s[1])
    assert any("after their end time" in note for note in activity_times(log).notes)


def test_event_started_before_anything_finished_has_no_wait():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 10:00"),
            ("1", "b", "2024-01-01 09:00", "2024-01-01 11:00"),
            ("1", "c", "2024-01-01 10:30", "2024-01-01 10:45"),
        ],
        COLUMNS,
    )
    times = event_times(log)
    # frame order a(10:00), c(10:45), b(11:00): c waited for a; b started while a was running
    assert times.enabler.tolist() == [-1, 0, -1]
    assert times.wait_s[1] == 0.5 * HOUR and np.isnan(times.wait_s[2])


def test_overlap_search_does_not_cross_into_the_previous_case():
    log = build_log(
        [
            ("1", "a", "2024-01-01 06:00", "2024-01-01 07:00"),
            ("2", "a", "2024-01-01 08:00", "2024-01-01 10:00"),
            ("2", "b", "2024-01-01 09:00", "2024-01-01 11:00"),
        ],
        COLUMNS,
    )
    assert event_times(log).enabler.tolist() == [-1, -1, -1]


def test_empty_log_is_an_analysis_error():
    log = make_event_log(build_log([("1", "a", "2024-01-01")]).frame.iloc[:0])
    with pytest.raises(AnalysisError):
        event_times(log)
