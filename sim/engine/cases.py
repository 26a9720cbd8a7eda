"""New cases: when each arrives and the attributes it carries, for the whole run at once.

Neither depends on how busy the resources are, so both are drawn before the event loop
starts, in vectorised batches from keyed streams: case ``n`` gets the ``n``-th gap and
the ``n``-th attribute draw whatever the scenario does to staffing or durations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import ArrivalClock
from sim.distributions import mean, quantile
from sim.engine.streams import stream_key, uniforms
from sim.errors import ModelError
from sim.model import ArrivalModel, CaseAttributeModel

MAX_CASES = 20_000_000
"""More cases than this in one run means a mistake (a gap of microseconds), not a study."""


@dataclass(frozen=True)
class Cases:
    """Every case of a run, indexed 0..n-1 in arrival order."""

    arrival_s: np.ndarray
    """Arrival instants (seconds since the run's week origin)."""
    attribute_codes: np.ndarray
    """(cases, attributes) index into each attribute's ``values``."""
    attribute_values: tuple[tuple[str, ...], ...]
    first_measured: int
    """Index of the first case that arrives after the warm-up."""

    @property
    def count(self) -> int:
        return int(self.arrival_s.size)


def draw_arrivals(
    arrivals: ArrivalModel,
    clock: ArrivalClock,
    key: np.uint64,
    start_s: float,
    measure_s: float,
    *,
    until_s: float | None,
    measured_cases: int | None,
) -> np.ndarray:
    """Arrival instants from ``start_s`` until ``until_s``, or until ``measured_cases`` cases
    have arrived after ``measure_s`` (the warm-up's cases come on top)."""
    mean_gap = mean(arrivals.interarrival)
    if mean_gap <= 0:
        raise ModelError(
            "arrivals: the interarrival distribution has mean 0, so cases would never stop arriving"
        )
    start_clock = float(clock.clock_at(start_s))
    target_s = until_s if until_s is not None else measure_s
    expected = (float(clock.clock_at(target_s)) - start_clock) / mean_gap + (measured_cases or 0)
    batch = int(min(expected * 1.05 + 64, MAX_CASES))
    pieces: list[np.ndarray] = []
    drawn = 0
    clock_so_far = start_clock
    while True:
        index = np.arange(drawn, drawn + batch)
        gaps = quantile(arrivals.interarrival, uniforms(key, index))
        clocks = clock_so_far + np.cumsum(gaps)
        times = np.maximum(clock.time_at(clocks), start_s)
        if until_s is not None and times[-1] >= until_s:
            pieces.append(times[times < until_s])
            break
        if measured_cases is not None:
            measured_before = sum(int(np.count_nonzero(p >= measure_s)) for p in pieces)
            measured_here = np.flatnonzero(times >= measure_s)
            if measured_before + measured_here.size >= measured_cases:
                last = measured_here[measured_cases - measured_before - 1]
                pieces.append(times[: last + 1])
                break
            if np.isinf(times[-1]):
                raise ModelError(
                    "arrivals: a peak with factor 0 stops arrivals for ever, so "
                    f"{measured_cases} cases never arrive; simulate a number of days instead"
                )
        pieces.append(times)
        drawn += batch
        clock_so_far = float(clocks[-1])
        if drawn >= MAX_CASES:
            raise ModelError(
                f"arrivals: more than {MAX_CASES:,} cases in one run; check the interarrival times"
            )
    return np.concatenate(pieces)


def draw_attributes(
    attributes: tuple[CaseAttributeModel, ...], seed: int, replication: int, count: int
) -> np.ndarray:
    """(count, attributes) value indices, each attribute from its own keyed stream."""
    codes = np.zeros((count, len(attributes)), dtype=np.int32)
    case_index = np.arange(count)
    for column, attribute in enumerate(attributes):
        weights = np.array(list(attribute.values.values()), dtype=float)
        cumulative = np.cumsum(weights / weights.sum())
        u = uniforms(stream_key(seed, replication, f"attribute:{attribute.name}"), case_index)
        codes[:, column] = np.minimum(np.searchsorted(cumulative, u, side="right"), weights.size - 1)
    return codes
