"""The flat facade: every exported name resolves, and importing it stays light."""

import subprocess
import sys
from pathlib import Path

import sc_improve

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


def test_every_exported_name_resolves():
    for name in sc_improve.__all__:
        assert getattr(sc_improve, name) is not None, name


def test_import_does_not_pull_heavy_modules():
    code = "import sys, sc_improve; print('pm4py' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_notebook_workflow(tmp_path):
    log = sc_improve.read_log(SAMPLES / "running-example.xes")
    assert log.n_cases == 6
    process_map = sc_improve.simplify_map(sc_improve.discover_map(log), activities=100, paths=50)
    path = sc_improve.write_map(process_map, tmp_path / "map.svg")
    assert path.read_text().count("<") > 10
    assert sc_improve.find_bottlenecks(log).items
