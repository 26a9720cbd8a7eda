"""Waiting times on a random 200k-event log against a straightforward pandas computation.

Run as a script to time :func:`find_bottlenecks` on a random 1M-event log, with and
without start times (``.venv/bin/python -m tests.test_performance_random``).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
import pytest

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, START
from sc_improve.log.event_log import EventLog, make_event_log
from sc_improve.performance import activity_times, find_bottlenecks, transition_times
from sc_improve.performance.grouped import compact, distinct_cases, grouped_stats

N_ACTIVITIES = 10
N_RESOURCES = 50
N_VENDORS = 100


def random_log(n_cases: int, *, starts: bool, seed: int = 0) -> EventLog:
    """About 10 events per case over 10 activities, 50 resources, a vendor and a plant per case.

    Activities repeat (rework); with ``starts``, processing times are exponential, so
    instances often overlap their predecessor, and 5 % of the start times are missing.
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 20, n_cases)
    n_events = int(lengths.sum())
    case = np.repeat(np.arange(n_cases), lengths)
    activity = rng.integers(0, N_ACTIVITIES, n_events)
    vendor = rng.integers(0, N_VENDORS, n_cases)
    gap_s = rng.exponential(3600.0 * (1 + activity)) * np.where(vendor[case] == 7, 3.0, 1.0)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    elapsed = np.cumsum(gap_s)
    end_s = rng.uniform(0, 365 * 86400, n_cases)[case] + elapsed - elapsed[first]
    frame = pd.DataFrame(
        {
            CASE: np.array([f"C{i:07d}" for i in range(n_cases)], dtype=object)[case],
            ACTIVITY: np.array([f"activity {i}" for i in range(N_ACTIVITIES)], dtype=object)[activity],
            END: pd.to_datetime((end_s * 1e9).astype(np.int64)),
            RESOURCE: np.array([f"R{i:02d}" for i in range(N_RESOURCES)], dtype=object)[
                rng.integers(0, N_RESOURCES, n_events)
            ],
            "case:vendor": np.array([f"V{i:02d}" for i in range(N_VENDORS)], dtype=object)[vendor][case],
            "case:plant": np.array(["P1", "P2", "P3", "P4", "P5"], dtype=object)[rng.integers(0, 5, n_cases)][
                case
            ],
        }
    )
    if starts:
        start_ns = ((end_s - rng.exponential(1800.0, n_events)) * 1e9).astype(np.int64)
        frame[START] = pd.to_datetime(start_ns).where(rng.random(n_events) > 0.05)
    return make_event_log(frame, source="random")


def pandas_waits(log: EventLog) -> pd.DataFrame:
    """Wait before every event, the plain way: merge_asof to the last end before the start.

    Events without a start wait for the previous event of their case (end to end).
    """
    frame = log.frame.reset_index(names="row")
    waits = frame.groupby(CASE, sort=False)[END].diff().dt.total_seconds().to_numpy(copy=True)
    if START in frame.columns:
        started = frame[frame[START].notna() & (frame[START] <= frame[END])]
        ends = frame[["row", CASE, END]].rename(columns={"row": "enabler", END: "enabled_at"})
        matched = pd.merge_asof(
            started.sort_values(START),
            ends.sort_values("enabled_at"),
            left_on=START,
            right_on="enabled_at",
            by=CASE,
            direction="backward",
        )
        exact = (matched[START] - matched["enabled_at"]).dt.total_seconds()
        waits[matched["row"].to_numpy()] = exact.to_numpy()
    return pd.DataFrame({ACTIVITY: frame[ACTIVITY], "wait_s": waits}).dropna()


@pytest.mark.parametrize("starts", [False, True])
def test_activity_waits_match_pandas_on_a_random_log(starts):
    log = random_log(20_000, starts=starts, seed=1)
    assert 150_000 < log.n_events < 250_000
    expected = (
        pandas_waits(log)
        .groupby(ACTIVITY)["wait_s"]
        .agg(["count", "mean", "median", lambda s: s.quantile(0.9), "sum"])
    )
    result = activity_times(log)
    for name, row in expected.iterrows():
        ours = result.row(name)
        assert ours.waits == row["count"]
        assert ours.mean_wait_s == pytest.approx(row["mean"], rel=1e-9)
        assert ours.median_wait_s == pytest.approx(row["median"], rel=1e-9)
        assert ours.p90_wait_s == pytest.approx(row["<lambda_0>"], rel=1e-9)
        assert ours.total_wait_s == pytest.approx(row["sum"], rel=1e-9)
    assert sum(row.total_wait_s for row in transition_times(log).rows) == pytest.approx(expected["sum"].sum())


def test_grouped_helpers_match_numpy_and_pandas():
    rng = np.random.default_rng(5)
    values = rng.exponential(3600.0, 50_000)
    values[rng.random(50_000) < 0.1] = np.nan
    groups = rng.integers(-1, 300, 50_000)
    stats = grouped_stats(values, groups, 300)
    frame = pd.DataFrame({"g": groups, "v": values})
    frame = frame[frame["g"] >= 0].dropna()
    expected = frame.groupby("g")["v"].agg(["count", "median", lambda s: s.quantile(0.9), "sum"])
    assert stats.count.tolist() == expected["count"].tolist()
    np.testing.assert_allclose(stats.median, expected["median"], rtol=1e-12)
    np.testing.assert_allclose(stats.p90, expected["<lambda_0>"], rtol=1e-12)
    np.testing.assert_allclose(stats.total, expected["sum"], rtol=1e-12)
    case = np.sort(rng.integers(0, 5_000, 50_000))
    by_pandas = pd.DataFrame({"g": groups, "c": case}).query("g >= 0").groupby("g")["c"].nunique()
    assert distinct_cases(groups, case, 300).tolist() == by_pandas.tolist()


def test_compact_with_sparse_and_dense_keys():
    for keys in (np.array([5, -1, 5, 2]), np.array([10**12, -1, 10**12, 7])):
        codes, uniques = compact(keys)
        assert codes[1] == -1 and codes[0] == codes[2] != codes[3]
        assert uniques[codes[[0, 3]]].tolist() == keys[[0, 3]].tolist()


def main() -> int:
    """Time find_bottlenecks on a random 1M-event log (100k cases): best of three, wall and CPU time.

    CPU time is printed too because on a shared machine the wall time also counts the
    time spent waiting for a core.
    """
    for starts in (False, True):
        log = random_log(100_000, starts=starts)
        begin = time.perf_counter()
        codes = log.codes
        encode_s = time.perf_counter() - begin
        runs = []
        for _ in range(3):
            fresh = log.with_frame(log.frame)
            fresh.__dict__["codes"] = codes
            wall, cpu = time.perf_counter(), time.process_time()
            report = find_bottlenecks(fresh)
            runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        print(
            f"{'with' if starts else 'without'} start times, {log.n_events:,} events: find_bottlenecks "
            f"best {min(r[0] for r in runs):.3f} s wall, {min(r[1] for r in runs):.3f} s CPU "
            f"(+ {encode_s:.3f} s to encode the log once, shared with the other analyses)\n"
            f"  top bottleneck: {report.items[0].explanation}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
