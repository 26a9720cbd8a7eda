"""``sc-improve simulate`` and ``validate``: plugin registration, outputs, and bad input."""

from __future__ import annotations

import json
import os
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
    assert data["fidelity"] is None and "read from a file" in data["fidelity_skipped"]
    assert data["horizon"]["warmup_days"] == 0 and data["horizon"]["warmup_basis"] == "none"
    assert "Fidelity of the model: not checked (the model was read from a file" in printed
    (serve,) = data["waiting_causes"]
    assert serve["causes"][0]["cause"] == "busy" and serve["causes"][0]["remedy"]["change"] == "staff"
    assert "busy resources: staff: serve" in printed  # the change to try, in scenario-file words
    assert all(k["ci_low"] is None or k["ci_low"] >= 0 for k in data["baseline"]["kpis"])


def test_simulate_discovers_from_a_log_and_exports_the_model(tmp_path: Path, capsys):
    from sc_improve.generate import generate_log

    log_path = tmp_path / "p2p.csv"
    generate_log("p2p", events=1500, seed=2).to_csv(log_path, index=False)
    model_out, result = tmp_path / "model.json", tmp_path / "result.json"
    code = main(
        [
            "simulate",
            str(log_path),
            "--days",
            "20",
            "--replications",
            "2",
            "--processes",
            "1",
            "--no-validate",
        ]
        + ["--export-model", str(model_out), "--automate-top", "1", "--json", str(result), "-q"]
    )
    assert code == 0
    data = json.loads(result.read_text())
    assert data["fidelity"] is None and data["fidelity_skipped"] == "skipped with --no-validate"
    (scenario,) = data["scenarios"]
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
    assert data["verdict"].startswith(f"Overall: {data['grade']} ")


def p90_cycle_days(frame: pd.DataFrame) -> float:
    """The generated log's 90th-percentile cycle time, first start to last end, by pandas."""
    times = frame.assign(
        start=pd.to_datetime(frame["start_time"], utc=True), end=pd.to_datetime(frame["end_time"], utc=True)
    )
    cases = times.groupby("case_id").agg(first=("start", "min"), last=("end", "max"))
    return float(((cases["last"] - cases["first"]).dt.total_seconds() / 86400).quantile(0.9))


def test_simulate_checks_fidelity_and_warms_up_for_the_logs_cycle_time(tmp_path: Path, capsys):
    from sc_improve.generate import generate_log

    frame = generate_log("p2p", events=3000, seed=4)
    log_path = tmp_path / "p2p.csv"
    frame.to_csv(log_path, index=False)
    result = tmp_path / "result.json"
    code = main(
        ["simulate", str(log_path), "--days", "10", "--replications", "2", "--processes", "1"]
        + ["--validation-replications", "1", "--json", str(result)]
    )
    assert code == 0
    captured = capsys.readouterr()
    data = json.loads(result.read_text())
    fidelity = data["fidelity"]
    assert data["fidelity_skipped"] is None and fidelity["replications"] == 1
    assert fidelity["grade"] in ("good", "fair", "poor") and fidelity["verdict"].startswith(
        f"Overall: {fidelity['grade']}"
    )
    printed = captured.out
    assert printed.index("Fidelity of the as-is model") < printed.index("Baseline (")
    assert fidelity["verdict"].splitlines()[0] in printed
    assert ("WARNING: the model reproduces the log poorly" in printed) == (fidelity["grade"] == "poor")
    assert f"[model fidelity: {fidelity['grade']}" not in printed  # no scenario, no scenario header
    assert data["horizon"]["warmup_basis"] == "log p90 cycle time"
    assert data["horizon"]["warmup_days"] == pytest.approx(p90_cycle_days(frame), abs=0.06)
    assert f"warm-up: {data['horizon']['warmup_days']:.1f} days" in captured.err
    totals = [w["total_s"] for w in data["waiting_causes"]]
    assert totals == sorted(totals, reverse=True) and len(totals) > 1


