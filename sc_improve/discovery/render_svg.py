"""Process maps as standalone SVG: crisp at any zoom, searchable text, hover tooltips.

The SVG is written by hand from the :class:`~sc_improve.discovery.render_scene.MapScene`
(no Graphviz, no drawing library): every label is XML-escaped, arrowheads are plain
polygons (no markers, which some viewers colour wrongly), and each node and edge has a
``<title>`` so browsers show its numbers on hover.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from sc_improve.discovery.layered_layout import NodeBox, Point
from sc_improve.discovery.layout import LINE_PX, METRIC_FONT_PX, NAME_FONT_PX, MapLayout
from sc_improve.discovery.process_map import ProcessMap
from sc_improve.discovery.render_scene import (
    END_FILL,
    LABEL_BACKGROUND,
    LABEL_BACKGROUND_OPACITY,
    LABEL_TEXT,
    NODE_STROKE,
    START_FILL,
    EdgeStyle,
    MapScene,
    Metric,
    NodeStyle,
    arrow_geometry,
    build_scene,
    label_box,
)

FONT_FAMILY = "DejaVu Sans, Verdana, Segoe UI, Arial, sans-serif"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_svg(process_map: ProcessMap, layout: MapLayout | None = None, metric: Metric = "frequency") -> str:
    """The map as an SVG document (a string); lays the map out first unless given a layout.

    >>> from sc_improve.discovery.process_map import ActivityNode, ProcessMap
    >>> svg = render_svg(ProcessMap([ActivityNode("A & B", 3, 3)], [], {"A & B": 3}, {"A & B": 3}, 3))
    >>> "A &amp; B" in svg
    True
    """
    return scene_to_svg(build_scene(process_map, layout, metric))


def scene_to_svg(scene: MapScene) -> str:
    """SVG text for an already built scene."""
    width, height = _num(scene.width), _num(scene.height)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family={quoteattr(FONT_FAMILY)}>',
        f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>',
        '<g class="edges">',
        *(_edge(edge) for edge in scene.edges),
        "</g>",
        '<g class="nodes">',
        _terminal(scene.start, START_FILL, scene.start_tooltip, is_start=True),
        _terminal(scene.end, END_FILL, scene.end_tooltip, is_start=False),
        *(_node(node) for node in scene.nodes),
        "</g>",
        f'<g class="edge-labels" font-size="{_num(METRIC_FONT_PX)}" fill="{LABEL_TEXT}" '
        'text-anchor="middle">',
        *(_edge_label(edge) for edge in scene.edges if edge.label),
        "</g>",
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _edge(edge: EdgeStyle) -> str:
    curve, head = arrow_geometry(edge.route.bezier, edge.width)
    return (
        f"<g><title>{_text(edge.tooltip)}</title>"
        f'<path d="{_path_data(curve)}" fill="none" stroke="{edge.color}" '
        f'stroke-width="{_num(edge.width)}" stroke-linecap="round"/>'
        f'<polygon points="{_points(head)}" fill="{edge.color}"/></g>'
    )


def _edge_label(edge: EdgeStyle) -> str:
    x, y = edge.route.label
    bx, by, bw, bh = label_box(edge)
    return (
        f'<rect x="{_num(bx)}" y="{_num(by)}" width="{_num(bw)}" height="{_num(bh)}" rx="3" '
        f'fill="{LABEL_BACKGROUND}" fill-opacity="{LABEL_BACKGROUND_OPACITY}"/>'
        f'<text x="{_num(x)}" y="{_num(y + METRIC_FONT_PX * 0.35)}">{_text(edge.label)}</text>'
    )


def _node(node: NodeStyle) -> str:
    box = node.box
    texts = []
    rows = [(line, NAME_FONT_PX, "normal") for line in node.lines]
    if node.metric:
        rows.append((node.metric, METRIC_FONT_PX, "bold"))
    top = box.center[1] - LINE_PX * len(rows) / 2
    for i, (text, size, weight) in enumerate(rows):
        baseline = top + LINE_PX * (i + 0.5) + size * 0.35
        texts.append(
            f'<text x="{_num(box.center[0])}" y="{_num(baseline)}" font-size="{_num(size)}" '
            f'font-weight="{weight}">{_text(text)}</text>'
        )
    return (
        f"<g><title>{_text(node.tooltip)}</title>"
        f'<rect x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.width)}" height="{_num(box.height)}" '
        f'rx="6" fill="{node.fill}" stroke="{NODE_STROKE}" stroke-width="1"/>'
        f'<g fill="{node.text}" text-anchor="middle">{"".join(texts)}</g></g>'
    )


def _terminal(box: NodeBox, fill: str, tooltip: str, *, is_start: bool) -> str:
    cx, cy = box.center
    r = box.width / 2
    if is_start:
        s = r * 0.45
        icon = f'<polygon points="{_points(((cx - s * 0.6, cy - s), (cx - s * 0.6, cy + s), (cx + s, cy)))}"'
    else:
        s = r * 0.38
        icon = f'<rect x="{_num(cx - s)}" y="{_num(cy - s)}" width="{_num(2 * s)}" height="{_num(2 * s)}"'
    return (
        f"<g><title>{_text(tooltip)}</title>"
        f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(r)}" fill="{fill}"/>'
        f'{icon} fill="#FFFFFF"/></g>'
    )


def _path_data(points: tuple[Point, ...]) -> str:
    first = f"M{_num(points[0][0])},{_num(points[0][1])}"
    curves = [
        "C" + " ".join(f"{_num(x)},{_num(y)}" for x, y in points[i : i + 3])
        for i in range(1, len(points) - 2, 3)
    ]
    return first + "".join(curves)


def _points(points: tuple[Point, ...]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(value: str) -> str:
    """Escaped character data; characters XML 1.0 cannot carry are dropped."""
    return escape(_NOT_XML.sub("", value))
