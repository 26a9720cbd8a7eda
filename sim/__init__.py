"""What-if simulation over sc_improve event logs (SimPy). Headless: never imports Qt.

The flat public API, usable from a notebook or a script::

    import sc_improve as sci
    import sim

    log = sci.read_log("sample_logs/p2p_generated.csv")
    fidelity = sim.validate_log(log, replications=3)         # can the model be trusted?
    print(fidelity.verdict)
    model = sim.discover_model(log).model                    # a SimulationModel (dataclasses)
    sim.write_model(model, "p2p_model.yaml")                 # readable, editable, read_model() back
    run = sim.simulate(model, days=90, warmup_days=30)       # one run: run.log is a canonical log
    scenarios = sim.load_scenarios("what_if.yaml")
    comparison = sim.compare_scenarios(model, scenarios, replications=10, days=365, warmup_days=60)
    comparison.to_dict()                                     # KPIs, intervals, paired differences

Names are imported on first use, so ``import sim`` stays fast and pulls in neither SimPy
nor scipy until a simulation or a comparison needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sc_improve.lazy_exports import lazy_exports

_MODEL_CLASSES = (
    "ActivityModel",
    "ArrivalModel",
    "CaseAttributeModel",
    "ConditionalRule",
    "Delay",
    "Distribution",
    "Execution",
    "PriorityRule",
    "RatePeriod",
    "Resource",
    "ResourcePool",
    "RoutingModel",
    "RoutingRule",
    "SimulationModel",
    "WeeklyCalendar",
)

_EXPORTS: dict[str, str] = {
    # the model: plain frozen dataclasses, and its one error type
    **dict.fromkeys(_MODEL_CLASSES, "sim.model"),
    "END_OF_CASE": "sim.model",
    "HOURS_PER_WEEK": "sim.model",
    "ModelError": "sim.errors",
    "ModelFileError": "sim.errors",
    # discovery and model files
    "discover_model": "sim.discover",
    "Discovery": "sim.discover",
    "DiscoveryOptions": "sim.discover",
    "read_model": "sim.serialize",
    "write_model": "sim.serialize",
    # the engine
    "simulate": "sim.engine",
    "run_replications": "sim.engine",
    "SimulationRun": "sim.engine",
    # scenarios and the comparison
    "load_scenarios": "sim.scenarios",
    "parse_scenarios": "sim.scenarios",
    "apply_scenario": "sim.scenarios",
    "scenarios_from_candidates": "sim.scenarios",
    "Scenario": "sim.scenarios",
    "run_kpis": "sim.kpis",
    "RunKpis": "sim.kpis",
    "compare_scenarios": "sim.compare",
    "waiting_causes": "sim.compare",
    "Comparison": "sim.compare",
    "ScenarioResult": "sim.compare",
    "Estimate": "sim.compare",
    "Difference": "sim.compare",
    "WaitingCauses": "sim.compare",
    # fidelity
    "validate_log": "sim.validate",
    "ValidationReport": "sim.validate",
    "compare_logs": "sim.fidelity",
    "FidelityReport": "sim.fidelity",
    "verdict": "sim.fidelity",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports("sim", _EXPORTS, globals())


# ruff: noqa: F401  (the imports below only tell type checkers and editors what the facade exports)
if TYPE_CHECKING:
    from sim.compare import (
        Comparison,
        Difference,
        Estimate,
        ScenarioResult,
        WaitingCauses,
        compare_scenarios,
        waiting_causes,
    )
    from sim.discover import Discovery, DiscoveryOptions, discover_model
    from sim.engine import SimulationRun, run_replications, simulate
    from sim.errors import ModelError, ModelFileError
    from sim.fidelity import FidelityReport, compare_logs, verdict
    from sim.kpis import RunKpis, run_kpis
    from sim.model import (
        END_OF_CASE,
        HOURS_PER_WEEK,
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
    from sim.scenarios import (
        Scenario,
        apply_scenario,
        load_scenarios,
        parse_scenarios,
        scenarios_from_candidates,
    )
    from sim.serialize import read_model, write_model
    from sim.validate import ValidationReport, validate_log
