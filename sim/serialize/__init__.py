"""Simulation models as readable JSON or YAML files the analyst can open, edit and share.

The file mirrors :mod:`sim.model` field by field, with three conveniences for people:
a distribution is one flat mapping (``{family: lognormal, mu: 5.2, sigma: 0.8}``), a
weekly calendar is seven rows of 24 hourly values (``mon: [0, 0, ..., 1, 1, ...]``; a flat
list of 168 values is read too), and defaults (no delay, no cost) are left out.

Reading validates everything the engine relies on, so a hand-edited file fails here with
the file, the line and the field named instead of deep inside a simulation: families and
their parameters, probabilities summing to 1, calendars of 168 slots, pools, calendars and
routing targets that exist. YAML is only ever read with PyYAML's safe loader.

One module per job: :mod:`~sim.serialize.encode` (model -> data), :mod:`~sim.serialize.decode`
(data -> model), :mod:`~sim.serialize.checks` (rules over the whole model),
:mod:`~sim.serialize.document` (parsing with line numbers), :mod:`~sim.serialize.fields`
(typed value readers) and :mod:`~sim.serialize.files` (reading and writing files).

>>> import tempfile, pathlib
>>> from sim.model import *
>>> week = WeeklyCalendar("always", (1.0,) * HOURS_PER_WEEK)
>>> minute = Distribution("fixed", {"value": 60.0})
>>> model = SimulationModel(
...     arrivals=ArrivalModel(Distribution("exponential", {"mean": 600.0}), week),
...     routing=RoutingModel(1, (RoutingRule((), {"a": 1.0}), RoutingRule(("a",), {END_OF_CASE: 1.0}))),
...     activities={"a": ActivityModel("a", (Execution("clerks", 1.0, minute),))},
...     pools={"clerks": ResourcePool("clerks", (Resource("ann", "always"),))},
...     calendars={"always": week},
... )
>>> path = pathlib.Path(tempfile.mkdtemp()) / "model.yaml"
>>> read_model(write_model(model, path)) == model
True
"""

from sim.errors import ModelError, ModelFileError
from sim.serialize.decode import model_from_dict
from sim.serialize.encode import model_to_dict
from sim.serialize.files import read_model, write_model

__all__ = ["ModelError", "ModelFileError", "model_from_dict", "model_to_dict", "read_model", "write_model"]
