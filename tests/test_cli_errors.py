"""Exit codes: bad input (an InputError) is exit 2 and one line; a plain ValueError is a bug (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sc_improve.cli import EXIT_BAD_INPUT, EXIT_INTERNAL, main
from sc_improve.errors import AnalysisError, InputError, LogImportError, OptionError, UsageError
from sim.errors import ModelError, ModelFileError
from sim.scenarios.changes import ChangeError
from sim.scenarios.hours import HoursError
from sim.scenarios.routing_edit import RoutingEditError
from sim.serialize import write_model
from tests.test_sim_compare import mm1

PREFIX = "sc-improve: error: "


@pytest.fixture
def small_log(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text(
        "case_id,activity,timestamp\n"
        "1,Create PO,2024-01-01 08:00\n1,Approve PO,2024-01-01 09:00\n"
        "2,Create PO,2024-01-02 08:00\n2,Approve PO,2024-01-02 11:00\n"
    )
    return path


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(PREFIX)
    return err.removeprefix(PREFIX).strip()


@pytest.mark.parametrize(
    "error_class",
    [
        LogImportError,
        AnalysisError,
        UsageError,
        OptionError,
        ModelError,
        ModelFileError,
        ChangeError,
        HoursError,
        RoutingEditError,
    ],
)
def test_every_bad_input_error_is_an_input_error_and_still_a_value_error(error_class: type):
    assert issubclass(error_class, InputError)
    assert issubclass(error_class, ValueError)


def test_a_value_error_inside_an_analysis_is_an_internal_error(small_log: Path, monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr("sc_improve.analysis.analyze_log", boom)
    assert main(["analyze", str(small_log), "-q"]) == EXIT_INTERNAL
    assert one_error_line(capsys) == "internal error: ValueError: boom (run with --debug)"


def test_debug_shows_the_internal_error_itself(small_log: Path, monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr("sc_improve.analysis.analyze_log", boom)
    with pytest.raises(ValueError, match="boom"):
        main(["analyze", str(small_log), "-q", "--debug"])


def test_a_value_error_inside_a_simulation_is_an_internal_error(tmp_path: Path, monkeypatch, capsys):
    model = write_model(mm1(0.5, 1.0), tmp_path / "mm1.yaml")

    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr("sim.compare.compare_scenarios", boom)
    assert main(["simulate", "--model", str(model), "--cases", "5", "-q"]) == EXIT_INTERNAL
    assert one_error_line(capsys) == "internal error: ValueError: boom (run with --debug)"


def write_filters(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "filters.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


@pytest.mark.parametrize(
    "content, expected",
    [
        ("[{", "filters.json: is not valid JSON"),
        ({"kind": "variant"}, "filters.json: expected a JSON list of filters"),
        (["variant"], "filters.json: filter 1 must be a JSON object"),
        ([{"kind": "variant", "top_k": 1}, {"kind": "nope"}], "filters.json: filter 2: unknown filter kind"),
        ([{"kind": "variant", "top_k": 0}], "filters.json: filter 1: top_k must be at least 1"),
        ([{"kind": "variant", "top_k": "x"}], "filters.json: filter 1: "),
        ([{"kind": "timeframe", "start": "someday"}], "filters.json: filter 1: "),
        ([{"kind": "timeframe", "end": "2000-01-01", "mode": "contained"}], "removed every event"),
    ],
)
def test_a_bad_filter_file_is_bad_input(small_log: Path, tmp_path: Path, content, expected: str, capsys):
    filters = write_filters(tmp_path, content)
    assert main(["analyze", str(small_log), "--filters", str(filters), "-q"]) == EXIT_BAD_INPUT
    message = one_error_line(capsys)
    assert expected in message
    assert "internal error" not in message


@pytest.mark.parametrize(
    "arguments, expected",
    [
        (["candidates", "LOG", "--hourly-rate", "-5"], "--hourly-rate must not be negative"),
        (["bpmn", "LOG", "-o", "OUT/m.bpmn", "--noise", "3"], "--noise must be between 0 and 1"),
        (["map", "LOG", "-o", "OUT/m.txt"], "cannot write a map as .txt"),
        (["analyze", "LOG", "--case", "no_such_column"], "no_such_column"),
        (["generate", "p2p", "-o", "OUT/g.csv", "--noise", "2"], "noise is a rate between 0 and 1"),
        (["generate", "p2p", "-o", "OUT/g.csv", "--events", "50", "--seed", "-1"], "--seed must not be"),
        (["generate", "p2p", "-o", "OUT/g.csv", "--events", "50", "--start", "1.1.24"], "ISO date"),
    ],
)
def test_bad_arguments_are_bad_input(small_log: Path, tmp_path: Path, arguments, expected: str, capsys):
    arguments = [a.replace("LOG", str(small_log)).replace("OUT", str(tmp_path)) for a in arguments]
    assert main([*arguments, "-q"]) == EXIT_BAD_INPUT
    assert expected in one_error_line(capsys)


def test_an_empty_log_is_bad_input(tmp_path: Path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("case_id,activity,timestamp\n")
    assert main(["analyze", str(empty), "-q"]) == EXIT_BAD_INPUT
    assert one_error_line(capsys).startswith(f"{empty}: ")


def test_a_bad_scenario_line_is_bad_input(tmp_path: Path, capsys):
    model = write_model(mm1(0.5, 1.0), tmp_path / "mm1.yaml")
    scenario = tmp_path / "hours.yaml"
    scenario.write_text("name: late shift\nchanges:\n  - working_hours: servers\n    hours: Mon-Fri 8 to 6\n")
    assert main(["simulate", "--model", str(model), "--scenario", str(scenario), "--cases", "5", "-q"]) == 2
    message = one_error_line(capsys)
    assert message.startswith("hours.yaml line 4: ") and "'8 to 6'" in message


def test_simulation_options_and_logs_out_of_range_are_input_errors():
    """Options a notebook user or the app passes to sim are bad input (exit 2), not bugs."""
    import pandas as pd

    from sc_improve.columns import ACTIVITY, CASE, END
    from sc_improve.errors import InputError
    from sim.discover import DiscoveryOptions
    from sim.fidelity import compare_logs

    with pytest.raises(InputError, match="routing_order"):
        DiscoveryOptions(routing_order=0)
    empty = pd.DataFrame({CASE: [], ACTIVITY: [], END: pd.to_datetime([], utc=True)})
    one = pd.DataFrame({CASE: ["1"], ACTIVITY: ["a"], END: pd.to_datetime(["2024-01-01"], utc=True)})
    with pytest.raises(InputError, match="empty"):
        compare_logs(one, empty)
