import pandas as pd
import pytest

from sc_improve.columns import ACTIVITY, CASE, END, SOURCE_ROW
from sc_improve.errors import LogImportError
from sc_improve.log.event_log import make_event_log
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
