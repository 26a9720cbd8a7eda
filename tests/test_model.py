"""BPMN and Petri-net discovery, model files, and replay fitness on small hand-built logs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import build_log
from lxml import etree

from sc_improve.discovery.fitness import fitness
from sc_improve.discovery.model import discover_bpmn, discover_petri_net, write_bpmn, write_pnml
from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import EventLog, make_event_log

BPMN_NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "omgdc": "http://www.omg.org/spec/DD/20100524/DC",
    "omgdi": "http://www.omg.org/spec/DD/20100524/DI",
}


def log_of(variants: list[tuple[tuple[str, ...], int]]) -> EventLog:
    """One case per repetition of each variant, events an hour apart."""
    rows = []
    case = 0
    for trace, count in variants:
        for _ in range(count):
            rows += [(f"c{case}", activity, f"2024-01-01 {8 + i:02d}:00") for i, activity in enumerate(trace)]
            case += 1
    return build_log(rows)


MAIN_AND_RARE_SKIP = [(("a", "b", "c", "d"), 20), (("a", "b", "d"), 1)]
"""c is skipped in one case of 21: a rare path that noise filtering should drop."""


@pytest.fixture
def choice_log() -> EventLog:
    """a, then b and c in either order or e alone, then d; one case loops back to redo b."""
    return log_of(
        [
            (("a", "b", "c", "d"), 6),
            (("a", "c", "b", "d"), 4),
            (("a", "e", "d"), 3),
            (("a", "b", "c", "b", "c", "d"), 2),
        ]
    )


@pytest.mark.parametrize("method", ["token_replay", "alignments"])
def test_model_without_noise_filtering_fits_its_own_log(choice_log, method):
    result = fitness(choice_log, *discover_petri_net(choice_log, noise_threshold=0.0), method=method)
    assert result.method == method
    assert result.log_fitness == pytest.approx(1.0)
    assert result.percentage_of_fitting_traces == pytest.approx(100.0)
    assert result.cases_evaluated == 15 and not result.sampled


def test_noise_filtering_drops_a_rare_path():
    log = log_of(MAIN_AND_RARE_SKIP)
    exact = fitness(log, *discover_petri_net(log, noise_threshold=0.0), method="alignments")
    filtered = fitness(log, *discover_petri_net(log, noise_threshold=0.2), method="alignments")
    assert exact.percentage_of_fitting_traces == pytest.approx(100.0)
    assert filtered.percentage_of_fitting_traces == pytest.approx(100.0 * 20 / 21)
    # The one deviation (c missing) against the worst case: 20 traces * (4 + 4) + (3 + 4).
    assert filtered.log_fitness == pytest.approx(1 - 1 / 167)


def test_bpmn_keeps_the_rare_choice_only_without_noise_filtering():
    log = log_of(MAIN_AND_RARE_SKIP)
    gateways = [
        sum(
            1
            for node in discover_bpmn(log, noise_threshold=noise).get_nodes()
            if "Gateway" in type(node).__name__
        )
        for noise in (0.0, 0.2)
    ]
    assert gateways[0] > gateways[1]


def test_auto_aligns_small_logs_and_replays_tokens_on_large_ones(choice_log):
    model = discover_petri_net(choice_log, noise_threshold=0.0)
    assert fitness(choice_log, *model).method == "alignments"
    large = fitness(choice_log, *model, max_cases_for_alignments=5)
    assert large.method == "token_replay" and large.cases_evaluated == 15 and not large.sampled


def test_alignments_on_a_large_log_use_a_seeded_sample():
    log = log_of([(("a", "b", "c", "d"), 180), (("a", "b", "d"), 20)])
    model = discover_petri_net(log, noise_threshold=0.2)
    first = fitness(log, *model, method="alignments", max_cases_for_alignments=100, seed=3)
    again = fitness(log, *model, method="alignments", max_cases_for_alignments=100, seed=3)
    assert first.sampled and first.cases_evaluated == 100
    assert first == again
    assert 0 < first.percentage_of_fitting_traces < 100


def test_fitness_reports_progress_from_start_to_finish(choice_log):
    seen: list[float] = []
    fitness(choice_log, *discover_petri_net(choice_log, 0.0), progress=lambda f, m="": seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_bpmn_file_has_tasks_and_a_laid_out_diagram_without_graphviz(choice_log, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere: the layout must not need it
    path = write_bpmn(discover_bpmn(choice_log, noise_threshold=0.0), tmp_path / "model.bpmn")
    root = etree.parse(str(path)).getroot()
    tasks = {task.get("name") for task in root.iterfind(".//bpmn:task", BPMN_NS)}
    assert tasks == {"a", "b", "c", "d", "e"}
    bounds = [
        tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
        for b in root.iterfind(".//bpmndi:BPMNShape/omgdc:Bounds", BPMN_NS)
    ]
    flows = root.findall(".//bpmn:sequenceFlow", BPMN_NS)
    assert len(bounds) == len(root.findall(".//bpmn:process/*[@id]", BPMN_NS)) - len(flows)
    for i, (x, y, w, h) in enumerate(bounds):
        for x2, y2, w2, h2 in bounds[i + 1 :]:
            assert not (x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h), "shapes overlap"
    edges = root.findall(".//bpmndi:BPMNEdge", BPMN_NS)
    assert len(edges) == len(flows)
    for edge in edges:
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.iterfind("omgdi:waypoint", BPMN_NS)]
        assert len(points) >= 2
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:], strict=False)), (
            "orthogonal"
        )


def test_pnml_file_has_the_activities_as_transitions(choice_log, tmp_path):
    net, initial, final = discover_petri_net(choice_log, noise_threshold=0.0)
    path = write_pnml(net, initial, final, tmp_path / "model.pnml")
    root = etree.parse(str(path)).getroot()
    labels = {text.text for text in root.iterfind(".//transition/name/text")}
    assert {"a", "b", "c", "d", "e"} <= labels
    assert root.find(".//finalmarkings") is not None


def test_bad_inputs_are_refused(choice_log):
    with pytest.raises(ValueError, match="noise"):
        discover_bpmn(choice_log, noise_threshold=1.5)
    empty = make_event_log(
        pd.DataFrame(
            {
                "case:concept:name": pd.Series([], dtype=str),
                "concept:name": pd.Series([], dtype=str),
                "time:timestamp": pd.Series([], dtype="datetime64[ns]"),
            }
        )
    )
    with pytest.raises(AnalysisError):
        discover_petri_net(empty)
    with pytest.raises(ValueError, match="method"):
        fitness(choice_log, *discover_petri_net(choice_log), method="guess")  # type: ignore[arg-type]


EXPORT_SCRIPT = """
import sys
import pandas as pd
from sc_improve.discovery.model import discover_bpmn, discover_petri_net, write_bpmn, write_pnml
from sc_improve.log.event_log import make_event_log
rows = [("c%d" % c, a, "2024-01-01 %02d:00" % (8 + i))
        for c, trace in enumerate(["abcd", "acbd", "aed", "abcbcd", "abd", "aecd"] * 3)
        for i, a in enumerate(trace)]
frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
log = make_event_log(frame.assign(**{"time:timestamp": pd.to_datetime(frame["time:timestamp"])}))
write_bpmn(discover_bpmn(log, noise_threshold=0.0), sys.argv[1] + ".bpmn")
write_pnml(*discover_petri_net(log, noise_threshold=0.0), sys.argv[1] + ".pnml")
"""


def test_the_same_model_is_written_byte_for_byte_the_same(tmp_path):
    """pm4py names elements with random UUIDs and writes them in set order; ours must not vary,
    not even with Python's string hash seed."""
    files = []
    for seed in ("1", "2"):
        stem = tmp_path / f"model_{seed}"
        subprocess.run(
            [sys.executable, "-c", EXPORT_SCRIPT, str(stem)],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        files.append((Path(f"{stem}.bpmn").read_bytes(), Path(f"{stem}.pnml").read_bytes()))
    assert files[0] == files[1]
    bpmn, pnml = files[0]
    assert not re.search(rb"[0-9a-f]{8}-[0-9a-f]{4}-", bpmn + pnml), "pm4py's random ids are gone"


def _ids_and_references(root: etree._Element, references: tuple[str, ...], texts: tuple[str, ...]):
    ids = [element.get("id") for element in root.iter(etree.Element) if element.get("id") is not None]
    used = [
        element.get(name) for element in root.iter(etree.Element) for name in references if element.get(name)
    ]
    used += [element.text for element in root.iter(etree.Element) if etree.QName(element).localname in texts]
    return ids, used


def test_exported_models_read_back_into_pm4py_and_replay_the_log_as_before(choice_log, tmp_path):
    import pm4py

    net, initial, final = discover_petri_net(choice_log, noise_threshold=0.0)
    frame = choice_log.frame
    before = pm4py.fitness_token_based_replay(frame, net, initial, final)["log_fitness"]
    pnml = write_pnml(net, initial, final, tmp_path / "model.pnml")
    ids, used = _ids_and_references(etree.parse(str(pnml)).getroot(), ("source", "target", "idref"), ())
    assert len(ids) == len(set(ids)) and set(used) <= set(ids)
    read_net, read_initial, read_final = pm4py.read_pnml(str(pnml))
    assert (
        pm4py.fitness_token_based_replay(frame, read_net, read_initial, read_final)["log_fitness"] == before
    )
    assert sorted(t.label for t in read_net.transitions if t.label) == sorted(
        t.label for t in net.transitions if t.label
    )

    bpmn_path = write_bpmn(discover_bpmn(choice_log, noise_threshold=0.0), tmp_path / "model.bpmn")
    root = etree.parse(str(bpmn_path)).getroot()
    ids, used = _ids_and_references(root, ("sourceRef", "targetRef", "bpmnElement"), ("incoming", "outgoing"))
    assert len(ids) == len(set(ids)) and set(used) <= set(ids)
    read_bpmn = pm4py.read_bpmn(str(bpmn_path))
    bpmn_net = pm4py.convert_to_petri_net(read_bpmn)
    assert pm4py.fitness_token_based_replay(frame, *bpmn_net)["log_fitness"] == pytest.approx(1.0)
