"""Disco-style simplification: an activities slider and a paths slider, both 0-100.

A full map of a real log is a spaghetti of rare paths. Simplifying hides the least
frequent activities and paths but never leaves a shown activity stranded: every
activity that stays on the map can be reached from the start and can reach the end
through shown paths. The algorithm (docs/DISCOVERY.md has the longer version):

1. The *main flow* is the widest path from the start to the end: the one whose least
   frequent step is as frequent as possible (preferring fewer steps on ties). It is always shown.
2. ``activities`` keeps that share of the remaining activities, most frequent first,
   plus, for each kept activity, the widest path from the start to it and from it to
   the end, so it stays connected.
3. Among the paths between kept activities, each kept activity keeps the arc by which
   its widest path from the start arrives and the arc by which its widest path to the
   end leaves (these guarantee the connection), and its most frequent incoming and
   outgoing path; ``paths`` keeps that share of the remaining ones, most frequent first.

Both sliders are monotonic: a higher setting never shows fewer activities or paths,
and 100/100 is the full map. Everything works on the map alone (no log needed), in
time proportional to the map's size, so a GUI can call it on every slider move.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass

from sc_improve.discovery.process_map import MapEdge, ProcessMap
from sc_improve.errors import OptionError


@dataclass(frozen=True)
class _Graph:
    """The map's activities as 0..n-1, with the artificial start ``n`` and end ``n + 1``."""

    names: list[str]
    outgoing: list[list[tuple[int, int]]]
    incoming: list[list[tuple[int, int]]]

    @property
    def start(self) -> int:
        return len(self.names)

    @property
    def end(self) -> int:
        return len(self.names) + 1


def simplify_map(process_map: ProcessMap, activities: float = 100.0, paths: float = 100.0) -> ProcessMap:
    """Hide infrequent activities and paths, keeping the rest connected; see the module docstring.

    >>> from sc_improve.discovery.process_map import ActivityNode, MapEdge, ProcessMap
    >>> edge = lambda s, t, f: MapEdge(s, t, f, f, 0.0, 0.0, 0.0, 0.0)
    >>> full = ProcessMap([ActivityNode("a", 10, 10), ActivityNode("b", 9, 9), ActivityNode("x", 1, 1)],
    ...     [edge("a", "b", 9), edge("a", "x", 1), edge("x", "b", 1)], {"a": 10}, {"b": 10}, 10)
    >>> [node.name for node in simplify_map(full, activities=0, paths=0).activities]
    ['a', 'b']
    """
    for name, value in (("activities", activities), ("paths", paths)):
        if not 0.0 <= value <= 100.0:
            raise OptionError(f"{name} must be between 0 and 100, not {value}")
    if not process_map.activities:
        return process_map
    graph = _graph(process_map)
    to_node = _widest_tree(graph.start, graph.outgoing)
    from_node = _widest_tree(graph.end, graph.incoming)
    kept = _kept_activities(process_map, graph, to_node, from_node, activities)
    edges = _kept_edges(process_map, graph, to_node, from_node, kept, paths)
    kept_names = {graph.names[i] for i in kept}
    nodes = [node for node in process_map.activities if node.name in kept_names]
    return ProcessMap(
        activities=nodes,
        edges=edges,
        start_activities={a: n for a, n in process_map.start_activities.items() if a in kept_names},
        end_activities={a: n for a, n in process_map.end_activities.items() if a in kept_names},
        n_cases=process_map.n_cases,
        time_basis=process_map.time_basis,
        notes=[*process_map.notes, *_hidden_note(process_map, nodes, edges, activities, paths)],
    )


def _graph(process_map: ProcessMap) -> _Graph:
    names = [node.name for node in process_map.activities]
    index = {name: i for i, name in enumerate(names)}
    start, end = len(names), len(names) + 1
    outgoing: list[list[tuple[int, int]]] = [[] for _ in range(len(names) + 2)]
    incoming: list[list[tuple[int, int]]] = [[] for _ in range(len(names) + 2)]
    arcs = [(index[e.source], index[e.target], e.frequency) for e in process_map.edges]
    arcs += [(start, index[a], n) for a, n in process_map.start_activities.items()]
    arcs += [(index[a], end, n) for a, n in process_map.end_activities.items()]
    for source, target, frequency in arcs:
        outgoing[source].append((target, frequency))
        incoming[target].append((source, frequency))
    return _Graph(names, outgoing, incoming)


