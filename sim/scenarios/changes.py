"""The changes a scenario can make, each a pure function from a model to a new model.

Every change is a frozen dataclass whose ``apply(model)`` returns a changed copy
(``dataclasses.replace``) and touches nothing it does not name, so a scenario's effect
on the KPIs is the effect of the change alone. A change that does not fit the model
(an unknown activity, a pool emptied while still needed) raises :class:`ChangeError`
with a message for the analyst; ``line`` remembers where the change was written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import ClassVar

from sc_improve.errors import InputError
from sim.model import (
    END_OF_CASE,
    HOURS_PER_WEEK,
    ActivityModel,
    ArrivalModel,
    Delay,
    Execution,
    PriorityRule,
    RatePeriod,
    Resource,
    ResourcePool,
    SimulationModel,
    WeeklyCalendar,
)
from sim.scenarios.durations import scale_distribution
from sim.scenarios.routing_edit import cut_returns, remove_activity, set_branch
from sim.serialize.fields import did_you_mean

ALWAYS_ON = WeeklyCalendar("24/7", (1.0,) * HOURS_PER_WEEK)


class ChangeError(InputError):
    """A change that cannot be applied to this model; the message names what and why."""


def _activity(model: SimulationModel, name: str) -> ActivityModel:
    if name not in model.activities:
        raise ChangeError(f"unknown activity '{name}'{did_you_mean(name, model.activities)}")
    return model.activities[name]


def _pool(model: SimulationModel, name: str) -> ResourcePool:
    """The pool called ``name``, or the pool doing most of the activity called ``name``:
    discovered pools have generated names, activities are what the analyst knows."""
    if name in model.pools:
        return model.pools[name]
    if name in model.activities:
        staffed = [e for e in model.activities[name].executions if e.pool is not None]
        if not staffed:
            raise ChangeError(f"activity '{name}' needs no resource, so it has no pool")
        return model.pools[max(staffed, key=lambda e: e.probability).pool]
    raise ChangeError(
        f"unknown pool or activity '{name}'{did_you_mean(name, [*model.pools, *model.activities])}"
    )


def _with_calendar(
    calendars: dict[str, WeeklyCalendar], calendar: WeeklyCalendar
) -> tuple[dict[str, WeeklyCalendar], str]:
    """The calendars with ``calendar`` added (or an identical one reused) and its key."""
    for name, existing in calendars.items():
        if existing.hours == calendar.hours:
            return calendars, name
    name, n = calendar.name, 2
    while name in calendars:
        name, n = f"{calendar.name} ({n})", n + 1
    return {**calendars, name: replace(calendar, name=name)}, name


@dataclass(frozen=True)
class Automate:
    """Activities run on a bot pool: ``duration_factor`` x the human duration, ``bots``
    parallel runs (0 = a system step that needs no resource) in ``hours``, ``cost_per_run``
    each. ``exception_rate`` is the share the human pool still does as before."""

    kind: ClassVar[str] = "automate"
    activities: tuple[str, ...]
    duration_factor: float
    bots: int = 1
    hours: WeeklyCalendar = ALWAYS_ON
    cost_per_run: float = 0.0
    exception_rate: float = 0.0
    pool: str | None = None
    """Name of the bot pool; default "<first activity> bot"."""
    line: int | None = field(default=None, compare=False)

    @property
    def subject(self) -> str:
        return ", ".join(self.activities)

    @property
    def pool_name(self) -> str:
        return self.pool or f"{self.activities[0]} bot"

    def apply(self, model: SimulationModel) -> SimulationModel:
        for name in self.activities:
            _activity(model, name)
        if not 0 <= self.exception_rate < 1:
            raise ChangeError(f"exception_rate must be at least 0 and below 1, got {self.exception_rate}")
        if self.bots < 0:
            raise ChangeError(f"bots must not be negative, got {self.bots}")
        pools, calendars, pool_name = model.pools, model.calendars, None
        if self.bots:
            pool_name = self.pool_name
            if pool_name in pools:
                raise ChangeError(
                    f"a pool named '{pool_name}' exists already; name the bot pool with 'pool:'"
                )
            calendars, calendar = _with_calendar(calendars, self.hours)
            bots = tuple(Resource(f"{pool_name} {i + 1}", calendar) for i in range(self.bots))
            pools = {**pools, pool_name: ResourcePool(pool_name, bots)}
        activities = dict(model.activities)
        for name in self.activities:
            activities[name] = replace(
                activities[name], executions=self._executions(activities[name], pool_name)
            )
        return replace(model, activities=activities, pools=pools, calendars=calendars)

    def _executions(self, activity: ActivityModel, pool: str | None) -> tuple[Execution, ...]:
        executions: list[Execution] = []
        for human in activity.executions:
            if self.exception_rate > 0:
                executions.append(replace(human, probability=human.probability * self.exception_rate))
            executions.append(
                Execution(
                    pool=pool,
                    probability=human.probability * (1 - self.exception_rate),
                    duration=scale_distribution(human.duration, self.duration_factor),
                    cost_per_run=self.cost_per_run,
                )
            )
        return tuple(e for e in executions if e.probability > 0)


@dataclass(frozen=True)
class Staff:
    """Add (``change`` > 0) or remove people in a pool (named, or as the pool doing an
    activity), or set its ``size``. New people work the pool's most common calendar (or
    ``calendar``); removal starts from the last listed."""

    kind: ClassVar[str] = "staff"
    pool: str
    change: int = 0
    size: int | None = None
    calendar: str | None = None
    line: int | None = field(default=None, compare=False)

    @property
    def subject(self) -> str:
        return self.pool

    def apply(self, model: SimulationModel) -> SimulationModel:
        pool = _pool(model, self.pool)
        current = len(pool.resources)
        target = self.size if self.size is not None else current + self.change
        if target < 0:
            raise ChangeError(f"pool '{pool.name}' has {current} people; cannot remove {current - target}")
        if target <= current:
            return replace(
                model, pools={**model.pools, pool.name: replace(pool, resources=pool.resources[:target])}
            )
        calendar = self._calendar_for_new(model, pool)
        taken = {r.name for p in model.pools.values() for r in p.resources}
        added: list[Resource] = []
        n = 1
        while len(added) < target - current:
            name = f"{pool.name} new {n}"
            if name not in taken:
                added.append(Resource(name, calendar))
            n += 1
        resources = (*pool.resources, *added)
        return replace(model, pools={**model.pools, pool.name: replace(pool, resources=resources)})

    def _calendar_for_new(self, model: SimulationModel, pool: ResourcePool) -> str:
        if self.calendar is not None:
            if self.calendar not in model.calendars:
                raise ChangeError(
                    f"unknown calendar '{self.calendar}'{did_you_mean(self.calendar, model.calendars)}"
                )
            return self.calendar
        if not pool.resources:
            raise ChangeError(
                f"pool '{pool.name}' has nobody whose hours new people could copy; add 'calendar:'"
            )
        # most_common is stable: on a tie the calendar listed first wins
        return Counter(r.calendar for r in pool.resources).most_common(1)[0][0]


@dataclass(frozen=True)
class WorkingHours:
    """Everyone in ``pool`` (named, or as the pool doing an activity) works ``hours``, a
    calendar built from text such as Mon-Fri 08-18."""

    kind: ClassVar[str] = "working_hours"
    pool: str
    hours: WeeklyCalendar
    line: int | None = field(default=None, compare=False)

    @property
    def subject(self) -> str:
        return self.pool

    def apply(self, model: SimulationModel) -> SimulationModel:
        pool = _pool(model, self.pool)
        calendars, name = _with_calendar(model.calendars, self.hours)
        resources = tuple(replace(r, calendar=name) for r in pool.resources)
        return replace(
            model, calendars=calendars, pools={**model.pools, pool.name: replace(pool, resources=resources)}
        )


@dataclass(frozen=True)
class RemoveActivity:
    """The activity disappears; cases that went to it go where it would have led."""

    kind: ClassVar[str] = "remove_activity"
    activity: str
    line: int | None = field(default=None, compare=False)

    @property
    def subject(self) -> str:
        return self.activity

    def apply(self, model: SimulationModel) -> SimulationModel:
        _activity(model, self.activity)
        activities = {
            name: replace(a, delay_after={k: d for k, d in a.delay_after.items() if k != self.activity})
            if self.activity in a.delay_after
            else a
            for name, a in model.activities.items()
            if name != self.activity
        }
        return replace(model, activities=activities, routing=remove_activity(model.routing, self.activity))


@dataclass(frozen=True)
class Rework:
    """Going back to ``activity`` (a loop or repeat) happens ``factor`` times as often;
    ``sources`` restricts which predecessors count as going back."""

    kind: ClassVar[str] = "rework"
    activity: str
    factor: float
    sources: tuple[str, ...] | None = None
    line: int | None = field(default=None, compare=False)

    @property
    def subject(self) -> str:
        return self.activity

    def apply(self, model: SimulationModel) -> SimulationModel:
        _activity(model, self.activity)
        for source in self.sources or ():
            _activity(model, source)
        if self.factor < 0:
            raise ChangeError(f"factor must not be negative, got {self.factor}")
        routing, changed = cut_returns(model.routing, self.activity, self.factor, self.sources)
        if not changed:
            raise ChangeError(f"no case ever goes back to '{self.activity}' in this model")
        return replace(model, routing=routing)


@dataclass(frozen=True)
class Routing:
    """After ``after`` (the last activities, most recent last; () = the case's start), go to
    ``target`` with ``probability``; the other branches keep their relative odds."""

    kind: ClassVar[str] = "routing"
    after: tuple[str, ...]
    target: str
    probability: float
    line: int | None = field(default=None, compare=False)

    @property
    def subject(self) -> str:
        return " -> ".join(self.after) or "start"

    def apply(self, model: SimulationModel) -> SimulationModel:
        for name in self.after:
            _activity(model, name)
        if self.target != END_OF_CASE:
            _activity(model, self.target)
        if not 0 <= self.probability <= 1:
            raise ChangeError(f"probability must be between 0 and 1, got {self.probability}")
        routing, changed = set_branch(model.routing, self.after, self.target, self.probability)
        if not changed:
            raise ChangeError(f"no routing rule applies after {self.subject}")
        return replace(model, routing=routing)


@dataclass(frozen=True)
class Demand:
    """Arrivals x ``factor`` everywhere, and x each peak's factor between its dates."""

    kind: ClassVar[str] = "demand"
    factor: float = 1.0
    peaks: tuple[RatePeriod, ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def subject(self) -> str:
        return f"x{self.factor:g}"

    def apply(self, model: SimulationModel) -> SimulationModel:
        if self.factor <= 0:
            raise ChangeError(f"the demand factor must be above 0, got {self.factor}")
        arrivals: ArrivalModel = model.arrivals
        return replace(
            model,
            arrivals=replace(
                arrivals, rate_factor=arrivals.rate_factor * self.factor, peaks=(*arrivals.peaks, *self.peaks)
            ),
        )


@dataclass(frozen=True)
class Priority:
    """Queues serve cases by the order of their ``attribute`` values (first listed first)."""

    kind: ClassVar[str] = "priority"
    attribute: str
    order: tuple[str, ...]
    line: int | None = field(default=None, compare=False)

    @property
    def subject(self) -> str:
        return self.attribute

    def apply(self, model: SimulationModel) -> SimulationModel:
        known = {a.name: a for a in model.case_attributes}
        if self.attribute not in known:
            raise ChangeError(
                f"unknown case attribute '{self.attribute}'{did_you_mean(self.attribute, known)}"
            )
        values = known[self.attribute].values
        for value in self.order:
            if value not in values:
                raise ChangeError(
                    f"'{self.attribute}' never takes the value '{value}'{did_you_mean(value, values)}"
                )
        return replace(model, priority=PriorityRule(self.attribute, self.order))


@dataclass(frozen=True)
class DelayChange:
    """The extraneous delay before ``activity`` (the waiting resources and hours do not
    explain: a vendor, a customer, a hand-over) gets a new probability and/or length.

    ``probability`` sets how often it applies, ``probability_factor`` scales that (capped
    at 1), ``duration_factor`` scales its length (same shape, so each case keeps its
    quantile under common random numbers). ``after`` restricts the change to the delays
    specific to those predecessors; by default every delay of the activity changes.
    """

    kind: ClassVar[str] = "delay"
    activity: str
    probability: float | None = None
    probability_factor: float | None = None
    duration_factor: float = 1.0
    after: tuple[str, ...] | None = None
    line: int | None = field(default=None, compare=False)

    @property
    def subject(self) -> str:
        return self.activity

    def apply(self, model: SimulationModel) -> SimulationModel:
        activity = _activity(model, self.activity)
        if activity.delay is None and not activity.delay_after:
            raise ChangeError(f"activity '{self.activity}' has no extraneous delay in this model")
        if self.probability is not None and self.probability_factor is not None:
            raise ChangeError("give either probability or probability_factor, not both")
        if self.after is None:
            general = self._changed(activity.delay)
            specific = {name: self._changed(delay) for name, delay in activity.delay_after.items()}
        else:
            for name in self.after:
                if name not in activity.delay_after:
                    raise ChangeError(
                        f"'{self.activity}' has no delay of its own after '{name}'"
                        f"{did_you_mean(name, activity.delay_after)}"
                    )
            general = activity.delay
            specific = {
                name: self._changed(delay) if name in self.after else delay
                for name, delay in activity.delay_after.items()
            }
        changed = replace(activity, delay=general, delay_after=specific)
        return replace(model, activities={**model.activities, self.activity: changed})

    def _changed(self, delay: Delay | None) -> Delay | None:
        if delay is None:
            return None
        probability = delay.probability
        if self.probability is not None:
            probability = self.probability
        elif self.probability_factor is not None:
            probability = min(probability * self.probability_factor, 1.0)
        return replace(
            delay, probability=probability, duration=scale_distribution(delay.duration, self.duration_factor)
        )


Change = Automate | Staff | WorkingHours | RemoveActivity | Rework | Routing | Demand | Priority | DelayChange
CHANGE_TYPES: dict[str, type] = {
    cls.kind: cls
    for cls in (Automate, Staff, WorkingHours, RemoveActivity, Rework, Routing, Demand, Priority, DelayChange)
}
