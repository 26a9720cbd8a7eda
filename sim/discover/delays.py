"""Extraneous delays: the waiting nothing else explains, per activity and predecessor.

Each delay is fitted on the clock that reproduces the log's hours best (wall clock or the
calendar of the activity's resources, :mod:`sim.discover.delay_clock`), and on the
latest part of the log when the waiting drifted over it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.discover.delay_clock import WALL_CLOCK, ClockChoice, DelayEvidence, choose_clock
from sim.discover.fitting import FitResult, fit_distribution
from sim.discover.instances import Instances
from sim.model import Delay, Distribution

MAX_LEVEL_FACTOR = 3.0


@dataclass(frozen=True)
class DelayFit:
    activity: str
    predecessor: str | None
    probability: float
    fit: FitResult | None
    n: int
    recent_only: bool
    clock: ClockChoice = WALL_CLOCK


@dataclass(frozen=True)
class DelayRules:
    """Thresholds of delay discovery (see :class:`~sim.discover.options.DiscoveryOptions`)."""

    min_support: int
    min_seconds: float
    min_empirical_values: int
    tolerance: float
    recent_share: float
    drift_factor: float
    choose_clock: bool = True


def discover_delays(
    instances: Instances, evidence: DelayEvidence, rules: DelayRules
) -> tuple[dict[str, tuple[Delay | None, dict[str, Delay]]], list[DelayFit], list[str]]:
    """Per activity: its general delay and its predecessor-specific ones, the fits and notes.

    When an activity's unexplained waiting in the latest ``recent_share`` of the log is
    ``drift_factor`` times larger or smaller than over the whole log, the delay is
    fitted on the recent instances only, scaled to where the straight-line trend of the
    delays ends, because a what-if model should start from how the process behaves now.
    """
    names = instances.activities
    wall = evidence.wall
    waited = ~instances.first_in_case
    recent_from = np.quantile(instances.enabled, 1 - rules.recent_share) if instances.n else 0.0
    recent = instances.enabled >= recent_from
    delays: dict[str, tuple[Delay | None, dict[str, Delay]]] = {}
    fits: list[DelayFit] = []
    drifted: list[str] = []
    for a, activity in enumerate(names):
        mask = waited & (instances.activity == a)
        if not mask.any() or not (wall[mask] > rules.min_seconds).any():
            continue
        use_recent = _drifted(wall[mask], wall[mask & recent], rules.min_support, rules.drift_factor)
        level = 1.0
        if use_recent:
            level = _level_at_end(instances.enabled[mask], wall[mask], mask & recent, mask)
            mask &= recent
            drifted.append(activity)
        rows = np.flatnonzero(mask)
        predecessor = instances.predecessor[rows]
        counts = np.bincount(predecessor, minlength=len(names))
        supported = np.flatnonzero(counts >= rules.min_support)
        specific: dict[str, Delay] = {}
        for p in supported:
            delay, fit = _group_delay(instances, evidence, rows[predecessor == p], level, rules)
            fits.append(
                DelayFit(
                    activity, names[p], delay.probability, fit.fit, int(counts[p]), use_recent, fit.clock
                )
            )
            specific[names[p]] = delay
        rest = ~np.isin(predecessor, supported)
        general_rows = rows[rest] if rest.sum() >= rules.min_support else rows
        general, fit = _group_delay(instances, evidence, general_rows, level, rules)
        fits.append(
            DelayFit(activity, None, general.probability, fit.fit, len(general_rows), use_recent, fit.clock)
        )
        if general.probability == 0 and all(d.probability == 0 for d in specific.values()):
            continue
        delays[activity] = (general if general.probability > 0 else None, specific)
    notes = _notes(drifted, fits, evidence.calendar_names, rules.recent_share)
    return delays, fits, notes


@dataclass(frozen=True)
class _GroupFit:
    fit: FitResult | None
    clock: ClockChoice


def _group_delay(
    instances: Instances, evidence: DelayEvidence, rows: np.ndarray, level: float, rules: DelayRules
) -> tuple[Delay, _GroupFit]:
    """The delay of one group of instances, on the clock that fits its hours best."""
    wall = evidence.wall[rows] * level
    delayed = rows[wall > rules.min_seconds]
    clock = (
        choose_clock(instances, evidence, delayed, level, rules.min_support)
        if rules.choose_clock
        else WALL_CLOCK
    )
    if clock.calendar is None:
        values, calendar_name = wall, None
    else:
        values = evidence.in_calendar(instances, rows, clock.calendar) * level
        calendar_name = evidence.calendar_names[clock.calendar]
    late = values[values > rules.min_seconds]
    if len(late) == 0:
        return Delay(0.0, Distribution("fixed", {"value": 0.0})), _GroupFit(None, clock)
    fit = fit_distribution(
        late, min_empirical_values=rules.min_empirical_values, parametric_tolerance=rules.tolerance
    )
    return Delay(float(len(late) / len(values)), fit.distribution, calendar_name), _GroupFit(fit, clock)


def _notes(
    drifted: list[str], fits: list[DelayFit], calendar_names: tuple[str, ...], recent_share: float
) -> list[str]:
    notes = []
    if drifted:
        notes.append(
            "The unexplained waiting before "
            + _listed(drifted)
            + f" changed markedly over the log; their delays come from the latest {recent_share:.0%} of it, "
            "scaled to the level its trend reaches at the end. Check that this level still holds."
        )
    in_hours = [f for f in fits if f.clock.calendar is not None and f.probability > 0]
    if in_hours:
        activities = list(dict.fromkeys(f.activity for f in in_hours))
        calendars = sorted(
            {calendar_names[f.clock.calendar] for f in in_hours if f.clock.calendar is not None}
        )
        notes.append(
            f"{len(in_hours)} of the {sum(f.probability > 0 for f in fits)} extraneous delays (before "
            + _listed(activities)
            + ") are counted in working hours ("
            + ", ".join(f"'{c}'" for c in calendars[:3])
            + (" and others" if len(calendars) > 3 else "")
            + "), not on the wall clock: replayed that way they reproduce the hours at which the log's "
            "work starts and ends more closely."
        )
    return notes


def _listed(names: list[str]) -> str:
    return ", ".join(f"'{a}'" for a in names[:5]) + (" and others" if len(names) > 5 else "")


def _drifted(values: np.ndarray, recent: np.ndarray, min_support: int, factor: float) -> bool:
    if len(recent) < min_support or len(recent) == len(values):
        return False
    overall, latest = float(values.mean()), float(recent.mean())
    if overall <= 0 or latest <= 0:
        return False
    return max(latest / overall, overall / latest) >= factor


def _level_at_end(times: np.ndarray, values: np.ndarray, recent: np.ndarray, mask: np.ndarray) -> float:
    """How much the straight-line trend of the delays over the log ends above the recent mean.

    Fitted on the whole log (robust to the few recent values), evaluated at the last
    enabling time and bounded to a factor of three either way.
    """
    slope, intercept = np.polyfit(times - times.min(), values, 1)
    at_end = slope * (times.max() - times.min()) + intercept
    recent_mean = float(values[recent[mask]].mean())
    if recent_mean <= 0 or at_end <= 0:
        return 1.0
    return float(np.clip(at_end / recent_mean, 1 / MAX_LEVEL_FACTOR, MAX_LEVEL_FACTOR))