def _widest_tree(root: int, neighbours: list[list[tuple[int, int]]]) -> dict[int, int]:
    """Parent of each reachable node on its widest path from ``root`` (max-min frequency).

    A Dijkstra variant: the best path to a node is the one whose least frequent arc is
    most frequent. Among equally wide candidates it prefers fewer arcs, then the lower
    node number, so the result is deterministic.
    """
    parent: dict[int, int] = {}
    best: dict[int, tuple[float, int]] = {root: (math.inf, 0)}
    queue: list[tuple[float, int, int]] = [(-math.inf, 0, root)]
    done: set[int] = set()
    while queue:
        negative_width, hops, node = heapq.heappop(queue)
        if node in done:
            continue
        done.add(node)
        for other, frequency in neighbours[node]:
            width = min(-negative_width, frequency)
            candidate = (width, -(hops + 1))
            if other not in done and (other not in best or candidate > (best[other][0], -best[other][1])):
                best[other] = (width, hops + 1)
                parent[other] = node
                heapq.heappush(queue, (-width, hops + 1, other))
    return parent


def _path(node: int, parent: dict[int, int]) -> list[int]:
    """The nodes from ``node`` back to the tree's root (excluded), following ``parent``."""
    nodes = []
    while node in parent:
        nodes.append(node)
        node = parent[node]
    return nodes


def _kept_activities(
    process_map: ProcessMap,
    graph: _Graph,
    to_node: dict[int, int],
    from_node: dict[int, int],
    activities: float,
) -> set[int]:
    def connect(nodes: Iterable[int]) -> set[int]:
        connected = set()
        for node in nodes:
            connected.add(node)
            connected.update(_path(node, to_node))
            connected.update(_path(node, from_node))
        return connected - {graph.start, graph.end}

    main_flow = connect(_path(graph.end, to_node))
    others = sorted(
        (i for i in range(len(graph.names)) if i not in main_flow),
        key=lambda i: (-process_map.activities[i].events, graph.names[i]),
    )
    count = _share_of(activities, len(others))
    return main_flow | connect(others[:count])


def _kept_edges(
    process_map: ProcessMap,
    graph: _Graph,
    to_node: dict[int, int],
    from_node: dict[int, int],
    kept: set[int],
    paths: float,
) -> list[MapEdge]:
    index = {name: i for i, name in enumerate(graph.names)}
    candidates = [
        (index[e.source], index[e.target], e)
        for e in process_map.edges
        if index[e.source] in kept and index[e.target] in kept
    ]
    required = {(to_node.get(node, graph.start), node) for node in kept}
    required |= {(node, from_node.get(node, graph.end)) for node in kept}
    strongest_in: dict[int, tuple[int, int]] = {}
    strongest_out: dict[int, tuple[int, int]] = {}
    for source, target, _ in sorted(candidates, key=lambda c: -c[2].frequency):
        strongest_in.setdefault(target, (source, target))
        strongest_out.setdefault(source, (source, target))
    required |= set(strongest_in.values()) | set(strongest_out.values())
    optional = sorted(
        (i for i, (source, target, _) in enumerate(candidates) if (source, target) not in required),
        key=lambda i: -candidates[i][2].frequency,
    )
    shown = set(optional[: _share_of(paths, len(optional))])
    return [e for i, (s, t, e) in enumerate(candidates) if (s, t) in required or i in shown]


def _share_of(percent: float, count: int) -> int:
    """``percent`` of ``count`` items, rounded half up (so 50% of one item shows it)."""
    return int(percent / 100.0 * count + 0.5)


def _hidden_note(
    process_map: ProcessMap, nodes: list, edges: list[MapEdge], activities: float, paths: float
) -> list[str]:
    hidden_nodes = len(process_map.activities) - len(nodes)
    hidden_edges = len(process_map.edges) - len(edges)
    if not hidden_nodes and not hidden_edges:
        return []
    hidden_events = sum(n.events for n in process_map.activities) - sum(n.events for n in nodes)
    hidden_transitions = sum(e.frequency for e in process_map.edges) - sum(e.frequency for e in edges)
    return [
        f"simplified (activities {activities:g}%, paths {paths:g}%): hiding {hidden_nodes} of "
        f"{len(process_map.activities)} activities ({hidden_events:,} events) and {hidden_edges} of "
        f"{len(process_map.edges)} paths ({hidden_transitions:,} transitions)"
    ]
