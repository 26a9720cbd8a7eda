"""Map simplification: the sliders' extremes, monotonicity and the reachability guarantee."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_improve.discovery.dfg import discover_map
from sc_improve.discovery.process_map import ActivityNode, MapEdge, ProcessMap
from sc_improve.discovery.simplify import simplify_map
from sc_improve.log.event_log import EventLog, make_event_log
from tests.test_dfg import random_log

SLIDER_STEPS = (0, 10, 25, 50, 75, 90, 100)


def markov_log(seed: int, n_activities: int, n_cases: int) -> EventLog:
    """Walks on a random sparse graph with skewed weights: a map where hiding things can strand others."""
    rng = np.random.default_rng(seed)
    successors = [
        rng.choice(n_activities, size=rng.integers(1, 4), replace=False) for _ in range(n_activities)
    ]
    weights = [rng.pareto(1.0, len(s)) + 0.01 for s in successors]
    rows = []
    for case in range(n_cases):
        activity = int(rng.choice(2, p=[0.8, 0.2]))
        for step in range(int(rng.integers(1, 12))):
            rows.append(
                (f"c{case}", f"act {activity}", pd.Timestamp("2024-01-01") + pd.Timedelta(hours=step))
            )
            activity = int(rng.choice(successors[activity], p=weights[activity] / weights[activity].sum()))
    return make_event_log(pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"]))


def edge(source: str, target: str, frequency: int) -> MapEdge:
    return MapEdge(source, target, frequency, frequency, 0.0, 0.0, 0.0, 0.0)


@pytest.fixture
def spaghetti() -> ProcessMap:
    """Main flow a -> b -> c (9 cases); a rare detour b -> x -> c (or back to b); a rarer start at y."""
    return ProcessMap(
        activities=[
            ActivityNode("a", 9, 9),
            ActivityNode("b", 10, 10),
            ActivityNode("c", 10, 10),
            ActivityNode("x", 3, 3),
            ActivityNode("y", 1, 1),
        ],
        edges=[
            edge("a", "b", 9),
            edge("b", "c", 7),
            edge("b", "x", 3),
            edge("x", "c", 3),
            edge("x", "b", 2),
            edge("c", "a", 1),
            edge("a", "c", 1),
            edge("y", "b", 1),
        ],
        start_activities={"a": 9, "y": 1},
        end_activities={"c": 10},
        n_cases=10,
    )


def names(process_map: ProcessMap) -> set[str]:
    return {node.name for node in process_map.activities}


def pairs(process_map: ProcessMap) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in process_map.edges}


def assert_connected(process_map: ProcessMap) -> None:
    """Every shown activity is reachable from a start activity and reaches an end activity."""
    shown = names(process_map)
    assert {n for e in process_map.edges for n in (e.source, e.target)} <= shown
    assert set(process_map.start_activities) <= shown
    assert set(process_map.end_activities) <= shown
    forward = {n: {t for s, t in pairs(process_map) if s == n} for n in shown}
    backward = {n: {s for s, t in pairs(process_map) if t == n} for n in shown}
    assert _reach(set(process_map.start_activities), forward) == shown
    assert _reach(set(process_map.end_activities), backward) == shown


def _reach(roots: set[str], neighbours: dict[str, set[str]]) -> set[str]:
    seen, todo = set(roots), list(roots)
    while todo:
        for other in neighbours[todo.pop()] - seen:
            seen.add(other)
            todo.append(other)
    return seen


def test_full_sliders_return_the_full_map(spaghetti):
    full = simplify_map(spaghetti, 100, 100)
    assert full.activities == spaghetti.activities
    assert full.edges == spaghetti.edges
    assert full.start_activities == spaghetti.start_activities
    assert full.notes == []


def test_zero_sliders_keep_the_main_flow_connected(spaghetti):
    minimal = simplify_map(spaghetti, 0, 0)
    assert names(minimal) == {"a", "b", "c"}
    assert pairs(minimal) == {("a", "b"), ("b", "c"), ("c", "a")}
    assert minimal.start_activities == {"a": 9}
    assert_connected(minimal)
    assert "hiding 2 of 5 activities (4 events) and 5 of 8 paths (10 transitions)" in minimal.notes[0]


def test_a_kept_activity_brings_its_connecting_path(spaghetti):
    assert names(simplify_map(spaghetti, 50, 0)) == {"a", "b", "c", "x"}
    with_y = simplify_map(spaghetti, 100, 0)
    assert names(with_y) == {"a", "b", "c", "x", "y"}
    assert ("y", "b") in pairs(with_y)
    assert_connected(with_y)


def test_paths_slider_adds_the_most_frequent_optional_paths_first(spaghetti):
    some = simplify_map(spaghetti, 100, 50)
    required = pairs(simplify_map(spaghetti, 100, 0))
    added = pairs(some) - required
    assert added == {("x", "b")}
    missing = pairs(spaghetti) - pairs(some)
    assert min(spaghetti.edge(*p).frequency for p in added) >= max(
        spaghetti.edge(*p).frequency for p in missing
    )


def test_sliders_must_be_percentages(spaghetti):
    with pytest.raises(ValueError, match="activities"):
        simplify_map(spaghetti, 101, 50)
    with pytest.raises(ValueError, match="paths"):
        simplify_map(spaghetti, 50, -1)


def test_times_and_counts_of_kept_items_are_unchanged():
    process_map = discover_map(random_log(300, seed=5))
    simplified = simplify_map(process_map, 40, 30)
    for node in simplified.activities:
        assert node == process_map.activity(node.name)
    for kept in simplified.edges:
        assert kept == process_map.edge(kept.source, kept.target)
    assert simplified.n_cases == process_map.n_cases


@pytest.mark.parametrize("seed", range(6))
def test_more_percent_never_shows_less(seed):
    process_map = discover_map(markov_log(seed, n_activities=12 + seed, n_cases=200))
    for paths in SLIDER_STEPS:
        sizes = [len(simplify_map(process_map, a, paths).activities) for a in SLIDER_STEPS]
        edge_counts = [len(simplify_map(process_map, a, paths).edges) for a in SLIDER_STEPS]
        assert sizes == sorted(sizes)
        assert edge_counts == sorted(edge_counts)
    for activities in SLIDER_STEPS:
        shown = [pairs(simplify_map(process_map, activities, p)) for p in SLIDER_STEPS]
        assert all(low <= high for low, high in zip(shown, shown[1:], strict=False))
    assert len(simplify_map(process_map, 0, 0).activities) < len(process_map.activities)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    activities=st.floats(0, 100),
    paths=st.floats(0, 100),
)
def test_every_shown_activity_is_connected(seed, activities, paths):
    process_map = discover_map(markov_log(seed, n_activities=15, n_cases=60))
    simplified = simplify_map(process_map, activities, paths)
    assert simplified.activities
    assert_connected(simplified)
