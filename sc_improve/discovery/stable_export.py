"""The same model always gives the same .bpmn and .pnml file, byte for byte.

pm4py's exporters name elements with random UUIDs, object addresses and a timestamp, and
write them in the order of Python sets, so exporting one model twice gave two files that
differ on nearly every line: useless under version control and for comparing a
consultant's model of March with the one of June. These functions rewrite the exported
XML: every element gets a readable id numbered in a fixed order (the diagram's layout
order for BPMN, names and structure for PNML), every reference follows, and elements
are written in that order. Only our own exporter output is parsed here, never a user's
file; the parser still refuses entities and network access.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from pm4py.objects.bpmn.obj import BPMN

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
_GUI = "_gui"
_BPMN_REFERENCES = ("bpmnElement", "sourceRef", "targetRef", "processRef")


def stable_bpmn(data: bytes, nodes: Sequence[BPMN.BPMNNode], flows: Sequence[BPMN.Flow]) -> bytes:
    """pm4py's BPMN XML with ids numbered in the order of ``nodes`` and ``flows`` (the layout's).

    Nodes become ``Task_3``, ``ExclusiveGateway_7`` ..., flows ``Flow_1`` ...; the other
    random ids (process, diagram, plane) are numbered in document order.
    """
    renames = {node.get_id(): f"{type(node).__name__}_{i}" for i, node in enumerate(nodes, 1)}
    renames.update({f"id{flow.get_id()}": f"Flow_{i}" for i, flow in enumerate(flows, 1)})
    position = {new: i for i, new in enumerate(renames.values())}
    root = etree.fromstring(data, _PARSER)
    others: dict[str, int] = {}
    for element in root.iter(etree.Element):
        identifier = element.get("id")
        if identifier is not None and identifier.removesuffix(_GUI) not in renames:
            kind = etree.QName(element).localname
            others[kind] = others.get(kind, 0) + 1
            renames[identifier] = f"{kind}_{others[kind]}"
    rename = _renamer(renames)
    for element in root.iter(etree.Element):
        for attribute in ("id", *_BPMN_REFERENCES):
            if element.get(attribute) is not None:
                element.set(attribute, rename(element.get(attribute)))
        if etree.QName(element).localname in ("incoming", "outgoing") and element.text:
            element.text = rename(element.text.strip())
    for parent in list(root.iter(etree.Element)):  # listed first: sorting moves elements
        _sort_children(parent, _bpmn_child_key(parent, position))
    return _serialise(root)


def _bpmn_child_key(
    parent: etree._Element, position: dict[str, int]
) -> Callable[[etree._Element], tuple[object, ...]]:
    """Children in numbering order. A process's flow elements may come in any order;
    elsewhere the schema fixes the order of the kinds (incoming before outgoing, process
    before diagram), so children are only sorted among those of their own kind."""
    any_order = etree.QName(parent).localname == "process"
    first_of_kind = {} if any_order else {child.tag: i for i, child in reversed(list(enumerate(parent)))}
    last = len(position)

    def key(element: etree._Element) -> tuple[object, ...]:
        reference = element.get("bpmnElement") or element.get("id") or element.text or ""
        return first_of_kind.get(element.tag, 0), position.get(reference.removesuffix(_GUI), last), reference

    return key


def stable_pnml(data: bytes) -> bytes:
    """pm4py's PNML with the net, places, transitions and arcs named and written in a fixed order.

    Transitions are ordered by label (invisible ones by their miner-given name), places by
    the labels around them (``source`` and ``sink`` keep their names), arcs by their ends.
    """
    root = etree.fromstring(data, _PARSER)
    net = root.find("net")
    page = net.find("page")
    places = page.findall("place")
    transitions = page.findall("transition")
    arcs = page.findall("arc")
    label = {t.get("id"): _name(t) for t in transitions}
    inputs: dict[str, list[str]] = {}
    outputs: dict[str, list[str]] = {}
    for arc in arcs:
        source, target = arc.get("source"), arc.get("target")
        outputs.setdefault(source, []).append(label.get(target, ""))
        inputs.setdefault(target, []).append(label.get(source, ""))

    def place_key(place: etree._Element) -> tuple[object, ...]:
        identifier = place.get("id")
        fixed = {"source": 0, "sink": 2}.get(identifier, 1)
        return fixed, sorted(inputs.get(identifier, [])), sorted(outputs.get(identifier, []))

    def transition_key(transition: etree._Element) -> tuple[object, ...]:
        identifier = transition.get("id")
        return label[identifier], sorted(inputs.get(identifier, [])), sorted(outputs.get(identifier, []))

    places.sort(key=place_key)
    transitions.sort(key=transition_key)
    inner = [place for place in places if place.get("id") not in ("source", "sink")]
    renames = {net.get("id"): "net"}
    renames.update({place.get("id"): f"p{i}" for i, place in enumerate(inner, 1)})
    renames.update({t.get("id"): f"t{i}" for i, t in enumerate(transitions, 1)})
    rename = _renamer(renames)
    for element in root.iter(etree.Element):
        for attribute in ("id", "source", "target", "idref"):
            if element.get(attribute) is not None:
                element.set(attribute, rename(element.get(attribute)))
    for place in places:
        _set_name(place, place.get("id"))
    for transition in transitions:
        specific = transition.find("toolspecific")
        if specific is not None and specific.get("localNodeID") is not None:
            specific.set("localNodeID", transition.get("id"))
            _set_name(transition, transition.get("id"))
    _set_name(net, "net")
    position = {element.get("id"): i for i, element in enumerate([*places, *transitions])}
    arcs.sort(key=lambda arc: (position[arc.get("source")], position[arc.get("target")]))
    for i, arc in enumerate(arcs, 1):
        arc.set("id", f"a{i}")
    order = {id(element): i for i, element in enumerate([*places, *transitions, *arcs])}
    _sort_children(page, lambda element: (order.get(id(element), len(order)),))
    return _serialise(root)


def _renamer(renames: dict[str, str]) -> Callable[[str], str]:
    def rename(value: str) -> str:
        if value.endswith(_GUI):
            return renames.get(value.removesuffix(_GUI), value.removesuffix(_GUI)) + _GUI
        return renames.get(value, value)

    return rename


def _sort_children(parent: etree._Element, key: Callable[[etree._Element], tuple[object, ...]]) -> None:
    """Reorder ``parent``'s element children by ``key`` (stable), keeping any other children first."""
    children = [child for child in parent if isinstance(child.tag, str)]
    if len(children) < 2:
        return
    for child in children:
        parent.remove(child)
    parent.extend(sorted(children, key=key))


def _name(element: etree._Element) -> str:
    text = element.find("name/text")
    return "" if text is None or text.text is None else text.text


def _set_name(element: etree._Element, value: str) -> None:
    text = element.find("name/text")
    if text is not None:
        text.text = value


def _serialise(root: etree._Element) -> bytes:
    etree.indent(root, space="\t")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
