"""Layered layout of process maps: geometry properties that must hold for any map."""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_improve.discovery.layered_layout import NodeBox, layered_layout
from sc_improve.discovery.layout import MapLayout, layout_map, text_width, wrap_label
from sc_improve.discovery.process_map import ActivityNode, MapEdge, ProcessMap

P2P_VARIANTS: dict[tuple[str, ...], int] = {
    ("Create Requisition", "Approve Requisition", "Create PO", "Approve PO", "Send PO", "Receive Goods",
     "Receive Invoice", "Match", "Pay Invoice"): 600,
    ("Create Requisition", "Approve Requisition", "Create PO", "Approve PO", "Send PO", "Receive Invoice",
     "Receive Goods", "Match", "Pay Invoice"): 200,
    ("Create Requisition", "Approve Requisition", "Create PO", "Approve PO", "Change PO", "Approve PO",
     "Send PO", "Receive Goods", "Receive Invoice", "Match", "Pay Invoice"): 90,
    ("Create Requisition", "Reject Requisition"): 40,
    ("Create PO", "Approve PO", "Send PO", "Receive Goods", "Receive Goods", "Receive Invoice", "Match",
     "Pay Invoice"): 30,
    ("Create Requisition", "Approve Requisition", "Create PO", "Approve PO", "Send PO", "Cancel PO"): 20,
}  # fmt: skip


def map_from_variants(variants: dict[tuple[str, ...], int], hours: float = 2.0) -> ProcessMap:
    """A ProcessMap counted by hand from variants; every edge takes ``hours`` (mean = median)."""
    events: Counter[str] = Counter()
    cases: Counter[str] = Counter()
    follows: Counter[tuple[str, str]] = Counter()
    follow_cases: Counter[tuple[str, str]] = Counter()
    starts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    for trace, count in variants.items():
        for activity in trace:
            events[activity] += count
        for activity in set(trace):
            cases[activity] += count
        pairs = list(zip(trace, trace[1:], strict=False))
        for pair in pairs:
            follows[pair] += count
        for pair in set(pairs):
            follow_cases[pair] += count
        starts[trace[0]] += count
        ends[trace[-1]] += count
    seconds = hours * 3600.0
    activities = [
        ActivityNode(a, events[a], cases[a], 600.0) for a in sorted(events, key=lambda a: (-events[a], a))
    ]
    edges = [
        MapEdge(s, t, f, follow_cases[(s, t)], seconds, seconds, 2 * seconds, f * seconds)
        for (s, t), f in sorted(follows.items())
    ]
    return ProcessMap(activities, edges, dict(starts), dict(ends), n_cases=sum(variants.values()))


def p2p_map() -> ProcessMap:
    return map_from_variants(P2P_VARIANTS)


def all_boxes(layout: MapLayout) -> list[NodeBox]:
    return [layout.start, *layout.activities.values(), layout.end]


def overlaps(a: NodeBox, b: NodeBox) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


def on_border(point: tuple[float, float], box: NodeBox, tolerance: float = 0.5) -> bool:
    x, y = point
    inside_outer = box.x - tolerance <= x <= box.x + box.width + tolerance and (
        box.y - tolerance <= y <= box.y + box.height + tolerance
    )
    inside_inner = box.x + tolerance < x < box.x + box.width - tolerance and (
        box.y + tolerance < y < box.y + box.height - tolerance
    )
    return inside_outer and not inside_inner


def assert_sound_geometry(layout: MapLayout) -> None:
    boxes = all_boxes(layout)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not overlaps(a, b), (a, b)
    for edge in layout.edges:
        assert len(edge.bezier) % 3 == 1
        assert edge.bezier[0] == edge.polyline[0] and edge.bezier[-1] == edge.polyline[-1]
        assert on_border(edge.bezier[0], layout.box(edge.source)), edge
        assert on_border(edge.bezier[-1], layout.box(edge.target, as_target=True)), edge
    for box in boxes:
        assert box.x >= 0 and box.x + box.width <= layout.width
        assert box.y >= 0 and box.y + box.height <= layout.height


def test_start_alone_on_top_and_end_alone_at_the_bottom():
    layout = layout_map(p2p_map())
    layers = [box.layer for box in layout.activities.values()]
    assert layout.start.layer == 0 and min(layers) == 1
    assert layout.end.layer == max(layers) + 1
    assert all(layout.start.y + layout.start.height < box.y for box in layout.activities.values())
    assert all(box.y + box.height < layout.end.y for box in layout.activities.values())


def test_boxes_do_not_overlap_and_edges_end_on_their_boxes():
    assert_sound_geometry(layout_map(p2p_map()))


def test_layout_is_deterministic():
    assert layout_map(p2p_map()) == layout_map(p2p_map())


