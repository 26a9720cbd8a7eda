"""The KPIs of one simulation run, measured from ``measure_from`` (after warm-up) to ``end``.

What a what-if comparison reports per replication (``sim.compare`` adds the confidence
intervals): cycle time of the completed cases, throughput, average work in progress,
waiting per activity split by cause (busy resources, off-shift hours, extraneous delay;
the columns of :mod:`sim.columns`), utilisation per pool, cost, and the share of cases
within a target lead time. Everything is computed on columns, never per event.

A run may hold cases that arrived before ``measure_from`` (the warm-up's, see
:func:`measured_after`): they load the system, so the steady-state figures count them
where they touch the window. Definitions:

* cycle time: arrival to completion of the cases completed in the window;
* throughput: those completions per week of the window;
* work in progress: the time-average number of cases in the system during the window
  (cases still open at ``end`` count until ``end``);
* waiting: per activity instance started in the window, enabled to start, and its three causes;
* utilisation: a pool's busy working time over its available working time in the window;
* cost: the ``sim:cost`` of the completed cases' instances per case, and of the instances
  ending in the window per week;
* within target: completed cases whose cycle time is at most the target, out of those
  whose outcome is known (completed, or still open but already older than the target).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, START
from sim import columns as simcol
from sim.calendar import CalendarClock, calendar_weights
from sim.engine.output import ARRIVAL, COMPLETED

if TYPE_CHECKING:
    from sim.engine import SimulationRun
    from sim.model import SimulationModel

SECONDS_PER_WEEK = 7 * 86_400.0

SCALAR_KPIS: dict[str, str] = {
    "cycle_time_mean_s": "s",
    "cycle_time_median_s": "s",
    "cycle_time_p90_s": "s",
    "throughput_per_week": "cases/week",
    "wip_mean": "cases",
    "cost_per_case": "cost",
    "cost_per_week": "cost",
    "within_target_share": "share",
    "cases_completed": "cases",
}
"""Per-run KPIs without a subject, with their units."""
WAITING_KPIS: dict[str, str] = {
    "waiting_mean_s": "s",
    "waiting_busy_s": "s",
    "waiting_offshift_s": "s",
    "waiting_extraneous_s": "s",
    "waiting_extraneous_repeat_s": "s",
}
"""Per activity: mean seconds per instance, in total and per cause; ``repeat`` is the part of
the extraneous delay that fell on repeats (the case had done the activity before), i.e. the
delay rework brings back."""
POOL_KPIS: dict[str, str] = {"utilisation": "share"}

KpiKey = tuple[str, str | None]
"""(KPI name, subject): the subject is an activity, a pool, or None."""


class RunLike(Protocol):
    """What the KPIs read from a ``sim.engine.SimulationRun``."""

    log: pd.DataFrame
    cases: pd.DataFrame
    end: pd.Timestamp
    measure_from: pd.Timestamp
    pool_busy_s: dict[str, float]
    pool_available_s: dict[str, float]
    replication: int


@dataclass(frozen=True)
class ActivityWaiting:
    """Mean seconds per instance of one activity between enabling and start, by cause."""

    instances: int
    mean_s: float
    busy_s: float
    offshift_s: float
    extraneous_s: float
    extraneous_repeat_s: float = 0.0


@dataclass(frozen=True)
class RunKpis:
    """The KPIs of one replication (NaN where undefined, e.g. no completed case)."""

    replication: int
    cases_arrived: int
    cases_completed: int
    cycle_time_mean_s: float
    cycle_time_median_s: float
    cycle_time_p90_s: float
    throughput_per_week: float
    wip_mean: float
    cost_per_case: float
    cost_per_week: float
    within_target_share: float
    waiting: dict[str, ActivityWaiting]
    utilisation: dict[str, float]

    def values(self) -> dict[KpiKey, float]:
        """Every KPI as one number keyed by (name, subject), the form comparisons work on."""
        flat: dict[KpiKey, float] = {(name, None): float(getattr(self, name)) for name in SCALAR_KPIS}
        for activity, waiting in self.waiting.items():
            flat["waiting_mean_s", activity] = waiting.mean_s
            flat["waiting_busy_s", activity] = waiting.busy_s
            flat["waiting_offshift_s", activity] = waiting.offshift_s
            flat["waiting_extraneous_s", activity] = waiting.extraneous_s
            flat["waiting_extraneous_repeat_s", activity] = waiting.extraneous_repeat_s
        for pool, share in self.utilisation.items():
            flat["utilisation", pool] = share
        return flat


def kpi_unit(name: str) -> str:
    return {**SCALAR_KPIS, **WAITING_KPIS, **POOL_KPIS}[name]


def run_kpis(run: RunLike, target_lead_time_s: float | None = None) -> RunKpis:
    """The KPIs of ``run``; ``within_target_share`` is NaN without a target."""
    window_s = (run.end - run.measure_from).total_seconds()
    weeks = window_s / SECONDS_PER_WEEK if window_s > 0 else np.nan
    begin_ns, end_ns = run.measure_from.value, run.end.value
    cases = run.cases
    arrival_ns = _ns(cases[ARRIVAL])
    completed_ns = _ns(cases[COMPLETED])
    open_ = np.isnan(completed_ns)
    done = ~open_ & (completed_ns >= begin_ns)
    cycle_s = (completed_ns[done] - arrival_ns[done]) / 1e9
    cost_per_case, cost_per_week = _costs(run, cases[CASE][done], int(done.sum()), weeks)
    return RunKpis(
        replication=int(run.replication),
        cases_arrived=int((arrival_ns >= begin_ns).sum()),
        cases_completed=int(done.sum()),
        cycle_time_mean_s=float(cycle_s.mean()) if cycle_s.size else np.nan,
        cycle_time_median_s=float(np.median(cycle_s)) if cycle_s.size else np.nan,
        cycle_time_p90_s=float(np.quantile(cycle_s, 0.9)) if cycle_s.size else np.nan,
        throughput_per_week=float(done.sum() / weeks),
        wip_mean=_mean_work_in_progress(arrival_ns, completed_ns, begin_ns, end_ns),
        cost_per_case=cost_per_case,
        cost_per_week=cost_per_week,
        within_target_share=_within_target(cycle_s, arrival_ns[open_], end_ns, target_lead_time_s),
        waiting=_waiting(run.log, run.measure_from),
        utilisation={
            pool: busy / run.pool_available_s[pool] if run.pool_available_s.get(pool, 0) > 0 else np.nan
            for pool, busy in run.pool_busy_s.items()
        },
    )


def _ns(column: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch as float, NaN for NaT."""
    values = pd.DatetimeIndex(column).as_unit("ns")
    result = values.asi8.astype(np.float64)
    result[values.isna()] = np.nan
    return result


