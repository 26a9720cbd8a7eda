"""Process-map discovery: hand-checked answers, and agreement with pm4py on random and real logs."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pm4py
import pytest
from pm4py.algo.discovery.dfg.adapters.pandas.df_statistics import get_dfg_graph

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, START
from sc_improve.discovery.dfg import (
    compact_codes,
    count_distinct_cases,
    discover_map,
    flow_sequence,
    group_stats,
    order_within_cases,
)
from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import EventLog, make_event_log
from tests.conftest import build_log

DATA = Path(__file__).parent / "data" / "discovery"
WITH_START = ("case", "activity", "end", "start")


def random_log(
    n_cases: int, n_activities: int = 8, seed: int = 0, start: bool = False, overlap: bool = True
) -> EventLog:
    """A seeded log with loops, equal timestamps (zero gaps) and, optionally, overlapping intervals."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 12, n_cases)
    n = int(lengths.sum())
    case = np.repeat(np.arange(n_cases), lengths)
    activity = rng.integers(0, n_activities, n)
    gaps = rng.choice([0, 60, 600, 3600, 86400], size=n, p=[0.15, 0.25, 0.3, 0.2, 0.1])
    first = np.repeat(np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    elapsed = np.cumsum(gaps) - np.cumsum(gaps)[first]
    end = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        np.repeat(rng.integers(0, 200, n_cases) * 86400, lengths) + elapsed, unit="s"
    )
    frame = pd.DataFrame({CASE: [f"c{c}" for c in case], ACTIVITY: [f"act {a}" for a in activity], END: end})
    if start:
        busy = rng.choice([0, 300, 1800, 7200], size=n) if overlap else np.minimum(gaps, 300)
        frame[START] = frame[END] - pd.to_timedelta(busy, unit="s")
    return make_event_log(frame.sample(frac=1.0, random_state=seed), source="random")


def assert_matches_pm4py(log: EventLog) -> None:
    """Frequencies equal pm4py's DFG; times equal pm4py's performance DFG (its interval variant, which
    clips overlaps to 0, when any transition overlaps); start/end counts equal pm4py's on the frame in
    flow order; p90 equals pandas' quantile of the same durations."""
    process_map = discover_map(log)
    ours = {(e.source, e.target): e for e in process_map.edges}
    frequency, _, _ = pm4py.discover_dfg(log.frame.copy())
    assert {pair: edge.frequency for pair, edge in ours.items()} == frequency

    flow = flow_sequence(log)
    in_flow_order = log.frame if flow.rows is None else log.frame.iloc[flow.rows].reset_index(drop=True)
    _, start_activities, end_activities = pm4py.discover_dfg(in_flow_order.copy())
    assert process_map.start_activities == start_activities
    assert process_map.end_activities == end_activities

    if not log.has_start or not process_map.notes:
        performance, _, _ = pm4py.discover_performance_dfg(log.frame.copy())
    else:
        performance = get_dfg_graph(
            log.frame.copy(), measure="performance", start_timestamp_key=START, perf_aggregation_key="all"
        )
    assert set(performance) == set(ours)
    for pair, stats in performance.items():
        edge = ours[pair]
        assert edge.mean_s == pytest.approx(stats["mean"], rel=1e-9, abs=1e-6)
        assert edge.median_s == pytest.approx(stats["median"], rel=1e-9, abs=1e-6)
        assert edge.total_s == pytest.approx(stats["sum"], rel=1e-9, abs=1e-6)

    pairs = _transitions(in_flow_order, log.has_start)
    p90 = pairs.groupby(["source", "target"])["seconds"].quantile(0.9)
    cases = pairs.groupby(["source", "target"])[CASE].nunique()
    for (source, target), expected in p90.items():
        assert ours[(source, target)].p90_s == pytest.approx(expected, rel=1e-9, abs=1e-6)
        assert ours[(source, target)].cases == cases[(source, target)]


