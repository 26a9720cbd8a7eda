"""The flat ``sim`` facade: every export resolves, nothing heavy loads on import, and the
notebook flow of its docstring works end to end on a small generated log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sim.__all__)
def test_every_export_resolves(name: str):
    assert getattr(sim, name) is not None
    assert name in dir(sim)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'simulte'"):
        sim.simulte  # noqa: B018


def test_importing_the_facade_loads_neither_simpy_nor_scipy():
    probe = "import sys, sim; print(sorted(m for m in ('simpy', 'scipy', 'pm4py') if m in sys.modules))"
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert completed.stdout.strip() == "[]"


def test_a_notebook_flow_discover_simulate_compare(tmp_path: Path):
    from sc_improve import generate_log, read_log

    path = tmp_path / "p2p.csv"
    generate_log("p2p", events=1500, seed=3).to_csv(path, index=False)
    log = read_log(path)

    model = sim.discover_model(log).model
    assert isinstance(model, sim.SimulationModel)
    assert sim.read_model(sim.write_model(model, tmp_path / "model.yaml")) == model

    run = sim.simulate(model, cases=50, seed=1)
    assert run.cases_arrived == 50
    assert run.log["case:concept:name"].nunique() <= 50 and len(run.log) >= 50

    (busier,) = sim.parse_scenarios("name: busier\nchanges:\n  - demand: 1.5\n")
    assert sim.apply_scenario(model, busier).arrivals.rate_factor == pytest.approx(1.5)
    comparison = sim.compare_scenarios(model, [busier], replications=2, days=60, warmup_days=0, processes=1)
    assert isinstance(comparison, sim.Comparison)
    more = comparison.scenarios[0].difference("throughput_per_week")
    assert more.mean > 0  # half as many cases again arrive, and the process keeps up
    assert comparison.waiting_causes and comparison.to_dict()["scenarios"][0]["name"] == "busier"
