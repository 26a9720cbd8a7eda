"""Scenario changes on a small model (changed as specified, nothing else) and scenario files."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sc_improve.automation.candidates import Candidate, CandidateReport
from sim.distributions import quantile
from sim.errors import ModelFileError
from sim.model import END_OF_CASE, Distribution
from sim.scenarios import (
    Automate,
    DelayChange,
    Demand,
    Priority,
    RemoveActivity,
    Rework,
    Routing,
    Scenario,
    Staff,
    WorkingHours,
    apply_scenario,
    load_scenarios,
    parse_scenarios,
    scenarios_from_candidates,
)
from sim.scenarios.durations import scale_distribution
from sim.scenarios.hours import HoursError, hours_label, parse_hours
from sim.serialize.checks import check_model
from tests.test_sim_serialize import small_model, weekday_hours

ROOT = Path(__file__).resolve().parent.parent


def rules_of(model) -> dict[tuple[str, ...], dict[str, float]]:
    return {rule.context: rule.next for rule in model.routing.rules}


def assert_probabilities(actual: dict[str, float], expected: dict[str, float]) -> None:
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert actual[key] == pytest.approx(value), key


def apply(model, *changes):
    return apply_scenario(model, Scenario("test", tuple(changes)))


# ---------------------------------------------------------------------------- working hours text


def test_hours_text_becomes_slots():
    assert parse_hours("Mon-Fri 08-17") == weekday_hours(8, 17)
    assert parse_hours("mon-fri 08:00-17:00") == weekday_hours(8, 17)
    split = parse_hours("Mon-Fri 08:00-12:00,13:00-17:00")
    assert sum(split) == 40 and split[12] == 0 and split[13] == 1
    assert parse_hours(["Mon-Fri 08-17", "Sat 09-12"]) == parse_hours("Mon-Fri 08-17; Sat 09-12")
    assert sum(parse_hours("Sat 09-12")) == 3 and parse_hours("Sat 09-12")[5 * 24 + 9] == 1
    assert sum(parse_hours("24/7")) == 168
    overnight = parse_hours("Sun 22-06")  # wraps into Monday morning
    assert overnight[6 * 24 + 22] == overnight[6 * 24 + 23] == overnight[0] == overnight[5] == 1
    assert sum(overnight) == 8
    assert sum(parse_hours("Fri-Mon 10-11")) == 4  # day ranges wrap around the week too


@pytest.mark.parametrize(
    "text, message",
    [
        ("Mon-Fri 08:30-17", "whole hours"),
        ("Mon-Fir 08-17", "unknown day 'fir'"),
        ("Mon-Fri 8 to 5", "cannot read the hours"),
        ("Mon-Fri 08-08", "empty"),
        ("Mon-Fri 08-25", "00 to 24"),
        ("", "empty"),
    ],
)
def test_bad_hours_text_says_why(text: str, message: str):
    with pytest.raises(HoursError, match=message):
        parse_hours(text)


def test_hours_label_reads_back_to_the_same_slots():
    for text in ("Mon-Fri 08-17", "Mon-Fri 08-12,13-17; Sat 09-12", "Tue 00-24; Thu 05-06", "24/7"):
        hours = parse_hours(text)
        assert parse_hours(hours_label(hours)) == hours
    assert hours_label(weekday_hours(8, 17)) == "Mon-Fri 08:00-17:00"


# ---------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    "distribution",
    [
        Distribution("fixed", {"value": 120.0}),
        Distribution("exponential", {"mean": 300.0}),
        Distribution("uniform", {"low": 60.0, "high": 240.0}),
        Distribution("normal", {"mean": 600.0, "std": 400.0}),
        Distribution("lognormal", {"mu": 5.0, "sigma": 0.8}),
        Distribution("gamma", {"shape": 2.0, "scale": 300.0}),
        Distribution("weibull", {"shape": 1.5, "scale": 7200.0}),
        Distribution("empirical", quantiles=(1.0, 5.0, 30.0, 90.0)),
    ],
    ids=lambda d: d.family,
)
def test_scaled_distribution_scales_every_quantile(distribution: Distribution):
    u = np.linspace(0.01, 0.99, 25)
    for factor in (0.1, 2.5):
        scaled = scale_distribution(distribution, factor)
        np.testing.assert_allclose(quantile(scaled, u), factor * quantile(distribution, u), rtol=1e-9)
    assert scale_distribution(distribution, 0.0) == Distribution("fixed", {"value": 0.0})


# ---------------------------------------------------------------------------- each change


def test_automate_moves_work_to_a_bot_pool_and_keeps_exceptions_human():
    base = small_model()
    hours = replace(base.calendars["office"], name="Mon-Fri 06:00-20:00", hours=parse_hours("Mon-Fri 06-20"))
    change = Automate(
        ("Approve PO",), duration_factor=0.1, bots=2, hours=hours, cost_per_run=0.5, exception_rate=0.1
    )
    model = apply(base, change)
    executions = model.activities["Approve PO"].executions
    by_pool = {(e.pool, e.duration.family): e for e in executions}
    assert set(by_pool) == {
        ("Managers", "lognormal"),
        ("Approve PO bot", "lognormal"),
        ("Buyers", "uniform"),
        ("Approve PO bot", "uniform"),
    }
    assert by_pool["Managers", "lognormal"].probability == pytest.approx(0.8 * 0.1)
    assert by_pool["Approve PO bot", "lognormal"].probability == pytest.approx(0.8 * 0.9)
    assert by_pool["Buyers", "uniform"].probability == pytest.approx(0.2 * 0.1)
    assert by_pool["Approve PO bot", "uniform"].duration.params == {"low": 6.0, "high": 24.0}
    assert by_pool["Approve PO bot", "lognormal"].duration.params["mu"] == pytest.approx(5.0 + math.log(0.1))
    assert by_pool["Approve PO bot", "uniform"].cost_per_run == 0.5
    assert (
        replace(by_pool["Managers", "lognormal"], probability=0.8)
        == base.activities["Approve PO"].executions[0]
    )
    bots = model.pools["Approve PO bot"]
    assert [r.name for r in bots.resources] == ["Approve PO bot 1", "Approve PO bot 2"]
    calendar = model.calendars[bots.resources[0].calendar]
    assert sum(calendar.hours) == 5 * 14
    untouched = replace(model, activities=base.activities, pools=base.pools, calendars=base.calendars)
    assert untouched == base
    assert set(model.calendars) == {*base.calendars, bots.resources[0].calendar}


def test_automate_as_a_system_step_needs_no_pool():
    base = small_model()
    model = apply(base, Automate(("Create PO", "Change Price"), duration_factor=0.0, bots=0))
    for name in ("Create PO", "Change Price"):
        (execution,) = model.activities[name].executions
        assert execution.pool is None and execution.duration == Distribution("fixed", {"value": 0.0})
    assert model.pools == base.pools and model.calendars == base.calendars


def test_automate_reuses_an_identical_calendar_and_refuses_a_taken_pool_name():
    base = small_model()
    office = replace(base.calendars["office"], name="office hours")
    model = apply(base, Automate(("Create PO",), duration_factor=0.5, hours=office))
    assert model.calendars == base.calendars
    assert model.pools["Create PO bot"].resources[0].calendar == "office"
    with pytest.raises(ModelFileError, match="a pool named 'Buyers' exists already"):
        apply(base, Automate(("Create PO",), duration_factor=0.5, pool="Buyers"))


def test_staff_adds_people_on_the_most_common_calendar_and_removes_the_last():
    base = small_model()
    model = apply(base, Staff("Buyers", change=2))
    resources = model.pools["Buyers"].resources
    assert resources[:3] == base.pools["Buyers"].resources
    assert [r.calendar for r in resources[3:]] == ["office", "office"]
    assert len({r.name for r in resources}) == 5
    assert replace(model, pools=base.pools) == base
    fewer = apply(base, Staff("Buyers", change=-1))
    assert fewer.pools["Buyers"].resources == base.pools["Buyers"].resources[:2]
    assert apply(base, Staff("Managers", size=3)).pools["Managers"].resources[0].calendar == "office"
    early = apply(base, Staff("Managers", change=1, calendar="early")).pools["Managers"].resources
    assert early[-1].calendar == "early"


def test_staff_cannot_empty_a_pool_still_in_use():
    with pytest.raises(ModelFileError, match="changed model is invalid.*Managers.*no resources"):
        apply(small_model(), Staff("Managers", change=-1))
    with pytest.raises(ModelFileError, match="cannot remove 4"):
        apply(small_model(), Staff("Buyers", change=-4))
    with pytest.raises(
        ModelFileError, match="unknown pool or activity 'Buyer' \\(did you mean 'Buyers'\\?\\)"
    ):
        apply(small_model(), Staff("Buyer", change=1))
    with pytest.raises(ModelFileError, match="'Send PO' needs no resource"):
        apply(small_model(), Staff("Send PO", change=1))


def test_a_pool_can_be_named_by_the_activity_it_does_most():
    base = small_model()
    # Approve PO: Managers 0.8, Buyers 0.2
    assert apply(base, Staff("Approve PO", change=1)) == apply(base, Staff("Managers", change=1))
    hours = parse_hours("Mon-Sat 06-18")
    calendar = replace(base.calendars["office"], name=hours_label(hours), hours=hours)
    by_activity = apply(base, WorkingHours("Create PO", calendar))
    assert by_activity == apply(base, WorkingHours("Buyers", calendar))


def test_working_hours_move_the_whole_pool_to_a_new_calendar():
    base = small_model()
    hours = parse_hours("Mon-Fri 07-19")
    model = apply(
        base, WorkingHours("Buyers", replace(base.calendars["office"], name=hours_label(hours), hours=hours))
    )
    names = {r.calendar for r in model.pools["Buyers"].resources}
    assert len(names) == 1
    assert model.calendars[names.pop()].hours == hours
    assert model.pools["Managers"] == base.pools["Managers"]
    assert replace(model, pools=base.pools, calendars=base.calendars) == base


def test_remove_activity_sends_predecessors_where_it_led():
    base = small_model()
    model = apply(base, RemoveActivity("Approve PO"))
    rules = rules_of(model)
    # Create PO went to Approve PO (0.9), which led to Change Price 0.3 / Send PO 0.7
    assert_probabilities(rules["Create PO",], {"Change Price": 0.27, "Send PO": 0.63, END_OF_CASE: 0.1})
    assert_probabilities(rules["Change Price",], {"Change Price": 0.3, "Send PO": 0.7})
    assert ("Approve PO",) not in rules
    (conditional,) = model.routing.conditional
    assert_probabilities(conditional.next, {"Change Price": 0.3, "Send PO": 0.7})
    assert "Approve PO" not in model.activities
    assert model.activities["Send PO"].delay_after == {}
    assert model.routing.concurrent == base.routing.concurrent
    assert replace(model, routing=base.routing, activities=base.activities) == base
    without_change = apply(base, RemoveActivity("Change Price"))
    assert without_change.routing.concurrent == ()
    assert_probabilities(rules_of(without_change)["Approve PO",], {"Approve PO": 0.3, "Send PO": 0.7})


def test_rework_cuts_only_the_way_back():
    base = small_model()
    model = apply(base, Rework("Change Price", factor=0.5))
    assert_probabilities(rules_of(model)["Approve PO",], {"Change Price": 0.15, "Send PO": 0.85})
    assert replace(model, routing=base.routing) == base
    # going back to Approve PO: only from Change Price (Create PO comes before it, not after)
    back = apply(base, Rework("Approve PO", factor=0.5))
    assert rules_of(back)["Create PO",] == rules_of(base)["Create PO",]
    assert_probabilities(rules_of(back)["Change Price",], {"Approve PO": 0.5, "Send PO": 0.5})
    with pytest.raises(ModelFileError, match="no case ever goes back to 'Create PO'"):
        apply(base, Rework("Create PO", factor=0.5))
    explicit = apply(base, Rework("Approve PO", factor=0.0, sources=("Create PO",)))
    assert_probabilities(rules_of(explicit)["Create PO",], {END_OF_CASE: 1.0})


def test_delay_scales_probability_and_length_of_every_delay_of_the_activity():
    base = small_model()
    model = apply(base, DelayChange("Approve PO", probability_factor=2.0, duration_factor=0.5))
    delay = model.activities["Approve PO"].delay
    assert delay.probability == pytest.approx(0.5)
    assert delay.duration.params == {"shape": 1.5, "scale": 3600.0}
    assert replace(model, activities=base.activities) == base
    capped = apply(base, DelayChange("Approve PO", probability_factor=10.0))
    assert capped.activities["Approve PO"].delay.probability == 1.0
    assert capped.activities["Approve PO"].delay.duration == base.activities["Approve PO"].delay.duration


def test_delay_after_a_predecessor_changes_only_that_delay():
    base = small_model()
    model = apply(base, DelayChange("Send PO", probability=0.3, after=("Approve PO",)))
    send = model.activities["Send PO"]
    assert send.delay is None
    assert send.delay_after["Approve PO"].probability == 0.3
    assert (
        send.delay_after["Approve PO"].duration
        == base.activities["Send PO"].delay_after["Approve PO"].duration
    )
    with pytest.raises(ModelFileError, match="no delay of its own after 'Create PO'"):
        apply(base, DelayChange("Send PO", duration_factor=0.5, after=("Create PO",)))
    with pytest.raises(ModelFileError, match="'Change Price' has no extraneous delay"):
        apply(base, DelayChange("Change Price", duration_factor=0.5))


def test_routing_sets_a_branch_and_renormalises_the_rest():
    base = small_model()
    model = apply(base, Routing(("Approve PO",), "Change Price", 0.1))
    assert_probabilities(rules_of(model)["Approve PO",], {"Change Price": 0.1, "Send PO": 0.9})
    assert replace(model, routing=base.routing) == base
    ends = apply(base, Routing(("Create PO",), END_OF_CASE, 0.3))
    assert_probabilities(rules_of(ends)["Create PO",], {"Approve PO": 0.7, END_OF_CASE: 0.3})
    assert_probabilities(ends.routing.conditional[0].next, {"Approve PO": 0.7, END_OF_CASE: 0.3})
    new_branch = apply(base, Routing(("Change Price",), "Send PO", 0.25))
    assert_probabilities(rules_of(new_branch)["Change Price",], {"Approve PO": 0.75, "Send PO": 0.25})
    with pytest.raises(ModelFileError, match="no other branch"):
        apply(base, Routing(("Change Price",), "Approve PO", 0.5))
    with pytest.raises(
        ModelFileError, match="unknown activity 'Aprove PO' \\(did you mean 'Approve PO'\\?\\)"
    ):
        apply(base, Routing(("Aprove PO",), "Send PO", 0.5))


def test_demand_scales_arrivals_and_adds_peaks():
    base = small_model()
    parsed = parse_scenarios(
        "changes:\n  - demand: 1.2\n    peak: {from: 2025-12-01, to: 2025-12-24, factor: 1.5}\n", "d.yaml"
    )[0]
    model = apply_scenario(base, parsed)
    assert model.arrivals.rate_factor == pytest.approx(1.1 * 1.2)
    new_peak = model.arrivals.peaks[-1]
    assert model.arrivals.peaks[:-1] == base.arrivals.peaks
    assert pd.Timestamp(new_peak.start) == pd.Timestamp("2025-12-01", tz="UTC")
    assert pd.Timestamp(new_peak.end) == pd.Timestamp("2025-12-25", tz="UTC")  # the 24th is included
    assert new_peak.factor == 1.5
    assert replace(model, arrivals=base.arrivals) == base
    assert apply(base, Demand(1.0)) == base


def test_priority_names_an_attribute_and_its_values():
    base = replace(small_model(), priority=None)
    model = apply(base, Priority("amount", ("high",)))
    assert model.priority.attribute == "amount" and model.priority.order == ("high",)
    assert replace(model, priority=None) == base
    with pytest.raises(ModelFileError, match="never takes the value 'medium'"):
        apply(base, Priority("amount", ("medium",)))
    with pytest.raises(ModelFileError, match="unknown case attribute 'amout'"):
        apply(base, Priority("amout", ("high",)))


def test_changes_are_pure():
    base = small_model()
    snapshot = repr(base)
    for change in (
        Automate(("Approve PO",), duration_factor=0.1),
        Staff("Buyers", change=1),
        RemoveActivity("Change Price"),
        Rework("Change Price", factor=0.0),
        Routing(("Approve PO",), "Send PO", 1.0),
        Demand(2.0),
    ):
        check_model(apply(base, change))
    assert repr(base) == snapshot


# ---------------------------------------------------------------------------- scenario files

WHAT_IF = """\
name: Faster approval
description: approve with a bot, one more buyer
changes:
  - staff: Buyers
    add: 1
  - automate: Aprove PO
    duration_factor: 0.1
