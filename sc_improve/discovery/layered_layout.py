"""Layered (Sugiyama-style) graph layout without Graphviz.

Process maps and BPMN diagrams are flow graphs: they read best in layers, with the
main flow straight and rare paths and loops to the side. The frozen installers ship no
Graphviz, so the layout is computed here, in the four classic phases:

1. Cycle breaking: a depth-first search from the top node, following the heaviest
   edges first, marks the edges that close a cycle (back edges, i.e. rework loops);
   they are reversed for layering only.
2. Layering: each node sits one layer below its lowest predecessor (longest path from
   the top); a pinned top node is alone on the first layer, a pinned bottom node alone
   on the last. Edges spanning several layers get invisible bend points ("dummies").
3. Ordering: barycenter sweeps down and up reorder each layer to reduce crossings;
   the order with the fewest crossings (counted exactly) is kept.
4. Coordinates: sweeps pull each node towards the weighted mean of its neighbours,
   solved exactly per layer under non-overlap constraints (weighted isotonic
   regression), so heavy paths and long edges come out straight.

Edges are then routed as cubic Bezier curves. Forward edges leave the bottom of a box
and enter the top, crossing layers only at their bend points (which sit in the gaps
between boxes). Back edges run on the side: they leave and enter through the sides of
their boxes, or, for a one-layer loop between boxes side by side, leave the top of the
lower box towards the facing side of the upper one. A self-loop is a small arc above
the box's top-right corner. Labels are placed greedily, heaviest edge first, at the
first point along the edge where they overlap no box and no earlier label.

The result is plain numbers, so any drawing surface (SVG, matplotlib, Qt, BPMN DI)
can use it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Point = tuple[float, float]
Size = tuple[float, float]
EdgeKind = Literal["forward", "back", "self"]

_MARGIN = 24.0
_DUMMY_GAP = 22.0
_ORDER_SWEEPS = 24
_PATIENCE = 4
"""Ordering sweeps without fewer crossings before giving up."""
_COORD_SWEEPS = 6
_SETTLED_PX = 0.5
"""Coordinate sweeps stop early once no vertex moves further than this."""
_STRAIGHT_LONG_EDGES = 8.0
"""Extra pull between consecutive bend points, so long edges stay vertical."""
_SIDE_OFFSET = 26.0
_SELF_LOOP_RISE = 30.0
_PORT_STEP = 14.0
_GRID = 64.0


@dataclass(frozen=True)
class NodeBox:
    """A node's rectangle: top-left corner (x, y), size, and its layer (0 = first)."""

    x: float
    y: float
    width: float
    height: float
    layer: int

    @property
    def center(self) -> Point:
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True)
class RouteShape:
    """How one edge is drawn.

    ``polyline`` runs from the port on the source box through the bend points to the
    port on the target box (BPMN waypoints use it). ``bezier`` is the same route as a
    chain of cubic Bezier segments: ``p0, c1, c2, p1, c1, c2, p2, ...`` (3k+1 points),
    ready for an SVG path, a matplotlib ``Path`` or a ``QPainterPath.cubicTo``. Both end
    on the target's border. ``label`` is where the centre of the edge's label goes.
    """

    kind: EdgeKind
    polyline: tuple[Point, ...]
    bezier: tuple[Point, ...]
    label: Point


@dataclass(frozen=True)
class GraphLayout:
    """Result of :func:`layered_layout`: boxes in input node order, routes in input edge order."""

    boxes: list[NodeBox]
    routes: list[RouteShape]
    width: float
    height: float


