"""Simulation models as readable JSON or YAML files the analyst can open, edit and share.

The file mirrors :mod:`sim.model` field by field, with three conveniences for people:
a distribution is one flat mapping (``{family: lognormal, mu: 5.2, sigma: 0.8}``), a
weekly calendar is seven rows of 24 hourly values (``mon: [0, 0, ..., 1, 1, ...]``; a flat
list of 168 values is read too), and defaults (no delay, no cost) are left out.

Reading validates everything the engine relies on, so a hand-edited file fails here with
the file, the line and the field named instead of deep inside a simulation: families and
their parameters, probabilities summing to 1, calendars of 168 slots, pools, calendars and
routing targets that exist. YAML is only ever read with PyYAML's safe loader.

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

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sc_improve.atomic import write_text_atomically
from sim.distributions import validate_distribution
from sim.engine.validate import PROBABILITY_TOLERANCE, validate_model
from sim.engine.validate import ModelError as EngineModelError
from sim.model import (
    DISTRIBUTION_FAMILIES,
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

SCHEMA_VERSION = 1
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_PER_DAY = 24
YAML_SUFFIXES = (".yaml", ".yml")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's safe loader and dumper when PyYAML was built with it (ten times faster), the
pure-Python safe ones otherwise: never a loader that can build arbitrary objects."""
YAML_HEADER = (
    "# sc-improve simulation model. Durations in seconds, calendars with one value per hour\n"
    "# (Monday 00:00 first). Edit freely: the file is checked when read (docs/SIMULATION.md).\n"
)

FieldPath = tuple[str | int, ...]
"""Where a value sits in the file, e.g. ("activities", "Approve PO", "executions", 0, "probability")."""


class ModelError(ValueError):
    """A model (or the data it was read from) breaks a rule; ``field`` says where."""

    def __init__(self, message: str, field: FieldPath = ()) -> None:
        self.message = message
        self.field = field
        super().__init__(f"{format_field(field)}: {message}" if field else message)


@dataclass
class ModelFileError(ValueError):
    """Bad model or scenario file: what is wrong, in which file and on which line."""

    message: str
    path: str | Path | None = None
    line: int | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = " ".join(
            part
            for part in (Path(self.path).name if self.path else "", f"line {self.line}" if self.line else "")
            if part
        )
        return f"{where}: {self.message}" if where else self.message


def format_field(field: FieldPath) -> str:
    """``activities["Approve PO"].executions[0].probability``: the path a reader can follow."""
    text = ""
    for step in field:
        if isinstance(step, int):
            text += f"[{step}]"
        elif step.isidentifier():
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(step, ensure_ascii=False)}]"
    return text


# --------------------------------------------------------------------------- documents with lines


@dataclass(frozen=True)
class LocatedDocument:
    """Parsed data and a way back from a field to the line it was written on."""

    data: Any
    line_of: Callable[[FieldPath], int | None]


def load_document(text: str, path: str | Path, kind: str) -> LocatedDocument:
    """Parse YAML (safe loader only) or JSON text, keeping line numbers for later errors."""
    if kind == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ModelFileError(f"not valid JSON: {error.msg}", path, error.lineno) from None
        return LocatedDocument(data, _lazy_yaml_lines(text))
    root, data = _compose_yaml(text, path)
    return LocatedDocument(data, lambda field: _line_in(root, field))


