"""Rendering process maps to SVG and PNG, and the duration labels they use."""

from __future__ import annotations

import struct

import pytest
from lxml import etree
from test_layout import map_from_variants, p2p_map

from sc_improve.discovery.layout import layout_map
from sc_improve.discovery.process_map import ActivityNode, MapEdge, ProcessMap
from sc_improve.discovery.render import write_map
from sc_improve.discovery.render_scene import BLUES, arrow_geometry, build_scene, ramp_color, text_color_on
from sc_improve.discovery.render_svg import render_svg
from sc_improve.units import human_duration

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    root = etree.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    return [element.text for element in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (2.3 * 86400, "2.3 d"),
        (4 * 3600, "4 h"),
        (15 * 60, "15 min"),
        (90, "1.5 min"),
        (45, "45 s"),
        (0.4, "0.4 s"),
        (59.97, "1 min"),
        (3599.9, "1 h"),
        (36 * 3600, "1.5 d"),
        (45 * 86400, "45 d"),
        (400 * 86400, "1.1 y"),
        (-120, "-2 min"),
        (None, "n/a"),
        (float("nan"), "n/a"),
    ],
)
def test_human_duration(seconds, expected):
    assert human_duration(seconds) == expected


def test_frequency_svg_is_well_formed_and_shows_names_and_counts():
    process_map = p2p_map()
    texts = svg_texts(render_svg(process_map))
    layout = layout_map(process_map)
    for node in process_map.activities:
        assert all(line in texts for line in layout.lines[node.name])
        assert f"{node.events:,}" in texts
    assert f"{process_map.edge('Approve PO', 'Send PO').frequency:,}" in texts
    start_labels = {e.route.target: e.label for e in build_scene(process_map).edges if e.route.source is None}
    assert start_labels == {"Create Requisition": "950", "Create PO": "30"}  # 600 + 200 + 90 + 40 + 20
    assert "30" in texts


def test_labels_are_xml_escaped():
    name = 'A & B <x> "q"'
    process_map = ProcessMap([ActivityNode(name, 3, 3)], [], {name: 3}, {name: 3}, n_cases=3)
    svg = render_svg(process_map)
    assert "A &amp; B &lt;x&gt;" in svg
    assert name in svg_texts(svg)


def test_characters_xml_cannot_carry_are_dropped():
    name = "Bad\x01Name"
    process_map = ProcessMap([ActivityNode(name, 1, 1)], [], {name: 1}, {name: 1}, n_cases=1)
    assert "BadName" in svg_texts(render_svg(process_map))


def test_performance_view_labels_edges_with_median_times_and_nodes_with_mean_times():
    process_map = map_from_variants({("a", "b", "c"): 5, ("a", "c"): 2}, hours=26.0)
    texts = svg_texts(render_svg(process_map, metric="performance"))
    assert texts.count("1.1 d") == 3  # a->b, b->c, a->c; Start/End edges carry no time
    assert texts.count("mean 10 min") == 3
    assert "7" not in texts and "5" not in texts


def test_performance_view_without_start_times_shows_names_only():
    process_map = ProcessMap(
        [ActivityNode("a", 4, 4), ActivityNode("b", 4, 4)],
        [MapEdge("a", "b", 4, 4, 60.0, 60.0, 90.0, 240.0)],
        {"a": 4},
        {"b": 4},
        n_cases=4,
    )
    scene = build_scene(process_map, metric="performance")
    assert [node.metric for node in scene.nodes] == ["", ""]
    assert [edge.label for edge in scene.edges if edge.label] == ["1 min"]


def test_frequent_activities_are_darker_and_keep_readable_text():
    scene = build_scene(p2p_map())
    fills = {node.name: node for node in scene.nodes}
    busiest, rarest = fills["Approve PO"], fills["Cancel PO"]
    assert busiest.fill == ramp_color(BLUES, 1.0)
    assert busiest.text == "#FFFFFF" and rarest.text != "#FFFFFF"
    assert text_color_on("#FFFFFF") != text_color_on("#000000")
    widths = {(e.route.source, e.route.target): e.width for e in scene.edges}
    assert widths[("Approve PO", "Send PO")] > widths[("Send PO", "Cancel PO")]


def test_arrowhead_tip_is_where_the_route_ends():
    layout = layout_map(p2p_map())
    route = layout.edges[0]
    curve, head = arrow_geometry(route.bezier, 3.0)
    assert head[0] == route.bezier[-1]
    assert curve[-1] != route.bezier[-1] and len(curve) == len(route.bezier)


def test_png_is_written_with_png_magic_and_the_layout_size(tmp_path):
    process_map = p2p_map()
    layout = layout_map(process_map)
    path = write_map(process_map, tmp_path / "map.png", layout=layout, scale=1.0)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000
    width, height = struct.unpack(">II", data[16:24])
    assert abs(width - layout.width) <= 2 and abs(height - layout.height) <= 2


def test_png_handles_dollar_signs_without_math_mode(tmp_path):
    name = "Pay $5 fee $x$"
    process_map = ProcessMap([ActivityNode(name, 2, 2)], [], {name: 2}, {name: 2}, n_cases=2)
    path = write_map(process_map, tmp_path / "dollars.png", metric="performance")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_write_map_picks_svg_by_extension_and_rejects_others(tmp_path):
    path = write_map(p2p_map(), tmp_path / "map.SVG", metric="performance")
    assert etree.parse(str(path)).getroot().tag == f"{SVG}svg"
    with pytest.raises(ValueError, match=".pdf"):
        write_map(p2p_map(), tmp_path / "map.pdf")
    with pytest.raises(ValueError, match="metric"):
        write_map(p2p_map(), tmp_path / "map.svg", metric="colour")  # type: ignore[arg-type]
