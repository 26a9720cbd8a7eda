"""Variants: hand-checked tables, exact grouping under hash collisions, agreement with pm4py."""

from __future__ import annotations

import warnings
from itertools import permutations

import numpy as np
import pandas as pd
import pm4py
import pytest

from sc_improve.discovery import variants as variants_module
from sc_improve.discovery.dfg import flow_sequence
from sc_improve.discovery.variants import case_variant_ids, discover_variants
from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import EventLog
from tests.conftest import build_log
from tests.test_dfg import WITH_START, random_log


def sequences_by_case(log: EventLog) -> list[tuple[str, ...]]:
    """Each case's activities in flow order, built the slow, obvious way."""
    flow = flow_sequence(log)
    names = [str(log.codes.activities[a]) for a in flow.activity]
    starts = log.codes.case_starts.tolist()
    return [tuple(names[a:b]) for a, b in zip(starts[:-1], starts[1:], strict=True)]


def assert_exact(log: EventLog) -> None:
    """Cases share a variant id exactly when their sequences are equal, and the table agrees."""
    table = discover_variants(log)
    ids = case_variant_ids(log)
    sequences = sequences_by_case(log)
    for case, variant in enumerate(ids.tolist()):
        assert table.variants[variant].activities == sequences[case]
    assert len(table.variants) == len(set(sequences))
    assert [v.cases for v in table.variants] == np.bincount(ids).tolist()


def test_hand_checked_table(simple_log):
    table = discover_variants(simple_log)
    assert table.total_cases == 3
    first, second = table.variants
    assert (first.rank, first.activities, first.cases, first.example_case) == (1, ("a", "b", "c"), 2, "1")
    assert first.share == pytest.approx(2 / 3)
    assert (first.mean_cycle_s, first.median_cycle_s, first.p90_cycle_s) == (9000.0, 9000.0, 10440.0)
    assert (second.rank, second.activities, second.cases, second.mean_cycle_s) == (2, ("a", "c"), 1, 4 * 3600)
    assert case_variant_ids(simple_log).tolist() == [0, 0, 1]


def test_ties_are_ranked_by_first_case():
    log = build_log(
        [
            ("1", "b", "2024-01-01 08:00"),
            ("2", "a", "2024-01-01 07:00"),
            ("3", "a", "2024-01-01 09:00"),
            ("4", "b", "2024-01-01 10:00"),
        ]
    )
    assert [v.activities for v in discover_variants(log).variants] == [("b",), ("a",)]


def test_sequences_follow_start_times_and_cycle_time_starts_at_earliest_start():
    log = build_log(
        [
            ("1", "long", "2024-01-01 12:00", "2024-01-01 08:00"),
            ("1", "short", "2024-01-01 10:00", "2024-01-01 09:00"),
        ],
        WITH_START,
    )
    (variant,) = discover_variants(log).variants
    assert variant.activities == ("long", "short")
    assert variant.mean_cycle_s == 4 * 3600


def test_permutations_of_the_same_activities_are_different_variants():
    rows = []
    for case, order in enumerate(permutations("abcd")):
        for step, activity in enumerate(order + order):
            rows.append((f"{case}", activity, f"2024-01-01 {8 + step:02d}:00"))
    log = build_log(rows)
    assert len(discover_variants(log).variants) == 24
    assert_exact(log)


def test_grouping_stays_exact_when_every_hash_collides(monkeypatch):
    monkeypatch.setattr(variants_module, "_mix", lambda values, seed: np.zeros_like(values))
    log = random_log(300, n_activities=3, seed=2)
    assert 20 < len(discover_variants(log).variants) < 300
    assert_exact(log)


def test_grouping_stays_exact_when_hashes_ignore_order(monkeypatch):
    monkeypatch.setattr(variants_module, "_mix", lambda values, seed: values >> np.uint64(32))
    sequences = ["ab", "ba", "ab", "aab", "aba"]
    rows = [
        (f"{c}", a, f"2024-01-01 {8 + i:02d}:00")
        for c, seq in enumerate(sequences)
        for i, a in enumerate(seq)
    ]
    log = build_log(rows)
    table = discover_variants(log)
    assert [(v.activities, v.cases) for v in table.variants] == [
        (("a", "b"), 2),
        (("b", "a"), 1),
        (("a", "a", "b"), 1),
        (("a", "b", "a"), 1),
    ]
    assert_exact(log)


@pytest.mark.parametrize("start", [False, True], ids=["end-only", "intervals"])
def test_random_log_matches_pm4py(start):
    log = random_log(4000, n_activities=4, seed=7, start=start)
    table = discover_variants(log)
    flow = flow_sequence(log)
    in_flow_order = log.frame if flow.rows is None else log.frame.iloc[flow.rows].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = pm4py.get_variants(in_flow_order.copy())
    assert {v.activities: v.cases for v in table.variants} == dict(expected)
    counts = [v.cases for v in table.variants]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) == table.total_cases == log.n_cases
    assert_exact(log)


def test_cycle_time_statistics_match_pandas():
    log = random_log(2000, n_activities=3, seed=4, start=True)
    table = discover_variants(log)
    frame = log.frame.assign(variant=case_variant_ids(log)[log.codes.case])
    begin = frame["start_timestamp"].fillna(frame["time:timestamp"])
    per_case = (
        frame.assign(begin=begin)
        .groupby("case:concept:name", sort=False)
        .agg(variant=("variant", "first"), begin=("begin", "min"), end=("time:timestamp", "max"))
    )
    seconds = (per_case["end"] - per_case["begin"]).dt.total_seconds().clip(lower=0)
    by_variant = seconds.groupby(per_case["variant"])
    for index, variant in enumerate(table.variants[:10]):
        assert variant.mean_cycle_s == pytest.approx(by_variant.mean()[index], rel=1e-9)
        assert variant.median_cycle_s == pytest.approx(by_variant.median()[index], rel=1e-9)
        assert variant.p90_cycle_s == pytest.approx(by_variant.quantile(0.9)[index], rel=1e-9)
        first_case = per_case.index[per_case["variant"] == index][0]
        assert variant.example_case == first_case


def test_empty_log_is_an_analysis_error():
    with pytest.raises(AnalysisError, match="no events"):
        discover_variants(build_log([("1", None, "2024-01-01 08:00")]))


def test_to_dict_is_plain_data(simple_log):
    data = discover_variants(simple_log).to_dict()
    assert data["total_cases"] == 3
    assert data["variants"][0]["activities"] == ("a", "b", "c")
    assert isinstance(pd.Series(data["variants"][0]).to_json(), str)
