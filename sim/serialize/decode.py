"""Plain data in the file layout -> model, every value read with the field it came from.

Structure and types are checked here; the rules that span the model (pools that exist,
probabilities that sum to 1) are :func:`sim.serialize.checks.check_model`'s.
"""

from __future__ import annotations

from typing import Any

from sim.errors import FieldPath, ModelError
from sim.model import (
    DISTRIBUTION_FAMILIES,
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
from sim.serialize.checks import check_model
from sim.serialize.fields import (
    did_you_mean,
    expect_integer,
    expect_keys,
    expect_list,
    expect_mapping,
    expect_number,
    expect_string,
    expect_timestamp,
)
from sim.serialize.layout import HOURS_PER_DAY, SCHEMA_VERSION, WEEKDAYS


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
    expect_keys(data, field, required=("probability", "duration"), optional=("calendar",))
    calendar = data.get("calendar")
    return Delay(
        expect_number(data["probability"], (*field, "probability")),
        _distribution_from(data["duration"], (*field, "duration")),
        None if calendar is None else expect_string(calendar, (*field, "calendar")),
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
