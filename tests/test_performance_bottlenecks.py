"""The ranked bottleneck list: excess time above the median, impact and explanations, checked by hand."""

from __future__ import annotations

import json
import threading

import pytest

from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import make_event_log
from sc_improve.performance import find_bottlenecks
from sc_improve.progress import Cancelled
from tests.conftest import build_log

HOUR = 3600.0


def _item(report, kind, name):
    matches = [item for item in report.items if item.kind == kind and item.name == name]
    assert len(matches) == 1, f"no single {kind} item {name!r} in {[(i.kind, i.name) for i in report.items]}"
    return matches[0]


def test_excess_above_the_median_without_start_times(simple_log):
    """Waits before c are 1 h, 1 h and 4 h (median 1 h): case 3 waits 3 h too long.

    Waits before b are 1 h and 2 h (median 1.5 h): case 2 waits 30 min too long, and so
    does the transition a -> b. Total cycle time is 2 + 3 + 4 = 9 h.
    """
    report = find_bottlenecks(simple_log)
    top = report.items[0]
    assert (top.kind, top.name, top.cases_affected) == ("waiting", "c", 1)
    assert (top.excess_time_s, top.mean_excess_s, top.impact_s) == (3 * HOUR, 3 * HOUR, 3 * HOUR)
    assert top.impact_share == pytest.approx(1 / 3)
    assert top.baseline_s == HOUR
    assert top.estimated
    assert "estimate" in top.explanation and "'c'" in top.explanation and "3 h" in top.explanation
    assert _item(report, "waiting", "b").excess_time_s == 0.5 * HOUR
    assert _item(report, "transition", "a → b").excess_time_s == 0.5 * HOUR
    assert len(report.items) == 3  # b -> c has no wait above its median, a -> c only one value
    assert report.estimated and report.n_cases == 3 and report.n_events == 8


def test_excess_with_start_times_and_parallel_work():
    """Case 1: a 08-09, b 09:30-11, c 10-10:30 (parallel), d 11:15-12.

    Case 2: a 08-08:30, b 10:30-11, d 11-13.
    """
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
            ("1", "b", "2024-01-01 09:30", "2024-01-01 11:00"),
            ("1", "c", "2024-01-01 10:00", "2024-01-01 10:30"),
            ("1", "d", "2024-01-01 11:15", "2024-01-01 12:00"),
            ("2", "a", "2024-01-02 08:00", "2024-01-02 08:30"),
            ("2", "b", "2024-01-02 10:30", "2024-01-02 11:00"),
            ("2", "d", "2024-01-02 11:00", "2024-01-02 13:00"),
        ],
        ("case", "activity", "start", "end"),
    )
    report = find_bottlenecks(log)
    # waits before b: 30 min, 2 h (median 75 min) -> case 2 is 45 min over
    assert _item(report, "waiting", "b").excess_time_s == 0.75 * HOUR
    # waits before d: 15 min, 0 (median 7.5 min) -> case 1 is 7.5 min over
    assert _item(report, "waiting", "d").excess_time_s == 450.0
    # processing: a 1 h / 30 min, b 1.5 h / 30 min, d 45 min / 2 h
    assert _item(report, "processing", "a").excess_time_s == 0.25 * HOUR
    assert _item(report, "processing", "b").excess_time_s == 0.5 * HOUR
    assert _item(report, "processing", "d").excess_time_s == 0.625 * HOUR
    assert _item(report, "transition", "a → b").excess_time_s == 0.75 * HOUR
    assert _item(report, "transition", "b → d").excess_time_s == 450.0
    assert not any(item.estimated for item in report.items)
    top = report.items[0]
    assert (top.kind, top.name) in {("waiting", "b"), ("transition", "a → b")}
    assert "Work waits" in top.explanation
    # cycle times: 4 h and 5 h
    assert top.impact_share == pytest.approx(0.75 / 9)
    impacts = [item.impact_s for item in report.items]
    assert impacts == sorted(impacts, reverse=True)


def test_rework_item():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00"),
            ("1", "b", "2024-01-01 09:00"),
            ("1", "a", "2024-01-01 11:00"),
            ("2", "a", "2024-01-02 08:00"),
            ("2", "b", "2024-01-02 09:00"),
        ]
    )
    item = _item(find_bottlenecks(log), "rework", "a")
    assert (item.cases_affected, item.excess_time_s, item.impact_s) == (1, 2 * HOUR, 2 * HOUR)
    assert item.baseline_s is None and item.estimated
    assert "repeated in 1 cases (1 extra executions)" in item.explanation