def test_loops_are_back_edges_self_loops_are_arcs_and_the_rest_flows_down():
    layout = layout_map(p2p_map())
    kinds = {(e.source, e.target): e.kind for e in layout.edges}
    assert kinds[("Change PO", "Approve PO")] == "back"
    assert kinds[("Receive Invoice", "Receive Goods")] == "back"
    assert kinds[("Receive Goods", "Receive Goods")] == "self"
    assert kinds[("Create PO", "Approve PO")] == "forward"
    assert kinds[(None, "Create Requisition")] == "forward"
    assert kinds[("Pay Invoice", None)] == "forward"
    for edge in layout.edges:
        if edge.kind == "forward":
            assert edge.bezier[-1][1] > edge.bezier[0][1], "forward edges run downwards"
        if edge.kind == "back":
            assert edge.bezier[-1][1] < edge.bezier[0][1], "loops run upwards"


def test_back_edges_run_beside_their_boxes_not_through_them():
    layout = layout_map(p2p_map())
    loop = next(e for e in layout.edges if (e.source, e.target) == ("Receive Invoice", "Receive Goods"))
    target = layout.activities["Receive Goods"]
    end_x = loop.bezier[-1][0]
    assert end_x in (pytest.approx(target.x), pytest.approx(target.x + target.width)), "enters through a side"


def test_the_main_flow_is_a_straight_line():
    layout = layout_map(p2p_map())
    main = ["Create PO", "Approve PO", "Send PO", "Match", "Pay Invoice"]
    centers = [layout.activities[name].center[0] for name in main]
    assert max(centers) - min(centers) < 20


def test_labels_stay_clear_of_boxes():
    layout = layout_map(p2p_map())
    for edge in layout.edges:
        x, y = edge.label
        label = NodeBox(x - 22, y - 7, 44, 14, 0)
        assert not any(overlaps(label, box) for box in layout.activities.values()), edge


def test_an_empty_map_still_has_start_and_end():
    layout = layout_map(ProcessMap([], [], {}, {}, n_cases=0))
    assert layout.start.layer == 0 and layout.end.layer == 1 and layout.edges == []


def test_an_edge_to_an_unknown_activity_is_reported():
    broken = ProcessMap(
        [ActivityNode("a", 1, 1)], [MapEdge("a", "zz", 1, 1, 1, 1, 1, 1)], {"a": 1}, {"a": 1}, 1
    )
    with pytest.raises(ValueError, match="zz"):
        layout_map(broken)


def test_long_names_wrap_into_at_most_three_lines():
    lines = wrap_label(
        "Record goods receipt for the purchase order item at the central warehouse in Hamburg, Germany, "
        "late shift"
    )
    assert 1 < len(lines) <= 3 and lines[-1].endswith("…")
    assert wrap_label("Pay") == ("Pay",)
    assert text_width("WWW", 12) > text_width("iii", 12) > 0


def test_left_to_right_layout_puts_layers_along_x_and_keeps_sizes():
    result = layered_layout([(36, 36), (110, 70), (36, 36)], [(0, 1, 1.0), (1, 2, 1.0)], direction="right")
    first, task, last = result.boxes
    assert (task.width, task.height) == (110, 70)
    assert first.x + first.width < task.x and task.x + task.width < last.x
    assert result.routes[0].bezier[0][0] == pytest.approx(first.x + first.width)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(1, 50)), min_size=1, max_size=25),
    st.sets(st.integers(0, 7), min_size=1, max_size=3),
)
def test_any_small_map_has_sound_geometry(pairs, start_nodes):
    names = [f"Step {i}" for i in range(8)]
    follows: dict[tuple[str, str], int] = {}
    for a, b, weight in pairs:
        follows[(names[a], names[b])] = weight
    edges = [MapEdge(s, t, f, f, 1.0, 1.0, 1.0, f) for (s, t), f in follows.items()]
    activities = [ActivityNode(name, 10, 5) for name in names]
    starts = {names[i]: 3 for i in sorted(start_nodes)}
    process_map = ProcessMap(activities, edges, starts, {names[-1]: 3}, n_cases=3)
    assert_sound_geometry(layout_map(process_map))


def test_a_150_activity_map_lays_out_quickly():
    rng = random.Random(7)
    names = [f"Activity {i:03d}" for i in range(150)]
    follows = {(names[i], names[i + 1]): rng.randint(500, 5000) for i in range(149)}
    for _ in range(400):
        a = rng.randrange(150)
        b = a + rng.choice([-3, -2, -1, 2, 3, 4, 6, 10])
        if 0 <= b < 150:
            follows[(names[a], names[b])] = rng.randint(1, 200)
    edges = [MapEdge(s, t, f, f, 1.0, 1.0, 1.0, f) for (s, t), f in follows.items()]
    process_map = ProcessMap(
        [ActivityNode(n, 10, 5) for n in names], edges, {names[0]: 9}, {names[-1]: 9}, n_cases=9
    )
    began = time.perf_counter()
    layout = layout_map(process_map)
    assert time.perf_counter() - began < 5.0
    assert len(layout.edges) == len(edges) + 2
    assert_sound_geometry(layout)
