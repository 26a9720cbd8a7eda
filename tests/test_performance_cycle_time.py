"""Cycle time per case, its summary and histogram, and the drivers of long cases."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sc_improve.columns import ACTIVITY, CASE, END
from sc_improve.log.event_log import make_event_log
from sc_improve.performance import case_durations, cycle_time, event_times
from sc_improve.performance.case_features import OTHER, case_features, variant_codes
from sc_improve.performance.cycle_time import histogram
from sc_improve.performance.drivers import driver_sample
from tests.conftest import build_log

HOUR = 3600.0


def test_cycle_time_summary_without_start_times(simple_log):
    result = cycle_time(simple_log, drivers=False)
    # cases last 2 h, 3 h and 4 h
    assert (result.cases, result.mean_s, result.median_s, result.max_s) == (3, 3 * HOUR, 3 * HOUR, 4 * HOUR)
    assert result.p90_s == pytest.approx(3 * HOUR + 0.8 * HOUR)
    assert result.p95_s == pytest.approx(3 * HOUR + 0.9 * HOUR)
    assert result.total_s == 9 * HOUR
    assert result.estimated and result.drivers is None
    assert sum(b.cases for b in result.histogram) == 3


def test_cycle_time_starts_at_the_earliest_start():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00"),
            ("1", "b", "2024-01-01 07:00", "2024-01-01 10:00"),
            ("2", "a", None, "2024-01-02 08:00"),
            ("2", "b", "2024-01-02 08:30", "2024-01-02 09:00"),
        ],
        ("case", "activity", "start", "end"),
    )
    durations = case_durations(log)
    assert durations["cycle_time_s"].tolist() == [3 * HOUR, HOUR]
    assert durations[CASE].tolist() == ["1", "2"]
    assert durations["events"].tolist() == [2, 2]
    assert durations["start"].iloc[0] == pd.Timestamp("2024-01-01 07:00", tz="UTC")
    assert not cycle_time(log, drivers=False).estimated


def test_histogram_uses_readable_bins_and_an_open_last_bin():
    hours = np.array([0.5, 1.5, 1.7, 2.2, 30.0]) * HOUR
    bins = histogram(hours)
    widths = {b.upper_s - b.lower_s for b in bins if b.upper_s is not None}
    assert widths == {HOUR}  # 1 h steps cover the 99th percentile (28.9 h) in < 30 bins
    assert [b.cases for b in bins[:3]] == [1, 2, 1]
    assert bins[-1].upper_s is None and bins[-1].cases == 1
    assert sum(b.cases for b in bins) == 5


def test_histogram_of_equal_durations():
    bins = histogram(np.zeros(4))
    assert [(b.lower_s, b.upper_s, b.cases) for b in bins] == [(0.0, 1.0, 4)]


def _vendor_log(n_cases: int = 120, seed: int = 3):
    """Every case is a -> b -> c; cases of vendor X take about four times as long.

    The plant attribute and the resource are noise.
    """
    rng = np.random.default_rng(seed)
    vendor = rng.choice(["X", "Y", "Z"], size=n_cases)
    plant = rng.choice(["P1", "P2"], size=n_cases)
    base = rng.lognormal(mean=np.log(10 * HOUR), sigma=0.3, size=n_cases)
    duration = np.where(vendor == "X", 4 * base, base)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 30, n_cases), unit="D")
    rows = []
    for i in range(n_cases):
        for step, fraction in enumerate((0.0, 0.4, 1.0)):
            rows.append(
                {
                    CASE: f"c{i}",
                    ACTIVITY: "abc"[step],
                    END: start[i] + pd.Timedelta(seconds=float(duration[i] * fraction)),
                    "case:vendor": vendor[i],
                    "case:plant": plant[i],
                }
            )
    return make_event_log(pd.DataFrame(rows))


def test_drivers_rank_the_attribute_that_makes_cases_slow_first():
    result = cycle_time(_vendor_log())
    drivers = result.drivers
    assert drivers is not None
    assert drivers.drivers[0].feature == "case:vendor"
    assert drivers.drivers[0].importance > 0.3
    assert all(d.importance < 0.1 for d in drivers.drivers[1:])
    assert drivers.held_out_r2 is not None and drivers.held_out_r2 > 0.5
    slowest = drivers.groups[0]
    assert (slowest.feature, slowest.group) == ("case:vendor", "X")
    assert slowest.ratio_to_median > 2
    assert slowest.description.startswith("cases with vendor = X take ")
    assert "x the median cycle time" in slowest.description
    assert drivers.cases_used == 120


def test_drivers_sample_big_logs_with_a_fixed_seed():
    log = _vendor_log(n_cases=200)
    first = cycle_time(log, max_driver_cases=80).drivers
    second = cycle_time(log, max_driver_cases=80).drivers
    assert first.cases_used == 80
    assert "sample of 80 cases" in first.notes[0]
    assert first.drivers == second.drivers
    assert first.drivers[0].feature == "case:vendor"


def test_slow_groups_of_a_big_log_are_plain_medians_over_a_seeded_sample_of_cases():
    log = _vendor_log(n_cases=300)
    drivers = cycle_time(log, max_group_cases=120).drivers
    assert cycle_time(log, max_group_cases=120).drivers == drivers
    assert "slow groups were measured on a sample of 120 of the 300 cases" in drivers.notes
    assert drivers.cases_used == 120
    sample = driver_sample(log.n_cases, max_cases=120)
    cases = case_durations(log).iloc[sample]
    vendor = log.frame.groupby(CASE, sort=False)["case:vendor"].first().loc[cases[CASE]].to_numpy()
    by_vendor = cases.groupby(vendor)["cycle_time_s"]
    slowest = drivers.groups[0]
    assert (slowest.feature, slowest.group) == ("case:vendor", "X")
    assert slowest.cases == by_vendor.size()["X"]
    assert slowest.median_cycle_time_s == pytest.approx(by_vendor.median()["X"], rel=1e-12)
    assert slowest.ratio_to_median == pytest.approx(by_vendor.median()["X"] / cases["cycle_time_s"].median())
    assert f"({slowest.cases:,} of 120 sampled cases," in slowest.description


def test_logs_up_to_the_sample_size_are_described_in_full():
    log = _vendor_log(n_cases=150)
    assert driver_sample(150, max_cases=150) is None
    drivers = cycle_time(log, max_group_cases=150).drivers
    assert not any("slow groups" in note for note in drivers.notes)
    assert sum(group.cases for group in drivers.groups if group.feature == "case:vendor") <= 150
    assert "sampled" not in drivers.groups[0].description


def test_drivers_without_case_attributes_use_variants_and_size():
    rows = []
    for i in range(40):
        long = i % 4 == 0
        activities = ["a", "b", "x", "y", "c"] if long else ["a", "b", "c"]
        for step, activity in enumerate(activities):
            rows.append(
                (f"c{i}", activity, f"2024-01-{1 + i % 28:02d} {8 + step * (3 if long else 1):02d}:00")
            )
    log = build_log(rows)
    drivers = cycle_time(log).drivers
    assert {d.feature for d in drivers.drivers} == {"variant", "events"}
    assert drivers.groups[0].ratio_to_median == pytest.approx(12 / 2)
    assert {g.feature for g in drivers.groups} <= {"variant", "events"}


def test_too_few_cases_for_drivers(simple_log):
    drivers = cycle_time(simple_log).drivers
    assert drivers.drivers == [] and drivers.held_out_r2 is None
    assert "too few" in drivers.notes[0]


def test_case_features_pool_rare_levels_and_drop_ids():
    rows = []
    for i in range(40):
        vendor = "V1" if i < 20 else ("V2" if i < 36 else f"rare{i}")
        rows.append((f"c{i}", "a", "2024-01-01 08:00", vendor, f"id{i}", float(i)))
        rows.append((f"c{i}", "a" if i == 0 else "b", "2024-01-01 09:00", vendor, f"id{i}", float(i)))
    log = build_log(rows, ("case", "activity", "end", "case:vendor", "case:order", "case:amount"))
    features = {f.name: f for f in case_features(log, event_times(log).repeats)}
    assert set(features) == {"case:vendor", "case:amount", "variant", "events", "rework"}  # order id dropped
    vendor = features["case:vendor"]
    assert vendor.levels == ("V1", "V2", OTHER)
    assert np.bincount(vendor.codes).tolist() == [20, 16, 4]
    assert features["case:amount"].values[:3].tolist() == [0.0, 1.0, 2.0]
    assert features["rework"].codes[:2].tolist() == [1, 0]
    assert features["variant"].levels == ("variant 1 (a → b)", OTHER)


def test_variant_codes_rank_by_frequency(simple_log):
    variant, example = variant_codes(simple_log.codes)
    assert variant.tolist() == [0, 0, 1]  # a-b-c twice, a-c once
    assert example.tolist() == [0, 2]


def test_cycle_time_result_is_json_ready():
    data = cycle_time(_vendor_log()).to_dict()
    text = json.dumps(data)
    assert '"feature": "case:vendor"' in text
    assert data["histogram"][0]["lower_s"] == 0.0


def test_missing_attribute_values_form_their_own_level():
    rows = []
    for i in range(30):
        vendor = None if i % 3 == 0 else ("V1" if i % 3 == 1 else "V2")
        rows.append((f"c{i}", "a", "2024-01-01 08:00", vendor))
        rows.append((f"c{i}", "b", "2024-01-01 09:00", vendor))
    log = build_log(rows, ("case", "activity", "end", "case:vendor"))
    vendor = next(f for f in case_features(log, event_times(log).repeats) if f.name == "case:vendor")
    assert set(vendor.levels) == {"V1", "V2", "(missing)"}
    assert np.bincount(vendor.codes).tolist() == [10, 10, 10]
