"""Layout of a process map: Start on top, End at the bottom, in layers, like Disco or Celonis.

The map is handed to the generic layered layout (:mod:`sc_improve.discovery.layered_layout`)
with the artificial Start and End pinned to the first and last layer and every edge
weighted by its frequency, so the main flow runs straight down the middle and rework
loops run on the side. Activity boxes are sized for their name (wrapped to at most
three lines) plus one metric line; renderers draw text with the font sizes below so it
fits. The result is plain numbers: the SVG and PNG writers and the Qt app draw the same
layout.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

from sc_improve.discovery.layered_layout import EdgeKind, NodeBox, Point, Size, layered_layout
from sc_improve.discovery.process_map import ProcessMap

NAME_FONT_PX = 12.0
"""Font size of activity names; renderers use the same sizes the boxes were measured with."""
METRIC_FONT_PX = 11.0
"""Font size of the metric line under the name (count or mean time)."""
LINE_PX = 15.0
"""Height of one text line inside a box."""
BOX_PAD_X = 12.0
BOX_PAD_Y = 8.0
TERMINAL_SIZE = 24.0
"""Diameter of the Start and End circles."""

_NAME_CHARS_PER_LINE = 28
_MAX_NAME_LINES = 3
_MIN_BOX_WIDTH = 116.0


@dataclass(frozen=True)
class EdgeRoute:
    """A drawn process-map edge; ``source`` None is the Start node, ``target`` None the End node."""

    source: str | None
    target: str | None
    kind: EdgeKind
    polyline: tuple[Point, ...]
    bezier: tuple[Point, ...]
    label: Point


@dataclass(frozen=True)
class MapLayout:
    """Positions for every part of a process map, in pixels, origin top-left.

    ``lines`` holds each activity name wrapped the way its box was sized; renderers
    print those lines, then one metric line (see the ``*_PX`` constants).
    """

    start: NodeBox
    end: NodeBox
    activities: dict[str, NodeBox]
    lines: dict[str, tuple[str, ...]]
    edges: list[EdgeRoute]
    width: float
    height: float

    def box(self, name: str | None, *, as_target: bool = False) -> NodeBox:
        """The box of an edge end: an activity, or Start (source None) / End (target None)."""
        if name is None:
            return self.end if as_target else self.start
        return self.activities[name]


def layout_map(process_map: ProcessMap) -> MapLayout:
    """Lay out a process map top to bottom: Start on top, End at the bottom.

    Deterministic: the same map always gives the same coordinates.

    >>> from sc_improve.discovery.process_map import ActivityNode, MapEdge, ProcessMap
    >>> pm = ProcessMap([ActivityNode("a", 2, 2), ActivityNode("b", 2, 2)],
    ...     [MapEdge("a", "b", 2, 2, 60.0, 60.0, 60.0, 120.0)], {"a": 2}, {"b": 2}, n_cases=2)
    >>> result = layout_map(pm)
    >>> result.start.layer, result.activities["a"].layer, result.activities["b"].layer, result.end.layer
    (0, 1, 2, 3)
    """
    names = [node.name for node in process_map.activities]
    index = {name: i + 1 for i, name in enumerate(names)}
    end_index = len(names) + 1
    lines = {name: wrap_label(name) for name in names}
    sizes: list[Size] = [(TERMINAL_SIZE, TERMINAL_SIZE)]
    sizes += [_activity_size(lines[name]) for name in names]
    sizes.append((TERMINAL_SIZE, TERMINAL_SIZE))

    ends: list[tuple[str | None, str | None]] = []
    edges: list[tuple[int, int, float]] = []
    for name, count in process_map.start_activities.items():
        ends.append((None, name))
        edges.append((0, _lookup(index, name), float(count)))
    for edge in process_map.edges:
        ends.append((edge.source, edge.target))
        edges.append((_lookup(index, edge.source), _lookup(index, edge.target), float(edge.frequency)))
    for name, count in process_map.end_activities.items():
        ends.append((name, None))
        edges.append((_lookup(index, name), end_index, float(count)))

    graph = layered_layout(sizes, edges, top=0, bottom=end_index)
    routes = [
        EdgeRoute(source, target, shape.kind, shape.polyline, shape.bezier, shape.label)
        for (source, target), shape in zip(ends, graph.routes, strict=True)
    ]
    return MapLayout(
        start=graph.boxes[0],
        end=graph.boxes[end_index],
        activities={name: graph.boxes[index[name]] for name in names},
        lines=lines,
        edges=routes,
        width=graph.width,
        height=graph.height,
    )


def _lookup(index: dict[str, int], name: str) -> int:
    if name not in index:
        raise ValueError(
            f"the process map has an edge to or from {name!r}, which is not one of its activities"
        )
    return index[name]


def wrap_label(name: str) -> tuple[str, ...]:
    """An activity name broken into at most three lines, the last cut with "…" if needed."""
    lines = textwrap.wrap(name, _NAME_CHARS_PER_LINE, break_on_hyphens=False) or [name]
    if len(lines) > _MAX_NAME_LINES:
        lines = lines[:_MAX_NAME_LINES]
        lines[-1] = lines[-1][: _NAME_CHARS_PER_LINE - 1].rstrip() + "…"
    return tuple(lines)


def text_width(text: str, font_px: float) -> float:
    """Estimated width of ``text`` in a DejaVu/Verdana-like sans-serif font.

    Renderers use fonts with these metrics (DejaVu Sans ships with matplotlib); an
    estimate per character class keeps the layout free of any font machinery.
    """
    ems = 0.0
    for char in text:
        if char in "fijlrtI.,;:'!|()[]- /":
            ems += 0.36
        elif char in "mwMW%@":
            ems += 0.92
        elif char.isupper() or char in "&<>#":
            ems += 0.72
        else:
            ems += 0.62
    return ems * font_px


def _activity_size(lines: tuple[str, ...]) -> Size:
    widest = max(text_width(line, NAME_FONT_PX) for line in lines)
    width = max(_MIN_BOX_WIDTH, math.ceil(widest + 2 * BOX_PAD_X))
    height = 2 * BOX_PAD_Y + LINE_PX * (len(lines) + 1)
    return (float(width), height)
