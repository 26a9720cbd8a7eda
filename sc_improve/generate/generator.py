"""Seeded generation of a whole log: choose the case count, simulate, trim to size.

The number of cases is the requested number of events divided by the kind's expected
events per case, plus a margin; after simulation, cases are dropped at random (not
the latest ones, so the seasonal year stays complete) until the event count is as
close to the request as whole cases allow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sc_improve.errors import OptionError
from sc_improve.generate import o2c, p2p, production
from sc_improve.generate.calendar import Calendar
from sc_improve.generate.choices import KINDS, Kind
from sc_improve.generate.events import AttributeValues
from sc_improve.generate.noise import inject_noise
from sc_improve.generate.steps import Simulation

SPAN_DAYS = 365
"""Cases arrive over one year from ``start``; the last ones finish in the next year."""
CASE_MARGIN = 1.1


@dataclass(frozen=True)
class _Process:
    simulate: Callable[[Simulation, int, int, int], dict[str, AttributeValues]]
    events_per_case: float
    first_case_id: int


PROCESSES: dict[str, _Process] = {
    "p2p": _Process(p2p.simulate, p2p.EVENTS_PER_CASE, p2p.FIRST_CASE_ID),
    "o2c": _Process(o2c.simulate, o2c.EVENTS_PER_CASE, o2c.FIRST_CASE_ID),
    "production": _Process(production.simulate, production.EVENTS_PER_CASE, production.FIRST_CASE_ID),
}


@dataclass(frozen=True)
class SimulatedLog:
    """A clean generated log and the working calendar of each of its resources."""

    frame: pd.DataFrame
    calendars: dict[str, Calendar]


def simulate(kind: Kind, events: int, seed: int = 0, start: str = "2024-01-01") -> SimulatedLog:
    """The clean (noise-free) log of about ``events`` events, with resource calendars."""
    if kind not in PROCESSES:
        raise OptionError(f"unknown process kind {kind!r}; choose one of {', '.join(KINDS)}")
    if events < 1:
        raise OptionError("the number of events must be at least 1")
    process = PROCESSES[kind]
    simulation_seed, trim_seed, _ = np.random.SeedSequence(seed).spawn(3)
    sim = Simulation(np.random.default_rng(simulation_seed))
    n_cases = math.ceil(events / process.events_per_case * CASE_MARGIN) + 3
    start_seconds = _start_seconds(start)
    case_attributes = process.simulate(sim, n_cases, start_seconds, SPAN_DAYS)

    counts = sim.events.events_per_case(n_cases)
    order = np.random.default_rng(trim_seed).permutation(n_cases)
    enough = int(np.searchsorted(np.cumsum(counts[order]), events)) + 1
    keep = np.zeros(n_cases, dtype=bool)
    keep[order[:enough]] = True
    case_ids = np.arange(process.first_case_id, process.first_case_id + int(keep.sum())).astype(str)
    frame = sim.events.to_frame(keep, case_ids, case_attributes, sim.directory.names)
    return SimulatedLog(frame, sim.directory.calendar_of())


def _start_seconds(start: str) -> int:
    """Seconds since the epoch of the first simulated day, given as an ISO date such as 2024-01-01."""
    try:
        return int(np.datetime64(start, "s").astype(np.int64))
    except ValueError:
        raise OptionError(f"the start day must be an ISO date such as 2024-01-01, not {start!r}") from None


def generate_log(
    kind: Kind, events: int, seed: int = 0, start: str = "2024-01-01", noise: float = 0.0
) -> pd.DataFrame:
    """A realistic supply-chain event log of about ``events`` events, reproducible by seed.

    Columns: case_id, activity, start_time, end_time (local wall-clock time, naive),
    resource, then case attributes and event attributes of the kind. With ``noise`` > 0
    the documented imperfections of :func:`sc_improve.generate.noise.inject_noise` are
    added to the very same clean log (the noise has its own random stream), so a test
    can compare a noisy log with its clean original.
    """
    if not 0 <= noise <= 1:
        raise OptionError(f"noise is a rate between 0 and 1, not {noise}")
    frame = simulate(kind, events, seed, start).frame
    if noise == 0:
        return frame
    noise_seed = np.random.SeedSequence(seed).spawn(3)[2]
    return inject_noise(frame, noise, np.random.default_rng(noise_seed))
