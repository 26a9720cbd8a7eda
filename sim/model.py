"""The simulation model: a plain, editable description of how cases flow through the process.

Discovery (``sim.discover``) builds it from a log, scenarios (``sim.scenarios``) derive
changed copies of it, the engine (``sim.engine``) runs it and ``sim.serialize`` writes it
to JSON/YAML for the analyst to read and edit. Everything is a frozen dataclass of plain
values (strings, numbers, tuples, dicts), so a model is safe to share between processes,
compares by value and never needs pickling to be saved.

Conventions every part relies on:

* Durations are seconds (float). Timestamps are ISO 8601 strings with a UTC offset.
* Weekly calendars have 168 hourly slots, slot 0 = Monday 00:00-01:00 in the log's clock
  (the canonical log's UTC labels; for logs without offsets that is the local wall clock).
* Processing times are *working* time of the resource that does the work: an activity
  started an hour before the end of a shift with two hours of work finishes one hour into
  the next shift.
* Waiting is never sampled as a whole: it comes from queueing for busy resources and from
  off-shift hours. Only the part of the waiting observed in the log that resources and
  calendars cannot explain is modelled, as an extraneous ``Delay`` before an activity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HOURS_PER_WEEK = 168
END_OF_CASE = "__end__"
"""Routing target meaning "the case is complete"."""
START_OF_CASE = "__start__"
"""First element of a routing context that reaches back to the case's start: ``(START_OF_CASE,
"a")`` is "right after ``a`` as the case's first activity", which ``("a",)`` cannot tell
from "after ``a`` later in the case"."""

DISTRIBUTION_FAMILIES: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "exponential": ("mean",),
    "uniform": ("low", "high"),
    "normal": ("mean", "std"),
    "lognormal": ("mu", "sigma"),
    "gamma": ("shape", "scale"),
    "weibull": ("shape", "scale"),
    "empirical": (),
}
"""Families and their parameter names. ``normal`` is truncated at 0; ``lognormal`` takes
the mean and standard deviation of the underlying normal; ``empirical`` samples by linear
interpolation between equally spaced quantiles (0 % ... 100 %) of the observed values."""


@dataclass(frozen=True)
class Distribution:
    """A non-negative random duration in seconds."""

    family: str
    params: dict[str, float] = field(default_factory=dict)
    quantiles: tuple[float, ...] = ()
    """Only for ``empirical``: ascending values at equally spaced probabilities 0..1."""


@dataclass(frozen=True)
class WeeklyCalendar:
    """168 hourly weights for a week (slot 0 = Monday 00:00).

    For a resource the weight is 1 (works that hour) or 0 (off). For arrivals it is the
    relative arrival intensity of that hour (0 = no case ever arrives then).
    """

    name: str
    hours: tuple[float, ...]


@dataclass(frozen=True)
class RatePeriod:
    """A stretch of dates in which arrivals are multiplied by ``factor`` (seasonal peak)."""

    start: str
    end: str
    factor: float


@dataclass(frozen=True)
class ArrivalModel:
    """New cases: gaps drawn from ``interarrival``, measured on the arrival calendar's clock.

    The calendar's weights are scaled to average 1, and a gap of ``x`` seconds elapses
    where the cumulative weight grows by ``x``: busy hours pack arrivals closer, hours of
    weight 0 get none. ``rate_factor`` and ``peaks`` scale demand (1.2 = 20 % more cases).
    """

    interarrival: Distribution
    calendar: WeeklyCalendar
    rate_factor: float = 1.0
    peaks: tuple[RatePeriod, ...] = ()


@dataclass(frozen=True)
class RoutingRule:
    """Where a case goes after the activities in ``context`` (oldest first).

    ``context`` has 0 to ``RoutingModel.order`` activities; () gives the first activity.
    A context that reaches back to the case's start begins with ``START_OF_CASE`` (which
    counts towards the order and is never alone). ``next`` maps activity names (or
    ``END_OF_CASE``) to probabilities summing to 1.
    """

    context: tuple[str, ...]
    next: dict[str, float]


@dataclass(frozen=True)
class ConditionalRule:
    """A routing rule that replaces the plain one when a case attribute has a given value."""

    context: tuple[str, ...]
    attribute: str
    value: str
    next: dict[str, float]


@dataclass(frozen=True)
class RoutingModel:
    """A variable-order Markov model of the case's next activity.

    The engine uses the rule with the longest context matching the case's recent history
    (back-off to shorter contexts). ``concurrent`` lists pairs ``(a, b)`` where the log
    shows ``b`` starting while ``a`` still runs: after ``a`` starts, ``b`` is enabled at
    once instead of at ``a``'s end, and the case ends when all its work has finished.
    ``max_activities`` stops runaway loops (a case is closed after that many steps).
    """

    order: int
    rules: tuple[RoutingRule, ...]
    conditional: tuple[ConditionalRule, ...] = ()
    concurrent: tuple[tuple[str, str], ...] = ()
    max_activities: int = 1000


@dataclass(frozen=True)
class Resource:
    """One person or bot; works in the hours of its calendar (a key of ``SimulationModel.calendars``)."""

    name: str
    calendar: str


@dataclass(frozen=True)
class ResourcePool:
    """A role: resources that can do the same activities. Capacity = number of resources."""

    name: str
    resources: tuple[Resource, ...]
    cost_per_hour: float = 0.0


@dataclass(frozen=True)
class Execution:
    """One way an activity gets done: by a pool (``None`` = no resource needed), with its own
    working-time duration, chosen with ``probability`` among the activity's executions.
    Several executions express per-pool durations, or a bot with a human exception path."""

    pool: str | None
    probability: float
    duration: Distribution
    cost_per_run: float = 0.0


@dataclass(frozen=True)
class Delay:
    """Extraneous waiting before an activity that resources and calendars do not explain
    (e.g. waiting for the vendor's delivery). Applied with ``probability``.

    ``duration`` is wall-clock time when ``calendar`` is ``None``, else working time of
    that calendar (a key of ``SimulationModel.calendars``): a delay counted in office
    hours ends in office hours, as waiting for a colleague or a supplier's clerk does."""

    probability: float
    duration: Distribution
    calendar: str | None = None


@dataclass(frozen=True)
class ActivityModel:
    """How an activity is executed and what delays it beyond resource queues.

    ``delay_after`` holds delays specific to the preceding activity; ``delay`` applies
    when the predecessor has none of its own (or for the case's first activity).
    """

    name: str
    executions: tuple[Execution, ...]
    delay: Delay | None = None
    delay_after: dict[str, Delay] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseAttributeModel:
    """A case attribute drawn at arrival (categorical), used by conditional routing rules,
    priority rules and reported in the simulated log."""

    name: str
    values: dict[str, float]


@dataclass(frozen=True)
class PriorityRule:
    """Queue discipline: cases whose ``attribute`` value comes first in ``order`` are served
    first; ties and unlisted values keep first-come-first-served order."""

    attribute: str
    order: tuple[str, ...]


@dataclass(frozen=True)
class SimulationModel:
    """Everything the engine needs to generate cases like the log's."""

    arrivals: ArrivalModel
    routing: RoutingModel
    activities: dict[str, ActivityModel]
    pools: dict[str, ResourcePool]
    calendars: dict[str, WeeklyCalendar]
    case_attributes: tuple[CaseAttributeModel, ...] = ()
    priority: PriorityRule | None = None
    start: str | None = None
    """Default simulation start (ISO 8601): where the source log ends."""
    source: str = ""
    notes: tuple[str, ...] = ()
    """What discovery estimated or assumed, in words the analyst can act on."""
    schema_version: int = 1
