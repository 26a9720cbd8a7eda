"""Fixes are pure: the fixed log no longer triggers its check, the original is untouched."""

from __future__ import annotations

import pandas as pd
import pytest

from sc_improve.columns import ACTIVITY, RESOURCE
from sc_improve.quality import (
    FIXES,
    apply_fix,
    check_quality,
    duplicate_events,
    fix_duplicate_events,
    fix_incomplete_cases,
    fix_synonymous_labels,
    fix_timestamp_outliers,
    incomplete_cases,
    synonymous_labels,
    timestamp_outliers,
)
from tests.conftest import build_log
from tests.test_quality_checks import NOW, incomplete_log


def test_fix_duplicate_events_keeps_the_first_copy():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00"),
            ("1", "a", "2024-01-01 08:00"),
            ("1", "b", "2024-01-01 08:00"),
            ("1", "a", "2024-01-01 08:00"),
            ("2", "a", "2024-01-01 09:00"),
        ]
    )
    before = log.frame.copy()
    result = fix_duplicate_events(log)
    assert result.description == "Dropped 2 duplicate events (same case, activity and time)."
    assert result.log.frame["@@source_row"].tolist() == [1, 3, 5]
    assert duplicate_events(result.log) == []
    assert result.log.notes == [result.description]
    pd.testing.assert_frame_equal(log.frame, before)
    assert log.notes == []


def _outlier_log():
    rows = [(f"C{i}", "a", f"2024-01-{i + 1:02d} 10:00") for i in range(25)]
    rows += [("C0", "b", "1970-01-01 00:00"), ("C1", "b", "2100-01-01 00:00")]
    return build_log(rows)


def test_fix_timestamp_outliers_drops_the_events():
    log = _outlier_log()
    result = fix_timestamp_outliers(log, now=NOW)
    assert result.description == "Dropped 2 events with an outlier timestamp."
    assert (result.log.n_events, result.log.n_cases) == (25, 25)
    assert timestamp_outliers(result.log, now=NOW) == []
    assert log.n_events == 27


def test_fix_timestamp_outliers_can_drop_whole_cases():
    result = fix_timestamp_outliers(_outlier_log(), now=NOW, whole_cases=True)
    assert result.description == "Dropped 2 cases (4 events) with an outlier timestamp."
    assert set(result.log.frame["case:concept:name"]) == {f"C{i}" for i in range(2, 25)}


def test_fix_incomplete_cases_drops_cut_off_cases():
    log = incomplete_log()
    result = fix_incomplete_cases(log, usual_share=0.05)
    assert result.description == "Dropped 2 incomplete cases (4 events)."
    assert "x1" not in set(result.log.frame["case:concept:name"])
    assert incomplete_cases(result.log, usual_share=0.05) == []
    assert log.n_cases == 23


def test_fix_incomplete_cases_can_keep_one_edge():
    result = fix_incomplete_cases(incomplete_log(), usual_share=0.05, begun_before=False)
    cases = set(result.log.frame["case:concept:name"])
    assert "x1" not in cases and "y1" in cases


def test_fix_synonymous_labels_merges_into_the_most_frequent_spelling():
    rows = [
        ("1", "Create PO", "2024-01-01 08:00", "ANN"),
        ("2", "Create PO", "2024-01-01 08:00", "Ann"),
        ("3", "create  po", "2024-01-01 08:00", "Ann"),
        ("3", "Approve", "2024-01-01 09:00", None),
    ]
    log = build_log(rows, ("case", "activity", "end", "resource"))
    result = fix_synonymous_labels(log)
    assert result.log.frame[ACTIVITY].tolist() == ["Create PO", "Create PO", "Create PO", "Approve"]
    assert result.log.frame[RESOURCE].tolist()[:3] == ["Ann", "Ann", "Ann"]
    assert result.log.frame[RESOURCE].isna().tolist() == [False, False, False, True]
    assert result.log.frame[ACTIVITY].dtype == log.frame[ACTIVITY].dtype
    assert (
        result.description == "Merged 1 activity spelling into 1 label and 1 resource spelling into 1 label."
    )
    assert synonymous_labels(result.log) == []
    assert log.frame[ACTIVITY].tolist()[2] == "create  po"
    assert log.frame[RESOURCE].tolist()[0] == "ANN"


def test_fixes_on_a_clean_log_change_nothing(simple_log):
    for fix_id in FIXES:
        result = apply_fix(simple_log, fix_id)
        assert result.log.n_events == simple_log.n_events, fix_id


def test_every_fix_id_named_by_a_finding_is_registered():
    log = incomplete_log()
    dirty = build_log(
        [("1", "a", "2024-01-01 08:00"), ("1", "a", "2024-01-01 08:00"), ("1", "A", "1970-01-01 00:00")]
    )
    fix_ids = {
        f.fix for report in (check_quality(log), check_quality(dirty)) for f in report.findings if f.fix
    }
    assert fix_ids == {
        "fix_duplicate_events",
        "fix_timestamp_outliers",
        "fix_incomplete_cases",
        "fix_synonymous_labels",
    }
    assert fix_ids <= set(FIXES)


def test_apply_fix_rejects_unknown_ids(simple_log):
    with pytest.raises(ValueError, match="unknown fix"):
        apply_fix(simple_log, "fix_everything")


def test_apply_fix_takes_the_thresholds_of_the_check_run():
    log = incomplete_log()
    thresholds = {"usual_share": 0.05, "same_timestamp_warning_share": 0.5}
    assert len(check_quality(log, **thresholds).for_check("incomplete_cases")) == 2
    assert apply_fix(log, "fix_incomplete_cases", **thresholds).log.n_cases == 21
    assert apply_fix(log, "fix_incomplete_cases").log.n_cases == 22
    with pytest.raises(TypeError, match="unknown option"):
        apply_fix(log, "fix_incomplete_cases", usual=0.05)
