"""Processing times: working-time durations per activity, and per pool where they differ.

Durations are measured in the working time of the resource that did the work (its
off-shift hours inside the interval do not count), because the engine adds the
off-shift hours back from the calendar of whoever does the work in the simulation.
A pool gets its own distribution only when it has enough instances and its durations
differ clearly from the activity's overall ones; otherwise all executions share one fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from sim.discover.fitting import FitResult, fit_distribution
from sim.model import Execution

MIN_KS_DIFFERENCE = 0.2
MIN_MEAN_RATIO = 1.25
MIN_SHARE_WITHOUT_RESOURCE = 0.5


@dataclass(frozen=True)
class DurationFit:
    activity: str
    pool: str | None
    fit: FitResult


def activity_executions(
    activity: str,
    durations: np.ndarray,
    pool: np.ndarray,
    pool_names: tuple[str, ...],
    *,
    min_pool_share: float,
    min_group: int,
    min_empirical_values: int,
    tolerance: float,
) -> tuple[tuple[Execution, ...], list[DurationFit]]:
    """How ``activity`` is executed: pools with their shares and working-time durations."""
    fit_options = {"min_empirical_values": min_empirical_values, "parametric_tolerance": tolerance}
    overall = fit_distribution(durations, **fit_options)
    fits = [DurationFit(activity, None, overall)]
    with_pool = pool >= 0
    if with_pool.mean() < MIN_SHARE_WITHOUT_RESOURCE:
        return (Execution(pool=None, probability=1.0, duration=overall.distribution),), fits
    counts = np.bincount(pool[with_pool], minlength=len(pool_names)).astype(np.float64)
    shares = counts / counts.sum()
    chosen = np.flatnonzero(shares >= min_pool_share)
    if len(chosen) == 0:
        chosen = np.array([int(np.argmax(shares))])
    total = shares[chosen].sum()
    executions = []
    for p in chosen:
        own = durations[pool == p]
        distribution = overall.distribution
        if len(chosen) > 1 and len(own) >= min_group and _differs(own, durations):
            own_fit = fit_distribution(own, **fit_options)
            fits.append(DurationFit(activity, pool_names[p], own_fit))
            distribution = own_fit.distribution
        executions.append(
            Execution(pool=pool_names[p], probability=float(shares[p] / total), duration=distribution)
        )
    return tuple(executions), fits


def _differs(group: np.ndarray, everyone: np.ndarray) -> bool:
    """Clearly different: distributions apart (KS) and means apart by a noticeable factor."""
    mean_group, mean_all = float(group.mean()), float(everyone.mean())
    if mean_all <= 0 or mean_group <= 0:
        return mean_group != mean_all
    ratio = max(mean_group / mean_all, mean_all / mean_group)
    return ratio >= MIN_MEAN_RATIO and stats.ks_2samp(group, everyone).statistic >= MIN_KS_DIFFERENCE