def _transitions(frame: pd.DataFrame, has_start: bool) -> pd.DataFrame:
    """Directly-follows pairs of a frame already in flow order, computed the slow, obvious way."""
    following = frame.shift(-1)
    same = frame[CASE] == following[CASE]
    target_time = following[START].fillna(following[END]) if has_start else following[END]
    seconds = ((target_time - frame[END]).dt.total_seconds()).clip(lower=0)
    return pd.DataFrame(
        {CASE: frame[CASE], "source": frame[ACTIVITY], "target": following[ACTIVITY], "seconds": seconds}
    )[same]


def test_hand_checked_frequencies_and_times(simple_log):
    process_map = discover_map(simple_log)
    assert process_map.time_basis == "end_to_end"
    assert [(n.name, n.events, n.cases, n.mean_duration_s) for n in process_map.activities] == [
        ("a", 3, 3, None),
        ("c", 3, 3, None),
        ("b", 2, 2, None),
    ]
    ab = process_map.edge("a", "b")
    assert (ab.frequency, ab.cases) == (2, 2)
    assert (ab.mean_s, ab.median_s, ab.p90_s, ab.total_s) == (5400.0, 5400.0, 6840.0, 10800.0)
    assert process_map.edge("a", "c").mean_s == 4 * 3600
    assert process_map.edge("b", "c").p90_s == 3600
    assert [(e.source, e.target) for e in process_map.edges] == [("a", "b"), ("b", "c"), ("a", "c")]
    assert process_map.start_activities == {"a": 3}
    assert process_map.end_activities == {"c": 3}
    assert process_map.n_cases == 3


def test_repeated_path_in_one_case_counts_once_in_cases():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00"),
            ("1", "b", "2024-01-01 09:00"),
            ("1", "a", "2024-01-01 10:00"),
            ("1", "b", "2024-01-01 13:00"),
        ]
    )
    process_map = discover_map(log)
    ab = process_map.edge("a", "b")
    assert (ab.frequency, ab.cases, ab.total_s) == (2, 1, 4 * 3600)
    assert process_map.activity("a").cases == 1
    assert process_map.activity("a").events == 2


def test_start_times_give_waiting_times_and_processing_times():
    log = build_log(
        [
            ("1", "a", "2024-01-01 09:00", "2024-01-01 08:00"),
            ("1", "b", "2024-01-01 12:00", "2024-01-01 10:00"),
            ("2", "a", "2024-01-02 08:30", "2024-01-02 08:00"),
            ("2", "b", "2024-01-02 09:00", "2024-01-02 08:45"),
        ],
        WITH_START,
    )
    process_map = discover_map(log)
    assert process_map.time_basis == "end_to_start"
    assert process_map.edge("a", "b").mean_s == (3600 + 900) / 2
    assert process_map.activity("a").mean_duration_s == (3600 + 1800) / 2
    assert process_map.activity("b").mean_duration_s == (7200 + 900) / 2
    assert process_map.notes == []


def test_overlap_counts_as_zero_wait_and_is_noted():
    log = build_log(
        [
            ("1", "a", "2024-01-01 10:00", "2024-01-01 08:00"),
            ("1", "b", "2024-01-01 11:00", "2024-01-01 09:00"),
        ],
        WITH_START,
    )
    process_map = discover_map(log)
    assert process_map.edge("a", "b").mean_s == 0.0
    assert "1 of 1 transitions overlap" in process_map.notes[0]


def test_flow_order_follows_start_times():
    log = build_log(
        [
            ("1", "long", "2024-01-01 12:00", "2024-01-01 08:00"),
            ("1", "short", "2024-01-01 10:00", "2024-01-01 09:00"),
            ("1", "last", "2024-01-01 13:00", "2024-01-01 12:30"),
        ],
        WITH_START,
    )
    process_map = discover_map(log)
    assert [(e.source, e.target) for e in process_map.edges] == [("long", "short"), ("short", "last")]
    assert process_map.edge("short", "last").mean_s == 2.5 * 3600
    assert process_map.start_activities == {"long": 1}
    assert process_map.end_activities == {"last": 1}


