"""Process maps as PNG images, drawn with matplotlib's Agg backend.

A PNG is what people paste into slides and e-mails. Rather than rasterising the SVG
(which would need Cairo or a browser), the same :class:`MapScene` is drawn with
matplotlib patches and texts, through the object API (``Figure`` + ``FigureCanvasAgg``)
so no global pyplot state is touched and it is safe in a GUI or worker thread.
One layout pixel is one point at 72 dpi, so sizes carry over from the SVG exactly.
"""

from __future__ import annotations

import math
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath

from sc_improve.atomic import write_atomically
from sc_improve.discovery.layered_layout import NodeBox
from sc_improve.discovery.layout import LINE_PX, METRIC_FONT_PX, NAME_FONT_PX, MapLayout
from sc_improve.discovery.process_map import ProcessMap
from sc_improve.discovery.render_scene import (
    END_FILL,
    LABEL_BACKGROUND,
    LABEL_BACKGROUND_OPACITY,
    LABEL_TEXT,
    NODE_STROKE,
    START_FILL,
    MapScene,
    Metric,
    arrow_geometry,
    build_scene,
    label_box,
)

MAX_PIXELS = 36_000_000
"""Upper bound on width x height of the image; large maps get a smaller scale instead."""
_FONT = "DejaVu Sans"


def render_png(
    process_map: ProcessMap,
    path: str | Path,
    layout: MapLayout | None = None,
    metric: Metric = "frequency",
    scale: float = 2.0,
) -> Path:
    """Write the map as a PNG at ``scale`` image pixels per layout pixel (2 = sharp on slides).

    >>> import tempfile, pathlib
    >>> from sc_improve.discovery.process_map import ActivityNode, ProcessMap
    >>> pm = ProcessMap([ActivityNode("a", 3, 3)], [], {"a": 3}, {"a": 3}, 3)
    >>> out = render_png(pm, pathlib.Path(tempfile.mkdtemp()) / "map.png")
    >>> out.read_bytes()[:4]
    b'\\x89PNG'
    """
    return scene_to_png(build_scene(process_map, layout, metric), path, scale)


def scene_to_png(scene: MapScene, path: str | Path, scale: float = 2.0) -> Path:
    """Draw an already built scene into a PNG file (written atomically)."""
    scale = min(scale, math.sqrt(MAX_PIXELS / max(scene.width * scene.height, 1.0)))
    figure = Figure(figsize=(scene.width / 72, scene.height / 72), dpi=72 * scale, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_xlim(0, scene.width)
    axes.set_ylim(scene.height, 0)
    axes.set_axis_off()
    _draw(axes, scene)
    return write_atomically(
        path,
        lambda temp: figure.savefig(
            temp, format="png", facecolor="white", metadata={"Software": "sc-improve"}
        ),
    )


def _draw(axes: Axes, scene: MapScene) -> None:
    for edge in scene.edges:
        curve, head = arrow_geometry(edge.route.bezier, edge.width)
        codes = [MplPath.MOVETO] + [MplPath.CURVE4] * (len(curve) - 1)
        axes.add_patch(
            PathPatch(
                MplPath(curve, codes),
                facecolor="none",
                edgecolor=edge.color,
                linewidth=edge.width,
                capstyle="round",
                zorder=1,
            )
        )
        axes.add_patch(Polygon(head, closed=True, facecolor=edge.color, edgecolor="none", zorder=1))
    _terminal(axes, scene.start, START_FILL, is_start=True)
    _terminal(axes, scene.end, END_FILL, is_start=False)
    for node in scene.nodes:
        box = node.box
        axes.add_patch(
            FancyBboxPatch(
                (box.x, box.y),
                box.width,
                box.height,
                boxstyle="round,pad=0,rounding_size=6",
                facecolor=node.fill,
                edgecolor=NODE_STROKE,
                linewidth=1.0,
                zorder=2,
            )
        )
        rows = [(line, NAME_FONT_PX, "normal") for line in node.lines]
        if node.metric:
            rows.append((node.metric, METRIC_FONT_PX, "bold"))
        top = box.center[1] - LINE_PX * len(rows) / 2
        for i, (text, size, weight) in enumerate(rows):
            axes.text(
                box.center[0],
                top + LINE_PX * (i + 0.5) + size * 0.35,
                text,
                fontsize=size,
                fontweight=weight,
                family=_FONT,
                color=node.text,
                ha="center",
                va="baseline",
                parse_math=False,
                zorder=3,
            )
    for edge in scene.edges:
        if edge.label:
            x, y = edge.route.label
            bx, by, bw, bh = label_box(edge)
            axes.add_patch(
                FancyBboxPatch(
                    (bx, by),
                    bw,
                    bh,
                    boxstyle="round,pad=0,rounding_size=3",
                    facecolor=LABEL_BACKGROUND,
                    edgecolor="none",
                    alpha=LABEL_BACKGROUND_OPACITY,
                    zorder=4,
                )
            )
            axes.text(
                x,
                y + METRIC_FONT_PX * 0.35,
                edge.label,
                fontsize=METRIC_FONT_PX,
                family=_FONT,
                color=LABEL_TEXT,
                ha="center",
                va="baseline",
                parse_math=False,
                zorder=5,
            )


def _terminal(axes: Axes, box: NodeBox, fill: str, *, is_start: bool) -> None:
    cx, cy = box.center
    r = box.width / 2
    axes.add_patch(Circle((cx, cy), r, facecolor=fill, edgecolor="none", zorder=2))
    if is_start:
        s = r * 0.45
        icon = Polygon(((cx - s * 0.6, cy - s), (cx - s * 0.6, cy + s), (cx + s, cy)), closed=True)
    else:
        s = r * 0.38
        icon = Rectangle((cx - s, cy - s), 2 * s, 2 * s)
    icon.set_facecolor("white")
    icon.set_edgecolor("none")
    icon.set_zorder(3)
    axes.add_patch(icon)
