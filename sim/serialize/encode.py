"""Model -> plain data in the file layout (see :mod:`sim.serialize`): defaults are left out,
distributions are flat mappings, calendars are seven rows of 24 hourly values."""

from __future__ import annotations

from typing import Any

from sim.model import (
    ActivityModel,
    Delay,
    Distribution,
    ResourcePool,
    RoutingModel,
    SimulationModel,
    WeeklyCalendar,
)
from sim.serialize.layout import HOURS_PER_DAY, WEEKDAYS


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
    data: dict[str, Any] = {
        "probability": delay.probability,
        "duration": _distribution_to_dict(delay.duration),
    }
    if delay.calendar is not None:
        data["calendar"] = delay.calendar
    return data


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
