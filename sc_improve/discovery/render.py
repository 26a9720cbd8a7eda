"""Save a process map as a picture, the format chosen by the file name.

The CLI and the app call :func:`write_map` with whatever name the user typed; ``.svg``
gives a scalable vector drawing, ``.png`` a bitmap for slides. Both come from the same
layout and scene, so they look the same.
"""

from __future__ import annotations

from pathlib import Path

from sc_improve.atomic import write_text_atomically
from sc_improve.discovery.layout import MapLayout
from sc_improve.discovery.process_map import ProcessMap
from sc_improve.discovery.render_png import scene_to_png
from sc_improve.discovery.render_scene import Metric, build_scene
from sc_improve.discovery.render_svg import scene_to_svg
from sc_improve.errors import OptionError

MAP_FORMATS: tuple[str, ...] = (".svg", ".png")


def write_map(
    process_map: ProcessMap,
    path: str | Path,
    metric: Metric = "frequency",
    layout: MapLayout | None = None,
    scale: float = 2.0,
) -> Path:
    """Write the map to ``path`` as SVG or PNG (by extension); ``scale`` applies to PNG only.

    >>> import tempfile, pathlib
    >>> from sc_improve.discovery.process_map import ActivityNode, ProcessMap
    >>> pm = ProcessMap([ActivityNode("a", 3, 3)], [], {"a": 3}, {"a": 3}, 3)
    >>> write_map(pm, pathlib.Path(tempfile.mkdtemp()) / "map.svg").suffix
    '.svg'
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in MAP_FORMATS:
        raise OptionError(f"cannot write a map as {suffix or 'a file without extension'}; use .svg or .png")
    scene = build_scene(process_map, layout, metric)
    if suffix == ".svg":
        return write_text_atomically(target, scene_to_svg(scene))
    return scene_to_png(scene, target, scale)
