"""Process models (BPMN, Petri nets) discovered with pm4py's inductive miner, and saved as files.

A process map shows what happened; a model states which behaviour is allowed, in a
notation other tools import (BPMN for modelling tools such as Camunda or Signavio, PNML
for ProM and other Petri-net tools). The inductive miner always returns a sound model
(every case can complete), and its noise threshold drops rare behaviour so the model
stays readable: 0 keeps everything, 0.2 (the default) ignores directly-follows relations
that are rare compared with the other options at that point.

Everything pm4py-specific (parameter dictionaries, exporters) stays in this module and
in :mod:`sc_improve.discovery.fitness`; pm4py is imported on first use, because importing
it takes seconds and most runs of the tool never need a model. pm4py lays BPMN diagrams out with Graphviz,
which the installers do not ship, so :func:`write_bpmn` places the diagram itself with
the same layered layout as the process map, left to right, with orthogonal flows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

import pandas as pd

from sc_improve.atomic import write_atomically
from sc_improve.columns import ACTIVITY, CASE, END
from sc_improve.discovery.layered_layout import RouteShape, layered_layout
from sc_improve.discovery.stable_export import stable_bpmn, stable_pnml
from sc_improve.errors import AnalysisError, OptionError
from sc_improve.log.event_log import EventLog
from sc_improve.progress import ProgressCallback, ensure_progress

if TYPE_CHECKING:
    from pm4py.objects.bpmn.obj import BPMN
    from pm4py.objects.petri_net.obj import Marking, PetriNet

_T = TypeVar("_T")
TASK_SIZE = (110.0, 70.0)
EVENT_SIZE = (36.0, 36.0)
GATEWAY_SIZE = (50.0, 50.0)


class PetriNetModel(NamedTuple):
    """An accepting Petri net; unpacks like pm4py's ``net, im, fm`` triple."""

    net: PetriNet
    initial_marking: Marking
    final_marking: Marking


def discover_petri_net(
    log: EventLog, noise_threshold: float = 0.2, progress: ProgressCallback | None = None
) -> PetriNetModel:
    """A sound Petri net for the log by the inductive miner (infrequent variant when noise > 0).

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"],
    ...     "concept:name": ["a", "b"], "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"])}))
    >>> net, im, fm = discover_petri_net(log, noise_threshold=0.0)
    >>> sorted(t.label for t in net.transitions if t.label)
    ['a', 'b']
    """
    import pm4py

    report = ensure_progress(progress)
    frame = _mining_frame(log, noise_threshold)
    report(0.0, "Discovering a Petri net (inductive miner)")
    net, initial, final = pm4py.discover_petri_net_inductive(frame, noise_threshold=noise_threshold)
    report(1.0, "Petri net discovered")
    return PetriNetModel(net, initial, final)


def discover_bpmn(
    log: EventLog, noise_threshold: float = 0.2, progress: ProgressCallback | None = None
) -> BPMN:
    """A BPMN diagram for the log by the inductive miner; see :func:`discover_petri_net`.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"],
    ...     "concept:name": ["a", "b"], "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"])}))
    >>> sorted(n.get_name() for n in discover_bpmn(log).get_nodes() if type(n).__name__ == "Task")
    ['a', 'b']
    """
    import pm4py

    report = ensure_progress(progress)
    frame = _mining_frame(log, noise_threshold)
    report(0.0, "Discovering a BPMN model (inductive miner)")
    model = pm4py.discover_bpmn_inductive(frame, noise_threshold=noise_threshold)
    report(1.0, "BPMN model discovered")
    return model


def _mining_frame(log: EventLog, noise_threshold: float) -> pd.DataFrame:
    if not 0.0 <= noise_threshold < 1.0:
        raise OptionError(f"the noise threshold must be at least 0 and below 1, not {noise_threshold}")
    if log.n_events == 0:
        raise AnalysisError("the log has no events, so there is no model to discover")
    return log.frame[[CASE, ACTIVITY, END]]


