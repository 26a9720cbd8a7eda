"""Lifecycle pairing on hand-built logs whose instances are known, plus a FIFO oracle."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_improve.columns import ACTIVITY, CASE, END, LIFECYCLE, RESOURCE, SOURCE_ROW, START
from sc_improve.log.event_log import ISSUE_COLUMNS
from sc_improve.log.lifecycle import INSTANCE, pair_lifecycle


def events(rows: list[tuple], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """(case, activity, "HH:MM", transition[, extra...]) rows on 2024-01-01, numbered from 1."""
    frame = pd.DataFrame(rows, columns=[CASE, ACTIVITY, END, LIFECYCLE, *extra])
    frame[END] = pd.to_datetime(
        "2024-01-01 " + frame[END].astype(str), format="%Y-%m-%d %H:%M", errors="coerce"
    )
    frame[SOURCE_ROW] = range(1, len(frame) + 1)
    return frame


def spans(instances: pd.DataFrame) -> list[tuple]:
    """(case, activity, start HH:MM or None, end HH:MM) per instance, in row order."""
    starts = instances[START].dt.strftime("%H:%M") if START in instances else [None] * len(instances)
    return [
        (case, activity, None if pd.isna(start) else start, end.strftime("%H:%M"))
        for case, activity, start, end in zip(
            instances[CASE], instances[ACTIVITY], starts, instances[END], strict=True
        )
    ]


def test_interleaved_starts_pair_first_in_first_out():
    frame = events(
        [
            ("1", "a", "08:00", "start"),
            ("1", "a", "08:30", "start"),
            ("1", "a", "09:00", "complete"),
            ("1", "a", "10:00", "complete"),
        ]
    )
    instances, issues, notes = pair_lifecycle(frame)
    assert spans(instances) == [("1", "a", "08:00", "09:00"), ("1", "a", "08:30", "10:00")]
    assert issues.empty
    assert notes == ["paired 4 start/complete events into 2 activity instances"]
    assert LIFECYCLE not in instances.columns
    assert instances[SOURCE_ROW].tolist() == [3, 4]


def test_missing_complete_becomes_an_issue_with_its_row():
    frame = events(
        [
            ("1", "a", "08:00", "start"),
            ("1", "a", "09:00", "complete"),
            ("1", "a", "11:00", "start"),
            ("1", "b", "12:00", "complete"),
        ]
    )
    instances, issues, notes = pair_lifecycle(frame)
    assert spans(instances) == [("1", "a", "08:00", "09:00"), ("1", "b", None, "12:00")]
    assert list(issues.columns) == list(ISSUE_COLUMNS)
    assert issues.to_dict("records") == [
        {
            "source_row": 3,
            "column": ACTIVITY,
            "value": "a",
            "reason": "unmatched lifecycle start",
            "dropped": True,
        }
    ]
    assert "1 start had no complete; dropped (see issues)" in notes


def test_missing_start_keeps_the_complete_without_start():
    frame = events(
        [
            ("1", "a", "07:00", "complete"),
            ("1", "a", "08:00", "start"),
            ("1", "a", "09:00", "complete"),
        ]
    )
    instances, issues, notes = pair_lifecycle(frame)
    assert spans(instances) == [("1", "a", None, "07:00"), ("1", "a", "08:00", "09:00")]
    assert issues.empty
    assert "1 complete had no start; kept without a start time" in notes


def test_equal_timestamps_start_sorts_before_complete():
    frame = events(
        [
            ("1", "a", "09:00", "complete"),  # zero-length instance written complete-first
            ("1", "a", "09:00", "start"),
            ("2", "a", "08:00", "start"),  # back-to-back instances sharing 09:00
            ("2", "a", "09:00", "complete"),
            ("2", "a", "09:00", "start"),
            ("2", "a", "10:00", "complete"),
        ]
    )
    instances, issues, _ = pair_lifecycle(frame)
    assert spans(instances) == [
        ("1", "a", "09:00", "09:00"),
        ("2", "a", "08:00", "09:00"),
        ("2", "a", "09:00", "10:00"),
    ]
    assert issues.empty


def test_concept_instance_overrides_order():
    frame = events(
        [
            ("1", "a", "08:00", "start", "i1"),
            ("1", "a", "08:10", "start", "i2"),
            ("1", "a", "09:00", "complete", "i2"),
            ("1", "a", "09:30", "complete", "i1"),
        ],
        extra=(INSTANCE,),
    )
    instances, _, _ = pair_lifecycle(frame)
    assert spans(instances) == [("1", "a", "08:10", "09:00"), ("1", "a", "08:00", "09:30")]
    assert instances[INSTANCE].tolist() == ["i2", "i1"]


def test_repair_example_partial_lifecycle():
    """Like 03_repairExample: some activities only complete, others start and complete."""
    frame = events(
        [
            ("1", "Register", "08:00", "complete"),
            ("1", "Analyze Defect", "08:05", "start"),
            ("1", "Analyze Defect", "08:40", "complete"),
            ("1", "Repair (Simple)", "09:00", "start"),
            ("1", "Repair (Simple)", "09:30", "complete"),
            ("1", "Test Repair", "09:35", "start"),
            ("1", "Test Repair", "09:50", "complete"),
            ("1", "Inform User", "10:00", "complete"),
            ("1", "Archive Repair", "10:05", "complete"),
            ("2", "Register", "08:00", "complete"),
            ("2", "Analyze Defect", "08:10", "start"),
        ]
    )
    instances, issues, notes = pair_lifecycle(frame)
    assert len(instances) == 7
    with_start = instances[instances[START].notna()][ACTIVITY].tolist()
    assert with_start == ["Analyze Defect", "Repair (Simple)", "Test Repair"]
    assert issues["source_row"].tolist() == [11]
    assert notes[0] == "paired 6 start/complete events into 3 activity instances"
    assert "4 completes had no start; kept without a start time" in notes


def test_transitions_are_case_insensitive_and_blank_means_complete():
    frame = events(
        [("1", "a", "08:00", " START "), ("1", "a", "09:00", "Complete"), ("1", "b", "10:00", None)]
    )
    instances, issues, _ = pair_lifecycle(frame)
    assert spans(instances) == [("1", "a", "08:00", "09:00"), ("1", "b", None, "10:00")]
    assert issues.empty


def test_abort_ends_the_attempt_and_is_reported():
    frame = events(
        [
            ("1", "a", "08:00", "start"),
            ("1", "a", "08:20", "ate_abort"),
            ("1", "a", "09:00", "start"),
            ("1", "a", "09:30", "complete"),
        ]
    )
    instances, issues, notes = pair_lifecycle(frame)
    assert spans(instances) == [("1", "a", "09:00", "09:30")]
    assert issues["reason"].tolist() == ["aborted activity instance (ate_abort)"]
    assert issues["source_row"].tolist() == [2]
    assert "1 aborted activity instance (ate_abort) dropped (see issues)" in notes


def test_schedule_kept_as_column_and_other_transitions_dropped_with_note():
    frame = events(
        [
            ("1", "a", "07:00", "schedule"),
            ("1", "a", "08:00", "start"),
            ("1", "a", "08:10", "suspend"),
            ("1", "a", "08:20", "resume"),
            ("1", "a", "09:00", "complete"),
        ]
    )
    instances, issues, notes = pair_lifecycle(frame)
    assert spans(instances) == [("1", "a", "08:00", "09:00")]
    assert instances["schedule_timestamp"].dt.strftime("%H:%M").tolist() == ["07:00"]
    assert "kept 1 schedule time as column 'schedule_timestamp'" in notes
    assert any("resume (1)" in note and "suspend (1)" in note for note in notes)
    assert issues.empty


def test_attributes_missing_on_complete_are_taken_from_start():
    frame = events(
        [
            ("1", "a", "08:00", "start", "ann", 5.0),
            ("1", "a", "09:00", "complete", None, 7.0),
        ],
        extra=(RESOURCE, "cost"),
    )
    instances, _, _ = pair_lifecycle(frame)
    assert instances[RESOURCE].tolist() == ["ann"]
    assert instances["cost"].tolist() == [7.0]


def test_fill_from_start_keeps_dtypes_and_only_fills_matched_gaps():
    frame = events(
        [
            ("1", "a", "08:00", "start", "ann", 5),
            ("1", "a", "09:00", "complete", None, None),
            ("1", "b", "09:30", "complete", None, None),
            ("2", "a", "08:00", "start", "bob", None),
            ("2", "a", "10:00", "complete", "eve", 3),
        ],
        extra=(RESOURCE, "qty"),
    )
    frame = frame.astype({CASE: "string[pyarrow]", ACTIVITY: "string[pyarrow]", RESOURCE: "string[pyarrow]"})
    frame["qty"] = frame["qty"].astype("Int64")
    instances, _, _ = pair_lifecycle(frame)
    assert instances[RESOURCE].tolist() == ["ann", pd.NA, "eve"]
    assert instances["qty"].tolist() == [5, pd.NA, 3]
    assert instances[RESOURCE].dtype == frame[RESOURCE].dtype and instances["qty"].dtype == "Int64"


def test_untimed_start_is_an_issue_and_untimed_complete_passes_through():
    frame = events([("1", "a", "not a time", "start"), ("1", "a", "bad", "complete")])
    instances, issues, _ = pair_lifecycle(frame)
    assert len(instances) == 1 and instances[END].isna().all()
    assert issues[["source_row", "reason"]].values.tolist() == [[1, "no end timestamp"]]


def test_all_complete_drops_the_column_and_adds_nothing():
    frame = events([("1", "a", "08:00", "complete"), ("1", "b", "09:00", "COMPLETE")])
    instances, issues, notes = pair_lifecycle(frame)
    assert LIFECYCLE not in instances.columns and START not in instances.columns
    assert len(instances) == 2 and issues.empty and notes == []


def test_without_lifecycle_column_the_frame_is_returned_unchanged():
    frame = events([("1", "a", "08:00", "x")]).drop(columns=LIFECYCLE)
    instances, issues, notes = pair_lifecycle(frame)
    assert instances is frame and issues.empty and notes == []


def fifo_reference(transitions: list[str]) -> tuple[list[tuple[int, int | None]], list[int]]:
    """Plain-loop FIFO pairing of one (case, activity): (complete row, start row) pairs, lost starts."""
    queue: list[int] = []
    pairs = []
    for row, transition in enumerate(transitions, start=1):
        if transition == "start":
            queue.append(row)
        else:
            pairs.append((row, queue.pop(0) if queue else None))
    return pairs, queue


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["start", "complete"]), min_size=1, max_size=14))
def test_matches_a_plain_fifo_loop(transitions):
    # distinct increasing times, so file order is time order
    rows = [("1", "a", f"{8 + i // 60:02d}:{i % 60:02d}", t) for i, t in enumerate(transitions)]
    instances, issues, _ = pair_lifecycle(events(rows))
    pairs, lost = fifo_reference(transitions)
    assert instances[SOURCE_ROW].tolist() == [complete for complete, _ in pairs]
    if START in instances:
        expected = [None if start is None else rows[start - 1][2] for _, start in pairs]
        got = [None if pd.isna(s) else s.strftime("%H:%M") for s in instances[START]]
        assert got == expected
    assert sorted(issues["source_row"].tolist()) == lost


@pytest.mark.parametrize("n_cases", [2_000])
def test_many_cases_pair_independently(n_cases):
    rows = []
    for case in range(n_cases):
        rows += [(str(case), "a", "08:00", "start"), (str(case), "a", "09:00", "complete")]
        rows += [(str(case), "b", "09:30", "complete")]
    instances, issues, notes = pair_lifecycle(events(rows))
    assert len(instances) == 2 * n_cases
    assert int(instances[START].notna().sum()) == n_cases
    assert issues.empty
    assert notes[0] == f"paired {2 * n_cases:,} start/complete events into {n_cases:,} activity instances"
