"""``sc-improve simulate`` and ``validate``: plugin registration, outputs, and bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sc_improve.cli import main
from sim.cli import parse_duration
from sim.serialize import write_model
from tests.test_sim_compare import mm1

ROOT = Path(__file__).resolve().parent.parent
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    return write_model(mm1(0.5, 1.0), tmp_path / "mm1.yaml")


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "what_if.yaml"
    path.write_text("name: second server\nchanges:\n  - staff: servers\n    add: 1\n")
    return path


def test_the_core_cli_finds_the_commands_through_the_entry_point():
    completed = subprocess.run(
        [sys.executable, "-m", "sc_improve.cli", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert "simulate" in completed.stdout and "validate" in completed.stdout
    assert completed.stderr == ""


def test_simulate_a_model_file_with_a_scenario(tmp_path: Path, model_file: Path, scenario_file: Path, capsys):
    out, logs = tmp_path / "result.json", tmp_path / "logs"
    code = main(
        [
            "simulate",
            "--model",
            str(model_file),
            "--scenario",
            str(scenario_file),
            "--cases",
            "300",
            "--replications",
            "3",
            "--seed",
            "5",
            "--processes",
            "1",
            "--target-lead-time",
            "2h",
            "--json",
            str(out),
            "--export-log",
            str(logs),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Scenario 'second server'" in printed and "waiting before serve" in printed
    data = json.loads(out.read_text())
    assert data["replications"] == 3 and data["seed"] == 5 and data["target_lead_time_s"] == 7200
    assert data["horizon"]["cases"] == 300
    assert [s["name"] for s in data["scenarios"]] == ["second server"]
    completed = next(k for k in data["baseline"]["kpis"] if k["kpi"] == "cases_completed")
    assert completed["mean"] == 300  # --cases runs until every case is done
    wait = next(d for d in data["scenarios"][0]["differences"] if d["kpi"] == "waiting_mean_s")
    assert wait["mean"] < 0
    assert sorted(p.name for p in logs.iterdir()) == [
        *(f"baseline_rep{r}.csv" for r in range(3)),
        *(f"second_server_rep{r}.csv" for r in range(3)),
    ]
    exported = pd.read_csv(logs / "baseline_rep1.csv", dtype=str)
    assert list(exported.columns) == ["case_id", "activity", "start_time", "end_time", "resource"]
    assert len(exported) == 300 and exported["case_id"].str.startswith("1-").all()
    assert exported["start_time"].str.match(ISO_WITH_OFFSET).all()
    assert exported["end_time"].str.match(ISO_WITH_OFFSET).all()
    assert (exported["end_time"] >= exported["start_time"]).all()
    assert set(exported["resource"]) == {"s1"}
    assert set(pd.read_csv(logs / "second_server_rep1.csv")["resource"]) == {"s1", "servers new 1"}


def test_simulate_discovers_from_a_log_and_exports_the_model(tmp_path: Path, capsys):
    from sc_improve.generate import generate_log

    log_path = tmp_path / "p2p.csv"
    generate_log("p2p", events=1500, seed=2).to_csv(log_path, index=False)
    model_out, result = tmp_path / "model.json", tmp_path / "result.json"
    code = main(
        ["simulate", str(log_path), "--days", "20", "--replications", "2", "--processes", "1"]
        + ["--export-model", str(model_out), "--automate-top", "1", "--json", str(result), "-q"]
    )
    assert code == 0
    (scenario,) = json.loads(result.read_text())["scenarios"]
    assert scenario["name"].startswith(("automate ", "eliminate ")) and scenario["description"]
    from sim.serialize import read_model

    model = read_model(model_out)
    assert "Create Purchase Requisition" in model.activities
    assert capsys.readouterr().out == ""  # --quiet


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["simulate", "--cases", "5"], "give an event log to discover the model from, or a model file"),
        (["simulate", "--model", "MODEL", "--replications", "0"], "--replications must be at least 1"),
        (["simulate", "--model", "MODEL", "--days", "-1"], "--days must be above 0"),
        (["simulate", "--model", "MODEL", "--from", "someday"], "--from: 'someday' is not a timestamp"),
        (
            ["simulate", "--model", "MODEL", "--automate-top", "2"],
            "--automate-top scores the activities of LOG",
        ),
        (["simulate", "--model", "missing.yaml"], "missing.yaml: no such file"),
    ],
)
def test_bad_arguments_end_with_one_line_and_exit_2(arguments, message, model_file: Path, capsys):
    arguments = [str(model_file) if a == "MODEL" else a for a in arguments]
    assert main(arguments) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("sc-improve: error: ") and message in error
    assert "\n" not in error


def test_a_bad_scenario_file_names_its_line(tmp_path: Path, model_file: Path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("changes:\n  - staff: servers\n    add: 1\n  - automate: serv\n    duration_factor: 0.5\n")
    assert main(["simulate", "--model", str(model_file), "--scenario", str(bad), "--cases", "5"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == "sc-improve: error: bad.yaml line 4: unknown activity 'serv' (did you mean 'serve'?)"


def test_a_bad_model_file_names_its_line(tmp_path: Path, model_file: Path, capsys):
    text = model_file.read_text()
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("family: exponential", "family: expo", 1))
    line = next(i + 1 for i, row in enumerate(broken.read_text().splitlines()) if "family: expo," in row)
    assert main(["simulate", "--model", str(broken), "--cases", "5"]) == 2
    error = capsys.readouterr().err
    assert f"broken.yaml line {line}: " in error and "unknown family 'expo'" in error


def test_durations_need_a_unit():
    assert parse_duration("30d") == 30 * 86400
    assert parse_duration("36h") == 36 * 3600
    assert parse_duration("90 min") == 5400
    assert parse_duration("2w") == 14 * 86400
    assert parse_duration("1.5d") == 1.5 * 86400
    for text in ("30", "soon", "0h"):
        with pytest.raises(Exception, match="duration|above 0"):
            parse_duration(text)


def test_validate_prints_the_verdict_and_writes_json(tmp_path: Path, capsys):
    from sc_improve.generate import generate_log

    log_path = tmp_path / "p2p.csv"
    generate_log("p2p", events=3000, seed=4).to_csv(log_path, index=False)
    out = tmp_path / "fidelity.json"
    code = main(["validate", str(log_path), "--replications", "2", "--processes", "1", "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Verdict:" in printed and "n_gram_distance" in printed
    data = json.loads(out.read_text())
    assert data["replications"] == 2
    assert 0 <= data["measures"]["n_gram_distance"]["mean"] <= 1
    assert data["verdict"] in printed