def test_missing_start_time_counts_as_instantaneous():
    log = build_log(
        [
            ("1", "a", "2024-01-01 09:00", "2024-01-01 08:00"),
            ("1", "b", "2024-01-01 10:00", None),
            ("1", "c", "2024-01-01 12:00", "2024-01-01 11:00"),
        ],
        WITH_START,
    )
    process_map = discover_map(log)
    assert process_map.edge("a", "b").mean_s == 3600
    assert process_map.edge("b", "c").mean_s == 3600
    assert process_map.activity("b").mean_duration_s is None
    assert process_map.activity("c").mean_duration_s == 3600
    assert process_map.notes == ["1 event has no start time; they count as instantaneous"]


def test_equal_timestamps_keep_file_order():
    log = build_log(
        [
            ("1", "x", "2024-01-01 08:00"),
            ("1", "y", "2024-01-01 08:00"),
            ("1", "z", "2024-01-01 08:00"),
        ]
    )
    process_map = discover_map(log)
    assert {(e.source, e.target) for e in process_map.edges} == {("x", "y"), ("y", "z")}
    assert process_map.edge("x", "y").mean_s == 0.0


def test_single_event_cases_have_no_edges():
    log = build_log([("1", "a", "2024-01-01 08:00"), ("2", "b", "2024-01-01 09:00")])
    process_map = discover_map(log)
    assert process_map.edges == []
    assert process_map.start_activities == {"a": 1, "b": 1}


def test_empty_log_is_an_analysis_error():
    log = build_log([("1", None, "2024-01-01 08:00")])
    with pytest.raises(AnalysisError, match="no events"):
        discover_map(log)


def test_progress_runs_to_the_end(simple_log):
    seen = []
    discover_map(simple_log, progress=lambda fraction, message="": seen.append(fraction))
    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)


def test_compact_codes_lookup_and_search_agree():
    values = np.array([7, 3, 3, 99, 7, 0], dtype=np.int64)
    dense = compact_codes(values, 100)
    searched = compact_codes(values, 100, dense_limit=0)
    assert dense[0].tolist() == searched[0].tolist() == [2, 1, 1, 3, 2, 0]
    assert dense[1].tolist() == searched[1].tolist() == [0, 3, 7, 99]


def test_distinct_cases_bitmap_and_sort_agree():
    group = np.array([0, 1, 0, 0, 2, 1, 0])
    case = np.array([0, 0, 0, 1, 1, 2, 2])
    assert count_distinct_cases(group, 4, case, 3).tolist() == [3, 2, 1, 0]
    assert count_distinct_cases(group, 4, case, 3, dense_limit=0).tolist() == [3, 2, 1, 0]