def _mean_work_in_progress(
    arrival_ns: np.ndarray, completed_ns: np.ndarray, begin_ns: int, end_ns: int
) -> float:
    if end_ns <= begin_ns:
        return np.nan
    leave = np.where(np.isnan(completed_ns), end_ns, np.minimum(completed_ns, end_ns))
    inside = np.clip(leave - np.maximum(arrival_ns, begin_ns), 0, None)
    return float(inside.sum() / (end_ns - begin_ns))


def _within_target(
    cycle_s: np.ndarray, open_arrival_ns: np.ndarray, end_ns: int, target_s: float | None
) -> float:
    if target_s is None:
        return np.nan
    late_open = int(((end_ns - open_arrival_ns) / 1e9 > target_s).sum())
    known = cycle_s.size + late_open
    return float((cycle_s <= target_s).sum() / known) if known else np.nan


def _costs(run: RunLike, completed_cases: pd.Series, completed: int, weeks: float) -> tuple[float, float]:
    log = run.log
    if simcol.COST not in log.columns or log.empty:
        return (0.0 if completed else np.nan), 0.0
    cost = log[simcol.COST].to_numpy(dtype=np.float64)
    of_completed = log[CASE].isin(completed_cases).to_numpy()
    per_case = float(cost[of_completed].sum() / completed) if completed else np.nan
    in_window = (log[END] >= run.measure_from).to_numpy()
    return per_case, float(cost[in_window].sum() / weeks)


def _waiting(log: pd.DataFrame, since: pd.Timestamp) -> dict[str, ActivityWaiting]:
    """Per activity, over the instances started at or after ``since``; repeats are found on
    the whole log so that a first run during the warm-up still makes a later one a repeat."""
    repeat = log.duplicated(subset=[CASE, ACTIVITY], keep="first").to_numpy()
    measured = (log[START] >= since).to_numpy()
    log = log[measured]
    if log.empty:
        return {}
    extraneous_s = log[simcol.WAIT_EXTRANEOUS_S].to_numpy(dtype=np.float64)
    frame = pd.DataFrame(
        {
            "activity": log[ACTIVITY].astype(object).to_numpy(),
            "mean_s": (log[START] - log[simcol.ENABLED]).dt.total_seconds().to_numpy(),
            "busy_s": log[simcol.WAIT_BUSY_S].to_numpy(dtype=np.float64),
            "offshift_s": log[simcol.WAIT_OFFSHIFT_S].to_numpy(dtype=np.float64),
            "extraneous_s": extraneous_s,
            "extraneous_repeat_s": np.where(repeat[measured], extraneous_s, 0.0),
        }
    )
    grouped = frame.groupby("activity", sort=True)
    means = grouped.mean()
    counts = grouped.size()
    return {
        str(activity): ActivityWaiting(
            instances=int(counts[activity]),
            mean_s=float(row.mean_s),
            busy_s=float(row.busy_s),
            offshift_s=float(row.offshift_s),
            extraneous_s=float(row.extraneous_s),
            extraneous_repeat_s=float(row.extraneous_repeat_s),
        )
        for activity, row in means.iterrows()
    }


