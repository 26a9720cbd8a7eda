"""What-if scenarios: changes against the baseline model, read from analyst-written YAML files.

A scenario is a list of changes (automate an activity, add staff, change working hours,
remove an activity, cut rework, set a routing probability, change demand, set
priorities, shorten an extraneous delay), each a pure function from a model to a new
model. ``load_scenarios`` reads a file, ``apply_scenario`` derives the scenario's model,
``scenarios_from_candidates`` turns the top automation candidates into ready-made scenarios.
"""

from __future__ import annotations

from sim.scenarios.candidates import scenarios_from_candidates
from sim.scenarios.changes import (
    Automate,
    Change,
    ChangeError,
    DelayChange,
    Demand,
    Priority,
    RemoveActivity,
    Rework,
    Routing,
    Staff,
    WorkingHours,
)
from sim.scenarios.parse import load_scenarios, parse_scenarios
from sim.scenarios.scenario import Scenario, apply_scenario

__all__ = [
    "Automate",
    "Change",
    "ChangeError",
    "DelayChange",
    "Demand",
    "Priority",
    "RemoveActivity",
    "Rework",
    "Routing",
    "Scenario",
    "Staff",
    "WorkingHours",
    "apply_scenario",
    "load_scenarios",
    "parse_scenarios",
    "scenarios_from_candidates",
]