def write_pnml(net: PetriNet, initial_marking: Marking, final_marking: Marking, path: str | Path) -> Path:
    """Write the accepting Petri net as PNML (with both markings), atomically.

    >>> import pandas as pd, tempfile, pathlib
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01"])}))
    >>> out = write_pnml(*discover_petri_net(log), pathlib.Path(tempfile.mkdtemp()) / "model.pnml")
    >>> b"<pnml" in out.read_bytes()
    True
    """
    from pm4py.objects.petri_net.exporter.variants.pnml import export_petri_as_string

    data = stable_pnml(export_petri_as_string(net, initial_marking, final_marking=final_marking))
    return write_atomically(path, lambda temp: temp.write_bytes(data))


def write_bpmn(model: BPMN, path: str | Path) -> Path:
    """Write the BPMN diagram as a .bpmn file with diagram coordinates, without Graphviz.

    The diagram is laid out here (left to right, overwriting any layout it had), so the
    file opens as a readable drawing in BPMN tools, not a pile of shapes at the origin.

    >>> import pandas as pd, tempfile, pathlib
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01"])}))
    >>> out = write_bpmn(discover_bpmn(log), pathlib.Path(tempfile.mkdtemp()) / "model.bpmn")
    >>> b'name="a"' in out.read_bytes()
    True
    """
    from pm4py.objects.bpmn.exporter.variants.etree import get_xml_string

    nodes, flows = lay_out_bpmn(model)
    data = stable_bpmn(get_xml_string(model), nodes, flows)
    return write_atomically(path, lambda temp: temp.write_bytes(data))


def lay_out_bpmn(model: BPMN) -> tuple[list[BPMN.BPMNNode], list[BPMN.Flow]]:
    """Set shape bounds and flow waypoints on the diagram: layered, left to right, orthogonal.

    Returns the nodes and flows in the order they were laid out, which depends only on the
    model's structure and names (not on pm4py's random ids), so the same model is always
    drawn, and numbered by :func:`stable_bpmn`, the same way.
    """
    from pm4py.objects.bpmn.obj import BPMN

    signature = _structural_signatures(model)
    nodes = sorted(model.get_nodes(), key=lambda node: signature[node])
    index = {node: i for i, node in enumerate(nodes)}
    flows = sorted(
        model.get_flows(), key=lambda f: (index[f.get_source()], index[f.get_target()], f.get_name() or "")
    )
    starts = [node for node in nodes if isinstance(node, BPMN.StartEvent)]
    ends = [node for node in nodes if isinstance(node, BPMN.EndEvent)]
    placed = layered_layout(
        [_size(node) for node in nodes],
        [(index[f.get_source()], index[f.get_target()], 1.0) for f in flows],
        top=index[starts[0]] if len(starts) == 1 else None,
        bottom=index[ends[0]] if len(ends) == 1 else None,
        direction="right",
        node_gap=30.0,
        layer_gap=50.0,
    )
    for node, box in zip(nodes, placed.boxes, strict=True):
        node.set_x(round(box.x, 1))
        node.set_y(round(box.y, 1))
        node.set_width(box.width)
        node.set_height(box.height)
    for flow, route in zip(flows, placed.routes, strict=True):
        flow.del_waypoints()
        for point in _orthogonal(route):
            flow.add_waypoint((round(point[0], 1), round(point[1], 1)))
    return nodes, flows


