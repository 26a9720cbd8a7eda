"""Semantic checks of a whole model, each failure located by the field it concerns.

They mirror the engine's own checks (which it runs again before every simulation) but
say which field is wrong, so a file's error can name the line; the engine's remaining
rules run last and raise the same :class:`~sim.errors.ModelError`, without a field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd

from sim.distributions import validate_distribution
from sim.engine.validate import PROBABILITY_TOLERANCE, validate_model
from sim.errors import FieldPath, ModelError, format_field
from sim.model import (
    END_OF_CASE,
    HOURS_PER_WEEK,
    START_OF_CASE,
    ActivityModel,
    Delay,
    Distribution,
    ResourcePool,
    SimulationModel,
    WeeklyCalendar,
)
from sim.serialize.fields import did_you_mean
from sim.serialize.layout import HOURS_PER_DAY, WEEKDAYS


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
    validate_model(model)


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


def _check_delay(model: SimulationModel, delay: Delay, field: FieldPath) -> None:
    if not 0 <= delay.probability <= 1:
        raise ModelError("must be between 0 and 1", (*field, "probability"))
    _check_distribution(delay.duration, (*field, "duration"))
    if delay.calendar is not None and delay.calendar not in model.calendars:
        raise ModelError(
            f"unknown calendar '{delay.calendar}'{did_you_mean(delay.calendar, model.calendars)}",
            (*field, "calendar"),
        )


def _check_activity(model: SimulationModel, name: str, activity: ActivityModel) -> None:
    field: FieldPath = ("activities", name)
    if activity.name != name:
        raise ModelError(f"the activity's name '{activity.name}' differs from its key", field)
    if name in (END_OF_CASE, START_OF_CASE):
        raise ModelError(f"'{name}' is reserved for the end or start of a case", field)
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
        _check_delay(model, activity.delay, (*field, "delay"))
    for before, delay in activity.delay_after.items():
        if before not in model.activities:
            raise ModelError(
                f"unknown activity '{before}'{did_you_mean(before, model.activities)}",
                (*field, "delay_after", before),
            )
        _check_delay(model, delay, (*field, "delay_after", before))


def _check_activity_names(
    names: Iterable[str], model: SimulationModel, field: FieldPath, end_allowed: bool, offset: int = 0
) -> None:
    for i, name in enumerate(names, start=offset):
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
    if context == (START_OF_CASE,):
        raise ModelError(f"'{START_OF_CASE}' alone is the empty context []", (*field, "context"))
    if START_OF_CASE in context[1:]:
        position = context.index(START_OF_CASE, 1)
        raise ModelError(
            f"'{START_OF_CASE}' can only be the first element of a context", (*field, "context", position)
        )
    start = 1 if context[:1] == (START_OF_CASE,) else 0
    _check_activity_names(context[start:], model, (*field, "context"), end_allowed=False, offset=start)


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
