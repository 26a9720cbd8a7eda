import numpy as np
import pandas as pd
import pytest

from sc_improve.columns import ACTIVITY, CASE, END, SOURCE_ROW
from sc_improve.errors import LogImportError
from sc_improve.log.event_log import encode, make_event_log
from tests.conftest import build_log


def test_sort_is_stable_for_equal_timestamps():
    log = build_log(
        [
            ("1", "x", "2024-01-01 08:00"),
            ("2", "a", "2024-01-01 07:00"),
            ("1", "y", "2024-01-01 08:00"),
            ("1", "w", "2024-01-01 07:00"),
        ]
    )
    assert log.frame[ACTIVITY].tolist() == ["w", "x", "y", "a"]
    assert log.frame[SOURCE_ROW].tolist() == [4, 1, 3, 2]


def test_codes_group_cases_contiguously(simple_log):
    codes = simple_log.codes
    assert codes.case.tolist() == [0, 0, 0, 1, 1, 1, 2, 2]
    assert codes.case_starts.tolist() == [0, 3, 6, 8]
    assert list(codes.activities) == ["a", "b", "c"]
    assert simple_log.n_cases == 3


def test_rows_without_required_values_are_listed_not_lost():
    frame = pd.DataFrame(
        {
            CASE: ["1", None, "2", "3"],
            ACTIVITY: ["a", "b", " ", "c"],
            END: pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", None]),
        }
    )
    log = make_event_log(frame)
    assert log.n_events == 1
    assert log.raw_event_count == 4
    assert sorted(log.issues["source_row"].tolist()) == [2, 3, 4]
    assert set(log.issues["reason"]) == {"no case id", "no activity", "no end timestamp"}
    assert log.issues["dropped"].all()


def test_missing_required_column_names_it():
    with pytest.raises(LogImportError, match="time:timestamp"):
        make_event_log(pd.DataFrame({CASE: ["1"], ACTIVITY: ["a"]}), source="x.csv")


def test_timestamps_become_utc():
    log = build_log([("1", "a", "2024-01-01 08:00")])
    assert str(log.frame[END].dt.tz) == "UTC"
    assert log.frame[END].iloc[0].hour == 8


def _unsorted_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            CASE: ["b", "a", "b", "a", None],
            ACTIVITY: ["x", "y", "z", "w", "v"],
            END: pd.to_datetime(["2024-01-02", "2024-01-01", "2024-01-01", "2024-01-03", "2024-01-04"]),
            SOURCE_ROW: [1, 2, 3, 4, 5],
        }
    )


def test_case_codes_of_a_presorted_frame_give_the_same_log_and_codes():
    plain = make_event_log(_unsorted_frame())
    fast = make_event_log(plain.frame.copy(), case_codes=plain.codes.case.astype(np.int64))
    assert "codes" in vars(fast)  # taken from the given codes, not recomputed later
    pd.testing.assert_frame_equal(fast.frame, plain.frame)
    again = encode(fast.frame)
    for name in ("case", "activity", "activities", "case_ids", "end_ns"):
        assert getattr(fast.codes, name).tolist() == getattr(again, name).tolist()
    assert list(fast.codes.case_ids) == ["b", "a"]


def test_case_codes_that_do_not_describe_a_sorted_frame_are_ignored():
    frame = _unsorted_frame()
    expected = make_event_log(frame).frame
    wrong_order = np.array([0, 1, 0, 1, -1])
    pd.testing.assert_frame_equal(make_event_log(frame, case_codes=wrong_order).frame, expected)
    log = make_event_log(expected.copy(), case_codes=np.array([1, 1, 0, 0]))
    assert "codes" not in vars(log)
    assert log.codes.case.tolist() == [0, 0, 1, 1]
    assert list(log.codes.case_ids) == ["b", "a"]


def test_case_codes_follow_rows_dropped_for_a_missing_case():
    frame = make_event_log(_unsorted_frame()).frame
    extra = frame.iloc[:1].assign(**{CASE: pd.Series([None], dtype=frame[CASE].dtype), SOURCE_ROW: 9})
    log = make_event_log(pd.concat([frame, extra], ignore_index=True), case_codes=np.array([0, 0, 1, 1, -1]))
    assert log.n_events == 4 and log.issues["reason"].tolist() == ["no case id"]
    assert "codes" in vars(log) and log.codes.case.tolist() == [0, 0, 1, 1]