"""


def test_unknown_activity_names_the_line_and_the_near_miss(tmp_path: Path):
    path = tmp_path / "scenario.yaml"
    path.write_text(WHAT_IF)
    (scenario,) = load_scenarios(path)
    assert scenario.name == "Faster approval" and len(scenario.changes) == 2
    with pytest.raises(ModelFileError) as caught:
        apply_scenario(small_model(), scenario)
    assert (
        str(caught.value) == "scenario.yaml line 6: unknown activity 'Aprove PO' (did you mean 'Approve PO'?)"
    )


BAD_FILES = [
    ("changes:\n  - automte: Approve PO\n    duration_factor: 0.1\n", 2, "did you mean 'automate'"),
    (
        "changes:\n  - automate: Approve PO\n    duration_factor: 0.1\n    excepton_rate: 0.1\n",
        4,
        "unknown field 'excepton_rate' (did you mean 'exception_rate'?)",
    ),
    ("changes:\n  - automate: Approve PO\n    bots: 2\n", 2, "missing field 'duration_factor'"),
    ("changes:\n  - working_hours: Buyers\n    hours: Mon-Fri 08:30-17\n", 3, "whole hours"),
    ("changes:\n  - staff: Buyers\n    add: 1\n    remove: 1\n", 2, "exactly one of add, remove or size"),
    ("changes:\n  - staff: Buyers\n    add: one\n", 3, "expected a whole number"),
    ("changes:\n  - routing: Approve PO\n    to: Send PO\n    probability: 1.5\n", 4, "between 0 and 1"),
    (
        "changes:\n  - demand: 1.2\n    peak: {from: 2025-12-24, to: 2025-12-01, factor: 2}\n",
        3,
        "ends before",
    ),
    ("changes:\n  - demand: 1.2\n    peak: {from: christmas, to: 2025-12-01, factor: 2}\n", 3, "not a date"),
    ("changes:\n  - rework: Change Price\n    factor: -1\n", 3, "must not be negative"),
    (
        "changes:\n  - automate: Approve PO\n    duration_factor: 0.1\n    exception_rate: 1\n",
        4,
        "nothing automated",
    ),
    ("name: nothing\nchanges: []\n", 2, "lists no change"),
    ("changes:\n  - delay: Approve PO\n    after: Create PO\n", 2, "needs probability, probability_factor"),
    ("changes:\n  - delay: Approve PO\n    probability: 1.2\n", 3, "between 0 and 1"),
    (
        "changes:\n  - delay: Approve PO\n    probability: 0.5\n    probability_factor: 2\n",
        3,
        "either probability or probability_factor",
    ),
    ("changes:\n  - delay: Approve PO\n    duration_factr: 0.5\n", 3, "did you mean 'duration_factor'"),
    ("changes:\n  - remove_activity: Send PO\n  staff: Buyers\n", 3, "not valid YAML"),
]


@pytest.mark.parametrize("text, line, message", BAD_FILES, ids=[str(i) for i in range(len(BAD_FILES))])
def test_bad_scenario_files_name_the_line(text: str, line: int, message: str):
    with pytest.raises(ModelFileError) as caught:
        parse_scenarios(text, "what_if.yaml")
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith(f"what_if.yaml line {line}: ")


def test_a_file_can_hold_several_scenarios():
    text = """\