def layered_layout(
    sizes: Sequence[Size],
    edges: Sequence[tuple[int, int, float]],
    *,
    top: int | None = None,
    bottom: int | None = None,
    direction: Literal["down", "right"] = "down",
    node_gap: float = 44.0,
    layer_gap: float = 62.0,
    label_size: Size = (44.0, 14.0),
) -> GraphLayout:
    """Lay out a directed graph in layers; see the module docstring for the method.

    ``sizes`` are (width, height) per node; ``edges`` are (source, target, weight) with
    node indices; heavier edges are kept straighter and get the better label spots.
    ``top``/``bottom`` pin a node alone on the first/last layer. ``direction="right"``
    runs the layers left to right (as BPMN diagrams are drawn). ``label_size`` is the
    room kept free around each edge label.

    >>> result = layered_layout([(40, 20), (40, 20)], [(0, 1, 1.0)])
    >>> result.boxes[0].layer, result.boxes[1].layer, result.routes[0].kind
    (0, 1, 'forward')
    """
    flip = direction == "right"
    across = [h if flip else w for w, h in sizes]
    along = [w if flip else h for w, h in sizes]
    graph = _build_layered_graph(len(sizes), edges, top, bottom, across)
    _order_layers(graph)
    xs = _assign_across(graph, node_gap)
    centers, band = _assign_along(graph, along, layer_gap)
    boxes = [
        NodeBox(
            xs[v] - across[v] / 2, centers[graph.layer[v]] - along[v] / 2, across[v], along[v], graph.layer[v]
        )
        for v in range(len(sizes))
    ]
    routes = _route_edges(graph, boxes, xs, centers, band, edges)
    label = (label_size[1], label_size[0]) if flip else label_size
    routes = _place_labels(routes, boxes, [w for _, _, w in edges], label)
    return _finish(boxes, routes, flip)


@dataclass
class _LayeredGraph:
    """Real nodes 0..n-1 followed by dummies; chains run top to bottom per input edge."""

    n_real: int
    layer: list[int]
    width: list[float]
    up: list[list[tuple[int, float]]]
    down: list[list[tuple[int, float]]]
    chains: list[list[int]]
    reversed_edges: list[bool]
    back_dummy: list[bool]
    layers: list[list[int]]
    discovery: list[int]


def _build_layered_graph(
    n: int,
    edges: Sequence[tuple[int, int, float]],
    top: int | None,
    bottom: int | None,
    across: list[float],
) -> _LayeredGraph:
    out: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    has_in = [False] * n
    for source, target, weight in edges:
        if source != target:
            out[source].append((target, weight))
            has_in[target] = True
    for successors in out:
        successors.sort(key=lambda item: (-item[1], item[0]))

    discovery, back = _depth_first(n, out, has_in, top)
    reversed_edges = [s != t and ((s, t) in back or s == bottom or t == top) for s, t, _ in edges]
    layer = _longest_path_layers(n, edges, reversed_edges, top, bottom)

    graph = _LayeredGraph(
        n_real=n,
        layer=list(layer),
        width=list(across),
        up=[[] for _ in range(n)],
        down=[[] for _ in range(n)],
        chains=[],
        reversed_edges=reversed_edges,
        back_dummy=[False] * n,
        layers=[],
        discovery=list(discovery),
    )
    for (source, target, weight), is_back in zip(edges, reversed_edges, strict=True):
        if source == target:
            graph.chains.append([source])
            continue
        upper, lower = (target, source) if is_back else (source, target)
        chain = [upper]
        for step in range(layer[upper] + 1, layer[lower]):
            dummy = len(graph.layer)
            graph.layer.append(step)
            graph.width.append(0.0)
            graph.up.append([])
            graph.down.append([])
            graph.back_dummy.append(is_back)
            graph.discovery.append(dummy)
            chain.append(dummy)
        chain.append(lower)
        for a, b in zip(chain, chain[1:], strict=False):
            graph.down[a].append((b, weight))
            graph.up[b].append((a, weight))
        graph.chains.append(chain)
    return graph


