"""What a process map looks like, independent of the drawing surface.

The SVG writer, the PNG writer and the Qt app draw the same :class:`MapScene`, so the
labels, colours and line widths of a view are decided once, here:

* frequency view: node "Activity / 1,234 events", fill on a blue ramp by event count;
  edge width and darkness by frequency, label the count;
* performance view: edge label the median time in human units and colour on a red ramp
  by median time (log scale, since waiting times span minutes to months); edge width
  still by frequency so the shape of the map does not change between views; node label
  the mean processing time when the log has start times.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sc_improve.discovery.layered_layout import NodeBox, Point
from sc_improve.discovery.layout import METRIC_FONT_PX, EdgeRoute, MapLayout, layout_map, text_width
from sc_improve.discovery.process_map import ActivityNode, MapEdge, ProcessMap
from sc_improve.errors import OptionError
from sc_improve.units import human_duration

Metric = Literal["frequency", "performance"]
METRICS: tuple[str, ...] = ("frequency", "performance")

BLUES = ("#F2F7FC", "#D2E3F3", "#9ECAE1", "#4A98C9", "#1764AB", "#0A3D7A")
REDS = ("#F2B8A6", "#EC8D70", "#DA5238", "#B3241A", "#7F0A0A")
SOFT_REDS = ("#FFF3EE", "#FDDCCF", "#F9B9A3", "#F2917A")
"""Node fills in the performance view: light enough that the name stays the focus."""
GREYS = ("#C3C8CF", "#8E96A1", "#5B6470", "#2E3540")
NEUTRAL_FILL = "#F4F5F7"
NODE_STROKE = "#5B6B7F"
DARK_TEXT = "#1F2937"
LIGHT_TEXT = "#FFFFFF"
LABEL_TEXT = "#374151"
START_FILL = "#2E7D32"
END_FILL = "#374151"
QUIET_EDGE = "#C9CED6"
LABEL_BACKGROUND = "#FFFFFF"
LABEL_BACKGROUND_OPACITY = 0.9
MIN_EDGE_WIDTH = 1.0
MAX_EDGE_WIDTH = 6.0


@dataclass(frozen=True)
class NodeStyle:
    """One activity box as drawn: its box, name lines, metric line, colours, tooltip."""

    name: str
    box: NodeBox
    lines: tuple[str, ...]
    metric: str
    fill: str
    text: str
    tooltip: str


@dataclass(frozen=True)
class EdgeStyle:
    """One edge as drawn: its route, label (may be empty), colour, width in px, tooltip."""

    route: EdgeRoute
    label: str
    color: str
    width: float
    tooltip: str


@dataclass(frozen=True)
class MapScene:
    """Everything needed to draw a map; coordinates in px, colours as ``#RRGGBB``."""

    metric: Metric
    width: float
    height: float
    start: NodeBox
    end: NodeBox
    nodes: list[NodeStyle]
    edges: list[EdgeStyle]
    start_tooltip: str
    end_tooltip: str


def build_scene(
    process_map: ProcessMap, layout: MapLayout | None = None, metric: Metric = "frequency"
) -> MapScene:
    """Decide labels, colours and widths of every node and edge for one view.

    >>> from sc_improve.discovery.process_map import ActivityNode, MapEdge, ProcessMap
    >>> scene = build_scene(ProcessMap([ActivityNode("a", 1234, 1000)], [], {"a": 1000}, {"a": 1000}, 1000))
    >>> scene.nodes[0].metric
    '1,234'
    """
    if metric not in METRICS:
        raise OptionError(f"unknown map metric {metric!r}; use one of {', '.join(METRICS)}")
    layout = layout or layout_map(process_map)
    nodes = _node_styles(process_map, layout, metric)
    edges = _edge_styles(process_map, layout, metric)
    return MapScene(
        metric=metric,
        width=layout.width,
        height=layout.height,
        start=layout.start,
        end=layout.end,
        nodes=nodes,
        edges=edges,
        start_tooltip=f"Start: {process_map.n_cases:,} cases",
        end_tooltip=f"End: {process_map.n_cases:,} cases",
    )


def _node_styles(process_map: ProcessMap, layout: MapLayout, metric: str) -> list[NodeStyle]:
    activities = process_map.activities
    if metric == "frequency":
        shades = _linear_shades(node.events for node in activities)
        ramp = BLUES
    else:
        shades = _linear_shades(node.mean_duration_s for node in activities)
        ramp = SOFT_REDS
    styles = []
    for node, shade in zip(activities, shades, strict=True):
        if metric == "frequency":
            label = f"{node.events:,}"
        else:
            label = "" if node.mean_duration_s is None else f"mean {human_duration(node.mean_duration_s)}"
        fill = NEUTRAL_FILL if shade is None else ramp_color(ramp, shade)
        styles.append(
            NodeStyle(
                name=node.name,
                box=layout.activities[node.name],
                lines=layout.lines[node.name],
                metric=label,
                fill=fill,
                text=text_color_on(fill),
                tooltip=_node_tooltip(node),
            )
        )
    return styles


def _node_tooltip(node: ActivityNode) -> str:
    parts = [node.name, f"Events: {node.events:,}", f"Cases: {node.cases:,}"]
    if node.mean_duration_s is not None:
        parts.append(f"Mean processing time: {human_duration(node.mean_duration_s)}")
    return "\n".join(parts)