def measured_after(run: SimulationRun, model: SimulationModel, warmup_days: float) -> SimulationRun:
    """``run`` (simulated from an empty system without the engine's warm-up) measured only
    from ``warmup_days`` after its start.

    The engine's own warm-up leaves the warm-up's cases out of the run, yet in the steady
    state those cases are the ones finishing early in the window: without them a window
    shorter than a few cycle times shows only the fast cases that arrived and finished
    inside it (30 days of a process with a 33-day cycle time: a seventh of the true
    throughput). So the comparison simulates warm-up and window as one run, keeps every
    case, and moves ``measure_from`` here; the pools' busy and available working time
    lose their warm-up part, taken from the log and the resources' calendars.
    """
    if warmup_days <= 0:
        return run
    measure_from = run.start + pd.Timedelta(days=warmup_days)
    busy_before, available_before = _pool_time_before(run, model, measure_from)
    return replace(
        run,
        measure_from=measure_from,
        cases_arrived=int((run.cases[ARRIVAL] >= measure_from).sum()),
        cases_completed=int((run.cases[COMPLETED] >= measure_from).sum()),
        pool_busy_s={p: busy - busy_before[p] for p, busy in run.pool_busy_s.items()},
        pool_available_s={p: s - available_before[p] for p, s in run.pool_available_s.items()},
    )


def without_warmup_cases(run: SimulationRun) -> SimulationRun:
    """Only the cases that arrived in the measured window, as the engine's warm-up keeps them
    (what the exported simulated logs hold)."""
    arrived = run.cases[ARRIVAL] >= run.measure_from
    if arrived.all():
        return run
    kept = run.cases[CASE][arrived]
    return replace(run, cases=run.cases[arrived], log=run.log[run.log[CASE].isin(kept)])


def _pool_time_before(
    run: SimulationRun, model: SimulationModel, until: pd.Timestamp
) -> tuple[dict[str, float], dict[str, float]]:
    """Working seconds each pool was busy and available between the run's start and ``until``,
    counted as the engine counts them (each resource on its own calendar)."""
    origin = run.start.normalize() - pd.Timedelta(days=run.start.day_of_week)
    start_s, until_s = (run.start - origin).total_seconds(), (until - origin).total_seconds()
    log = run.log
    begin = (log[START] - origin).dt.total_seconds().to_numpy()
    finish = np.minimum((log[END] - origin).dt.total_seconds().to_numpy(), until_s)
    pool_codes = pd.Categorical(log[simcol.POOL].astype(object), categories=list(model.pools)).codes
    calendar_of = {
        (pool_name, resource.name): resource.calendar
        for pool_name, pool in model.pools.items()
        for resource in pool.resources
    }
    worker = log[simcol.POOL].astype("string") + "\x00" + log[RESOURCE].astype("string").fillna("")
    worker_calendar = worker.map({f"{p}\x00{r}": c for (p, r), c in calendar_of.items()}).to_numpy()
    clocks = {
        name: CalendarClock(calendar_weights(model.calendars[name]), name)
        for name in dict.fromkeys(calendar_of.values())  # model order: sums come out the same every run
    }
    busy = np.zeros(len(model.pools))
    available = np.zeros(len(model.pools))
    for code, pool in enumerate(model.pools.values()):
        for resource in pool.resources:
            available[code] += float(clocks[resource.calendar].working_between(start_s, until_s))
    for calendar, clock in clocks.items():
        mine = (worker_calendar == calendar) & (finish > begin) & (pool_codes >= 0)
        if mine.any():
            np.add.at(busy, pool_codes[mine], clock.working_between(begin[mine], finish[mine]))
    names = list(model.pools)
    return dict(zip(names, busy.tolist(), strict=True)), dict(zip(names, available.tolist(), strict=True))
