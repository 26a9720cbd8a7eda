"""Everything about each activity instance that does not depend on resources, as columns.

Given the routes, the way each instance is executed (which execution, so which pool), its
working-time duration, its extraneous delay and how it is linked to its successor
(concurrent pairs) are all drawn here with numpy, one call per activity. The event loop
then only has to decide *when* things happen, which is the part that needs SimPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.distributions import quantile
from sim.engine.routing import Routes
from sim.engine.streams import stream_key, uniforms
from sim.model import Delay, SimulationModel


@dataclass(frozen=True)
class Script:
    """One row per activity instance, in case order (``Routes`` order)."""

    case: np.ndarray
    activity: np.ndarray
    pool: np.ndarray
    """Pool code (index into the run's pool names), -1 when no resource is needed."""
    duration_s: np.ndarray
    """Working time of the resource that does the work (wall-clock time without a pool)."""
    delay_s: np.ndarray
    """Extraneous delay between enabling and requesting a resource."""
    delay_calendar: np.ndarray
    """Calendar (index into the model's calendars) whose working time ``delay_s`` counts,
    -1 for wall-clock time."""
    cost_per_run: np.ndarray
    starts_next: np.ndarray
    """True when the next instance of the case is enabled as soon as this one starts."""
    block: np.ndarray
    """Instances linked by ``starts_next`` form a block; the instance after it waits for all."""
    block_size: np.ndarray
    after_block: np.ndarray
    """First instance after this instance's block, or -1 when the case ends with it."""
    case_first: np.ndarray
    """Per case: its first instance, -1 when the routing ended it before any activity."""


def build_script(
    model: SimulationModel,
    routes: Routes,
    case_count: int,
    activities: list[str],
    pools: list[str],
    seed: int,
    replication: int,
) -> Script:
    calendar_code = {name: i for i, name in enumerate(model.calendars)}
    n = routes.activity.size
    case, step, activity = routes.case, routes.step, routes.activity
    same_case_as_previous = np.zeros(n, dtype=bool)
    same_case_as_previous[1:] = case[1:] == case[:-1]
    previous = np.where(same_case_as_previous, np.roll(activity, 1), -1)

    pool = np.full(n, -1, dtype=np.int64)
    duration = np.zeros(n)
    delay = np.zeros(n)
    delay_calendar = np.full(n, -1, dtype=np.int64)
    cost_per_run = np.zeros(n)
    pool_code = {name: i for i, name in enumerate(pools)}
    keys = {p: stream_key(seed, replication, p) for p in ("execution", "duration", "delay", "delay duration")}
    order = np.argsort(activity, kind="stable")
    bounds = np.searchsorted(activity[order], np.arange(len(activities) + 1))
    for code, name in enumerate(activities):
        rows = order[bounds[code] : bounds[code + 1]]
        if rows.size == 0:
            continue
        spec = model.activities[name]
        weights = np.array([e.probability for e in spec.executions], dtype=float)
        cumulative = np.cumsum(weights / weights.sum())
        u = uniforms(keys["execution"], case[rows], step[rows])
        chosen = np.minimum(np.searchsorted(cumulative, u, side="right"), weights.size - 1)
        u_duration = uniforms(keys["duration"], case[rows], step[rows])
        for number, execution in enumerate(spec.executions):
            picked = chosen == number
            if not picked.any():
                continue
            target = rows[picked]
            pool[target] = -1 if execution.pool is None else pool_code[execution.pool]
            duration[target] = quantile(execution.duration, u_duration[picked])
            cost_per_run[target] = execution.cost_per_run
        delay[rows], delay_calendar[rows] = _delays(
            spec.delay,
            spec.delay_after,
            activities,
            calendar_code,
            previous[rows],
            case[rows],
            step[rows],
            keys,
        )

    code_of = {name: i for i, name in enumerate(activities)}
    pair_codes = np.array(
        [code_of[a] * len(activities) + code_of[b] for a, b in model.routing.concurrent], dtype=np.int64
    )
    starts_next = np.zeros(n, dtype=bool)
    if pair_codes.size and n > 1:
        linked = np.isin(activity[:-1] * len(activities) + activity[1:], pair_codes)
        starts_next[:-1] = linked & same_case_as_previous[1:]
    block_start = ~same_case_as_previous | np.roll(~starts_next, 1)
    block = np.cumsum(block_start) - 1
    block_size = np.bincount(block, minlength=int(block[-1]) + 1 if n else 0)
    block_first = np.flatnonzero(block_start)
    following_first = np.append(block_first[1:], n)[block]
    ends_case = np.ones(n, dtype=bool)
    ends_case[following_first < n] = case[following_first[following_first < n]] != case[following_first < n]
    after_block = np.where(ends_case, -1, following_first)
    case_first = np.full(case_count, -1, dtype=np.int64)
    case_first[case[~same_case_as_previous]] = np.flatnonzero(~same_case_as_previous)
    return Script(
        case=case,
        activity=activity,
        pool=pool,
        duration_s=duration,
        delay_s=delay,
        delay_calendar=delay_calendar,
        cost_per_run=cost_per_run,
        starts_next=starts_next,
        block=block,
        block_size=block_size,
        after_block=after_block,
        case_first=case_first,
    )


def _delays(
    default: Delay | None,
    after: dict[str, Delay],
    activities: list[str],
    calendar_code: dict[str, int],
    previous: np.ndarray,
    case: np.ndarray,
    step: np.ndarray,
    keys: dict[str, np.uint64],
) -> tuple[np.ndarray, np.ndarray]:
    """Delay of each instance and its calendar code: the predecessor's own ``delay_after``
    entry, else ``delay``."""
    result = np.zeros(previous.size)
    calendar = np.full(previous.size, -1, dtype=np.int64)
    if default is None and not after:
        return result, calendar
    specific = {activities.index(name): delay for name, delay in after.items()}
    applies = uniforms(keys["delay"], case, step)
    u_duration = uniforms(keys["delay duration"], case, step)
    covered = np.zeros(previous.size, dtype=bool)
    for code, delay in specific.items():
        rows = previous == code
        covered |= rows
        result[rows] = _delay_values(delay, applies[rows], u_duration[rows])
        calendar[rows] = _calendar_code(delay, calendar_code)
    if default is not None:
        rest = ~covered
        result[rest] = _delay_values(default, applies[rest], u_duration[rest])
        calendar[rest] = _calendar_code(default, calendar_code)
    return result, calendar


def _calendar_code(delay: Delay, calendar_code: dict[str, int]) -> int:
    return -1 if delay.calendar is None else calendar_code[delay.calendar]


def _delay_values(delay: Delay, applies: np.ndarray, u_duration: np.ndarray) -> np.ndarray:
    return np.where(applies < delay.probability, quantile(delay.duration, u_duration), 0.0)
