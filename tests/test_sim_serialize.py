"""Model files: exact round trips, readable layout, and bad files reported with their line."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from sim.model import (
    END_OF_CASE,
    HOURS_PER_WEEK,
    START_OF_CASE,
    ActivityModel,
    ArrivalModel,
    CaseAttributeModel,
    ConditionalRule,
    Delay,
    Distribution,
    Execution,
    PriorityRule,
    RatePeriod,
    Resource,
    ResourcePool,
    RoutingModel,
    RoutingRule,
    SimulationModel,
    WeeklyCalendar,
)
from sim.serialize import (
    ModelError,
    ModelFileError,
    model_from_dict,
    model_to_dict,
    read_model,
    write_model,
)
from sim.serialize.checks import check_model


def weekday_hours(first: int, last: int) -> tuple[float, ...]:
    """0/1 slots: Monday to Friday from ``first`` to ``last`` o'clock."""
    return tuple(1.0 if day < 5 and first <= hour < last else 0.0 for day in range(7) for hour in range(24))


def small_model() -> SimulationModel:
    """A four-step purchasing process with a loop, two pools, a case attribute and every field used."""
    office = WeeklyCalendar("office", weekday_hours(8, 17))
    early = WeeklyCalendar("early", weekday_hours(6, 14))
    arrival_weights = tuple(0.5 + (hour % 24) / 10 for hour in range(HOURS_PER_WEEK))
    return SimulationModel(
        arrivals=ArrivalModel(
            interarrival=Distribution("exponential", {"mean": 1800.0}),
            calendar=WeeklyCalendar("arrivals", arrival_weights),
            rate_factor=1.1,
            peaks=(RatePeriod("2025-11-01T00:00:00+00:00", "2025-12-01T00:00:00+00:00", 1.5),),
        ),
        routing=RoutingModel(
            order=1,
            rules=(
                RoutingRule((), {"Create PO": 1.0}),
                RoutingRule(("Create PO",), {"Approve PO": 0.9, END_OF_CASE: 0.1}),
                RoutingRule(("Approve PO",), {"Change Price": 0.3, "Send PO": 0.7}),
                RoutingRule(("Change Price",), {"Approve PO": 1.0}),
                RoutingRule(("Send PO",), {END_OF_CASE: 1.0}),
            ),
            conditional=(ConditionalRule(("Create PO",), "amount", "high", {"Approve PO": 1.0}),),
            concurrent=(("Send PO", "Change Price"),),
            max_activities=50,
        ),
        activities={
            "Create PO": ActivityModel(
                "Create PO",
                (Execution("Buyers", 1.0, Distribution("gamma", {"shape": 2.0, "scale": 300.0})),),
            ),
            "Approve PO": ActivityModel(
                "Approve PO",
                (
                    Execution("Managers", 0.8, Distribution("lognormal", {"mu": 5.0, "sigma": 0.5})),
                    Execution("Buyers", 0.2, Distribution("uniform", {"low": 60.0, "high": 240.0})),
                ),
                delay=Delay(0.25, Distribution("weibull", {"shape": 1.5, "scale": 7200.0})),
            ),
            "Change Price": ActivityModel(
                "Change Price",
                (
                    Execution(
                        "Buyers", 1.0, Distribution("normal", {"mean": 600.0, "std": 120.0}), cost_per_run=2.5
                    ),
                ),
            ),
            "Send PO": ActivityModel(
                "Send PO",
                (Execution(None, 1.0, Distribution("empirical", quantiles=(1.0, 5.0, 30.0, 90.0))),),
                delay_after={"Approve PO": Delay(1.0, Distribution("fixed", {"value": 3600.0}))},
            ),
        },
        pools={
            "Buyers": ResourcePool(
                "Buyers",
                (Resource("ann", "office"), Resource("bob", "office"), Resource("cy", "early")),
                45.0,
            ),
            "Managers": ResourcePool("Managers", (Resource("dora", "office"),), 80.0),
        },
        calendars={"office": office, "early": early},
        case_attributes=(CaseAttributeModel("amount", {"low": 0.7, "high": 0.3}),),
        priority=PriorityRule("amount", ("high", "low")),
        start="2025-01-06T00:00:00+00:00",
        source="test",
        notes=("hand-built for tests",),
    )


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line containing ``needle``."""
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_round_trip_is_exact(tmp_path: Path, suffix: str):
    model = small_model()
    path = write_model(model, tmp_path / f"model{suffix}")
    assert read_model(path) == model
    assert model_from_dict(model_to_dict(model)) == model


def test_round_trip_keeps_awkward_floats_and_names(tmp_path: Path):
    base = small_model()
    odd = 'Prüfen: "Preis" #1'
    activities = {
        **base.activities,
        odd: ActivityModel(odd, (Execution(None, 1.0, Distribution("fixed", {"value": 0.1 + 0.2})),)),
    }
    rules = (
        *base.routing.rules[:-1],
        RoutingRule(("Send PO",), {odd: 1 / 3, END_OF_CASE: 2 / 3}),
        RoutingRule((odd,), {END_OF_CASE: 1.0}),
    )
    model = replace(base, activities=activities, routing=replace(base.routing, rules=rules))
    for suffix in (".yaml", ".json"):
        assert read_model(write_model(model, tmp_path / f"m{suffix}")) == model


def test_yaml_is_laid_out_for_people(tmp_path: Path):
    text = write_model(small_model(), tmp_path / "m.yaml").read_text()
    assert text.startswith("#")
    office_row = "    mon: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]"
    assert office_row in text.splitlines()
    assert "{family: lognormal, mu: 5.0, sigma: 0.5}" in text
    assert "cost_per_run" in text and text.count("cost_per_run") == 1  # defaults are left out


def test_json_output_is_plain_json(tmp_path: Path):
    data = json.loads(write_model(small_model(), tmp_path / "m.json").read_text())
    assert data["schema_version"] == 1
    assert len(data["calendars"]["office"]["fri"]) == 24
    assert data["activities"]["Send PO"]["executions"][0]["pool"] is None


def test_write_is_atomic_and_refuses_invalid_models(tmp_path: Path):
    path = write_model(small_model(), tmp_path / "m.yaml")
    before = path.read_text()
    broken = replace(small_model(), pools={})
    with pytest.raises(ModelError, match="unknown pool 'Buyers'"):
        write_model(broken, path)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.yaml"]


YAML_BREAKAGES = [
    # (text to replace, replacement, line holding it, expected message part)
    ("family: lognormal", "family: lognormel", "family: lognormel", "did you mean 'lognormal'"),
    ("sigma: 0.5", "sgima: 0.5", "sgima: 0.5", "unknown field 'sgima' (did you mean 'sigma'?)"),
    (
        "pool: Managers",
        "pool: Manager",
        "- pool: Manager",
        "unknown pool 'Manager' (did you mean 'Managers'?)",
    ),
    (
        "{Change Price: 0.3, Send PO: 0.7}",
        "{Change Price: 0.4, Send PO: 0.7}",
        "Change Price: 0.4",
        "sum to 1.1",
    ),
    (
        "{Change Price: 0.3, Send PO: 0.7}",
        "{Change Price: 0.3, Send P0: 0.7}",
        "Send P0",
        "unknown activity 'Send P0'",
    ),
    (
        "calendar: early",
        "calendar: erly",
        "calendar: erly",
        "unknown calendar 'erly' (did you mean 'early'?)",
    ),
    ("mu: 5.0", "mu: .nan", "mu: .nan", "finite number"),
    ("scale: 300.0", "scale: -300.0", "scale: -300.0", "must not be negative"),
    ("probability: 0.25", "probability: 1.25", "probability: 1.25", "between 0 and 1"),
    (
        "order: [high, low]",
        "order: [high, medium]",
        "order: [high, medium]",
        "never takes the value 'medium'",
    ),
]


@pytest.mark.parametrize("old, new, needle, message", YAML_BREAKAGES, ids=[b[1] for b in YAML_BREAKAGES])
def test_bad_yaml_names_the_line_and_field(tmp_path: Path, old: str, new: str, needle: str, message: str):
    text = write_model(small_model(), tmp_path / "good.yaml").read_text()
    assert text.count(old) == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(old, new))
    with pytest.raises(ModelFileError) as caught:
        read_model(bad)
    error = caught.value
    assert error.line == line_of(bad.read_text(), needle)
    assert message in error.message
    assert str(error).startswith(f"bad.yaml line {error.line}: ")


def test_calendar_rows_need_24_values(tmp_path: Path):
    text = write_model(small_model(), tmp_path / "good.yaml").read_text()
    row = "    tue: [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(row, row.replace("[0, ", "[")))
    with pytest.raises(ModelFileError, match="needs 24 hourly values, got 23") as caught:
        read_model(bad)
    assert caught.value.line == line_of(bad.read_text(), "tue: [0, 0, 0, 0, 0, 1,")


def test_flat_168_calendars_are_read_and_checked():
    data = model_to_dict(small_model())
    data["calendars"]["office"] = list(weekday_hours(8, 17))
    assert model_from_dict(data).calendars["office"].hours == weekday_hours(8, 17)
    data["calendars"]["office"] = [1] * 167
    with pytest.raises(ModelError, match="needs 168 hourly values"):
        model_from_dict(data)
    data["calendars"]["office"] = [0.5] * 168
    with pytest.raises(ModelError, match="1 \\(works\\) or 0 \\(off\\)"):
        model_from_dict(data)


def test_structural_problems_name_the_field():
    data = model_to_dict(small_model())
    del data["routing"]["rules"][0]
    with pytest.raises(ModelError, match="empty context"):
        model_from_dict(data)
    data = model_to_dict(small_model())
    data["activities"]["Approve PO"]["executions"][1]["probability"] = 0.1
    with pytest.raises(ModelError) as caught:
        model_from_dict(data)
    assert caught.value.field == ("activities", "Approve PO", "executions")
    assert 'activities["Approve PO"].executions' in str(caught.value)
    data = model_to_dict(small_model())
    data["routing"]["rules"][2]["context"] = ["Create PO", "Approve PO"]
    with pytest.raises(ModelError, match="more than the routing order 1"):
        model_from_dict(data)
    data = model_to_dict(small_model())
    data["pools"]["Managers"]["resources"] = []
    with pytest.raises(ModelError, match="no resources but activities need it"):
        model_from_dict(data)
    data = model_to_dict(small_model())
    data["schema_version"] = 2
    with pytest.raises(ModelError, match="schema version 2"):
        model_from_dict(data)


def test_yaml_syntax_errors_and_duplicates_give_lines(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("arrivals:\n  interarrival: {family: fixed, value: 1\nrouting: {}\n")
    with pytest.raises(ModelFileError, match="not valid YAML") as caught:
        read_model(bad)
    assert caught.value.line in (2, 3)
    bad.write_text("pools: {}\ncalendars: {}\npools: {}\n")
    with pytest.raises(ModelFileError, match="'pools' appears twice") as caught:
        read_model(bad)
    assert caught.value.line == 3


def test_yaml_is_read_safely(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("arrivals: !!python/object/apply:os.system ['echo owned']\n")
    with pytest.raises(ModelFileError, match="not valid YAML") as caught:
        read_model(bad)
    assert caught.value.line == 1


def test_json_errors_give_lines(tmp_path: Path):
    good = write_model(small_model(), tmp_path / "good.json").read_text()
    bad = tmp_path / "bad.json"
    bad.write_text(good.replace('"calendar": "early"', '"calendar": "erly"'))
    with pytest.raises(ModelFileError, match="unknown calendar 'erly'") as caught:
        read_model(bad)
    assert caught.value.line == line_of(bad.read_text(), '"calendar": "erly"')
    bad.write_text(good.replace('"order": 1,', '"order": 1,,'))
    with pytest.raises(ModelFileError, match="not valid JSON") as caught:
        read_model(bad)
    assert caught.value.line == line_of(bad.read_text(), '"order": 1,,')


def test_unknown_suffix_and_empty_file(tmp_path: Path):
    with pytest.raises(ModelFileError, match="unknown file type '.txt'"):
        write_model(small_model(), tmp_path / "m.txt")
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n")
    with pytest.raises(ModelFileError, match="empty"):
        read_model(empty)


def test_check_model_accepts_the_small_model():
    check_model(small_model())


def model_with_delay_calendar_and_start_context() -> SimulationModel:
    base = small_model()
    send = base.activities["Send PO"]
    send = replace(
        send, delay_after={"Approve PO": Delay(1.0, Distribution("fixed", {"value": 3600.0}), "office")}
    )
    rules = (*base.routing.rules, RoutingRule((START_OF_CASE, "Create PO"), {"Approve PO": 1.0}))
    return replace(
        base,
        activities={**base.activities, "Send PO": send},
        routing=replace(base.routing, order=2, rules=rules),
    )


def test_delay_calendar_and_start_context_round_trip(tmp_path: Path):
    model = model_with_delay_calendar_and_start_context()
    path = write_model(model, tmp_path / "model.yaml")
    assert read_model(path) == model
    data = model_to_dict(model)
    assert data["activities"]["Send PO"]["delay_after"]["Approve PO"]["calendar"] == "office"
    assert "calendar" not in data["activities"]["Approve PO"]["delay"]  # wall clock: left out
    assert [START_OF_CASE, "Create PO"] in [rule["context"] for rule in data["routing"]["rules"]]


def test_unknown_delay_calendar_names_the_field():
    data = model_to_dict(model_with_delay_calendar_and_start_context())
    data["activities"]["Send PO"]["delay_after"]["Approve PO"]["calendar"] = "ofice"
    with pytest.raises(ModelError, match="unknown calendar 'ofice' \\(did you mean 'office'\\?\\)") as caught:
        model_from_dict(data)
    assert caught.value.field == ("activities", "Send PO", "delay_after", "Approve PO", "calendar")


def test_start_marker_only_leads_a_context():
    data = model_to_dict(model_with_delay_calendar_and_start_context())
    data["routing"]["rules"][-1]["context"] = ["Create PO", START_OF_CASE]
    with pytest.raises(ModelError, match="only be the first element") as caught:
        model_from_dict(data)
    assert caught.value.field == ("routing", "rules", len(data["routing"]["rules"]) - 1, "context", 1)
    data["routing"]["rules"][-1]["context"] = [START_OF_CASE]
    with pytest.raises(ModelError, match="alone is the empty context"):
        model_from_dict(data)


def test_file_errors_are_model_errors_with_a_place(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        write_model(small_model(), tmp_path / "good.yaml").read_text().replace("order: 1", "order: x")
    )
    with pytest.raises(ModelError) as caught:  # one type to catch, whoever found the problem
        read_model(bad)
    assert isinstance(caught.value, ModelFileError)
    assert caught.value.line == line_of(bad.read_text(), "order: x")
