"""One process step for many cases at once: who does it, when it starts and ends.

A step waits for its performer (a lognormal queueing time counted in the performer's
working time, so that evenings and weekends stretch it the way they do in reality),
then takes a lognormal working duration. Steps by technical users run around the clock
and take no time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sc_improve.generate.calendar import ALWAYS, HOUR, Calendar
from sc_improve.generate.events import AttributeValues, EventBuffer
from sc_improve.generate.staff import Directory, Team


@dataclass(frozen=True)
class Delay:
    """A lognormal time span: its median in hours and the spread of its logarithm."""

    hours: float
    sigma: float = 0.5

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Seconds, at least one when the median is positive (so a duration never vanishes)."""
        if self.hours <= 0:
            return np.zeros(n, dtype=np.int64)
        seconds = self.hours * HOUR * np.exp(self.sigma * rng.standard_normal(n))
        return np.maximum(seconds, 1).astype(np.int64)


NO_TIME = Delay(0.0)


@dataclass(frozen=True)
class Assigned:
    """Resources fixed per case beforehand (e.g. the buyer of the purchasing group)."""

    codes: np.ndarray
    calendar: Calendar


Actor = Team | Assigned | str
"""Who performs a step: a team (one member drawn per case), per-case resources, or a
technical user by name."""


@dataclass
class Simulation:
    """Random state, resources and collected events of one generated log."""

    rng: np.random.Generator
    directory: Directory = field(default_factory=Directory)
    events: EventBuffer = field(default_factory=EventBuffer)

    def perform(
        self,
        activity: str,
        cases: np.ndarray,
        ready: np.ndarray,
        by: Actor,
        wait: Delay = NO_TIME,
        duration: Delay | np.ndarray = NO_TIME,
        wait_scale: np.ndarray | float = 1.0,
        attributes: dict[str, AttributeValues] | None = None,
    ) -> np.ndarray:
        """Add the step for ``cases`` that become ready at ``ready``; return the end times.

        ``duration`` is a distribution, or working seconds per case when the work
        content is known (machine time from lot size).
        """
        n = len(cases)
        codes, calendar = self._resolve(by, n)
        waiting = (wait.draw(self.rng, n) * wait_scale).astype(np.int64)
        start = calendar.start_after(ready, waiting)
        work = duration if isinstance(duration, np.ndarray) else duration.draw(self.rng, n)
        end = calendar.end_after(start, work) if work.any() else start
        self.events.add(activity, cases, start, end, codes, attributes)
        return end

    def record(
        self,
        activity: str,
        cases: np.ndarray,
        when: np.ndarray,
        by: Actor,
        attributes: dict[str, AttributeValues] | None = None,
    ) -> np.ndarray:
        """Add an instantaneous event at exactly ``when`` (batch runs, automatic checks)."""
        codes, _ = self._resolve(by, len(cases))
        self.events.add(activity, cases, when, when, codes, attributes)
        return when

    def seconds(self, low: int, high: int, n: int) -> np.ndarray:
        """Uniform whole seconds in [low, high): the small lag of automatic follow-ups."""
        return self.rng.integers(low, high, size=n, dtype=np.int64)

    def _resolve(self, by: Actor, n: int) -> tuple[np.ndarray, Calendar]:
        if isinstance(by, Team):
            return by.pick(self.rng, n), by.calendar
        if isinstance(by, Assigned):
            return by.codes, by.calendar
        return np.full(n, self.directory.system(by), dtype=np.int32), ALWAYS