def test_resource_whose_work_waits_longer_than_usual():
    """b waits 1 h three times with bob and 5 h once with eve (median 1 h).

    The mean excess of b is 4 h / 4 = 1 h per event; eve's one event is 4 h over, which
    is 3 h beyond usual; bob's events are 1 h under usual each, so bob is no bottleneck.
    """
    rows = []
    for case, (hour, person) in enumerate([(9, "bob"), (9, "bob"), (9, "bob"), (13, "eve")], start=1):
        rows.append((str(case), "a", f"2024-01-0{case} 08:00", "ann"))
        rows.append((str(case), "b", f"2024-01-0{case} {hour:02d}:00", person))
    log = build_log(rows, ("case", "activity", "end", "resource"))
    report = find_bottlenecks(log)
    eve = _item(report, "resource", "eve")
    assert (eve.cases_affected, eve.excess_time_s) == (1, 3 * HOUR)
    assert "'eve'" in eve.explanation and "3 h per case longer" in eve.explanation
    assert not [item for item in report.items if item.kind == "resource" and item.name != "eve"]


def test_max_items_and_progress(simple_log):
    seen = []
    report = find_bottlenecks(
        simple_log, progress=lambda fraction, message="": seen.append(fraction), max_items=1
    )
    assert len(report.items) == 1
    assert seen[0] == 0.0 and seen[-1] == pytest.approx(1.0)
    assert seen == sorted(seen)


@pytest.mark.parametrize("stage", ["resources", "cycle time", "activity times", "ranking"])
def test_cancelling_at_any_stage_stops_the_analysis_on_the_callers_thread(simple_log, stage):
    callers = set()

    def progress(fraction: float, message: str = "") -> None:
        callers.add(threading.get_ident())
        if message == stage:
            raise Cancelled()

    with pytest.raises(Cancelled):
        find_bottlenecks(simple_log, progress=progress)
    assert callers == {threading.get_ident()}


def test_report_to_dict_is_json_ready(simple_log):
    data = find_bottlenecks(simple_log).to_dict()
    decoded = json.loads(json.dumps(data))
    assert decoded["items"][0]["name"] == "c"
    assert set(decoded) >= {"activities", "transitions", "rework", "resources", "cycle_time"}
    assert decoded["resources"]["notes"]


def test_empty_log_raises(simple_log):
    with pytest.raises(AnalysisError):
        find_bottlenecks(make_event_log(simple_log.frame.iloc[:0]))


def test_partly_estimated_excess_keeps_exact_wording_with_a_caveat():
    """Waits before b: 1 h, 1 h and 4 h exact, 3 h where b has no start (end to end). Median 2 h."""
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
            ("1", "b", "2024-01-01 10:00", "2024-01-01 10:30"),
            ("2", "a", "2024-01-02 08:00", "2024-01-02 09:00"),
            ("2", "b", "2024-01-02 10:00", "2024-01-02 10:30"),
            ("3", "a", "2024-01-03 08:00", "2024-01-03 09:00"),
            ("3", "b", None, "2024-01-03 12:00"),
            ("4", "a", "2024-01-04 08:00", "2024-01-04 09:00"),
            ("4", "b", "2024-01-04 13:00", "2024-01-04 13:30"),
        ],
        ("case", "activity", "start", "end"),
    )
    item = _item(find_bottlenecks(log), "waiting", "b")
    # excess: 1 h estimated (case 3) + 2 h exact (case 4): a third is estimated
    assert (item.cases_affected, item.excess_time_s) == (2, 3 * HOUR)
    assert item.estimated
    assert item.explanation.startswith("Work waits before 'b'")
    assert item.explanation.endswith("Partly estimated: some events have no start time.")


@pytest.mark.parametrize(
    "rows",
    [
        [("1", "a", "2024-01-01 08:00")],
        [(str(i), "a", f"2024-01-0{i} 08:00") for i in range(1, 6)],
        [("1", "a", "2024-01-01 08:00"), ("1", "b", "2024-01-01 08:00"), ("2", "a", "2024-01-01 08:00")],
    ],
    ids=["one event", "single-event cases", "equal timestamps"],
)
def test_logs_without_any_time_between_events_have_no_bottlenecks(rows):
    report = find_bottlenecks(build_log(rows))
    assert report.items == []
    assert report.cycle_time.median_s == 0.0
    assert report.transitions.rows == [] or all(row.total_wait_s == 0 for row in report.transitions.rows)
    json.dumps(report.to_dict())
