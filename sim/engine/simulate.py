"""One simulation run: draw the cases and their scripts, run the event loop, build the log.

Time inside a run is float seconds since the Monday 00:00 (UTC) of the start's week, so
calendar slots are ``seconds // 3600 % 168`` and a year stays exact to nanoseconds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sc_improve.progress import ProgressCallback, ensure_progress
from sim.calendar import ArrivalClock, CalendarClock, calendar_weights
from sim.engine.cases import Cases, draw_arrivals, draw_attributes
from sim.engine.events import EventLoop
from sim.engine.output import RunFrame, SimulationRun, attribute_column, build_run
from sim.engine.routing import RouteTable
from sim.engine.script import build_script
from sim.engine.streams import stream_key
from sim.engine.validate import parse_instant, validate_model
from sim.errors import ModelError
from sim.model import SimulationModel

DAY_S = 86_400.0
_PROGRESS_STEPS = 50


def simulate(
    model: SimulationModel,
    *,
    cases: int | None = None,
    days: float | None = None,
    start: str | pd.Timestamp | None = None,
    warmup_days: float = 0.0,
    seed: int = 0,
    replication: int = 0,
    progress: ProgressCallback | None = None,
) -> SimulationRun:
    """Simulate ``cases`` arriving cases (run until all finish) or ``days`` days (stop there),
    after ``warmup_days`` whose cases load the system but stay out of the log.

    The same model, horizon, seed and replication always give the identical run.
    """
    report = ensure_progress(progress)
    _check_run_arguments(cases, days, warmup_days, seed, replication)
    validate_model(model)
    start_stamp = _start(model, start)
    origin_ns = (start_stamp.normalize() - pd.Timedelta(days=start_stamp.day_of_week)).value
    start_s = (start_stamp.value - origin_ns) / 1e9
    measure_s = start_s + warmup_days * DAY_S
    until_s = measure_s + days * DAY_S if days is not None else None

    report(0.0, "drawing cases")
    case_table = _draw_cases(model, origin_ns, start_s, measure_s, until_s, cases, seed, replication)
    activities = list(model.activities)
    pools = list(model.pools)
    route_table = RouteTable(
        model.routing,
        activities,
        [a.name for a in model.case_attributes],
        list(case_table.attribute_values),
    )
    routes = route_table.draw(stream_key(seed, replication, "route"), case_table.attribute_codes)
    script = build_script(model, routes, case_table.count, activities, pools, seed, replication)
    frame = _run_frame(model, origin_ns, activities, pools)

    loop = EventLoop(
        script,
        case_table.arrival_s,
        frame.resource_pool.tolist(),
        frame.resource_clock,
        len(pools),
        _case_rank(model, case_table),
        frame.calendar_clock,
    )
    _run_loop(loop, case_table, until_s, report)
    trace = loop.trace()
    if until_s is not None:
        end_s = until_s
    else:
        finished = trace.case_done_s[case_table.first_measured :]
        end_s = float(np.nanmax(finished)) if finished.size else measure_s
    report(0.97, "building the simulated log")
    run = build_run(
        frame,
        script,
        case_table,
        trace,
        start_s=start_s,
        measure_s=measure_s,
        end_s=end_s,
        truncated=routes.truncated,
        seed=seed,
        replication=replication,
    )
    report(1.0, "done")
    return run


def _check_run_arguments(
    cases: int | None, days: float | None, warmup_days: float, seed: int, replication: int
) -> None:
    if (cases is None) == (days is None):
        raise ValueError("simulate needs exactly one horizon: cases=N or days=D")
    if cases is not None and (
        isinstance(cases, bool) or not isinstance(cases, int | np.integer) or cases < 1
    ):
        raise ValueError(f"cases must be a positive whole number, got {cases!r}")
    if days is not None and not (isinstance(days, int | float) and math.isfinite(days) and days > 0):
        raise ValueError(f"days must be a positive number, got {days!r}")
    if not (isinstance(warmup_days, int | float) and math.isfinite(warmup_days) and warmup_days >= 0):
        raise ValueError(f"warmup_days must be a non-negative number, got {warmup_days!r}")
    for name, value in (("seed", seed), ("replication", replication)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ValueError(f"{name} must be a non-negative whole number, got {value!r}")


def _start(model: SimulationModel, start: str | pd.Timestamp | None) -> pd.Timestamp:
    if start is None and not model.start:
        raise ValueError("simulate needs a start: pass start=... or set the model's start")
    if isinstance(start, pd.Timestamp):
        return start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    text = start if start is not None else model.start
    return parse_instant(str(text), "simulation start")


def _draw_cases(
    model: SimulationModel,
    origin_ns: int,
    start_s: float,
    measure_s: float,
    until_s: float | None,
    cases: int | None,
    seed: int,
    replication: int,
) -> Cases:
    arrivals = model.arrivals
    peaks = [
        (
            (parse_instant(p.start, "peak start").value - origin_ns) / 1e9,
            (parse_instant(p.end, "peak end").value - origin_ns) / 1e9,
            float(p.factor),
        )
        for p in arrivals.peaks
    ]
    clock = ArrivalClock(calendar_weights(arrivals.calendar), arrivals.rate_factor, peaks)
    arrival_s = draw_arrivals(
        arrivals,
        clock,
        stream_key(seed, replication, "arrival"),
        start_s,
        measure_s,
        until_s=until_s,
        measured_cases=None if cases is None else int(cases),
    )
    return Cases(
        arrival_s=arrival_s,
        attribute_codes=draw_attributes(model.case_attributes, seed, replication, arrival_s.size),
        attribute_values=tuple(tuple(a.values) for a in model.case_attributes),
        first_measured=int(np.searchsorted(arrival_s, measure_s, side="left")),
    )


def _run_frame(model: SimulationModel, origin_ns: int, activities: list[str], pools: list[str]) -> RunFrame:
    clocks = {name: CalendarClock(calendar_weights(c), name) for name, c in model.calendars.items()}
    resources, resource_pool, resource_clock, pool_clocks = [], [], [], []
    for code, name in enumerate(pools):
        members = model.pools[name].resources
        for resource in members:
            resources.append(resource.name)
            resource_pool.append(code)
            resource_clock.append(clocks[resource.calendar])
        union = np.zeros(168)
        for resource in members:
            union = np.maximum(union, clocks[resource.calendar].weights)
        pool_clocks.append(CalendarClock(union, f"pool {name}"))
    return RunFrame(
        origin_ns=origin_ns,
        activities=activities,
        pools=pools,
        pool_cost_per_hour=np.array([model.pools[p].cost_per_hour for p in pools], dtype=float),
        pool_clock=pool_clocks,
        resources=resources,
        resource_pool=np.array(resource_pool, dtype=np.int64),
        resource_clock=resource_clock,
        attribute_columns=[attribute_column(a.name) for a in model.case_attributes],
        calendar_clock=list(clocks.values()),
    )


def _case_rank(model: SimulationModel, cases: Cases) -> np.ndarray:
    """Queue priority of each case (0 first); all 0 (first come, first served) without a rule."""
    if model.priority is None:
        return np.zeros(cases.count, dtype=np.int64)
    names = [a.name for a in model.case_attributes]
    column = names.index(model.priority.attribute)
    values = cases.attribute_values[column]
    order = list(model.priority.order)
    rank_of_value = np.array([order.index(v) if v in order else len(order) for v in values], dtype=np.int64)
    return rank_of_value[cases.attribute_codes[:, column]]


def _run_loop(loop: EventLoop, cases: Cases, until_s: float | None, report: ProgressCallback) -> None:
    """Run the event loop in slices, so that progress (and cancelling through it) works.

    With a horizon, events exactly at the horizon still run (SimPy's ``until`` stops
    before them), so an instance ending then and its case's completion agree."""
    if cases.count == 0:
        if until_s is None:
            raise ModelError("no case arrived")
        return
    first = float(cases.arrival_s[0])
    last = math.nextafter(until_s, math.inf) if until_s is not None else float(cases.arrival_s[-1])
    for step in range(1, _PROGRESS_STEPS + 1):
        target = first + (last - first) * step / _PROGRESS_STEPS
        if target > loop.env.now:
            loop.run(until=target)
        report(0.95 * step / _PROGRESS_STEPS, "simulating")
    if until_s is None:
        loop.run()