@pytest.mark.parametrize(
    "unit, span_ns",
    [(10**9, 10**13), (10**6, 10**12), (1, 10**12), (1, 2**62)],
    ids=["seconds", "milliseconds", "nanoseconds", "too-wide-to-pack"],
)
def test_order_within_cases_is_a_stable_sort_by_case_then_start(unit, span_ns):
    rng = np.random.default_rng(unit % 97 + span_ns % 89)
    case = np.repeat(np.arange(3000, dtype=np.int32), rng.integers(1, 14, 3000))
    start = (rng.integers(0, span_ns // unit, len(case)) * unit).astype(np.int64)
    tied = np.arange(0, len(start) - 1, 7)
    start[tied + 1] = start[tied]
    case_starts = np.concatenate(([0], np.flatnonzero(np.diff(case)) + 1, [len(case)]))
    rows = order_within_cases(case, start, case_starts)
    assert rows.tolist() == np.lexsort((start, case)).tolist()


def test_flow_order_moves_only_the_cases_that_need_it():
    log = random_log(3000, seed=5, start=True)
    codes = log.codes
    begins = np.where(codes.start_ns == codes.MISSING_NS, codes.end_ns, codes.start_ns)
    expected = np.lexsort((begins, codes.case))  # stable: ties keep the frame order
    flow = flow_sequence(log)
    assert 0 < len(np.unique(codes.case[flow.moved_to])) < log.n_cases
    assert flow.rows.tolist() == expected.tolist()
    assert flow.activity.tolist() == codes.activity[expected].tolist()
    same_case = codes.case[1:] == codes.case[:-1]
    gaps = (begins[expected][1:] - codes.end_ns[expected][:-1])[same_case]
    assert flow.path_gaps_ns().tolist() == gaps.tolist()


def test_group_stats_stay_accurate_for_very_long_durations():
    years = np.array([1, 3, 5, 200, 100], dtype=np.int64) * 365 * 86400 * 10**9
    group = np.array([0, 0, 0, 1, 1])
    stats = group_stats(group, 2, years, np.arange(5), 5)
    year_s = 365 * 86400
    assert stats.median_s[0] == pytest.approx(3 * year_s, rel=1e-12)
    assert stats.p90_s[1] == pytest.approx(190 * year_s, rel=1e-12)
    assert stats.cases.tolist() == [3, 2]


@pytest.mark.parametrize(
    "start, overlap",
    [(False, False), (True, False), (True, True)],
    ids=["end-only", "intervals", "overlapping-intervals"],
)
def test_random_logs_match_pm4py(start, overlap):
    log = random_log(5000, seed=3, start=start, overlap=overlap)
    assert log.n_events > 25_000
    assert_matches_pm4py(log)


def test_random_log_of_50k_events_matches_pm4py():
    log = random_log(9000, n_activities=25, seed=11, start=True)
    assert log.n_events > 45_000
    assert flow_sequence(log).rows is not None
    assert_matches_pm4py(log)


def test_hand_built_logs_match_pm4py(simple_log):
    assert_matches_pm4py(simple_log)
    assert_matches_pm4py(
        build_log(
            [
                ("1", "a", "2024-01-01 10:00", "2024-01-01 08:00"),
                ("1", "b", "2024-01-01 09:30", "2024-01-01 09:00"),
                ("1", "b", "2024-01-01 09:30", "2024-01-01 09:00"),
                ("2", "b", "2024-01-02 08:00", "2024-01-02 07:00"),
                ("2", "a", "2024-01-02 09:00", "2024-01-02 08:00"),
            ],
            WITH_START,
        )
    )


def test_running_example_matches_pm4py():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pm4py.read_xes(str(DATA / "running-example.xes"))
    log = make_event_log(frame[[CASE, ACTIVITY, END, RESOURCE]], source="running-example.xes")
    assert (log.n_events, log.n_cases) == (42, 6)
    assert_matches_pm4py(log)


def test_purchasing_example_matches_pm4py():
    with gzip.open(DATA / "PurchasingExample.csv.gz", "rt") as handle:
        frame = pd.read_csv(handle, dtype={"case_id": str})
    frame = frame.rename(
        columns={
            "case_id": CASE,
            "activity": ACTIVITY,
            "resource": RESOURCE,
            "start_time": START,
            "end_time": END,
        }
    )
    for column in (START, END):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    log = make_event_log(frame, source="PurchasingExample.csv.gz")
    assert (log.n_events, log.n_cases) == (9119, 608)
    assert discover_map(log).time_basis == "end_to_start"
    assert_matches_pm4py(log)


def test_interval_log_excerpt_matches_pm4py():
    frame = pd.read_csv(DATA / "interval_event_log_400cases.csv", parse_dates=[END, START])
    log = make_event_log(frame, source="interval_event_log_400cases.csv")
    assert (log.n_events, log.n_cases) == (2593, 400)
    process_map = discover_map(log)
    assert "18 of 2,193 transitions overlap" in process_map.notes[0]
    assert_matches_pm4py(log)
