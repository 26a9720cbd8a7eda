"""Rework: self-loops, longer loops, parallel repeats and the time repetitions cost."""

from __future__ import annotations

from sc_improve.performance import find_rework
from tests.conftest import build_log

HOUR = 3600.0


def test_self_loop_and_longer_loop_without_start_times():
    """Case 1: a 08, b 09, b 09:30 (self-loop), c 10, a 12 (loop back), d 13; case 2: a 08, d 09."""
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00"),
            ("1", "b", "2024-01-01 09:00"),
            ("1", "b", "2024-01-01 09:30"),
            ("1", "c", "2024-01-01 10:00"),
            ("1", "a", "2024-01-01 12:00"),
            ("1", "d", "2024-01-01 13:00"),
            ("2", "a", "2024-01-02 08:00"),
            ("2", "d", "2024-01-02 09:00"),
        ]
    )
    result = find_rework(log)
    a, b = result.activity("a"), result.activity("b")
    assert (a.cases_with_rework, a.extra_executions, a.self_loop_executions, a.loop_executions) == (
        1,
        1,
        0,
        1,
    )
    assert a.rework_time_s == 2 * HOUR  # time since c, the previous event
    assert (b.extra_executions, b.self_loop_executions, b.loop_executions) == (1, 1, 0)
    assert b.rework_time_s == 0.5 * HOUR
    assert a.estimated and b.estimated
    assert [row.activity for row in result.activities] == ["a", "b"]  # c and d are not repeated
    assert (result.cases_with_rework, result.n_cases, result.share_of_cases) == (1, 2, 0.5)
    assert result.rework_time_s == 2.5 * HOUR
    assert "estimate" in result.notes[0]


def test_parallel_repeat_is_not_rework_and_cost_is_wait_plus_processing():
    """a 08-09 and a 08:30-09:30 run in parallel; b 10-10:30; a 11-12 is rework (waits 30 min, works 1 h)."""
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
            ("1", "a", "2024-01-01 08:30", "2024-01-01 09:30"),
            ("1", "b", "2024-01-01 10:00", "2024-01-01 10:30"),
            ("1", "a", "2024-01-01 11:00", "2024-01-01 12:00"),
        ],
        ("case", "activity", "start", "end"),
    )
    result = find_rework(log)
    a = result.activity("a")
    assert (a.extra_executions, a.loop_executions, a.cases_with_rework) == (1, 1, 1)
    assert a.rework_time_s == 1.5 * HOUR
    assert a.mean_rework_time_per_case_s == 1.5 * HOUR
    assert not a.estimated
    assert result.parallel_repeats == 1
    assert "parallel" in result.notes[0]


def test_rework_in_several_cases_is_counted_per_case():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00"),
            ("1", "a", "2024-01-01 09:00"),
            ("1", "a", "2024-01-01 11:00"),
            ("2", "a", "2024-01-02 08:00"),
            ("2", "a", "2024-01-02 08:30"),
            ("3", "a", "2024-01-03 08:00"),
        ]
    )
    a = find_rework(log).activity("a")
    assert (a.cases_with_rework, a.extra_executions, a.self_loop_executions) == (2, 3, 3)
    assert a.rework_time_s == 3.5 * HOUR
    assert a.mean_rework_time_per_case_s == 1.75 * HOUR


def test_log_without_rework(simple_log):
    result = find_rework(simple_log)
    assert result.activities == [] and result.cases_with_rework == 0 and result.share_of_cases == 0.0
    assert result.to_dict()["rework_time_s"] == 0.0
