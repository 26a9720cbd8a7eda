"""Activity features on small hand-built logs whose right answers are known."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from sc_improve.automation import flow_features as flow
from sc_improve.automation.features import FEATURE_DESCRIPTIONS, FEATURES, activity_features
from sc_improve.log.event_log import make_event_log
from tests.conftest import build_log

WITH_START = ("case", "activity", "start", "end", "resource")


@pytest.fixture
def timed_log():
    """Three cases a-b-c; b repeats in case 2; a reversal 'cancel' follows c in case 3."""
    return build_log(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 09:00", "ANNA"),
            ("1", "b", "2024-01-01 10:00", "2024-01-01 10:30", "BEN"),
            ("1", "c", "2024-01-01 11:00", "2024-01-01 11:00", "ANNA"),
            ("2", "a", "2024-01-02 08:00", "2024-01-02 11:00", "ANNA"),
            ("2", "b", "2024-01-02 12:00", "2024-01-02 12:30", "ANNA"),
            ("2", "b", "2024-01-02 13:00", "2024-01-02 13:30", "BEN"),
            ("2", "c", "2024-01-02 14:00", "2024-01-02 14:00", "BEN"),
            ("3", "a", "2024-01-03 08:00", "2024-01-03 10:00", "CARL"),
            ("3", "c", "2024-01-03 10:00", "2024-01-03 10:00", "CARL"),
            ("3", "cancel", "2024-01-03 15:00", "2024-01-03 15:00", "CARL"),
        ],
        WITH_START,
    )


def test_every_feature_has_a_description_and_a_column(timed_log):
    table = activity_features(timed_log)
    assert list(table.columns) == list(FEATURES)
    assert all(len(FEATURE_DESCRIPTIONS[name]) > 20 for name in FEATURES)
    assert sorted(table.index) == ["a", "b", "c", "cancel"]


def test_volume_and_rework(timed_log):
    table = activity_features(timed_log)
    assert table.loc["b", "events"] == 3
    assert table.loc["b", "cases"] == 2
    assert table.loc["b", "case_share"] == pytest.approx(2 / 3)
    assert table.loc["b", "repeats_per_case"] == pytest.approx(0.5)
    assert table.loc["b", "rework_case_share"] == pytest.approx(0.5)
    assert table.loc["a", "repeats_per_case"] == 0
    # a, b and c run three times each (tied ranks), cancel once
    assert table.loc["a", "volume_rank"] == table.loc["c", "volume_rank"] == pytest.approx(2 / 3)
    assert table.loc["cancel", "volume_rank"] == 0.0


def test_processing_and_waiting_time_from_start_times(timed_log):
    table = activity_features(timed_log)
    # a takes 1, 3 and 2 hours: mean 2, population std sqrt(2/3)
    assert table.loc["a", "processing_time_mean_hours"] == pytest.approx(2.0)
    assert table.loc["a", "processing_time_cv"] == pytest.approx(np.sqrt(2 / 3) / 2)
    assert table.loc["c", "processing_time_mean_hours"] == 0.0
    assert table.loc["c", "processing_time_cv"] == 0.0
    # b waits 1 h (case 1), 1 h and 0.5 h (case 2)
    assert table.loc["b", "waiting_time_mean_hours"] == pytest.approx(2.5 / 3)
    # the first event of a case has nothing to wait for
    assert np.isnan(table.loc["a", "waiting_time_mean_hours"])


def test_processing_time_is_estimated_from_gaps_without_start_times():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00"),
            ("1", "b", "2024-01-01 10:00"),
            ("2", "a", "2024-01-02 08:00"),
            ("2", "b", "2024-01-02 12:00"),
        ]
    )
    table = activity_features(log)
    assert table.loc["b", "processing_time_mean_hours"] == pytest.approx(3.0)
    assert np.isnan(table.loc["a", "processing_time_mean_hours"])
    assert np.isnan(table.loc["b", "waiting_time_mean_hours"])


def test_activity_without_start_in_a_log_with_starts_counts_as_instantaneous():
    log = build_log(
        [
            ("1", "manual", "2024-01-01 08:00", "2024-01-01 09:00"),
            ("1", "system", None, "2024-01-01 09:30"),
            ("2", "manual", "2024-01-02 08:00", "2024-01-02 10:00"),
            ("2", "system", None, "2024-01-02 11:00"),
        ],
        ("case", "activity", "start", "end"),
    )
    table = activity_features(log)
    assert table.loc["system", "processing_time_mean_hours"] == 0.0
    assert table.loc["system", "waiting_time_mean_hours"] == pytest.approx(0.75)
    assert table.loc["manual", "processing_time_mean_hours"] == pytest.approx(1.5)


def test_reversals_following_an_activity(timed_log):
    table = activity_features(timed_log)
    assert table.loc["cancel", "is_reversal"] == 1.0
    assert table.loc["c", "is_reversal"] == 0.0
    assert table.loc["c", "reversal_after_share"] == pytest.approx(1 / 3)
    assert table.loc["a", "reversal_after_share"] == 0.0


def test_handoffs_and_resources(timed_log):
    table = activity_features(timed_log)
    # b's neighbour pairs: a->b (ANNA,BEN) changed; b->c (BEN,ANNA) changed; a->b (ANNA,ANNA) same;
    # b->b (ANNA,BEN) changed, counted for both b's; b->c (BEN,BEN) same
    assert table.loc["b", "handoff_share"] == pytest.approx(4 / 6)
    assert table.loc["b", "distinct_resources"] == 2
    assert table.loc["a", "distinct_resources"] == 2


def test_resource_features_are_missing_without_resources(simple_log):
    table = activity_features(simple_log)
    assert table["handoff_share"].isna().all()
    assert table["distinct_resources"].isna().all()


def test_standardisation(simple_log):
    table = activity_features(simple_log)
    # a always opens the case; c follows b twice and a once
    assert table.loc["a", "predecessor_entropy_bits"] == 0.0
    assert table.loc["a", "successor_entropy_bits"] == pytest.approx(
        -(2 / 3 * np.log2(2 / 3) + 1 / 3 * np.log2(1 / 3))
    )
    assert table.loc["c", "successor_entropy_bits"] == 0.0
    assert table.loc["a", "start_share"] == 1.0
    assert table.loc["c", "end_share"] == 1.0
    assert table.loc["b", "start_share"] == 0.0


def test_top_variant_share(simple_log):
    # variants: a-b-c (2 cases), a-c (1 case); with only the top variant counted
    shares = flow.top_variant_share(simple_log.codes, top=1)
    by_name = dict(zip(simple_log.codes.activities, shares, strict=True))
    assert by_name["a"] == pytest.approx(2 / 3)
    assert by_name["b"] == 1.0
    assert activity_features(simple_log).loc["a", "top_variant_share"] == 1.0


def _routed_log(rule: bool, cases: int = 120):
    """Activity 'check' goes to 'approve' for amounts above 1000 and to 'post' below.

    With ``rule`` False the route is drawn at random, independent of the amount.
    """
    rng = np.random.default_rng(5)
    amount = rng.uniform(0, 2000, cases)
    high = amount > 1000 if rule else rng.random(cases) < 0.5
    rows = []
    for case in range(cases):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=case)
        rows.append((str(case), "check", day + pd.Timedelta(hours=9), amount[case]))
        rows.append(
            (str(case), "approve" if high[case] else "post", day + pd.Timedelta(hours=10), amount[case])
        )
    frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp", "case:amount"])
    return make_event_log(frame)


def test_rule_based_ness_sees_an_amount_rule():
    ruled = activity_features(_routed_log(rule=True)).loc["check"]
    random = activity_features(_routed_log(rule=False)).loc["check"]
    assert ruled["rule_accuracy"] > 0.95
    assert ruled["rule_gain"] > 0.9
    assert random["rule_accuracy"] < 0.75
    assert random["rule_gain"] < 0.3


def test_rule_based_ness_needs_enough_events(simple_log):
    assert activity_features(simple_log)["rule_accuracy"].isna().all()


def test_time_profile():
    log = build_log(
        [
            ("1", "a", "2024-01-01 10:00"),  # Monday, office hours
            ("1", "b", "2024-01-01 23:00"),  # Monday night
            ("2", "a", "2024-01-06 10:00"),  # Saturday
            ("2", "b", "2024-01-08 03:00"),  # Monday night
        ]
    )
    table = activity_features(log)
    assert table.loc["a", "off_hours_share"] == 0.0
    assert table.loc["a", "weekend_share"] == 0.5
    assert table.loc["b", "off_hours_share"] == 1.0
    assert table.loc["b", "weekend_share"] == 0.0


def test_date_only_timestamps_have_no_time_profile():
    log = build_log([("1", "a", "2024-01-01"), ("1", "b", "2024-01-02"), ("2", "a", "2024-01-03")])
    assert activity_features(log)["off_hours_share"].isna().all()


def _monthly_log(switch_routing: bool):
    """Six months; every month 10 cases of a->b and 10 of x; with ``switch_routing`` a goes
    to c instead of b in odd months."""
    rows = []
    for month in range(1, 7):
        for index in range(10):
            day = pd.Timestamp(f"2024-{month:02d}-{index + 1:02d} 09:00")
            target = "c" if switch_routing and month % 2 else "b"
            rows += [
                (f"{month}-{index}", "a", day),
                (f"{month}-{index}", target, day + pd.Timedelta(hours=1)),
                (f"{month}-{index}x", "x", day),
            ]
    frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
    return make_event_log(frame)


def test_stability_over_months():
    steady = activity_features(_monthly_log(switch_routing=False))
    switching = activity_features(_monthly_log(switch_routing=True))
    assert steady.loc["a", "volume_change_monthly"] == pytest.approx(0.0)
    assert steady.loc["a", "routing_change_monthly"] == pytest.approx(0.0)
    assert switching.loc["a", "routing_change_monthly"] == pytest.approx(1.0)
    assert switching.loc["b", "volume_change_monthly"] > 1.0


def test_stability_needs_three_months(simple_log):
    table = activity_features(simple_log)
    assert table["volume_change_monthly"].isna().all()
    assert table["routing_change_monthly"].isna().all()


def test_outlier_dates_do_not_count_as_time():
    rows = [(str(c), "a", f"2024-03-{c + 1:02d} 08:00") for c in range(20)]
    rows += [(str(c), "b", f"2024-03-{c + 1:02d} 09:00") for c in range(20)]
    rows.append(("0", "b", "1970-01-01 00:00"))
    table = activity_features(build_log(rows))
    assert table.loc["b", "processing_time_mean_hours"] == pytest.approx(1.0)
    # 1-20 March 2024 has 14 working days; the 1970 event does not stretch the span
    assert table.loc["a", "events_per_working_day"] == pytest.approx(20 / 14)


def test_features_scale_to_many_events():
    rng = np.random.default_rng(0)
    cases = 40_000
    per_case = 6
    n = cases * per_case
    frame = pd.DataFrame(
        {
            "case:concept:name": np.repeat(np.arange(cases), per_case).astype(str),
            "concept:name": np.char.add("act", rng.integers(0, 30, n).astype(str)),
            "time:timestamp": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(
                np.repeat(np.arange(cases), per_case) * 600 + np.tile(np.arange(per_case), cases) * 60, "s"
            ),
            "org:resource": np.char.add("U", rng.integers(0, 50, n).astype(str)),
            "case:region": rng.choice(["north", "south", "east"], n),
        }
    )
    log = make_event_log(frame)
    started = time.perf_counter()
    table = activity_features(log)
    assert time.perf_counter() - started < 15
    assert table["events"].sum() == n
