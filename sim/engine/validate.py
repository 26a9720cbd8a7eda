"""Checks a model before a run, so that a bad model fails at once with a message naming the
field, instead of hours into a simulation or with a numpy traceback.

Models come from discovery, from scenario edits and from files the analyst edited by hand,
so every message says where the problem is in the model's own terms (activity, pool,
calendar, routing context).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.calendar import calendar_weights
from sim.distributions import validate_distribution
from sim.errors import ModelError
from sim.model import END_OF_CASE, START_OF_CASE, Distribution, SimulationModel

PROBABILITY_TOLERANCE = 0.005
"""How far probabilities may sum away from 1 (rounding in an edited file); the engine
rescales them to sum to exactly 1."""


def check_probabilities(values: dict[str, float] | list[float], where: str) -> None:
    numbers = list(values.values()) if isinstance(values, dict) else list(values)
    if not numbers:
        raise ModelError(f"{where}: no choices given")
    for number in numbers:
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise ModelError(f"{where}: probability {number!r} is not a finite number")
        if number < 0:
            raise ModelError(f"{where}: probability {number} is negative")
    total = math.fsum(numbers)
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        raise ModelError(f"{where}: probabilities sum to {total:.6g}, not 1")


def parse_instant(text: str, where: str) -> pd.Timestamp:
    """An ISO 8601 instant as a UTC timestamp (values without offset are read as UTC)."""
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError) as error:
        raise ModelError(f"{where}: {text!r} is not an ISO 8601 timestamp ({error})") from None
    if stamp is pd.NaT:
        raise ModelError(f"{where}: missing timestamp")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def validate_model(model: SimulationModel) -> None:
    """Raise :class:`ModelError` for the first problem found in ``model``."""
    _check_calendars(model)
    _check_arrivals(model)
    _check_attributes(model)
    _check_activities(model)
    _check_pools(model)
    _check_routing(model)


def _check_calendars(model: SimulationModel) -> None:
    used = {r.calendar for pool in model.pools.values() for r in pool.resources}
    for key, calendar in model.calendars.items():
        if calendar.name != key:
            raise ModelError(f"calendar {key!r} is named {calendar.name!r} inside; the two must match")
        try:
            weights = calendar_weights(calendar)
        except ValueError as error:
            raise ModelError(str(error)) from None
        odd = np.flatnonzero((weights != 0) & (weights != 1))
        if key in used and odd.size:
            raise ModelError(
                f"calendar {key!r}: resource calendars take weight 0 (off) or 1 (working) per hour, "
                f"hour {int(odd[0])} has {weights[odd[0]]}"
            )


def _check_arrivals(model: SimulationModel) -> None:
    arrivals = model.arrivals
    _check_distribution(arrivals.interarrival, "arrivals: interarrival")
    try:
        weights = calendar_weights(arrivals.calendar, "arrival calendar")
    except ValueError as error:
        raise ModelError(str(error)) from None
    if weights.sum() <= 0:
        raise ModelError("arrival calendar: every hour has weight 0, so no case would ever arrive")
    factor = arrivals.rate_factor
    if (
        isinstance(factor, bool)
        or not isinstance(factor, int | float)
        or not (math.isfinite(factor) and factor > 0)
    ):
        raise ModelError(f"arrivals: rate_factor must be a positive number, got {factor!r}")
    for number, peak in enumerate(arrivals.peaks, start=1):
        where = f"arrivals: peak {number}"
        start = parse_instant(peak.start, f"{where} start")
        end = parse_instant(peak.end, f"{where} end")
        if end <= start:
            raise ModelError(f"{where}: end {peak.end} is not after start {peak.start}")
        if not (isinstance(peak.factor, int | float) and math.isfinite(peak.factor) and peak.factor >= 0):
            raise ModelError(f"{where}: factor must be a non-negative number, got {peak.factor!r}")


def _check_attributes(model: SimulationModel) -> None:
    seen: set[str] = set()
    for attribute in model.case_attributes:
        if attribute.name in seen:
            raise ModelError(f"case attribute {attribute.name!r} is defined twice")
        seen.add(attribute.name)
        check_probabilities(attribute.values, f"case attribute {attribute.name!r}")
    if model.priority is not None and model.priority.attribute not in seen:
        raise ModelError(f"priority rule: {model.priority.attribute!r} is not a case attribute of the model")


def _check_activities(model: SimulationModel) -> None:
    if not model.activities:
        raise ModelError("the model has no activities")
    for key, activity in model.activities.items():
        where = f"activity {key!r}"
        if activity.name != key:
            raise ModelError(f"{where} is named {activity.name!r} inside; the two must match")
        if key in (END_OF_CASE, START_OF_CASE):
            raise ModelError(f"{where}: the name is reserved for the end or start of a case")
        if not activity.executions:
            raise ModelError(f"{where}: has no executions (who does it, how long it takes)")
        check_probabilities([e.probability for e in activity.executions], f"{where}: executions")
        for number, execution in enumerate(activity.executions, start=1):
            here = f"{where}, execution {number}"
            if execution.pool is not None and execution.pool not in model.pools:
                raise ModelError(f"{here}: pool {execution.pool!r} does not exist")
            _check_distribution(execution.duration, f"{here}: duration")
            if not (math.isfinite(execution.cost_per_run) and execution.cost_per_run >= 0):
                raise ModelError(f"{here}: cost_per_run must be a non-negative number")
        delays = ([("delay", activity.delay)] if activity.delay is not None else []) + [
            (f"delay_after[{previous!r}]", delay) for previous, delay in activity.delay_after.items()
        ]
        for label, delay in delays:
            if not (0.0 <= delay.probability <= 1.0):
                raise ModelError(f"{where}: {label} probability must be within 0..1, got {delay.probability}")
            _check_distribution(delay.duration, f"{where}: {label} duration")
            if delay.calendar is not None and delay.calendar not in model.calendars:
                raise ModelError(f"{where}: {label} calendar {delay.calendar!r} does not exist")
            if delay.calendar is not None and calendar_weights(model.calendars[delay.calendar]).sum() <= 0:
                raise ModelError(
                    f"{where}: {label} calendar {delay.calendar!r} has no working hours, so the delay "
                    "would never end"
                )
        for previous in activity.delay_after:
            if previous not in model.activities:
                raise ModelError(f"{where}: delay_after names unknown activity {previous!r}")


def _check_pools(model: SimulationModel) -> None:
    working = {key: calendar_weights(c).sum() > 0 for key, c in model.calendars.items()}
    for key, pool in model.pools.items():
        where = f"pool {key!r}"
        if pool.name != key:
            raise ModelError(f"{where} is named {pool.name!r} inside; the two must match")
        if not (math.isfinite(pool.cost_per_hour) and pool.cost_per_hour >= 0):
            raise ModelError(f"{where}: cost_per_hour must be a non-negative number")
        for resource in pool.resources:
            if resource.calendar not in model.calendars:
                raise ModelError(
                    f"{where}, resource {resource.name!r}: calendar {resource.calendar!r} does not exist"
                )
    for name, activity in model.activities.items():
        for execution in activity.executions:
            if execution.pool is None or execution.probability <= 0:
                continue
            pool = model.pools[execution.pool]
            if not pool.resources:
                raise ModelError(f"activity {name!r} needs pool {pool.name!r}, which has no resources")
            if not any(working[r.calendar] for r in pool.resources):
                raise ModelError(
                    f"activity {name!r} needs pool {pool.name!r}, whose resources' calendars have "
                    "no working hours, so its work would never be done"
                )


def _check_routing(model: SimulationModel) -> None:
    routing = model.routing
    if isinstance(routing.order, bool) or not isinstance(routing.order, int) or routing.order < 0:
        raise ModelError(f"routing: order must be a non-negative integer, got {routing.order!r}")
    if routing.max_activities < 1:
        raise ModelError(f"routing: max_activities must be at least 1, got {routing.max_activities}")
    attributes = {a.name for a in model.case_attributes}
    seen: set[tuple[str, ...]] = set()
    for rule in routing.rules:
        _check_rule(model, rule.context, rule.next, "routing rule")
        if rule.context in seen:
            raise ModelError(f"routing rule after {list(rule.context)}: context appears twice")
        seen.add(rule.context)
    if () not in seen:
        raise ModelError("routing: no rule with an empty context, so no case knows its first activity")
    for rule in routing.conditional:
        _check_rule(
            model, rule.context, rule.next, f"conditional routing rule ({rule.attribute}={rule.value})"
        )
        if rule.attribute not in attributes:
            raise ModelError(
                f"conditional routing rule: {rule.attribute!r} is not a case attribute of the model"
            )
    for first, second in routing.concurrent:
        for name in (first, second):
            if name not in model.activities:
                raise ModelError(
                    f"routing: concurrent pair ({first!r}, {second!r}) names unknown activity {name!r}"
                )


def _check_rule(
    model: SimulationModel, context: tuple[str, ...], targets: dict[str, float], kind: str
) -> None:
    where = f"{kind} after {list(context)}"
    if len(context) > model.routing.order:
        raise ModelError(f"{where}: context is longer than the routing order {model.routing.order}")
    if context[:1] == (START_OF_CASE,) and len(context) == 1:
        raise ModelError(f"{where}: a context of only {START_OF_CASE!r} is the empty context []")
    for position, name in enumerate(context):
        if name == START_OF_CASE and position == 0:
            continue
        if name == START_OF_CASE:
            raise ModelError(f"{where}: {START_OF_CASE!r} can only be the first element of a context")
        if name not in model.activities:
            raise ModelError(f"{where}: context names unknown activity {name!r}")
    for name in targets:
        if name != END_OF_CASE and name not in model.activities:
            raise ModelError(f"{where}: next activity {name!r} does not exist")
    check_probabilities(targets, where)


def _check_distribution(dist: Distribution, where: str) -> None:
    try:
        validate_distribution(dist, where)
    except ValueError as error:
        raise ModelError(str(error)) from None