scenarios:
  - name: more buyers
    changes:
      - staff: Buyers
        size: 5
  - name: longer days
    changes:
      - working_hours: Buyers
        hours: [Mon-Fri 07-12, Mon-Fri 13-19]
"""
    more, longer = parse_scenarios(text, "two.yaml")
    assert (more.name, longer.name) == ("more buyers", "longer days")
    assert more.changes == (Staff("Buyers", size=5),)
    assert more.changes[0].line == 4 and longer.changes[0].line == 8
    assert sum(longer.changes[0].hours.hours) == 55
    duplicate = text.replace("longer days", "more buyers")
    with pytest.raises(ModelFileError, match="two scenarios are named 'more buyers'") as caught:
        parse_scenarios(duplicate, "two.yaml")
    assert caught.value.line == 6


def test_every_kind_parses_to_its_change():
    text = """\
changes:
  - automate: [Approve PO, Change Price]
    duration_factor: 0.2
    bots: 3
    hours: Mon-Sat 06-22
    cost_per_run: 0.1
    exception_rate: 0.05
    pool: RPA
  - staff: Managers
    remove: 1
  - working_hours: Managers
    hours: 24/7
  - remove_activity: Send PO
  - rework: Change Price
    factor: 0.25
    from: Approve PO
  - routing: [Create PO]
    to: __end__
    probability: 0.2
  - routing: []
    to: Create PO
    probability: 1
  - demand: 0.8
  - priority: amount
    order: [high, low]
  - delay: Send PO
    duration_factor: 0.5
    after: [Approve PO]
