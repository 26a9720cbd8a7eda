"""The KPIs of one simulation run, measured from ``measure_from`` (after warm-up) to ``end``.

What a what-if comparison reports per replication (``sim.compare`` adds the confidence
intervals): cycle time of the completed cases, throughput, average work in progress,
waiting per activity split by cause (busy resources, off-shift hours, extraneous delay;
the columns of :mod:`sim.columns`), utilisation per pool, cost, and the share of cases
within a target lead time. Everything is computed on columns, never per event.

Definitions (the run only holds cases that arrived after ``measure_from``):

* cycle time: arrival to completion of the cases completed by ``end``;
* throughput: those completions per week of the measured window;
* work in progress: the time-average number of such cases in the system over the window
  (cases still open at ``end`` count until ``end``);
* waiting: per activity instance, enabled to start, and its three causes;
* utilisation: a pool's busy working time over its available working time;
* cost: the ``sim:cost`` of the completed cases' instances per case, and of all measured
  instances per week;
* within target: completed cases whose cycle time is at most the target, out of those
  whose outcome is known (completed, or still open but already older than the target).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from sc_improve.columns import ACTIVITY, CASE, START
from sim import columns as simcol
from sim.engine.output import ARRIVAL, COMPLETED

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
}
"""Per activity: mean seconds per instance, in total and per cause."""
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
        for pool, share in self.utilisation.items():
            flat["utilisation", pool] = share
        return flat


def kpi_unit(name: str) -> str:
    return {**SCALAR_KPIS, **WAITING_KPIS, **POOL_KPIS}[name]


def run_kpis(run: RunLike, target_lead_time_s: float | None = None) -> RunKpis:
    """The KPIs of ``run``; ``within_target_share`` is NaN without a target."""
    window_s = (run.end - run.measure_from).total_seconds()
    weeks = window_s / SECONDS_PER_WEEK if window_s > 0 else np.nan
    cases = run.cases
    arrival_ns = _ns(cases[ARRIVAL])
    completed_ns = _ns(cases[COMPLETED])
    done = ~np.isnan(completed_ns)
    cycle_s = (completed_ns[done] - arrival_ns[done]) / 1e9
    cost_per_case, cost_per_week = _costs(run, cases[CASE][done], int(done.sum()), weeks)
    return RunKpis(
        replication=int(run.replication),
        cases_arrived=len(cases),
        cases_completed=int(done.sum()),
        cycle_time_mean_s=float(cycle_s.mean()) if cycle_s.size else np.nan,
        cycle_time_median_s=float(np.median(cycle_s)) if cycle_s.size else np.nan,
        cycle_time_p90_s=float(np.quantile(cycle_s, 0.9)) if cycle_s.size else np.nan,
        throughput_per_week=float(done.sum() / weeks),
        wip_mean=_mean_work_in_progress(arrival_ns, completed_ns, run.measure_from.value, run.end.value),
        cost_per_case=cost_per_case,
        cost_per_week=cost_per_week,
        within_target_share=_within_target(cycle_s, arrival_ns[~done], run.end.value, target_lead_time_s),
        waiting=_waiting(run.log),
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
    return per_case, float(cost.sum() / weeks)


def _waiting(log: pd.DataFrame) -> dict[str, ActivityWaiting]:
    if log.empty:
        return {}
    total_s = (log[START] - log[simcol.ENABLED]).dt.total_seconds()
    frame = pd.DataFrame(
        {
            "activity": log[ACTIVITY].astype(object),
            "mean_s": total_s.to_numpy(),
            "busy_s": log[simcol.WAIT_BUSY_S].to_numpy(dtype=np.float64),
            "offshift_s": log[simcol.WAIT_OFFSHIFT_S].to_numpy(dtype=np.float64),
            "extraneous_s": log[simcol.WAIT_EXTRANEOUS_S].to_numpy(dtype=np.float64),
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
        )
        for activity, row in means.iterrows()
    }
