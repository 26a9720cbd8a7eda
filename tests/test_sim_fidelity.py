"""Fidelity measures on logs whose distances are known by hand.

Expected values are worked out in the comments from the definitions (see the module
docstrings of sim.fidelity); none are copied from the package or from our own output.
"""

from __future__ import annotations

import datetime
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wasserstein_distance

from sc_improve.columns import ACTIVITY, CASE, END, START
from sc_improve.log.event_log import make_event_log
from sim.fidelity import (
    FidelityReport,
    absolute_event_distance,
    circadian_event_distance,
    compare_logs,
    cycle_time_distance,
    n_gram_distance,
    overall_grade,
    relative_event_distance,
    verdict,
)
from sim.fidelity.emd import wasserstein_integer

ALL_MEASURES = (
    n_gram_distance,
    absolute_event_distance,
    circadian_event_distance,
    relative_event_distance,
    cycle_time_distance,
)


def frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """A log from (case, activity, start, end) rows; times like "2024-01-01 08:00" (a Monday)."""
    table = pd.DataFrame(rows, columns=[CASE, ACTIVITY, START, END])
    table[START] = pd.to_datetime(table[START])
    table[END] = pd.to_datetime(table[END])
    return table


def random_log(seed: int, cases: int = 40, activities: str | list[str] = "abcde") -> pd.DataFrame:
    """Cases of 1-6 events with random activities, starting anywhere in two weeks."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 7, cases)
    case_ids = np.repeat([f"c{i}" for i in range(cases)], lengths)
    case_start = np.repeat(rng.uniform(0, 14 * 24, cases), lengths)
    offsets = rng.uniform(0, 200, len(case_ids))
    durations = rng.exponential(3, len(case_ids))
    origin = pd.Timestamp("2024-03-04")
    start = origin + pd.to_timedelta(case_start + offsets, unit="h")
    return pd.DataFrame(
        {
            CASE: case_ids,
            ACTIVITY: rng.choice(list(activities), len(case_ids)),
            START: start,
            END: start + pd.to_timedelta(durations, unit="h"),
        }
    )


def shifted(table: pd.DataFrame, hours: float) -> pd.DataFrame:
    moved = table.copy()
    moved[START] = moved[START] + pd.Timedelta(hours=hours)
    moved[END] = moved[END] + pd.Timedelta(hours=hours)
    return moved


def brute_force_n_gram_distance(first: pd.DataFrame, second: pd.DataFrame, n: int) -> float:
    """Straight from the definition, with Python loops: an independent reference."""

    def counts(table: pd.DataFrame) -> Counter:
        grams: Counter = Counter()
        ordered = table.reset_index(drop=True).rename_axis("row").reset_index()
        for _, events in ordered.sort_values([START, END, "row"]).groupby(CASE):
            symbols = [None] * (n - 1) + list(events[ACTIVITY]) + [None] * (n - 1)
            grams.update(tuple(symbols[i : i + n]) for i in range(len(symbols) - n + 1))
        return grams

    a, b = counts(first), counts(second)
    return sum(abs(a[g] - b[g]) for g in a.keys() | b.keys()) / (a.total() + b.total())


def test_identical_logs_are_at_distance_zero_even_when_rows_are_shuffled() -> None:
    log = random_log(1)
    report = compare_logs(log, log.sample(frac=1.0, random_state=3))
    assert report.n_gram_distance == 0
    assert report.absolute_event_emd_hours == 0
    assert report.circadian_event_emd_hours == 0
    assert report.relative_event_emd_hours == 0
    assert report.cycle_time_emd_hours == 0
    assert report.original_cases == report.simulated_cases == 40


def test_shift_by_whole_hours_moves_only_the_absolute_distribution() -> None:
    log = random_log(2)
    report = compare_logs(log, shifted(log, 7))
    assert report.absolute_event_emd_hours == pytest.approx(7)
    assert report.n_gram_distance == 0
    assert report.relative_event_emd_hours == 0
    assert report.cycle_time_emd_hours == 0
    assert report.circadian_event_emd_hours > 0  # 7 hours later in the day


def test_shift_by_one_week_keeps_the_circadian_distribution() -> None:
    log = random_log(3)
    assert circadian_event_distance(log, shifted(log, 7 * 24)) == 0
    assert absolute_event_distance(log, shifted(log, 7 * 24)) == pytest.approx(168)


def test_absolute_hours_count_from_the_earliest_start_floored_to_the_hour() -> None:
    # Origin 08:00 (08:30 floored). Original: 08:30, 08:45 -> bins 0, 0.
    # Simulated: 09:10, 11:59 -> bins 1, 3. EMD = (1 + 3) / 2 = 2.
    original = frame([("1", "a", "2024-01-01 08:30", "2024-01-01 08:45")])
    simulated = frame([("1", "a", "2024-01-01 09:10", "2024-01-01 11:59")])
    assert absolute_event_distance(original, simulated) == pytest.approx(2)


def test_logs_without_a_shared_n_gram_are_at_distance_one() -> None:
    first = random_log(4, activities="abc")
    second = random_log(5, activities="xyz")
    assert n_gram_distance(first, second) == 1
    assert n_gram_distance(first, second, n=1) == 1


def test_n_gram_distance_of_two_one_case_logs() -> None:
    # "a b" padded: __a _ab ab_ b__; "a c": __a _ac ac_ c__. One shared 3-gram (__a):
    # |difference| sums to 3 + 3 = 6 over 8 n-grams -> 0.75. With n=1: {a, b} vs {a, c} -> 2/4.
    first = frame(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
            ("1", "b", "2024-01-01 10:00", "2024-01-01 11:00"),
        ]
    )
    second = frame(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
            ("1", "c", "2024-01-01 10:00", "2024-01-01 11:00"),
        ]
    )
    assert n_gram_distance(first, second) == pytest.approx(0.75)
    assert n_gram_distance(first, second, n=1) == pytest.approx(0.5)


def test_n_grams_follow_start_times_not_row_order() -> None:
    # The same case recorded with its rows in reverse order is the same trace.
    rows = [
        ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
        ("1", "b", "2024-01-01 10:00", "2024-01-01 11:00"),
    ]
    assert n_gram_distance(frame(rows), frame(rows[::-1])) == 0


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_n_gram_distance_matches_a_brute_force_count(n: int) -> None:
    first, second = random_log(6, activities="abc"), random_log(7, activities="abcd")
    assert n_gram_distance(first, second, n=n) == pytest.approx(brute_force_n_gram_distance(first, second, n))


def test_n_grams_too_many_to_number_are_still_counted_right() -> None:
    # With n=9 and over 130 labels in use, 131**9 > 2**63: n-grams are compared as rows.
    labels = [f"act{i}" for i in range(700)]
    first, second = random_log(8, activities=labels), random_log(9, activities=labels)
    second.loc[second.index[:30], ACTIVITY] = first[ACTIVITY].iloc[:30].to_numpy()
    in_use = len(set(first[ACTIVITY]) | set(second[ACTIVITY]))
    assert (in_use + 1) ** 9 >= 2**63
    expected = brute_force_n_gram_distance(first, second, 9)
    assert 0 < expected < 1
    assert n_gram_distance(first, second, n=9) == pytest.approx(expected)


@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_every_measure_is_symmetric(measure) -> None:
    first, second = random_log(10), random_log(11, cases=25)
    assert measure(first, second) == pytest.approx(measure(second, first))


def test_cycle_time_distance_of_hand_built_logs() -> None:
    # Cycle times 1 h and 3 h against 2 h and 6 h; shortest 1 h -> bins {0, 2} and {1, 5};
    # matched in order: (|0-1| + |2-5|) / 2 = 2.
    original = frame(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 08:30"),
            ("1", "b", "2024-01-01 08:40", "2024-01-01 09:00"),
            ("2", "a", "2024-01-02 08:00", "2024-01-02 11:00"),
        ]
    )
    simulated = frame(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 10:00"),
            ("2", "a", "2024-01-03 08:00", "2024-01-03 09:00"),
            ("2", "b", "2024-01-03 13:00", "2024-01-03 14:00"),
        ]
    )
    assert cycle_time_distance(original, simulated) == pytest.approx(2)
    # With 30-minute bins: {0, 4} against {2, 10} -> (2 + 6) / 2 = 4.
    half_hour = datetime.timedelta(minutes=30)
    assert cycle_time_distance(original, simulated, bin_size=half_hour) == pytest.approx(4)


def test_cycle_times_are_floored_to_whole_bins_above_the_shortest() -> None:
    # 30 min against 2 h 24 min: bins 0 and floor(1.9) = 1.
    original = frame([("1", "a", "2024-01-01 08:00", "2024-01-01 08:30")])
    simulated = frame([("1", "a", "2024-01-01 08:00", "2024-01-01 10:24")])
    assert cycle_time_distance(original, simulated) == pytest.approx(1)


def test_relative_distribution_counts_hours_from_the_case_start() -> None:
    # Original: 08:00 -> 10:00 gives {0, 2}; simulated, a day later: 08:00 -> 12:00 gives {0, 4}.
    original = frame([("1", "a", "2024-01-01 08:00", "2024-01-01 10:00")])
    simulated = frame([("9", "a", "2024-01-02 08:00", "2024-01-02 12:00")])
    assert relative_event_distance(original, simulated) == pytest.approx(1)


def test_circadian_distance_within_one_weekday() -> None:
    # Monday 10:00 against Monday 13:00: 3 h on Monday, 0 on the six empty days -> 3/7.
    original = frame([("1", "a", "2024-01-01 10:00", "2024-01-01 10:00")])
    simulated = frame([("1", "a", "2024-01-01 13:00", "2024-01-01 13:00")])
    assert circadian_event_distance(original, simulated) == pytest.approx(3 / 7)


def test_circadian_weekday_with_events_in_one_log_only_costs_23_hours() -> None:
    # Monday only in the original, Tuesday only in the simulation: (23 + 23) / 7.
    original = frame([("1", "a", "2024-01-01 10:00", "2024-01-01 10:00")])
    simulated = frame([("1", "a", "2024-01-02 10:00", "2024-01-02 10:00")])
    assert circadian_event_distance(original, simulated) == pytest.approx(46 / 7)


def test_circadian_hours_are_utc_hours() -> None:
    # 12:00+02:00 is 10:00 UTC, the same instant as the naive (UTC wall-clock) 10:00.
    original = frame([("1", "a", "2024-01-01 10:00", "2024-01-01 10:00")])
    aware = original.copy()
    aware[START] = aware[END] = pd.to_datetime(["2024-01-01 12:00+02:00"])
    assert circadian_event_distance(original, aware) == 0


def test_events_without_start_are_instantaneous() -> None:
    log = random_log(12)
    log[START] = log[END]
    without_start = log.drop(columns=[START])
    partly_missing = log.copy()
    partly_missing.loc[partly_missing.index[::3], START] = pd.NaT
    other = random_log(13)
    expected = compare_logs(log, other)
    assert compare_logs(without_start, other) == expected
    assert compare_logs(partly_missing, other) == expected


def test_event_log_and_frame_inputs_agree() -> None:
    first, second = random_log(14), random_log(15)
    assert compare_logs(make_event_log(first), make_event_log(second)) == compare_logs(first, second)


@pytest.mark.parametrize("spread", [50, 10**7])
def test_integer_emd_equals_scipy_on_dense_and_sparse_ranges(spread: int) -> None:
    rng = np.random.default_rng(spread)
    u, v = rng.integers(-spread, spread, 300), rng.integers(0, 2 * spread, 500)
    assert wasserstein_integer(u, v) == pytest.approx(wasserstein_distance(u, v), rel=1e-12)


def test_report_to_dict_names_every_measure() -> None:
    report = compare_logs(random_log(16), random_log(17))
    values = report.to_dict()
    assert values["n_gram_distance"] == report.n_gram_distance
    assert set(values) == {
        "n_gram_distance",
        "absolute_event_emd_hours",
        "circadian_event_emd_hours",
        "relative_event_emd_hours",
        "cycle_time_emd_hours",
        "original_cases",
        "simulated_cases",
        "original_mean_cycle_time_hours",
    }


def a_report(**changes: float) -> FidelityReport:
    values = dict(
        n_gram_distance=0.1,
        absolute_event_emd_hours=10.0,
        circadian_event_emd_hours=0.5,
        relative_event_emd_hours=10.0,
        cycle_time_emd_hours=10.0,
        original_cases=100,
        simulated_cases=100,
        original_mean_cycle_time_hours=100.0,
    )
    return FidelityReport(**{**values, **changes})


def test_verdict_is_good_when_every_aspect_is_good() -> None:
    text = verdict(a_report())
    assert text.splitlines()[0].startswith("Overall: good")
    assert overall_grade(a_report()) == "good"
    assert "0.240" in text and "0.415" in text  # the published figures the thresholds rest on


@pytest.mark.parametrize(
    ("changes", "overall", "aspect"),
    [
        ({"n_gram_distance": 0.3}, "fair", "Control flow: fair"),
        ({"n_gram_distance": 0.5}, "poor", "Control flow: poor"),
        ({"cycle_time_emd_hours": 120.0}, "fair", "Cycle times: fair"),  # 1.2 x the mean cycle time
        ({"cycle_time_emd_hours": 160.0}, "poor", "Cycle times: poor"),
        ({"circadian_event_emd_hours": 46 / 7}, "poor", "Time of week: poor"),
    ],
)
def test_verdict_takes_the_weakest_aspect(changes: dict, overall: str, aspect: str) -> None:
    lines = verdict(a_report(**changes)).splitlines()
    assert lines[0].startswith(f"Overall: {overall}")
    assert overall_grade(a_report(**changes)) == overall
    assert any(line.startswith(aspect) for line in lines)


def test_empty_log_is_refused() -> None:
    empty = random_log(18).iloc[:0]
    with pytest.raises(ValueError, match="simulated log is empty"):
        compare_logs(random_log(18), empty)


@pytest.mark.parametrize("column", [CASE, ACTIVITY, END])
def test_missing_column_is_named(column: str) -> None:
    with pytest.raises(ValueError, match=f"original log has no '{column}' column"):
        n_gram_distance(random_log(19).drop(columns=[column]), random_log(20))


def test_missing_values_are_located() -> None:
    log = random_log(21)
    log.loc[log.index[4], ACTIVITY] = None
    with pytest.raises(ValueError, match=r"1 missing values in column 'concept:name' \(first at index 4\)"):
        compare_logs(random_log(22), log)


def test_text_timestamps_are_refused() -> None:
    log = random_log(23)
    log[END] = log[END].astype(str)
    with pytest.raises(ValueError, match="'time:timestamp' of the original log must hold datetimes"):
        absolute_event_distance(log, random_log(24))


def test_bad_arguments_are_refused() -> None:
    log = random_log(25)
    with pytest.raises(TypeError, match="DataFrame or an EventLog"):
        compare_logs(log, log.to_dict())
    with pytest.raises(ValueError, match="bin size must be positive"):
        cycle_time_distance(log, log, bin_size=pd.Timedelta(0))
    with pytest.raises(ValueError, match="n >= 1"):
        n_gram_distance(log, log, n=0)