def test_too_few_cases_for_the_fidelity_check_still_simulate(tmp_path: Path, capsys):
    from sc_improve.generate import generate_log

    log_path = tmp_path / "tiny.csv"
    generate_log("p2p", events=120, seed=1).to_csv(log_path, index=False)
    result = tmp_path / "result.json"
    assert (
        main(
            ["simulate", str(log_path), "--cases", "20", "--replications", "1", "--processes", "1"]
            + ["--json", str(result)]
        )
        == 0
    )
    data = json.loads(result.read_text())
    assert data["fidelity"] is None
    assert (
        data["fidelity_skipped"].startswith("not possible on this log: ")
        and "fewer than the 10" in data["fidelity_skipped"]
    )
    printed = capsys.readouterr().out
    assert "Fidelity of the model: not checked (not possible on this log" in printed
    assert "(n=1)" in printed  # one replication: no interval, said so


def test_a_poor_fidelity_warns_above_the_results_and_next_to_every_scenario(tmp_path: Path):
    from sim.compare import compare_scenarios
    from sim.comparison_text import Fidelity, format_comparison
    from sim.scenarios import Scenario, Staff
    from sim.validate import MeasureSummary, ValidationReport

    model = mm1(0.5, 1.0)
    comparison = compare_scenarios(
        model,
        [Scenario("second server", (Staff("servers", change=1),))],
        replications=2,
        cases=30,
        processes=1,
    )
    report = ValidationReport(
        source="log.csv",
        split_at="2025-01-01T00:00:00+00:00",
        train_cases=70,
        test_cases=30,
        dropped_cases=0,
        replications=3,
        seed=0,
        measures={"n_gram_distance": MeasureSummary(0.6, 0.0, 0.6, 0.6)},
        runs=[],
        verdict="Overall: poor (the weakest aspect decides)\nControl flow: poor (3-gram distance 0.600)",
        grade="poor",
        seconds={},
    )
    text = format_comparison(comparison, model, Fidelity(report, None))
    warning = text.index("WARNING: the model reproduces the log poorly")
    assert text.index("Control flow: poor") < warning < text.index("Baseline (")
    assert "Scenario 'second server' [model fidelity: poor, read as direction only]" in text
    fair = ValidationReport(**{**report.__dict__, "grade": "fair"})
    assert "WARNING" not in format_comparison(comparison, model, Fidelity(fair, None))


def test_long_pool_names_are_cut_in_the_tables():
    from dataclasses import replace

    from sim.compare import compare_scenarios
    from sim.comparison_text import LABEL_WIDTH, format_comparison
    from sim.model import ActivityModel, Execution, ResourcePool

    long_name = "role: Approve Purchase Requisition / APPROVE PURCHASE REQUISITION / approve"
    model = mm1(0.5, 1.0)
    serve = model.activities["serve"]
    model = replace(
        model,
        pools={long_name: ResourcePool(long_name, model.pools["servers"].resources)},
        activities={
            "serve": ActivityModel("serve", (Execution(long_name, 1.0, serve.executions[0].duration),))
        },
    )
    text = format_comparison(compare_scenarios(model, [], replications=2, cases=20, processes=1), model)
    row = next(line for line in text.splitlines() if line.startswith("utilisation of"))
    assert long_name not in text and long_name[: LABEL_WIDTH - 1] in row and "…" in row


def test_scenarios_with_one_name_in_two_files_are_bad_input(tmp_path: Path, model_file: Path, capsys):
    for file in ("a.yaml", "b.yaml"):
        (tmp_path / file).write_text("name: more staff\nchanges:\n  - staff: servers\n    add: 1\n")
    arguments = ["--scenario", str(tmp_path / "a.yaml"), "--scenario", str(tmp_path / "b.yaml")]
    assert main(["simulate", "--model", str(model_file), *arguments, "--cases", "5", "-q"]) == 2
    error = capsys.readouterr().err
    assert error == (
        "sc-improve: error: two scenarios are named 'more staff' (a.yaml and b.yaml): "
        "give them different names\n"
    )


def test_simulation_results_do_not_depend_on_the_string_hash_seed(tmp_path: Path):
    """Python salts string hashes per process: any set of names iterated while summing shows up
    in the last digits of the KPIs. Two processes with different seeds must agree to the bit."""
    log = ROOT / "sample_logs" / "PurchasingExample.csv.gz"
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"kpis_{seed}.json"
        arguments = ["simulate", str(log), "--days", "30", "--replications", "2", "--processes", "1"]
        subprocess.run(
            [sys.executable, "-m", "sc_improve.cli", *arguments, "--no-validate", "--json", str(out), "-q"],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