def _compose_yaml(text: str, path: str | Path) -> tuple[yaml.Node, Any]:
    loader = SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise ModelFileError("the file is empty", path, 1)
        _refuse_duplicate_keys(root, path)
        return root, loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "cannot be read"
        raise ModelFileError(f"not valid YAML: {problem}", path, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise ModelFileError(f"not valid YAML: {error}", path) from None
    finally:
        loader.dispose()


def _refuse_duplicate_keys(root: yaml.Node, path: str | Path) -> None:
    """PyYAML keeps the last of two equal keys silently; an analyst's copy-paste deserves an error."""
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise ModelFileError(f"'{key.value}' appears twice", path, key.start_mark.line + 1)
                    seen.add(key.value)
                pending.append(value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)


def _lazy_yaml_lines(text: str) -> Callable[[FieldPath], int | None]:
    """JSON is YAML in flow style, so YAML's marks give JSON lines too, computed only on error."""

    def line_of(field: FieldPath) -> int | None:
        try:
            root = yaml.compose(text, Loader=SAFE_LOADER)
        except yaml.YAMLError:
            return None
        return _line_in(root, field) if root is not None else None

    return line_of


def _line_in(root: yaml.Node, field: FieldPath) -> int | None:
    """The line of the deepest part of ``field`` present in the node tree (1-based)."""
    node, line = root, root.start_mark.line + 1
    for step in field:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                    child, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            child = node.value[step]
            line = child.start_mark.line + 1
        if child is None:
            return line
        node = child
    return line


def file_kind(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in YAML_SUFFIXES:
        return "yaml"
    raise ModelFileError(f"unknown file type '{suffix or '(none)'}': use .yaml, .yml or .json", path)


def read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ModelFileError(f"not UTF-8 text (byte {error.start})", path) from None


# --------------------------------------------------------------------------- public entry points


def write_model(model: SimulationModel, path: str | Path) -> Path:
    """Write the model as YAML (.yaml/.yml) or JSON (.json), atomically; returns the path."""
    check_model(model)
    data = model_to_dict(model)
    if file_kind(path) == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    else:
        body = yaml.dump(
            data, Dumper=SAFE_DUMPER, sort_keys=False, default_flow_style=None, allow_unicode=True, width=110
        )
        text = YAML_HEADER + body
    return write_text_atomically(path, text)


def read_model(path: str | Path) -> SimulationModel:
    """Read and validate a model file; any problem is a :class:`ModelFileError` naming the line."""
    kind = file_kind(path)
    document = load_document(read_text(path), path, kind)
    try:
        return model_from_dict(document.data)
    except ModelError as error:
        raise ModelFileError(str(error), path, document.line_of(error.field)) from None


def model_to_dict(model: SimulationModel) -> dict[str, Any]:
    """Plain JSON/YAML data of the model, in the file layout described in the module docstring."""
    data: dict[str, Any] = {"schema_version": model.schema_version}
    if model.source:
        data["source"] = model.source
    if model.start is not None:
        data["start"] = model.start
    if model.notes:
        data["notes"] = list(model.notes)
    arrivals: dict[str, Any] = {
        "interarrival": _distribution_to_dict(model.arrivals.interarrival),
        "calendar": _calendar_to_dict(model.arrivals.calendar, with_name=True),
    }
    if model.arrivals.rate_factor != 1.0:
        arrivals["rate_factor"] = model.arrivals.rate_factor
    if model.arrivals.peaks:
        arrivals["peaks"] = [
            {"start": p.start, "end": p.end, "factor": p.factor} for p in model.arrivals.peaks
        ]
    data["arrivals"] = arrivals
    if model.case_attributes:
        data["case_attributes"] = [{"name": a.name, "values": dict(a.values)} for a in model.case_attributes]
    if model.priority is not None:
        data["priority"] = {"attribute": model.priority.attribute, "order": list(model.priority.order)}
    data["calendars"] = {name: _calendar_to_dict(c) for name, c in model.calendars.items()}
    data["pools"] = {name: _pool_to_dict(pool) for name, pool in model.pools.items()}
    data["activities"] = {name: _activity_to_dict(a) for name, a in model.activities.items()}
    data["routing"] = _routing_to_dict(model.routing)
    return data


def model_from_dict(data: Any) -> SimulationModel:
    """Build and validate a model from :func:`model_to_dict`'s layout; raises :class:`ModelError`."""
    top = expect_mapping(data, ())
    expect_keys(
        top,
        (),
        required=("arrivals", "routing", "activities", "pools", "calendars"),
        optional=("schema_version", "source", "start", "notes", "case_attributes", "priority"),
    )
    version = top.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise ModelError(
            f"schema version {version!r} is not supported (this version reads 1)", ("schema_version",)
        )
    calendars = {
        name: _calendar_from(value, ("calendars", name), name)
        for name, value in expect_mapping(top["calendars"], ("calendars",)).items()
    }
    model = SimulationModel(
        arrivals=_arrivals_from(top["arrivals"], ("arrivals",)),
        routing=_routing_from(top["routing"], ("routing",)),
        activities={
            name: _activity_from(value, ("activities", name), name)
            for name, value in expect_mapping(top["activities"], ("activities",)).items()
        },
        pools={
            name: _pool_from(value, ("pools", name), name)
            for name, value in expect_mapping(top["pools"], ("pools",)).items()
        },
        calendars=calendars,
        case_attributes=tuple(
            _case_attribute_from(value, ("case_attributes", i))
            for i, value in enumerate(expect_list(top.get("case_attributes", []), ("case_attributes",)))
        ),
        priority=_priority_from(top["priority"], ("priority",)) if top.get("priority") is not None else None,
        start=expect_timestamp(top["start"], ("start",)) if top.get("start") is not None else None,
        source=expect_string(top.get("source", ""), ("source",)),
        notes=tuple(
            expect_string(n, ("notes", i))
            for i, n in enumerate(expect_list(top.get("notes", []), ("notes",)))
        ),
        schema_version=SCHEMA_VERSION,
    )
    check_model(model)
    return model


# --------------------------------------------------------------------------- model -> data


def _number_out(value: float) -> float | int:
    """Whole numbers as integers, so calendars read ``[0, 1, 1]`` instead of ``[0.0, 1.0, 1.0]``."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def _distribution_to_dict(distribution: Distribution) -> dict[str, Any]:
    data: dict[str, Any] = {"family": distribution.family, **distribution.params}
    if distribution.quantiles:
        data["quantiles"] = list(distribution.quantiles)
    return data


def _calendar_to_dict(calendar: WeeklyCalendar, with_name: bool = False) -> dict[str, Any]:
    """``with_name`` for the arrival calendar; the others are named by their key."""
    hours = [_number_out(h) for h in calendar.hours]
    data: dict[str, Any] = {"name": calendar.name} if with_name else {}
    for day, name in enumerate(WEEKDAYS):
        data[name] = hours[day * HOURS_PER_DAY : (day + 1) * HOURS_PER_DAY]
    return data


def _pool_to_dict(pool: ResourcePool) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if pool.cost_per_hour:
        data["cost_per_hour"] = pool.cost_per_hour
    data["resources"] = [{"name": r.name, "calendar": r.calendar} for r in pool.resources]
    return data


def _delay_to_dict(delay: Delay) -> dict[str, Any]:
    return {"probability": delay.probability, "duration": _distribution_to_dict(delay.duration)}


def _activity_to_dict(activity: ActivityModel) -> dict[str, Any]:
    executions = []
    for execution in activity.executions:
        item: dict[str, Any] = {
            "pool": execution.pool,
            "probability": execution.probability,
            "duration": _distribution_to_dict(execution.duration),
        }
        if execution.cost_per_run:
            item["cost_per_run"] = execution.cost_per_run
        executions.append(item)
    data: dict[str, Any] = {"executions": executions}
    if activity.delay is not None:
        data["delay"] = _delay_to_dict(activity.delay)
    if activity.delay_after:
        data["delay_after"] = {name: _delay_to_dict(d) for name, d in activity.delay_after.items()}
    return data


def _routing_to_dict(routing: RoutingModel) -> dict[str, Any]:
    data: dict[str, Any] = {"order": routing.order, "max_activities": routing.max_activities}
    data["rules"] = [{"context": list(r.context), "next": dict(r.next)} for r in routing.rules]
    if routing.conditional:
        data["conditional"] = [
            {"context": list(r.context), "attribute": r.attribute, "value": r.value, "next": dict(r.next)}
            for r in routing.conditional
        ]
    if routing.concurrent:
        data["concurrent"] = [list(pair) for pair in routing.concurrent]
    return data


# --------------------------------------------------------------------------- data -> model


def expect_mapping(value: Any, field: FieldPath) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ModelError(f"expected a mapping of names to values, got {_kind(value)}", field)
    for key in value:
        if not isinstance(key, str):
            raise ModelError(f"names must be text, got {key!r}", field)
    return value


def expect_list(value: Any, field: FieldPath) -> list[Any]:
    if not isinstance(value, list):
        raise ModelError(f"expected a list, got {_kind(value)}", field)
    return value


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), f"{type(value).__name__} {value!r}"
    )


def expect_keys(
    data: Mapping[str, Any], field: FieldPath, required: Iterable[str], optional: Iterable[str]
) -> None:
    required, optional = tuple(required), tuple(optional)
    known = required + optional
    for key in data:
        if key not in known:
            raise ModelError(f"unknown field '{key}'{did_you_mean(key, known)}", (*field, key))
    for key in required:
        if key not in data:
            raise ModelError(f"missing field '{key}'", field)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'Approve PO'?)`` for a near miss, else nothing."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def expect_number(value: Any, field: FieldPath) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelError(f"expected a number, got {_kind(value)}", field)
    if not math.isfinite(value):
        raise ModelError(f"expected a finite number, got {value}", field)
    return float(value)


def expect_integer(value: Any, field: FieldPath) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(f"expected a whole number, got {_kind(value)}", field)
    return value


def expect_string(value: Any, field: FieldPath) -> str:
    if not isinstance(value, str):
        raise ModelError(f"expected text, got {_kind(value)}", field)
    return value


def expect_timestamp(value: Any, field: FieldPath) -> str:
    """An ISO 8601 timestamp with offset; YAML dates and offset-less times are read as UTC."""
    if isinstance(value, datetime | date):
        value = value.isoformat()
    text = expect_string(value, field)
    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        raise ModelError(f"'{text}' is not an ISO 8601 timestamp", field) from None
    if stamp is pd.NaT:
        raise ModelError(f"'{text}' is not an ISO 8601 timestamp", field)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.isoformat()


def _distribution_from(value: Any, field: FieldPath) -> Distribution:
    data = expect_mapping(value, field)
    family = expect_string(data.get("family"), (*field, "family")) if "family" in data else None
    if family is None:
        raise ModelError("missing field 'family'", field)
    if family not in DISTRIBUTION_FAMILIES:
        raise ModelError(
            f"unknown family '{family}'{did_you_mean(family, DISTRIBUTION_FAMILIES)}; "
            f"known: {', '.join(DISTRIBUTION_FAMILIES)}",
            (*field, "family"),
        )
    names = DISTRIBUTION_FAMILIES[family]
    extra = ("quantiles",) if family == "empirical" else ()
    expect_keys(data, field, required=("family", *names, *extra), optional=())
    params = {name: expect_number(data[name], (*field, name)) for name in names}
    quantiles = tuple(
        expect_number(q, (*field, "quantiles", i))
        for i, q in enumerate(expect_list(data.get("quantiles", []), field))
    )
    return Distribution(family, params, quantiles)


def _calendar_from(value: Any, field: FieldPath, name: str) -> WeeklyCalendar:
    """Seven weekday rows of 24 values, or one flat list of 168."""
    if isinstance(value, list):
        hours = value
    else:
        data = expect_mapping(value, field)
        expect_keys(data, field, required=WEEKDAYS, optional=("name",))
        if "name" in data and data["name"] != name:
            raise ModelError(
                f"name '{data['name']}' differs from the calendar's key '{name}'", (*field, "name")
            )
        hours = []
        for day in WEEKDAYS:
            row = expect_list(data[day], (*field, day))
            if len(row) != HOURS_PER_DAY:
                raise ModelError(f"needs {HOURS_PER_DAY} hourly values, got {len(row)}", (*field, day))
            hours.extend(row)
    if len(hours) != HOURS_PER_WEEK:
        raise ModelError(
            f"needs {HOURS_PER_WEEK} hourly values (Monday 00:00 first), got {len(hours)}", field
        )
    return WeeklyCalendar(name, tuple(expect_number(h, (*field, i)) for i, h in enumerate(hours)))


def _arrivals_from(value: Any, field: FieldPath) -> ArrivalModel:
    data = expect_mapping(value, field)
    expect_keys(data, field, required=("interarrival", "calendar"), optional=("rate_factor", "peaks"))
    calendar_data = data["calendar"]
    name = calendar_data.get("name", "arrivals") if isinstance(calendar_data, dict) else "arrivals"
    peaks = []
    for i, item in enumerate(expect_list(data.get("peaks", []), (*field, "peaks"))):
        where = (*field, "peaks", i)
        peak = expect_mapping(item, where)
        expect_keys(peak, where, required=("start", "end", "factor"), optional=())
        peaks.append(
            RatePeriod(
                expect_timestamp(peak["start"], (*where, "start")),
                expect_timestamp(peak["end"], (*where, "end")),
                expect_number(peak["factor"], (*where, "factor")),
            )
        )
    return ArrivalModel(
        interarrival=_distribution_from(data["interarrival"], (*field, "interarrival")),
        calendar=_calendar_from(
            calendar_data, (*field, "calendar"), expect_string(name, (*field, "calendar", "name"))
        ),
        rate_factor=expect_number(data.get("rate_factor", 1.0), (*field, "rate_factor")),
        peaks=tuple(peaks),
    )


def _probabilities(value: Any, field: FieldPath) -> dict[str, float]:
    return {name: expect_number(p, (*field, name)) for name, p in expect_mapping(value, field).items()}


def _context(value: Any, field: FieldPath) -> tuple[str, ...]:
    return tuple(expect_string(a, (*field, i)) for i, a in enumerate(expect_list(value, field)))


def _routing_from(value: Any, field: FieldPath) -> RoutingModel:
    data = expect_mapping(value, field)
    expect_keys(
        data, field, required=("order", "rules"), optional=("max_activities", "conditional", "concurrent")
    )
    rules = []
    for i, item in enumerate(expect_list(data["rules"], (*field, "rules"))):
        where = (*field, "rules", i)
        rule = expect_mapping(item, where)
        expect_keys(rule, where, required=("context", "next"), optional=())
        rules.append(
            RoutingRule(
                _context(rule["context"], (*where, "context")), _probabilities(rule["next"], (*where, "next"))
            )
        )
    conditional = []
    for i, item in enumerate(expect_list(data.get("conditional", []), (*field, "conditional"))):
        where = (*field, "conditional", i)
        rule = expect_mapping(item, where)
        expect_keys(rule, where, required=("context", "attribute", "value", "next"), optional=())
        conditional.append(
            ConditionalRule(
                _context(rule["context"], (*where, "context")),
                expect_string(rule["attribute"], (*where, "attribute")),
                expect_string(rule["value"], (*where, "value")),
                _probabilities(rule["next"], (*where, "next")),
            )
        )
    concurrent = []
    for i, pair in enumerate(expect_list(data.get("concurrent", []), (*field, "concurrent"))):
        names = _context(pair, (*field, "concurrent", i))
        if len(names) != 2:
            raise ModelError(
                f"a concurrent pair names 2 activities, got {len(names)}", (*field, "concurrent", i)
            )
        concurrent.append((names[0], names[1]))
    return RoutingModel(
        order=expect_integer(data["order"], (*field, "order")),
        rules=tuple(rules),
        conditional=tuple(conditional),
        concurrent=tuple(concurrent),
        max_activities=expect_integer(data.get("max_activities", 1000), (*field, "max_activities")),
    )


def _delay_from(value: Any, field: FieldPath) -> Delay:
    data = expect_mapping(value, field)
    expect_keys(data, field, required=("probability", "duration"), optional=())
    return Delay(
        expect_number(data["probability"], (*field, "probability")),
        _distribution_from(data["duration"], (*field, "duration")),
    )


def _activity_from(value: Any, field: FieldPath, name: str) -> ActivityModel:
    data = expect_mapping(value, field)
    expect_keys(data, field, required=("executions",), optional=("delay", "delay_after"))
    executions = []
    for i, item in enumerate(expect_list(data["executions"], (*field, "executions"))):
        where = (*field, "executions", i)
        execution = expect_mapping(item, where)
        expect_keys(
            execution, where, required=("pool", "probability", "duration"), optional=("cost_per_run",)
        )
        pool = execution["pool"]
        executions.append(
            Execution(
                pool=None if pool is None else expect_string(pool, (*where, "pool")),
                probability=expect_number(execution["probability"], (*where, "probability")),
                duration=_distribution_from(execution["duration"], (*where, "duration")),
                cost_per_run=expect_number(execution.get("cost_per_run", 0.0), (*where, "cost_per_run")),
            )
        )
    delay_after = {
        before: _delay_from(d, (*field, "delay_after", before))
        for before, d in expect_mapping(data.get("delay_after", {}), (*field, "delay_after")).items()
    }
    delay = _delay_from(data["delay"], (*field, "delay")) if data.get("delay") is not None else None
    return ActivityModel(name, tuple(executions), delay, delay_after)


def _pool_from(value: Any, field: FieldPath, name: str) -> ResourcePool:
    data = expect_mapping(value, field)
    expect_keys(data, field, required=("resources",), optional=("cost_per_hour",))
    resources = []
    for i, item in enumerate(expect_list(data["resources"], (*field, "resources"))):
        where = (*field, "resources", i)
        resource = expect_mapping(item, where)
        expect_keys(resource, where, required=("name", "calendar"), optional=())
        resources.append(
            Resource(
                expect_string(resource["name"], (*where, "name")),
                expect_string(resource["calendar"], (*where, "calendar")),
            )
        )
    return ResourcePool(
        name, tuple(resources), expect_number(data.get("cost_per_hour", 0.0), (*field, "cost_per_hour"))
    )


def _case_attribute_from(value: Any, field: FieldPath) -> CaseAttributeModel:
    data = expect_mapping(value, field)
    expect_keys(data, field, required=("name", "values"), optional=())
    return CaseAttributeModel(
        expect_string(data["name"], (*field, "name")), _probabilities(data["values"], (*field, "values"))
    )


def _priority_from(value: Any, field: FieldPath) -> PriorityRule:
    data = expect_mapping(value, field)
    expect_keys(data, field, required=("attribute", "order"), optional=())
    return PriorityRule(
        expect_string(data["attribute"], (*field, "attribute")), _context(data["order"], (*field, "order"))
    )


# --------------------------------------------------------------------------- semantic checks


def check_model(model: SimulationModel) -> None:
    """Raise :class:`ModelError` for anything the engine could not run or would run wrongly.

    The checks mirror the engine's (which it runs again before every simulation) but say
    which field is wrong, so a file's error can name the line.

    Scenarios call it on the models they derive, so a change that empties a pool still in
    use or routes to a removed activity is caught before a simulation starts.
    """
    _check_calendar(model.arrivals.calendar, ("arrivals", "calendar"), working=False)
    _check_distribution(model.arrivals.interarrival, ("arrivals", "interarrival"), positive=True)
    if model.arrivals.rate_factor <= 0:
        raise ModelError("must be above 0", ("arrivals", "rate_factor"))
    for i, peak in enumerate(model.arrivals.peaks):
        where = ("arrivals", "peaks", i)
        if peak.factor < 0:
            raise ModelError("must not be negative", (*where, "factor"))
        if pd.Timestamp(peak.end) <= pd.Timestamp(peak.start):
            raise ModelError("ends before it starts", (*where, "end"))
    worked = {r.calendar for pool in model.pools.values() for r in pool.resources}
    for name, calendar in model.calendars.items():
        _check_calendar(calendar, ("calendars", name), working=name in worked)
    used_pools = {e.pool for a in model.activities.values() for e in a.executions if e.probability > 0}
    for name, pool in model.pools.items():
        _check_pool(model, name, pool, in_use=name in used_pools)
    for name, activity in model.activities.items():
        _check_activity(model, name, activity)
    _check_routing(model)
    attributes = _check_case_attributes(model)
    if model.priority is not None:
        rule = model.priority
        if rule.attribute not in attributes:
            raise ModelError(
                f"unknown case attribute '{rule.attribute}'{did_you_mean(rule.attribute, attributes)}",
                ("priority", "attribute"),
            )
        for i, value in enumerate(rule.order):
            if value not in attributes[rule.attribute]:
                raise ModelError(
                    f"'{rule.attribute}' never takes the value '{value}'", ("priority", "order", i)
                )
    try:
        validate_model(model)
    except EngineModelError as error:  # a rule only the engine knows: no field to point at
        raise ModelError(str(error)) from None


def _check_distribution(distribution: Distribution, field: FieldPath, positive: bool = False) -> None:
    """The engine's own rules (one definition of a valid distribution), located by field."""
    where = format_field(field)
    try:
        validate_distribution(distribution, where=where)
    except ValueError as error:
        raise ModelError(str(error).removeprefix(f"{where}: "), field) from None
    p, largest = distribution.params, {"fixed": "value", "uniform": "high", "exponential": "mean"}
    never_above_zero = (
        p[largest[distribution.family]] <= 0
        if distribution.family in largest
        else distribution.family == "empirical" and distribution.quantiles[-1] <= 0
    )
    if positive and never_above_zero:
        raise ModelError("inter-arrival times must be above 0", field)


def _check_calendar(calendar: WeeklyCalendar, field: FieldPath, working: bool) -> None:
    """``working``: a resource works in it, so each hour is on (1) or off (0)."""
    hours = calendar.hours
    if len(hours) != HOURS_PER_WEEK:
        raise ModelError(f"needs {HOURS_PER_WEEK} hourly values, got {len(hours)}", field)
    for slot, weight in enumerate(hours):
        day, hour = WEEKDAYS[slot // HOURS_PER_DAY], slot % HOURS_PER_DAY
        if not math.isfinite(weight) or weight < 0:
            raise ModelError(f"{day} {hour:02d}:00: must be a non-negative number", (*field, day))
        if working and weight not in (0.0, 1.0):
            raise ModelError(
                f"{day} {hour:02d}:00: a working calendar holds 1 (works) or 0 (off)", (*field, day)
            )
    if not any(hours):
        raise ModelError("has no hour with a weight above 0 (nothing would ever happen)", field)


def _check_pool(model: SimulationModel, name: str, pool: ResourcePool, in_use: bool) -> None:
    field: FieldPath = ("pools", name)
    if pool.name != name:
        raise ModelError(f"the pool's name '{pool.name}' differs from its key", field)
    if pool.cost_per_hour < 0:
        raise ModelError("must not be negative", (*field, "cost_per_hour"))
    if in_use and not pool.resources:
        raise ModelError("has no resources but activities need it", (*field, "resources"))
    names: set[str] = set()
    for i, resource in enumerate(pool.resources):
        if resource.calendar not in model.calendars:
            raise ModelError(
                f"unknown calendar '{resource.calendar}'{did_you_mean(resource.calendar, model.calendars)}",
                (*field, "resources", i, "calendar"),
            )
        if resource.name in names:
            raise ModelError(f"'{resource.name}' is listed twice", (*field, "resources", i, "name"))
        names.add(resource.name)


def _check_sum(probabilities: Mapping[str, float] | Iterable[float], field: FieldPath) -> None:
    values = list(probabilities.values()) if isinstance(probabilities, Mapping) else list(probabilities)
    for value in values:
        if not 0 <= value <= 1:
            raise ModelError(f"probability {value:g} is outside 0..1", field)
    total = sum(values)
    if abs(total - 1) > PROBABILITY_TOLERANCE:
        raise ModelError(f"probabilities sum to {total:.4g}, not 1", field)


def _check_delay(delay: Delay, field: FieldPath) -> None:
    if not 0 <= delay.probability <= 1:
        raise ModelError("must be between 0 and 1", (*field, "probability"))
    _check_distribution(delay.duration, (*field, "duration"))


def _check_activity(model: SimulationModel, name: str, activity: ActivityModel) -> None:
    field: FieldPath = ("activities", name)
    if activity.name != name:
        raise ModelError(f"the activity's name '{activity.name}' differs from its key", field)
    if name == END_OF_CASE:
        raise ModelError(f"'{END_OF_CASE}' is reserved for the end of a case", field)
    if not activity.executions:
        raise ModelError("needs at least one execution", (*field, "executions"))
    _check_sum([e.probability for e in activity.executions], (*field, "executions"))
    for i, execution in enumerate(activity.executions):
        where = (*field, "executions", i)
        if execution.pool is not None and execution.pool not in model.pools:
            raise ModelError(
                f"unknown pool '{execution.pool}'{did_you_mean(execution.pool, model.pools)}",
                (*where, "pool"),
            )
        if execution.cost_per_run < 0:
            raise ModelError("must not be negative", (*where, "cost_per_run"))
        _check_distribution(execution.duration, (*where, "duration"))
    if activity.delay is not None:
        _check_delay(activity.delay, (*field, "delay"))
    for before, delay in activity.delay_after.items():
        if before not in model.activities:
            raise ModelError(
                f"unknown activity '{before}'{did_you_mean(before, model.activities)}",
                (*field, "delay_after", before),
            )
        _check_delay(delay, (*field, "delay_after", before))


def _check_activity_names(
    names: Iterable[str], model: SimulationModel, field: FieldPath, end_allowed: bool
) -> None:
    for i, name in enumerate(names):
        if name in model.activities or (end_allowed and name == END_OF_CASE):
            continue
        where = (*field, name) if end_allowed else (*field, i)
        raise ModelError(f"unknown activity '{name}'{did_you_mean(name, model.activities)}", where)


def _check_routing(model: SimulationModel) -> None:
    routing = model.routing
    if routing.order < 0:
        raise ModelError("must not be negative", ("routing", "order"))
    if routing.max_activities < 1:
        raise ModelError("must be at least 1", ("routing", "max_activities"))
    contexts: set[tuple[str, ...]] = set()
    for i, rule in enumerate(routing.rules):
        where: FieldPath = ("routing", "rules", i)
        _check_context(model, rule.context, where)
        if rule.context in contexts:
            raise ModelError("another rule has the same context", (*where, "context"))
        contexts.add(rule.context)
        _check_activity_names(rule.next, model, (*where, "next"), end_allowed=True)
        _check_sum(rule.next, (*where, "next"))
    if () not in contexts:
        raise ModelError(
            "needs a rule with the empty context [] that gives the first activity", ("routing", "rules")
        )
    for i, rule in enumerate(routing.conditional):
        where = ("routing", "conditional", i)
        _check_context(model, rule.context, where)
        _check_activity_names(rule.next, model, (*where, "next"), end_allowed=True)
        _check_sum(rule.next, (*where, "next"))
    for i, pair in enumerate(routing.concurrent):
        _check_activity_names(pair, model, ("routing", "concurrent", i), end_allowed=False)


def _check_context(model: SimulationModel, context: tuple[str, ...], field: FieldPath) -> None:
    if len(context) > model.routing.order:
        raise ModelError(
            f"has {len(context)} activities, more than the routing order {model.routing.order}",
            (*field, "context"),
        )
    _check_activity_names(context, model, (*field, "context"), end_allowed=False)


def _check_case_attributes(model: SimulationModel) -> dict[str, set[str]]:
    attributes: dict[str, set[str]] = {}
    for i, attribute in enumerate(model.case_attributes):
        where: FieldPath = ("case_attributes", i)
        if attribute.name in attributes:
            raise ModelError(f"'{attribute.name}' is defined twice", (*where, "name"))
        _check_sum(attribute.values, (*where, "values"))
        attributes[attribute.name] = set(attribute.values)
    for i, rule in enumerate(model.routing.conditional):
        where = ("routing", "conditional", i)
        if rule.attribute not in attributes:
            raise ModelError(
                f"unknown case attribute '{rule.attribute}'{did_you_mean(rule.attribute, attributes)}",
                (*where, "attribute"),
            )
        if rule.value not in attributes[rule.attribute]:
            raise ModelError(f"'{rule.attribute}' never takes the value '{rule.value}'", (*where, "value"))
    return attributes
