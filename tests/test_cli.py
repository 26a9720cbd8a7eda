"""The command line end to end: every bundled log, every subcommand, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sc_improve.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_logs"
LOG_SUFFIXES = (".csv", ".gz", ".xes", ".parquet", ".jsonocel", ".xmlocel", ".sqlite")
SAMPLE_LOGS = sorted(p for p in SAMPLES.iterdir() if p.name.endswith(LOG_SUFFIXES))
P2P = SAMPLES / "p2p_generated.csv"


def run_cli(*args: str) -> tuple[int, str, str]:
    completed = subprocess.run(
        [sys.executable, "-m", "sc_improve.cli", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    return completed.returncode, completed.stdout, completed.stderr


def test_samples_exist():
    assert P2P in SAMPLE_LOGS
    assert len(SAMPLE_LOGS) >= 10


@pytest.mark.parametrize("path", SAMPLE_LOGS, ids=lambda p: p.name)
def test_analyze_every_sample_log(path: Path, tmp_path: Path):
    out = tmp_path / "analysis.json"
    assert main(["analyze", str(path), "--json", str(out), "--quiet"]) == 0
    contract = json.loads(out.read_text())
    log = contract["log"]
    assert log["cases"] > 0
    assert log["events"] >= log["cases"]
    assert log["raw_events"] >= log["events"]
    assert sum(a["events"] for a in log["activities"]) == log["events"]
    # each case contributes (events - 1) directly-follows pairs
    assert sum(edge["frequency"] for edge in contract["dfg"]) == log["events"] - log["cases"]
    assert sum(s["cases"] for s in contract["start_activities"]) == log["cases"]
    assert sum(e["cases"] for e in contract["end_activities"]) == log["cases"]
    assert contract["cycle_time_s"]["median"] >= 0
    assert contract["variants"]["count"] >= 1


def test_analyze_contract_matches_an_independent_count(tmp_path: Path):
    out = tmp_path / "a.json"
    assert main(["analyze", str(P2P), "--json", str(out), "-q"]) == 0
    contract = json.loads(out.read_text())
    raw = pd.read_csv(P2P)
    excluded = contract["log"]["excluded_cases"]
    assert 0 < excluded < 0.05 * raw["case_id"].nunique()  # the sample carries a few 1970/2124 dates
    assert contract["log"]["cases"] == raw["case_id"].nunique() - excluded
    for key in ("log", "variants", "start_activities", "end_activities", "dfg", "quality", "bottlenecks"):
        assert key in contract
    first = contract["bottlenecks"][0]
    assert {"kind", "name", "cases_affected", "excess_time_s", "impact_s", "explanation"} <= set(first)
    assert contract["bottlenecks"] == sorted(contract["bottlenecks"], key=lambda b: -b["impact_s"])


def test_analyze_prints_a_summary(capsys):
    assert main(["analyze", str(P2P)]) == 0
    text = capsys.readouterr().out
    assert "cases" in text and "Top bottlenecks" in text and "Data quality" in text


def test_mapping_overrides_and_saved_mapping(tmp_path: Path):
    csv = tmp_path / "sap.csv"
    csv.write_text(
        "Beleg;Vorgang;Datum;Benutzer\n"
        "4500000001;Bestellung anlegen;01.02.2024 08:00:00;MEIER\n"
        "4500000001;Wareneingang;13.02.2024 09:30:00;LAGER\n"
        "4500000002;Bestellung anlegen;02.02.2024 10:00:00;MEIER\n",
        encoding="utf-8",
    )
    saved = tmp_path / "mapping.json"
    out = tmp_path / "a.json"
    args = ["analyze", str(csv), "--case", "Beleg", "--activity", "Vorgang", "--timestamp", "Datum"]
    assert (
        main([*args, "--resource", "Benutzer", "--save-mapping", str(saved), "--json", str(out), "-q"]) == 0
    )
    assert json.loads(out.read_text())["log"]["cases"] == 2
    again = tmp_path / "b.json"
    assert main(["analyze", str(csv), "--mapping", str(saved), "--json", str(again), "-q"]) == 0
    assert json.loads(again.read_text())["log"] == json.loads(out.read_text())["log"]


def test_filters_file_restricts_the_analysis(tmp_path: Path):
    filters = tmp_path / "filters.json"
    filters.write_text(json.dumps([{"kind": "variant", "top_k": 1}]))
    out = tmp_path / "a.json"
    assert main(["analyze", str(P2P), "--filters", str(filters), "--json", str(out), "-q"]) == 0
    assert json.loads(out.read_text())["variants"]["count"] == 1


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_map_is_written(tmp_path: Path, suffix: str):
    out = tmp_path / f"map{suffix}"
    args = ["map", str(P2P), "-o", str(out), "--metric", "performance", "--activities", "50", "--paths", "20"]
    assert main([*args, "-q"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:500]


def test_bpmn_and_pnml_are_written(tmp_path: Path, capsys):
    bpmn, pnml = tmp_path / "m.bpmn", tmp_path / "m.pnml"
    log = SAMPLES / "running-example.xes"
    assert main(["bpmn", str(log), "-o", str(bpmn), "--pnml", str(pnml), "--fitness"]) == 0
    assert "definitions" in bpmn.read_text()
    assert "<pnml" in pnml.read_text()
    assert "fitness" in capsys.readouterr().out


def test_candidates_list_every_activity_once(tmp_path: Path):
    out = tmp_path / "c.json"
    log = SAMPLES / "o2c_generated.csv"
    assert main(["candidates", str(log), "--json", str(out), "-q"]) == 0
    rows = json.loads(out.read_text())
    names = [row["activity"] for row in rows]
    assert len(names) == len(set(names)) == pd.read_csv(log)["activity"].nunique()
    assert all(0 <= row["score"] <= 100 for row in rows)
    assert all(row["automation_rate"] is None or 0 <= row["automation_rate"] <= 1 for row in rows)
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)


def test_generate_writes_a_readable_log(tmp_path: Path):
    out = tmp_path / "o2c.csv"
    assert main(["generate", "o2c", "--events", "3000", "-o", str(out), "--seed", "3", "-q"]) == 0
    frame = pd.read_csv(out)
    assert 2500 <= len(frame) <= 3500


def test_generate_refuses_an_unknown_format_before_generating(tmp_path: Path, capsys):
    assert main(["generate", "p2p", "--events", "5000000", "-o", str(tmp_path / "log.docx")]) == 2
    assert ".docx" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_missing_file_is_exit_2_with_one_line():
    code, out, err = run_cli("analyze", "does/not/exist.csv")
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "exist.csv" in err and "Traceback" not in err


def test_malformed_csv_names_the_row(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text('case,activity,timestamp\n1,a,2024-01-01 08:00\n2,"b,2024-01-01 09:00\n3,c,2024-01-01\n')
    code, _, err = run_cli("analyze", str(bad))
    assert code == 2
    assert "bad.csv" in err and "Traceback" not in err
    assert "row" in err or "line" in err


def test_unknown_column_override_lists_the_columns(tmp_path: Path):
    code, _, err = run_cli("analyze", str(P2P), "--case", "no_such_column")
    assert code == 2
    assert "no_such_column" in err and "case_id" in err


def test_xml_bomb_is_refused(tmp_path: Path):
    bomb = tmp_path / "bomb.xes"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        '<log><trace><string key="concept:name" value="&b;"/></trace></log>'
    )
    code, _, err = run_cli("analyze", str(bomb))
    assert code == 2
    assert "bomb.xes" in err and "Traceback" not in err


def test_console_script_is_installed():
    script = shutil.which("sc-improve", path=str(Path(sys.executable).parent))
    assert script is not None
    completed = subprocess.run([script, "--help"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0 and "analyze" in completed.stdout