def _edge_styles(process_map: ProcessMap, layout: MapLayout, metric: str) -> list[EdgeStyle]:
    by_pair = {(edge.source, edge.target): edge for edge in process_map.edges}
    edges = [
        by_pair[(r.source, r.target)] if r.source is not None and r.target is not None else None
        for r in layout.edges
    ]
    counts = [_count(process_map, r, edge) for r, edge in zip(layout.edges, edges, strict=True)]
    top = max(counts, default=0)
    time_shades = _log_shades(None if edge is None else edge.median_s for edge in edges)
    basis = "end of source to start of target" if process_map.time_basis == "end_to_start" else "end to end"
    styles = []
    for route, edge, count, time_shade in zip(layout.edges, edges, counts, time_shades, strict=True):
        share = math.sqrt(count / top) if top else 0.0
        width = MIN_EDGE_WIDTH + (MAX_EDGE_WIDTH - MIN_EDGE_WIDTH) * share
        title = f"{route.source or 'Start'} → {route.target or 'End'}"
        if edge is None:
            tooltip = f"{title}\nCases: {count:,}"
        else:
            tooltip = (
                f"{title}\nFrequency: {edge.frequency:,} (in {edge.cases:,} cases)\n"
                f"Median: {human_duration(edge.median_s)}, mean: {human_duration(edge.mean_s)}, "
                f"90th percentile: {human_duration(edge.p90_s)} ({basis})"
            )
        if metric == "frequency":
            styles.append(EdgeStyle(route, f"{count:,}", ramp_color(GREYS, share), width, tooltip))
        elif edge is None or time_shade is None:
            styles.append(EdgeStyle(route, "", QUIET_EDGE, width, tooltip))
        else:
            color = ramp_color(REDS, time_shade)
            styles.append(EdgeStyle(route, human_duration(edge.median_s), color, width, tooltip))
    return styles


def _count(process_map: ProcessMap, route: EdgeRoute, edge: MapEdge | None) -> int:
    """How often an edge was taken; for Start and End edges, how many cases start or end there."""
    if edge is not None:
        return edge.frequency
    if route.source is None:
        return process_map.start_activities[route.target or ""]
    return process_map.end_activities[route.source]


def _linear_shades(values: Iterable[float | None]) -> list[float | None]:
    """0..1 per value as a share of the largest (square root, so mid values stay visible)."""
    values = list(values)
    top = max((v for v in values if v is not None and math.isfinite(v)), default=0.0)
    return [
        None if v is None or not math.isfinite(v) else (math.sqrt(max(v, 0.0) / top) if top > 0 else 0.0)
        for v in values
    ]


def _log_shades(values: Iterable[float | None]) -> list[float | None]:
    """0..1 per value on a log scale between the smallest and largest positive value."""
    values = list(values)
    positive = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    if not positive:
        return [None if v is None else 0.0 for v in values]
    low, high = math.log(min(positive)), math.log(max(positive))
    span = high - low
    shades: list[float | None] = []
    for v in values:
        if v is None or not math.isfinite(v):
            shades.append(None)
        elif v <= 0:
            shades.append(0.0)
        else:
            shades.append((math.log(v) - low) / span if span > 0 else 1.0)
    return shades


def ramp_color(stops: tuple[str, ...], t: float) -> str:
    """Colour at ``t`` (0..1) along a ramp of ``#RRGGBB`` stops, interpolated in RGB."""
    t = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    low = min(int(t), len(stops) - 2)
    frac = t - low
    a, b = _rgb(stops[low]), _rgb(stops[low + 1])
    mixed = (round(x + (y - x) * frac) for x, y in zip(a, b, strict=True))
    return "#{:02X}{:02X}{:02X}".format(*mixed)


def text_color_on(fill: str) -> str:
    """White text on dark fills, dark text on light ones (relative luminance threshold)."""
    r, g, b = (_linear(c / 255) for c in _rgb(fill))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return LIGHT_TEXT if luminance < 0.22 else DARK_TEXT


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def arrow_geometry(bezier: tuple[Point, ...], width: float) -> tuple[tuple[Point, ...], tuple[Point, ...]]:
    """The curve shortened to end at the arrow's base, and the arrowhead triangle.

    The tip sits exactly where the route ends (on the target's border), so the head
    points into the box and the thick stroke does not poke through the tip.
    """
    tip = bezier[-1]
    base_from = next((p for p in reversed(bezier[:-1]) if p != tip), bezier[0])
    dx, dy = tip[0] - base_from[0], tip[1] - base_from[1]
    norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    length = 7.0 + 1.3 * width
    half = 3.5 + 0.9 * width
    base = (tip[0] - ux * length, tip[1] - uy * length)
    head = (tip, (base[0] - uy * half, base[1] + ux * half), (base[0] + uy * half, base[1] - ux * half))
    pull_back = length * 0.8
    shift = (-ux * pull_back, -uy * pull_back)
    shortened = list(bezier)
    shortened[-1] = (tip[0] + shift[0], tip[1] + shift[1])
    if len(shortened) > 1:
        shortened[-2] = (shortened[-2][0] + shift[0], shortened[-2][1] + shift[1])
    return tuple(shortened), head


def label_box(edge: EdgeStyle) -> tuple[float, float, float, float]:
    """(x, y, width, height) of the white badge behind an edge label, centred on its spot.

    Labels sit on their edge; the badge interrupts the line under the text so that even
    a thick edge leaves the number readable.
    """
    x, y = edge.route.label
    width = text_width(edge.label, METRIC_FONT_PX) + 6.0
    height = METRIC_FONT_PX + 4.0
    return (x - width / 2, y - height / 2, width, height)