def _structural_signatures(model: BPMN, rounds: int = 3) -> dict[BPMN.BPMNNode, tuple[object, ...]]:
    """A sort key per node: start events first, end events last, then by name, then by what
    surrounds it (the keys of its neighbours, refined ``rounds`` times), so unnamed gateways
    are told apart by where they sit instead of by pm4py's random ids."""
    from pm4py.objects.bpmn.obj import BPMN

    def rank(node: BPMN.BPMNNode) -> int:
        if isinstance(node, BPMN.StartEvent):
            return 0
        if isinstance(node, BPMN.EndEvent):
            return 3
        return 1 if isinstance(node, BPMN.Task) else 2

    nodes = list(model.get_nodes())
    before: dict[BPMN.BPMNNode, list[BPMN.BPMNNode]] = {node: [] for node in nodes}
    after: dict[BPMN.BPMNNode, list[BPMN.BPMNNode]] = {node: [] for node in nodes}
    for flow in model.get_flows():
        before[flow.get_target()].append(flow.get_source())
        after[flow.get_source()].append(flow.get_target())
    base = {node: (rank(node), node.get_name() or "", type(node).__name__) for node in nodes}
    label = _relabel(base)
    for _ in range(rounds):
        label = _relabel(
            {
                node: (
                    base[node],
                    tuple(sorted(label[n] for n in before[node])),
                    tuple(sorted(label[n] for n in after[node])),
                )
                for node in nodes
            }
        )
    return {node: (*base[node], label[node]) for node in nodes}


def _relabel(keys: dict[_T, tuple[object, ...]]) -> dict[_T, int]:
    """Each key replaced by its rank among the distinct keys: small labels for the next round."""
    ranks = {key: i for i, key in enumerate(sorted(set(keys.values())))}
    return {item: ranks[key] for item, key in keys.items()}


def _size(node: BPMN.BPMNNode) -> tuple[float, float]:
    from pm4py.objects.bpmn.obj import BPMN

    if isinstance(node, BPMN.Event):
        return EVENT_SIZE
    if isinstance(node, BPMN.Gateway):
        return GATEWAY_SIZE
    return TASK_SIZE


def _orthogonal(route: RouteShape) -> list[tuple[float, float]]:
    """The route's polyline with right-angle elbows, following the curve's own directions.

    BPMN tools draw flows as straight segments between waypoints. Each curved segment
    becomes: one corner when it turns from horizontal to vertical (or back); two elbows
    half-way when it runs on in the same direction; two elbows out at the curve's bulge
    when it doubles back (a loop drawn on the side).
    """
    points = [route.polyline[0]]
    for k in range(len(route.polyline) - 1):
        a, b = route.polyline[k], route.polyline[k + 1]
        c1, c2 = route.bezier[3 * k + 1], route.bezier[3 * k + 2]
        leave = (c1[0] - a[0], c1[1] - a[1])
        enter = (b[0] - c2[0], b[1] - c2[1])
        leave_x = abs(leave[0]) >= abs(leave[1])
        enter_x = abs(enter[0]) >= abs(enter[1])
        if leave_x != enter_x:
            points.append((b[0], a[1]) if leave_x else (a[0], b[1]))
        else:
            axis = 0 if leave_x else 1
            if (leave[axis] > 0) == (enter[axis] > 0):
                level = (a[axis] + b[axis]) / 2
            else:
                level = max(c1[axis], c2[axis]) if leave[axis] > 0 else min(c1[axis], c2[axis])
            if axis == 0:
                points += [(level, a[1]), (level, b[1])]
            else:
                points += [(a[0], level), (b[0], level)]
        points.append(b)
    return _without_redundant(points)


def _without_redundant(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and points in the middle of a straight horizontal/vertical run."""
    kept: list[tuple[float, float]] = []
    for point in points:
        if kept and abs(point[0] - kept[-1][0]) < 0.05 and abs(point[1] - kept[-1][1]) < 0.05:
            continue
        if len(kept) >= 2:
            (x0, y0), (x1, y1) = kept[-2], kept[-1]
            if (abs(x0 - x1) < 0.05 and abs(x1 - point[0]) < 0.05) or (
                abs(y0 - y1) < 0.05 and abs(y1 - point[1]) < 0.05
            ):
                kept[-1] = point
                continue
        kept.append(point)
    return kept