"""
    (scenario,) = parse_scenarios(text, "all.yaml")
    kinds = [type(c).__name__ for c in scenario.changes]
    assert kinds == [
        "Automate",
        "Staff",
        "WorkingHours",
        "RemoveActivity",
        "Rework",
        "Routing",
        "Routing",
        "Demand",
        "Priority",
        "DelayChange",
    ]
    automate = scenario.changes[0]
    assert (
        automate.activities == ("Approve PO", "Change Price")
        and automate.bots == 3
        and automate.pool == "RPA"
    )
    assert sum(automate.hours.hours) == 6 * 16
    assert scenario.changes[1] == Staff("Managers", change=-1)
    assert scenario.changes[4].sources == ("Approve PO",)
    assert scenario.changes[5] == Routing(("Create PO",), END_OF_CASE, 0.2)
    assert scenario.changes[6].after == ()
    assert [c.line for c in scenario.changes] == [2, 9, 11, 13, 14, 17, 20, 23, 24, 26]
    assert scenario.changes[9] == DelayChange("Send PO", duration_factor=0.5, after=("Approve PO",))


def test_example_scenarios_apply_to_the_model_of_the_sample_log():
    from sc_improve import read_log
    from sim.discover import discover_model

    scenarios = load_scenarios(ROOT / "sim" / "scenarios" / "examples" / "p2p_what_if.yaml")
    assert len(scenarios) == 3 and all(s.changes for s in scenarios)
    model = discover_model(read_log(ROOT / "sample_logs" / "p2p_generated.csv")).model
    for scenario in scenarios:
        changed = apply_scenario(model, scenario)
        assert changed != model
        check_model(changed)


# ---------------------------------------------------------------------------- automation candidates


def candidate(activity: str, kind: str, score: float, hours: float = 1000.0) -> Candidate:
    return Candidate(
        activity=activity,
        score=score,
        confidence="high",
        baseline_score=score,
        automation_rate=0.0,
        already_automated=False,
        kind=kind,
        reasons=[],
        events=100,
        savings_hours_per_year=hours,
        savings_cost_per_year=hours * 50,
        savings_fte=hours / 1720,
    )


def test_top_candidates_become_runnable_scenarios():
    report = CandidateReport(
        candidates=[
            candidate("Not In Model", "RPA", 95),
            candidate("Create PO", "RPA", 90, hours=30_000),
            candidate("Approve PO", "workflow auto-approval", 80),
            candidate("Change Price", "elimination", 70),
            candidate("Send PO", "system integration", 60),
        ],
        automated=[],
        system_users=None,
        features=pd.DataFrame(),
        hourly_rate=50,
        touch_time="start times",
    )
    base = small_model()
    scenarios = scenarios_from_candidates(report, base, top=3)
    assert [s.name for s in scenarios] == [
        "automate Create PO",
        "automate Approve PO",
        "eliminate Change Price",
    ]
    rpa = scenarios[0].changes[0]
    # 30,000 manual hours x 0.2 = 6,000 bot hours a year: two bots keep them at most half busy
    assert (
        isinstance(rpa, Automate) and rpa.bots == 2 and 0 < rpa.exception_rate < 1 and rpa.duration_factor < 1
    )
    approval = scenarios[1].changes[0]
    assert isinstance(approval, Automate) and approval.bots == 0
    assert scenarios[2].changes == (RemoveActivity("Change Price"),)
    for scenario in scenarios:
        check_model(apply_scenario(base, scenario))
        assert scenario.description
    assert len(scenarios_from_candidates(report, base, top=10)) == 4
