"""A scenario: a named list of changes applied in order to the baseline model."""

from __future__ import annotations

from dataclasses import dataclass

from sim.errors import ModelError, ModelFileError
from sim.model import SimulationModel
from sim.scenarios.changes import Change, ChangeError
from sim.scenarios.hours import HoursError
from sim.scenarios.routing_edit import RoutingEditError
from sim.serialize.checks import check_model


@dataclass(frozen=True)
class Scenario:
    """``changes`` apply in order; ``path`` is the file it came from (for error lines)."""

    name: str
    changes: tuple[Change, ...]
    description: str = ""
    path: str | None = None

    def apply(self, model: SimulationModel) -> SimulationModel:
        return apply_scenario(model, self)


def apply_scenario(model: SimulationModel, scenario: Scenario) -> SimulationModel:
    """The baseline with every change applied, checked after each change.

    A change that does not fit the model raises :class:`~sim.errors.ModelFileError`
    naming the scenario file and the line of the change (or the scenario, for scenarios
    built in code), e.g. ``what_if.yaml line 7: unknown activity 'Aprove PO' (did you
    mean 'Approve PO'?)``.
    """
    for change in scenario.changes:
        try:
            model = change.apply(model)
            check_model(model)
        except (ChangeError, RoutingEditError, HoursError) as error:
            _fail(scenario, change, str(error))
        except ModelError as error:
            _fail(scenario, change, f"the changed model is invalid: {error}")
    return model


def _fail(scenario: Scenario, change: Change, message: str) -> None:
    if scenario.path is None:
        message = f"scenario '{scenario.name}', {change.kind} '{change.subject}': {message}"
    raise ModelFileError(message, scenario.path, change.line)
