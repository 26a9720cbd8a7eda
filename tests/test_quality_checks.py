"""Each quality check on a tiny log whose right answer is known by hand, and on a clean log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, START
from sc_improve.log.event_log import EventLog, make_event_log
from sc_improve.quality import (
    CHECKS,
    day_month_order,
    duplicate_events,
    import_issues,
    incomplete_cases,
    missing_values,
    oversized_cases,
    polluted_labels,
    rare_activities,
    repeated_activities,
    same_timestamp,
    start_after_end,
    synonymous_labels,
    timestamp_granularity,
    timestamp_outliers,
    unparseable_timestamps,
)
from sc_improve.quality.types import (
    COLLATERAL_EVENTS,
    DISTORTED_LABEL,
    ELUSIVE_CASE,
    FORM_BASED_EVENT_CAPTURE,
    HOMONYMOUS_LABEL,
    INADVERTENT_TIME_TRAVEL,
    POLLUTED_LABEL,
    UNANCHORED_EVENT,
)
from tests.conftest import build_log

NOW = pd.Timestamp("2025-06-01")


def clean_log() -> EventLog:
    """Twelve complete cases create -> approve -> ship, times with seconds, starts and resources."""
    rows = []
    for c in range(12):
        day = pd.Timestamp("2024-03-01 08:00:00") + pd.Timedelta(days=c, seconds=7 + c)
        for activity, resource, offset in (
            ("Create order", "Ann", pd.Timedelta(0)),
            ("Approve order", "Bob", pd.Timedelta(hours=1, seconds=11)),
            ("Ship order", "Cid", pd.Timedelta(hours=3, seconds=23)),
        ):
            end = day + offset
            rows.append(
                (f"C{c}", activity, str(end), str(end - pd.Timedelta(minutes=10, seconds=3)), resource)
            )
    return build_log(rows, ("case", "activity", "end", "start", "resource"))


def frame_log(columns: dict[str, list], issues: pd.DataFrame | None = None) -> EventLog:
    frame = pd.DataFrame(columns)
    for column in (END, START):
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column])
    return make_event_log(frame, source="test", issues=issues)


@pytest.mark.parametrize("check_id", list(CHECKS))
def test_every_check_is_silent_on_a_clean_log(check_id):
    kwargs = {"now": NOW} if check_id == "timestamp_outliers" else {}
    assert CHECKS[check_id](clean_log(), **kwargs) == []


@pytest.mark.parametrize("check_id", list(CHECKS))
def test_every_check_copes_with_an_empty_log(check_id):
    log = frame_log({CASE: [None], ACTIVITY: ["a"], END: ["2024-01-01"]})
    assert log.n_events == 0
    findings = CHECKS[check_id](log)
    assert [f.count for f in findings] == ([1] if check_id == "missing_values" else [])


def test_missing_values_reports_dropped_rows_and_empty_columns():
    log = frame_log(
        {
            CASE: ["1", None, "1", "2", "2", "3"],
            ACTIVITY: ["a", "b", None, "a", "b", "a"],
            END: ["2024-01-01", "2024-01-02", "2024-01-03", None, "2024-01-05", "2024-01-06"],
            RESOURCE: ["Ann", "Ann", "Bob", "Bob", " ", "Cid"],
            "amount": [1.0, 2.0, 3.0, 4.0, np.nan, np.nan],
        }
    )
    findings = missing_values(log)
    by_message = {f.message.split(" (")[0]: f for f in findings}
    dropped = [f for f in findings if f.unit == "rows"]
    assert [(f.count, f.pattern) for f in dropped] == [(1, ELUSIVE_CASE), (1, None), (1, None)]
    assert [f.examples for f in dropped] == [("row 2",), ("row 3",), ("row 4",)]
    assert all("of 6 rows (16.7%)" in f.message for f in dropped)
    assert by_message["Column 'org:resource' is empty in 1 of 3 events"].severity == "warning"
    amount = by_message["Column 'amount' is empty in 2 of 3 events"]
    assert (amount.count, amount.severity) == (2, "info")
    assert amount.examples == ("case 2, row 5", "case 3, row 6")


def test_missing_values_ignores_a_start_column_without_any_value():
    log = frame_log(
        {CASE: ["1", "2"], ACTIVITY: ["a", "b"], END: ["2024-01-01", "2024-01-02"], START: [None, None]}
    )
    assert missing_values(log) == []
    half = frame_log(
        {
            CASE: ["1", "2"],
            ACTIVITY: ["a", "b"],
            END: ["2024-01-01", "2024-01-02"],
            START: [None, "2024-01-01"],
        }
    )
    assert [f.count for f in missing_values(half)] == [1]


def test_unparseable_timestamps_shows_raw_values_and_rows():
    issues = pd.DataFrame(
        {
            "source_row": [4, 9, 5],
            "column": ["time", "time", "start"],
            "value": ["31/02/2024", "yesterday", "25:99"],
            "reason": ["unparseable timestamp", "unparseable timestamp", "unparseable start timestamp"],
            "dropped": [True, True, False],
        }
    )
    log = frame_log({CASE: ["1", "1"], ACTIVITY: ["a", "b"], END: ["2024-01-01", "2024-01-02"]}, issues)
    end, start = unparseable_timestamps(log)
    assert (end.count, end.pattern, end.severity) == (2, UNANCHORED_EVENT, "error")
    assert end.examples == ("row 4: '31/02/2024'", "row 9: 'yesterday'")
    assert "2 of 4 rows (50.0%)" in end.message and "left out" in end.message
    assert (start.count, start.examples) == (1, ("row 5: '25:99'",))
    assert "kept without a start time" in start.message
    assert import_issues(log) == []


def test_import_issues_lists_other_reasons():
    issues = pd.DataFrame(
        {
            "source_row": [3, 8],
            "column": ["lifecycle", "lifecycle"],
            "value": ["start", "start"],
            "reason": ["unmatched lifecycle start"] * 2,
            "dropped": [True, False],
        }
    )
    log = frame_log({CASE: ["1"], ACTIVITY: ["a"], END: ["2024-01-01"]}, issues)
    (finding,) = import_issues(log)
    assert (finding.count, finding.severity) == (2, "warning")
    assert "(1 of them left out of the log)" in finding.message
    assert unparseable_timestamps(log) == []


def test_day_month_order_flags_a_log_without_days_above_twelve():
    swapped = [f"2024-{m:02d}-{d:02d} 10:00" for m in range(1, 13) for d in (1, 6, 12)]
    log = frame_log({CASE: ["1"] * 36, ACTIVITY: ["a"] * 36, END: swapped})
    (finding,) = day_month_order(log)
    assert (finding.severity, finding.count, finding.pattern) == ("warning", 36, UNANCHORED_EVENT)
    assert "All 36 distinct dates" in finding.message
    failed = pd.DataFrame(
        {"source_row": [99], "column": ["time"], "value": ["13/01/2024"], "reason": ["unparseable timestamp"]}
    ).assign(dropped=True)
    with_failures = frame_log({CASE: ["1"] * 36, ACTIVITY: ["a"] * 36, END: swapped}, failed)
    assert day_month_order(with_failures)[0].severity == "error"
    normal = pd.date_range("2024-01-01", periods=40, freq="D").astype(str).tolist()
    assert day_month_order(frame_log({CASE: ["1"] * 40, ACTIVITY: ["a"] * 40, END: normal})) == []
    assert day_month_order(log, min_distinct_days=40) == []


def test_duplicate_events_counts_extra_copies_only():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00", "Ann"),
            ("1", "a", "2024-01-01 08:00", "Ann"),
            ("1", "b", "2024-01-01 08:00", "Ann"),
            ("1", "a", "2024-01-01 08:00", "Ann"),
            ("2", "a", "2024-01-01 08:00", "Ann"),
            ("2", "a", "2024-01-01 08:00", "Bob"),
            ("2", "a", "2024-01-01 09:00", "Bob"),
            ("3", "a", "2024-01-01 08:00", None),
            ("3", "a", "2024-01-01 08:00", None),
        ],
        ("case", "activity", "end", "resource"),
    )
    (finding,) = duplicate_events(log)
    assert (finding.count, finding.pattern, finding.fix) == (3, COLLATERAL_EVENTS, "fix_duplicate_events")
    assert finding.examples == (
        "case 1, row 2: repeated 'a'",
        "case 1, row 4: repeated 'a'",
        "case 3, row 9: repeated 'a'",
    )
    assert "in 2 cases" in finding.message


def test_duplicate_events_tells_events_apart_by_start_time():
    rows = [
        ("1", "a", "2024-01-01 08:00", "2024-01-01 07:00"),
        ("1", "a", "2024-01-01 08:00", "2024-01-01 07:30"),
        ("1", "a", "2024-01-01 08:00", None),
        ("1", "a", "2024-01-01 08:00", None),
    ]
    (finding,) = duplicate_events(build_log(rows, ("case", "activity", "end", "start")))
    assert finding.count == 1


def _outlier_log(extra: list[tuple]) -> EventLog:
    rows = [(f"C{i}", "a", f"2024-01-{i + 1:02d} 10:00") for i in range(25)]
    return build_log(rows + extra)


def test_timestamp_outliers_finds_three_kinds():
    log = _outlier_log(
        [("X", "a", "1970-01-01 00:00"), ("Y", "a", "2100-01-01 00:00"), ("Z", "a", "2019-06-01 12:00")]
    )
    early, future, far = timestamp_outliers(log, now=NOW)
    assert all(f.pattern == INADVERTENT_TIME_TRAVEL for f in (early, future, far))
    assert (early.count, early.examples) == (1, ("case X, row 26: 1970-01-01 00:00:00",))
    assert "dated before 1990-01-01" in early.message
    assert (future.count, future.examples) == (1, ("case Y, row 27: 2100-01-01 00:00:00",))
    assert (far.count, far.examples) == (1, ("case Z, row 28: 2019-06-01 12:00:00",))
    assert "outside the bulk of the log (2024-01-01 to 2024-01-24)" in far.message


def test_timestamp_outliers_checks_start_times_and_respects_now():
    rows = [(f"C{i}", "a", f"2024-01-{i + 1:02d} 10:00", f"2024-01-{i + 1:02d} 09:00") for i in range(25)]
    rows.append(("S", "a", "2024-02-01 10:00", "1900-01-01 00:00"))
    rows.append(("T", "a", "2024-02-03 10:00", "1901-01-01 00:00"))
    rows.append(("U", "a", "2024-02-02 10:00", "2018-01-01 00:00"))
    log = build_log(rows, ("case", "activity", "end", "start"))
    early, far = timestamp_outliers(log, now=NOW)
    assert early.examples == ("case S, row 26: 1900-01-01 00:00:00", "case T, row 27: 1901-01-01 00:00:00")
    assert far.examples == ("case U, row 28: 2018-01-01 00:00:00",)
    early, future = timestamp_outliers(log, now=pd.Timestamp("2023-06-01"))
    assert (early.count, future.count) == (2, 26)


def test_timestamp_outliers_needs_enough_events_to_judge_the_bulk():
    log = build_log([("1", "a", "2015-01-01 10:00"), ("1", "b", "2024-01-01 10:00")])
    assert timestamp_outliers(log, now=NOW) == []
    assert timestamp_outliers(log, now=NOW, bulk_min_events=2)[0].count == 2


def test_same_timestamp_counts_events_sharing_a_time_within_a_case():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00"),
            ("1", "b", "2024-01-01 08:00"),
            ("1", "c", "2024-01-01 09:00"),
            ("2", "a", "2024-01-01 08:00"),
            ("2", "b", "2024-01-01 08:00"),
            ("2", "c", "2024-01-01 08:00"),
            ("3", "a", "2024-01-01 08:00"),
            ("3", "b", "2024-01-01 10:00"),
        ]
    )
    (finding,) = same_timestamp(log)
    assert (finding.count, finding.severity, finding.pattern) == (5, "warning", FORM_BASED_EVENT_CAPTURE)
    assert "5 of 8 events (62.5%)" in finding.message and "in 2 cases" in finding.message
    assert finding.examples == (
        "case 1 at 2024-01-01 08:00:00: a, b",
        "case 2 at 2024-01-01 08:00:00: a, b, c",
    )
    assert same_timestamp(log, same_timestamp_warning_share=0.9)[0].severity == "info"


def test_granularity_date_only_log():
    log = build_log([("1", "a", "2024-01-01"), ("1", "b", "2024-01-02"), ("2", "a", "2024-01-03")])
    (finding,) = timestamp_granularity(log)
    assert (finding.severity, finding.count) == ("warning", 3)
    assert "date without a time" in finding.message


def test_granularity_whole_minutes_is_information(simple_log):
    (finding,) = timestamp_granularity(simple_log)
    assert (finding.severity, finding.count) == ("info", 8)
    assert "whole minute" in finding.message


def test_granularity_finds_activities_recorded_with_a_date_only():
    rows = []
    for c in range(9):
        rows.append((str(c), "Create", f"2024-01-{c + 1:02d} 09:13:{c + 10}"))
        rows.append((str(c), "Post GR", f"2024-01-{c + 2:02d} 00:00:00"))
    rows.append(("9", "Post GR", "2024-01-20 14:21:05"))
    (finding,) = timestamp_granularity(build_log(rows))
    assert (finding.severity, finding.count) == ("warning", 10)
    assert finding.examples == ("Post GR: 10 events",)
    assert "1 activity ('Post GR', 10 events) is recorded with a date but no time" in finding.message
    (scattered,) = timestamp_granularity(build_log(rows), min_activity_events=11)
    assert (scattered.severity, scattered.count) == ("info", 9)
    assert "9 of 19 events (47.4%) fall exactly on midnight, 682 times as often" in scattered.message


def test_granularity_reports_minutes_and_date_only_activities_together():
    rows = [(str(c), "Create", f"2024-01-{c + 1:02d} 09:{c + 10}:00") for c in range(9)]
    rows += [(str(c), "Post GR", f"2024-01-{c + 2:02d} 00:00:00") for c in range(9)]
    minutes, activities = timestamp_granularity(build_log(rows))
    assert (minutes.severity, minutes.count) == ("info", 18)
    assert (activities.severity, activities.count) == ("warning", 9)


def test_granularity_finds_scattered_midnights():
    rows = [(str(c), "a", f"2024-01-01 0{c % 9}:{c % 60:02d}:{c % 57 + 1:02d}") for c in range(198)]
    rows += [("0", "b", "2024-01-02 00:00:00"), ("1", "c", "2024-01-03 00:00:00")]
    (finding,) = timestamp_granularity(build_log(rows))
    assert (finding.severity, finding.count) == ("info", 2)
    assert finding.examples == ("case 0, row 199", "case 1, row 200")
    assert timestamp_granularity(build_log(rows), midnight_share=0.02) == []


def test_start_after_end_counts_only_events_with_a_later_start():
    rows = [
        ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
        ("1", "b", "2024-01-01 10:00", "2024-01-01 09:30"),
        ("2", "a", "2024-01-01 08:00", "2024-01-01 10:00"),
        ("2", "b", "2024-01-01 11:00", None),
    ]
    (finding,) = start_after_end(build_log(rows, ("case", "activity", "end", "start")))
    assert (finding.count, finding.pattern) == (2, INADVERTENT_TIME_TRAVEL)
    assert "median by 1.5 hours" in finding.message
    assert finding.examples[0] == "case 1, row 1: start 2024-01-01 09:00:00 after end 2024-01-01 08:00:00"
    assert start_after_end(build_log([r[:3] for r in rows])) == []


def incomplete_log() -> EventLog:
    """20 complete cases create-approve-pay, one a day; one cut at the end (x1), one at the start
    (y1), and one abandoned mid-window (z1) which is not near an edge."""
    return build_log(_incomplete_rows())


def _incomplete_rows() -> list[tuple[str, str, str]]:
    rows = []
    for c in range(20):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=c)
        for activity, hour in (("create", 8), ("approve", 10), ("pay", 12)):
            rows.append((f"c{c}", activity, (day + pd.Timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M")))
    rows += [
        ("x1", "create", "2024-01-20 09:00"),
        ("x1", "approve", "2024-01-20 11:00"),
        ("y1", "approve", "2024-01-01 07:00"),
        ("y1", "pay", "2024-01-01 09:00"),
        ("z1", "create", "2024-01-10 08:00"),
        ("z1", "approve", "2024-01-10 10:00"),
    ]
    return rows


def test_incomplete_cases_at_both_edges_of_the_window():
    # z1 is 1 of 21 settled cases ending with 'approve' (4.8%): under a 5% threshold that is
    # not a usual end, so x1 counts as unfinished, while z1 itself is far from the window end.
    unfinished, begun_before = incomplete_cases(incomplete_log(), usual_share=0.05)
    assert (unfinished.count, unfinished.unit) == (1, "cases")
    assert unfinished.examples == ("case x1: last 'approve' at 2024-01-20 11:00:00",)
    assert "within 4.0 hours of the end of the log (2024-01-20)" in unfinished.message
    assert begun_before.count == 1
    assert begun_before.examples == ("case y1: first 'approve' at 2024-01-01 07:00:00",)
    assert unfinished.fix == begun_before.fix == "fix_incomplete_cases"


def test_incomplete_cases_ignore_outlier_timestamps():
    extra = [
        ("c5", "note", "1970-01-01 00:00"),
        ("c7", "note", "2124-01-01 00:00"),
        ("x1", "note", "2124-01-01 00:00"),
    ]
    log = build_log([*_incomplete_rows(), *extra])
    unfinished, begun_before = incomplete_cases(log, now=NOW, usual_share=0.05)
    assert unfinished.examples == ("case x1: last 'approve' at 2024-01-20 11:00:00",)
    assert begun_before.examples == ("case y1: first 'approve' at 2024-01-01 07:00:00",)


def test_incomplete_cases_accepts_ends_seen_often_enough_in_settled_cases():
    (begun_before,) = incomplete_cases(incomplete_log())
    assert begun_before.examples == ("case y1: first 'approve' at 2024-01-01 07:00:00",)


def test_incomplete_cases_needs_enough_cases(simple_log):
    assert incomplete_cases(incomplete_log(), incomplete_min_cases=30) == []
    assert incomplete_cases(simple_log) == []


def test_synonymous_labels_groups_spelling_variants():
    rows = [
        ("1", "Create PO", "2024-01-01 08:00", "Ann"),
        ("2", "Create PO", "2024-01-01 08:00", "Ann"),
        ("3", "Create PO", "2024-01-01 08:00", "ANN"),
        ("4", "create  po", "2024-01-01 08:00", "Bob"),
        ("5", "Create-PO", "2024-01-01 08:00", "Bob"),
        ("5", "Approve", "2024-01-01 09:00", "Bob"),
        ("5", "Approve.", "2024-01-01 10:00", "?"),
        ("5", "approve", "2024-01-01 11:00", "!"),
    ]
    activities, resources = synonymous_labels(build_log(rows, ("case", "activity", "end", "resource")))
    assert (activities.count, activities.pattern) == (6, DISTORTED_LABEL)
    assert activities.examples == (
        "'Approve' / 'Approve.' / 'approve'",
        "'Create PO' / 'Create-PO' / 'create  po'",
    )
    assert (
        "form 2 groups" in activities.message and "4 events use a less common spelling" in activities.message
    )
    assert (resources.count, resources.examples) == (2, ("'Ann' / 'ANN'",))


def test_polluted_labels_find_ids_and_case_specific_numbers():
    rows = [("0", "Approve PO 4500012345", "2024-01-01 08:00")]
    for c in range(5):
        rows.append((f"c{c}", f"Check item {c + 1}", "2024-01-02 08:00"))
        for r in range(1, 7):
            rows.append((f"c{c}", f"Reminder {r}", f"2024-01-02 1{r}:00"))
    (finding,) = polluted_labels(build_log(rows))
    assert (finding.count, finding.pattern) == (6, POLLUTED_LABEL)
    assert finding.examples == (
        "'Check item #': 5 labels, e.g. 'Check item 1'",
        "'Approve PO #': 1 label, e.g. 'Approve PO 4500012345'",
    )
    assert polluted_labels(build_log(rows), min_variants=6, id_digits=11) == []


def test_rare_activities_by_share_of_cases():
    rows = [(str(c), "a", "2024-01-01 08:00") for c in range(200)]
    rows += [("0", "typo", "2024-01-02 08:00"), ("0", "typo", "2024-01-03 08:00")]
    (finding,) = rare_activities(build_log(rows))
    assert (finding.count, finding.severity) == (1, "info")
    assert finding.examples == ("'typo': 1 case, 2 events",)
    assert finding.message.startswith(
        "1 activity of 2 occurs in fewer than 1% of the cases (2 events in all)"
    )
    assert rare_activities(build_log(rows), rare_case_share=0.005) == []


def test_repeated_activities_indicates_homonymous_labels():
    rows = []
    for c in range(10):
        rows.append((str(c), "create", f"2024-01-01 0{c}:00"))
        rows += [(str(c), "change", f"2024-01-02 0{c}:{m}0") for m in range(4)]
    (finding,) = repeated_activities(build_log(rows))
    assert (finding.count, finding.pattern) == (1, HOMONYMOUS_LABEL)
    assert finding.examples == ("'change': 4.0 times per case in 10 cases",)
    assert repeated_activities(build_log(rows), min_repeat_cases=11) == []


def test_oversized_cases_flags_a_catch_all_case():
    rows = [(str(c), "a", f"2024-01-01 0{c}:00") for c in range(10) for _ in range(2)]
    start = pd.Timestamp("2024-02-01")
    rows += [("N/A", "a", (start + pd.Timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M")) for m in range(150)]
    (finding,) = oversized_cases(build_log(rows))
    assert (finding.count, finding.pattern, finding.examples) == (1, ELUSIVE_CASE, ("case N/A: 150 events",))
    assert "1 case holds 150 events (88.2% of the log)" in finding.message
    assert oversized_cases(build_log(rows), oversized_min_events=151) == []