def _depth_first(
    n: int, out: list[list[tuple[int, float]]], has_in: list[bool], top: int | None
) -> tuple[list[int], set[tuple[int, int]]]:
    """Discovery rank of each node and the back edges of a heaviest-first DFS."""
    weight_out = [sum(w for _, w in successors) for successors in out]
    roots = sorted(range(n), key=lambda v: (v != top, has_in[v], -weight_out[v], v))
    state = [0] * n
    discovery = [0] * n
    counter = 0
    back: set[tuple[int, int]] = set()
    for root in roots:
        if state[root]:
            continue
        state[root] = 1
        discovery[root] = counter
        counter += 1
        stack = [(root, iter(out[root]))]
        while stack:
            node, successors = stack[-1]
            for target, _ in successors:
                if state[target] == 1:
                    back.add((node, target))
                elif state[target] == 0:
                    state[target] = 1
                    discovery[target] = counter
                    counter += 1
                    stack.append((target, iter(out[target])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return discovery, back


def _longest_path_layers(
    n: int,
    edges: Sequence[tuple[int, int, float]],
    reversed_edges: list[bool],
    top: int | None,
    bottom: int | None,
) -> list[int]:
    successors: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for (source, target, _), is_back in zip(edges, reversed_edges, strict=True):
        if source == target:
            continue
        upper, lower = (target, source) if is_back else (source, target)
        successors[upper].append(lower)
        indegree[lower] += 1
    floor = 1 if top is not None else 0
    layer = [0 if v == top else floor for v in range(n)]
    ready = [v for v in range(n) if indegree[v] == 0]
    while ready:
        node = ready.pop()
        for target in successors[node]:
            layer[target] = max(layer[target], layer[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    if bottom is not None:
        layer[bottom] = max((layer[v] for v in range(n) if v != bottom), default=-1) + 1
    return layer


def _initial_layers(graph: _LayeredGraph, heaviest_first: bool) -> list[list[int]]:
    """Layers filled in depth-first order over the layered graph, a good first ordering."""
    total = len(graph.layer)
    layers: list[list[int]] = [[] for _ in range(max(graph.layer, default=-1) + 1)]
    seen = [False] * total
    sign = 1.0 if heaviest_first else -1.0
    for root in sorted(range(total), key=lambda v: (graph.layer[v], graph.discovery[v])):
        if seen[root]:
            continue
        seen[root] = True
        stack = [root]
        while stack:
            node = stack.pop()
            layers[graph.layer[node]].append(node)
            children = sorted(graph.down[node], key=lambda item: (sign * item[1], -graph.discovery[item[0]]))
            for child, _ in children:
                if not seen[child]:
                    seen[child] = True
                    stack.append(child)
    return layers


def _order_layers(graph: _LayeredGraph) -> None:
    """Barycenter sweeps from two first orderings; keeps the one with the fewest crossings.

    Starting once with the heaviest edges leftmost and once with the lightest catches
    the common case where a rare long edge belongs on the other side of the main flow.
    Positions live in numpy arrays so that maps with thousands of bend points stay fast.
    """
    best: list[list[int]] = []
    best_crossings: float = math.inf
    for heaviest_first in (True, False):
        layers, crossings = _Ordering(graph, _initial_layers(graph, heaviest_first)).sweep()
        if crossings < best_crossings:
            best, best_crossings = layers, crossings
    graph.layers = best


class _Ordering:
    """Positions within layers, and the segments between each pair of adjacent layers."""

    def __init__(self, graph: _LayeredGraph, layers: list[list[int]]):
        total = len(graph.layer)
        self.members = [np.asarray(layer, dtype=np.int64) for layer in layers]
        self.local = np.zeros(total, dtype=np.int64)
        for members in self.members:
            self.local[members] = np.arange(len(members))
        self.pos = self.local.copy()
        pairs: list[list[tuple[int, int]]] = [[] for _ in range(max(len(layers) - 1, 0))]
        for a in range(total):
            for b, _ in graph.down[a]:
                pairs[graph.layer[a]].append((a, b))
        self.upper = [np.asarray([a for a, _ in p], dtype=np.int64) for p in pairs]
        self.lower = [np.asarray([b for _, b in p], dtype=np.int64) for p in pairs]

    def sweep(self) -> tuple[list[list[int]], int]:
        """Alternate down and up sweeps until crossings stop improving; best ordering found."""
        best_pos = self.pos.copy()
        best = self.crossings()
        stale = 0
        for sweep in range(_ORDER_SWEEPS):
            if best == 0 or stale >= _PATIENCE:
                break
            if sweep % 2 == 0:
                for i in range(1, len(self.members)):
                    self._reorder(i, self.lower[i - 1], self.upper[i - 1], len(self.members[i - 1]))
            else:
                for i in range(len(self.members) - 2, -1, -1):
                    self._reorder(i, self.upper[i], self.lower[i], len(self.members[i + 1]))
            crossings = self.crossings()
            if crossings < best:
                best, best_pos, stale = crossings, self.pos.copy(), 0
            else:
                stale += 1
        layers = [members[np.argsort(best_pos[members], kind="stable")].tolist() for members in self.members]
        return layers, best

    def _reorder(self, i: int, own: np.ndarray, other: np.ndarray, reference: int) -> None:
        """Sort layer i by the mean position of its neighbours in the adjacent layer.

        ``own``/``other`` are the segment ends in layer i and in the adjacent layer;
        vertices without neighbours there keep their relative place (scaled to the
        adjacent layer's size, so the keys are comparable).
        """
        members = self.members[i]
        count = len(members)
        current = self.pos[members].astype(float)
        sums = np.bincount(self.local[own], weights=self.pos[other], minlength=count)
        counts = np.bincount(self.local[own], minlength=count)
        key = np.where(counts > 0, sums / np.maximum(counts, 1), current * reference / max(count, 1))
        order = np.lexsort((current, key))
        self.pos[members[order]] = np.arange(count)

    def crossings(self) -> int:
        """Exact number of edge crossings over all pairs of adjacent layers.

        All pairs go into one inversion count: each pair's positions are offset above
        the previous pair's, so segments of different pairs never count as crossing.
        """
        if not self.upper:
            return 0
        offset = 0
        keys = []
        for upper, lower in zip(self.upper, self.lower, strict=True):
            p, q = self.pos[upper], self.pos[lower]
            keys.append(q[np.lexsort((q, p))] + offset)
            offset += int(q.max(initial=0)) + 1
        return _inversions(np.concatenate(keys))


def _inversions(values: np.ndarray) -> int:
    """Pairs i < j with values[i] > values[j], by a bottom-up merge sort done in numpy.

    At each level every right half-block counts, with one binary search, the elements of
    its left half-block that are larger; then the blocks are merged by one sort.
    """
    n = len(values)
    if n < 2:
        return 0
    v = values.astype(np.int64)
    big = int(v.max()) + 1
    index = np.arange(n)
    total = 0
    size = 1
    while size < n:
        block = index // (2 * size)
        right = (index // size) % 2 == 1
        left_keys = block[~right] * big + v[~right]
        right_block = block[right]
        not_larger = np.searchsorted(left_keys, right_block * big + v[right], side="right")
        block_end = np.searchsorted(left_keys, (right_block + 1) * big, side="left")
        total += int((block_end - not_larger).sum())
        v = np.sort(block * big + v) - block * big
        size *= 2
    return total


def _assign_across(graph: _LayeredGraph, node_gap: float) -> list[float]:
    """Centre coordinate of every vertex across the layers (x when drawing downwards).

    Sweeps down (pulled by the layer above) and up (by the layer below) until nothing
    moves, then once pulled by both. The pull of an edge grows with the square of its
    weight, so the main flow wins over rare paths; between bend points it is stronger
    still, so long edges run straight. Real nodes ignore the bend points of loops (loops
    must not drag the main flow), and a loop's bend point next to a real node wants to
    be beside it, on the side it currently leans to, not above it.
    """
    total = len(graph.layer)
    real = np.arange(total) < graph.n_real
    back = np.asarray(graph.back_dummy, dtype=bool)
    width = np.asarray(graph.width, dtype=float)
    members = [np.asarray(layer, dtype=np.int64) for layer in graph.layers]
    local = np.zeros(total, dtype=np.int64)
    for layer in members:
        local[layer] = np.arange(len(layer))
    gaps = []
    x = np.zeros(total)
    for layer in members:
        both_real = real[layer[:-1]] & real[layer[1:]]
        gap = (width[layer[:-1]] + width[layer[1:]]) / 2 + np.where(both_real, node_gap, _DUMMY_GAP)
        gaps.append(gap.tolist())
        x[layer] = np.concatenate(([0.0], np.cumsum(gap)))
    pulls = _Pulls(graph, real, back, width, local)

    def sweep(use_up: bool, use_down: bool, downward: bool) -> None:
        for i in range(len(members)) if downward else range(len(members) - 1, -1, -1):
            layer = members[i]
            sums = np.zeros(len(layer))
            weights = np.zeros(len(layer))
            if use_up and i > 0:
                pulls.add(i - 1, x, sums, weights, towards_upper=False)
            if use_down and i < len(members) - 1:
                pulls.add(i, x, sums, weights, towards_upper=True)
            pulled = weights > 0
            desired = np.where(pulled, sums / np.where(pulled, weights, 1.0), x[layer])
            x[layer] = _isotonic(desired.tolist(), np.where(pulled, weights, 1e-9).tolist(), gaps[i])
        pulls.update_sides(x)

    for _ in range(_COORD_SWEEPS):
        before = x.copy()
        sweep(use_up=True, use_down=False, downward=True)
        sweep(use_up=False, use_down=True, downward=False)
        if len(x) and float(np.max(np.abs(x - before))) < _SETTLED_PX:
            break
    sweep(use_up=True, use_down=True, downward=True)
    return x.tolist()


class _Pulls:
    """The segments between each pair of adjacent layers, and how strongly each end is pulled.

    Weights are (weight / heaviest weight) squared, times a bonus between bend points;
    a real node feels no pull from a loop's bend point; a loop's bend point next to a
    real node is pulled to a spot beside it, on its current ``side`` (+1 right, -1 left).
    """

    def __init__(
        self, graph: _LayeredGraph, real: np.ndarray, back: np.ndarray, width: np.ndarray, local: np.ndarray
    ):
        self.width = width
        self.local = local
        self.sides = np.ones(len(graph.layer))
        found: list[list[tuple[int, int, float]]] = [[] for _ in range(max(len(graph.layers) - 1, 0))]
        for a in range(len(graph.layer)):
            for b, weight in graph.down[a]:
                found[graph.layer[a]].append((a, b, weight))
        heaviest = max((w for f in found for _, _, w in f), default=1.0) or 1.0
        self.upper = [np.asarray([a for a, _, _ in f], dtype=np.int64) for f in found]
        self.lower = [np.asarray([b for _, b, _ in f], dtype=np.int64) for f in found]
        self.on_upper: list[np.ndarray] = []
        self.on_lower: list[np.ndarray] = []
        self.upper_beside: list[np.ndarray] = []
        self.lower_beside: list[np.ndarray] = []
        for upper, lower, f in zip(self.upper, self.lower, found, strict=True):
            weight = (np.asarray([w for _, _, w in f], dtype=float) / heaviest) ** 2
            weight = np.where(~real[upper] & ~real[lower], weight * _STRAIGHT_LONG_EDGES, weight)
            self.on_lower.append(np.where(real[lower] & back[upper], 0.0, weight))
            self.on_upper.append(np.where(real[upper] & back[lower], 0.0, weight))
            self.lower_beside.append(back[lower] & real[upper])
            self.upper_beside.append(back[upper] & real[lower])

    def add(
        self, i: int, x: np.ndarray, sums: np.ndarray, weights: np.ndarray, *, towards_upper: bool
    ) -> None:
        """Add the targets (weighted) that pair i's segments set for its upper or lower layer."""
        if towards_upper:
            own, other, weight, beside = self.upper[i], self.lower[i], self.on_upper[i], self.upper_beside[i]
        else:
            own, other, weight, beside = self.lower[i], self.upper[i], self.on_lower[i], self.lower_beside[i]
        target = x[other] + np.where(beside, self.sides[own] * (self.width[other] / 2 + _SIDE_OFFSET), 0.0)
        sums += np.bincount(self.local[own], weights=weight * target, minlength=len(sums))
        weights += np.bincount(self.local[own], weights=weight, minlength=len(weights))

    def update_sides(self, x: np.ndarray) -> None:
        """Each loop bend point next to a real node stays on the side it now leans to."""
        for upper, lower, upper_beside, lower_beside in zip(
            self.upper, self.lower, self.upper_beside, self.lower_beside, strict=True
        ):
            ends, anchors = lower[lower_beside], upper[lower_beside]
            self.sides[ends] = np.where(x[ends] < x[anchors], -1.0, 1.0)
            ends, anchors = upper[upper_beside], lower[upper_beside]
            self.sides[ends] = np.where(x[ends] < x[anchors], -1.0, 1.0)


def _isotonic(desired: list[float], weights: list[float], gaps: list[float]) -> list[float]:
    """Positions closest (weighted least squares) to ``desired`` that keep order and gaps.

    Shifting each position by the cumulative gap turns the constraints into plain
    monotonicity, solved exactly by pooling adjacent violators.
    """
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    blocks: list[list[float]] = []
    for target, weight, offset in zip(desired, weights, offsets, strict=True):
        blocks.append([weight, weight * (target - offset), 1])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][0] > blocks[-1][1] / blocks[-1][0]:
            weight_b, sum_b, count_b = blocks.pop()
            blocks[-1][0] += weight_b
            blocks[-1][1] += sum_b
            blocks[-1][2] += count_b
    result = []
    for weight, total, count in blocks:
        result.extend([total / weight] * int(count))
    return [value + offset for value, offset in zip(result, offsets, strict=True)]


def _assign_along(
    graph: _LayeredGraph, along: list[float], layer_gap: float
) -> tuple[list[float], list[float]]:
    """Centre of each layer along the flow, and each layer's band (tallest node) size."""
    band = [0.0] * len(graph.layers)
    for v in range(graph.n_real):
        band[graph.layer[v]] = max(band[graph.layer[v]], along[v])
    centers = []
    cursor = 0.0
    for size in band:
        centers.append(cursor + size / 2)
        cursor += size + layer_gap
    return centers, band


def _route_edges(
    graph: _LayeredGraph,
    boxes: list[NodeBox],
    x: list[float],
    centers: list[float],
    band: list[float],
    edges: Sequence[tuple[int, int, float]],
) -> list[RouteShape]:
    """Plan where each edge leaves and enters its boxes, spread the ports, then draw curves."""
    plans: list[_Plan | None] = []
    for index, ((source, target, _), chain) in enumerate(zip(edges, graph.chains, strict=True)):
        if source == target:
            plans.append(None)
        elif graph.reversed_edges[index]:
            plans.append(_plan_back(graph, boxes, x, centers, band, source, target, chain))
        else:
            inner = []
            for v in chain[1:-1]:
                c, half = centers[graph.layer[v]], band[graph.layer[v]] / 2
                inner += [(x[v], c - half), (x[v], c + half)]
            plans.append(_Plan("forward", (source, "bottom", 0.0), (target, "top", 0.0), inner))
    looped = {source for source, target, _ in edges if source == target}
    ports = _assign_ports(plans, boxes, looped, [w for _, _, w in edges])
    routes = []
    for index, plan in enumerate(plans):
        if plan is None:
            routes.append(_self_loop(boxes[edges[index][0]]))
            continue
        start, start_dir = ports[(index, 0)]
        end, end_dir = ports[(index, 1)]
        vertical = (0.0, -1.0) if plan.kind == "back" else (0.0, 1.0)
        anchors = [start, *plan.inner, end]
        directions = [start_dir] + [vertical] * len(plan.inner) + [end_dir]
        routes.append(_curve(plan.kind, anchors, directions))
    return routes


@dataclass(frozen=True)
class _Plan:
    """Which face of which box an edge leaves and enters, and its bend points in drawing order.

    A face is (node, "top" | "bottom" | "side", side) with side +1 (right) or -1 (left).
    """

    kind: EdgeKind
    start: tuple[int, str, float]
    end: tuple[int, str, float]
    inner: list[Point]


def _plan_back(
    graph: _LayeredGraph,
    boxes: list[NodeBox],
    x: list[float],
    centers: list[float],
    band: list[float],
    source: int,
    target: int,
    chain: list[int],
) -> _Plan:
    """A loop drawn upwards from ``source`` (lower) to ``target`` (upper), on the side."""
    if len(chain) > 2:
        inner = []
        for v in reversed(chain[1:-1]):
            c, half = centers[graph.layer[v]], band[graph.layer[v]] / 2
            inner += [(x[v], c + half), (x[v], c - half)]
        start_side = 1.0 if x[chain[-2]] >= x[source] else -1.0
        end_side = 1.0 if x[chain[1]] >= x[target] else -1.0
        return _Plan("back", (source, "side", start_side), (target, "side", end_side), inner)
    low, high = boxes[source], boxes[target]
    if abs(low.center[0] - high.center[0]) < min(low.width, high.width) / 2:
        room = {
            side: min(_free_space(graph, x, boxes, node, side) for node in (source, target))
            for side in (1.0, -1.0)
        }
        side = 1.0 if room[1.0] >= room[-1.0] else -1.0
        return _Plan("back", (source, "side", side), (target, "side", side), [])
    side = 1.0 if low.center[0] > high.center[0] else -1.0
    return _Plan("back", (source, "top", 0.0), (target, "side", side), [])


def _free_space(graph: _LayeredGraph, x: list[float], boxes: list[NodeBox], v: int, side: float) -> float:
    """Room beside node v up to its neighbour in the layer (bend points included)."""
    layer = graph.layers[graph.layer[v]]
    neighbour = layer.index(v) + int(side)
    if not 0 <= neighbour < len(layer):
        return math.inf
    other = layer[neighbour]
    return abs(x[other] - x[v]) - (graph.width[other] + boxes[v].width) / 2


def _assign_ports(
    plans: list[_Plan | None], boxes: list[NodeBox], looped: set[int], weights: list[float]
) -> dict[tuple[int, int], tuple[Point, Point]]:
    """Point and direction where each edge end meets its box, keyed by (edge, 0=start/1=end).

    Ends on the same face are ordered by where the edge goes next (left to right on top
    and bottom, top to bottom on the sides) so they do not cross, and each sits as close
    to that direction as the others allow, heavier edges first, so the main flow leaves
    a box straight; on a box with a self-loop the top ports keep clear of the loop.
    """
    faces: dict[tuple[int, str, float], list[tuple[float, int, int]]] = {}
    for index, plan in enumerate(plans):
        if plan is None:
            continue
        for end, face, towards in ((0, plan.start, plan.inner[:1]), (1, plan.end, plan.inner[-1:])):
            other = plan.end if end == 0 else plan.start
            toward = towards[0] if towards else _face_point(boxes[other[0]], other)
            key = toward[1] if face[1] == "side" else toward[0]
            faces.setdefault(face, []).append((key, index, end))
    ports: dict[tuple[int, int], tuple[Point, Point]] = {}
    for (node, face, side), items in faces.items():
        box = boxes[node]
        items.sort()
        middle = box.center[1] if face == "side" else box.center[0]
        span = 0.6 * (box.height if face == "side" else box.width)
        if face == "top" and node in looped:
            span = min(span, max(box.width - 90.0, 0.0))
        offsets = _spread([key - middle for key, _, _ in items], [weights[i] for _, i, _ in items], span)
        for (_, index, end), offset in zip(items, offsets, strict=True):
            plan = plans[index]
            leaving = end == 0
            if face == "bottom":
                ports[(index, end)] = ((box.center[0] + offset, box.y + box.height), (0.0, 1.0))
            elif face == "top":
                upward = plan is not None and plan.kind == "back"
                ports[(index, end)] = ((box.center[0] + offset, box.y), (0.0, -1.0 if upward else 1.0))
            else:
                edge_x = box.x + box.width if side > 0 else box.x
                ports[(index, end)] = ((edge_x, box.center[1] + offset), (side if leaving else -side, 0.0))
    return ports


def _face_point(box: NodeBox, face: tuple[int, str, float]) -> Point:
    _, name, side = face
    if name == "side":
        return (box.x + box.width if side > 0 else box.x, box.center[1])
    return (box.center[0], box.y if name == "top" else box.y + box.height)


def _spread(wanted: list[float], weights: list[float], span: float) -> list[float]:
    """Offsets from the middle of a face: near the wanted ones, in order, apart, within ``span``."""
    half = span / 2
    clamped = [min(max(offset, -half), half) for offset in wanted]
    if len(clamped) == 1:
        return clamped
    last = len(clamped) - 1
    step = min(_PORT_STEP, span / last)
    placed = _isotonic(clamped, weights, [step] * last)
    # Port i needs i steps of room before it and (last - i) after it within the face.
    return [min(max(offset, -half + i * step), half - (last - i) * step) for i, offset in enumerate(placed)]


def _curve(kind: EdgeKind, anchors: list[Point], directions: list[Point]) -> RouteShape:
    """Cubic Bezier through ``anchors``, passing each one along its direction."""
    points = [anchors[0]]
    for i in range(len(anchors) - 1):
        a, b = anchors[i], anchors[i + 1]
        da, db = directions[i], directions[i + 1]
        delta = (b[0] - a[0], b[1] - a[1])
        handle_a = _handle(delta, da)
        handle_b = _handle(delta, db)
        points.append((a[0] + da[0] * handle_a, a[1] + da[1] * handle_a))
        points.append((b[0] - db[0] * handle_b, b[1] - db[1] * handle_b))
        points.append(b)
    return RouteShape(kind, tuple(anchors), tuple(points), _bezier_point(points[0:4], 0.5))


def _handle(delta: Point, direction: Point) -> float:
    """Handle length: half the distance along the direction; sideways handles bulge out
    at least a little more for taller loops, so loops stay clear of their boxes."""
    along = abs(delta[0] * direction[0] + delta[1] * direction[1])
    if direction[0] != 0:
        return max(0.5 * along, min(_SIDE_OFFSET + 0.2 * abs(delta[1]), 90.0))
    return 0.5 * along


def _bezier_point(segment: Sequence[Point], t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = segment
    u = 1 - t
    a, b, c, d = u**3, 3 * u * u * t, 3 * u * t * t, t**3
    return (a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3)


def _self_loop(box: NodeBox) -> RouteShape:
    """A small arc above the box's top-right corner, leaving and re-entering the top edge."""
    right = box.x + box.width
    start = (right - 34.0, box.y)
    end = (right - 10.0, box.y)
    points = (
        start,
        (start[0] - 8.0, box.y - _SELF_LOOP_RISE),
        (end[0] + 8.0, box.y - _SELF_LOOP_RISE),
        end,
    )
    return RouteShape("self", (start, end), points, (right + 12.0, box.y - 16.0))


def _place_labels(
    routes: list[RouteShape], boxes: list[NodeBox], weights: list[float], size: Size
) -> list[RouteShape]:
    """Move each label to the first candidate spot along its edge that is still free."""
    grid = _Occupancy(size)
    for box in boxes:
        grid.add((box.x, box.y, box.x + box.width, box.y + box.height))
    placed = list(routes)
    for index in sorted(range(len(routes)), key=lambda i: (-weights[i], i)):
        route = routes[index]
        spot = next((p for p in _label_candidates(route) if grid.is_free(p)), route.label)
        grid.add(grid.rect(spot))
        placed[index] = RouteShape(route.kind, route.polyline, route.bezier, spot)
    return placed


def _label_candidates(route: RouteShape) -> Iterator[Point]:
    """Spots along the edge, best first: the middle of the first segment, then further along."""
    if route.kind == "self":
        box_top = route.polyline[0][1]
        right = route.polyline[1][0] + 10.0
        yield from (route.label, (right - 22.0, box_top - 40.0), (right + 12.0, box_top + 2.0))
        return
    segments = [route.bezier[i : i + 4] for i in range(0, len(route.bezier) - 1, 3)]
    last = len(segments) - 1
    order = [0, last, *range(1, last)] if route.kind == "back" else range(len(segments))
    for s in dict.fromkeys(order):
        for t in (0.5, 0.35, 0.65, 0.2, 0.8):
            yield _bezier_point(segments[s], t)


class _Occupancy:
    """Rectangles already taken (boxes and labels), bucketed in a coarse grid for speed."""

    def __init__(self, size: Size):
        self.half = (size[0] / 2 + 2.0, size[1] / 2 + 2.0)
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}

    def rect(self, point: Point) -> tuple[float, float, float, float]:
        return (
            point[0] - self.half[0],
            point[1] - self.half[1],
            point[0] + self.half[0],
            point[1] + self.half[1],
        )

    def _cells(self, rect: tuple[float, float, float, float]) -> list[tuple[int, int]]:
        x0, y0, x1, y1 = (int(math.floor(v / _GRID)) for v in rect)
        return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]

    def add(self, rect: tuple[float, float, float, float]) -> None:
        for cell in self._cells(rect):
            self.cells.setdefault(cell, []).append(rect)

    def is_free(self, point: Point) -> bool:
        x0, y0, x1, y1 = self.rect(point)
        for cell in self._cells((x0, y0, x1, y1)):
            for a0, b0, a1, b1 in self.cells.get(cell, ()):
                if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                    return False
        return True


def _finish(boxes: list[NodeBox], routes: list[RouteShape], flip: bool) -> GraphLayout:
    """Move everything so the drawing starts at the margin; transpose for left-to-right."""
    xs = [b.x for b in boxes] + [p[0] for r in routes for p in (*r.bezier, r.label)]
    ys = [b.y for b in boxes] + [p[1] for r in routes for p in (*r.bezier, r.label)]
    x_ends = [b.x + b.width for b in boxes] + xs[len(boxes) :]
    y_ends = [b.y + b.height for b in boxes] + ys[len(boxes) :]
    dx = _MARGIN - min(xs, default=0.0)
    dy = _MARGIN - min(ys, default=0.0)
    width = max(x_ends, default=0.0) + dx + _MARGIN
    height = max(y_ends, default=0.0) + dy + _MARGIN

    def move(point: Point) -> Point:
        moved = (point[0] + dx, point[1] + dy)
        return (moved[1], moved[0]) if flip else moved

    moved_boxes = []
    for b in boxes:
        if flip:
            moved_boxes.append(NodeBox(b.y + dy, b.x + dx, b.height, b.width, b.layer))
        else:
            moved_boxes.append(NodeBox(b.x + dx, b.y + dy, b.width, b.height, b.layer))
    moved_routes = [
        RouteShape(
            r.kind, tuple(move(p) for p in r.polyline), tuple(move(p) for p in r.bezier), move(r.label)
        )
        for r in routes
    ]
    if flip:
        width, height = height, width
    return GraphLayout(moved_boxes, moved_routes, width, height)
