"""Baseline against scenarios: KPIs with 95 % confidence intervals and paired differences.

Every model (baseline and each scenario) runs the same replications 0..R-1 with the same
seed. The engine draws arrivals, routes and durations from streams keyed by seed,
replication and case, so replication r of a scenario meets the same cases as replication
r of the baseline (common random numbers): the paired difference per replication then
carries the effect of the change with far less noise than two independent samples, and
its t interval says whether the effect is real. A difference is *significant* when its
95 % interval excludes 0.

>>> low, high = t_interval([9.0, 10.0, 11.0])[1:3]
>>> round(low, 2), round(high, 2)
(7.52, 12.48)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from sc_improve.errors import OptionError
from sc_improve.progress import ProgressCallback, ensure_progress, subrange
from sim.kpis import (
    POOL_KPIS,
    SCALAR_KPIS,
    WAITING_KPIS,
    KpiKey,
    RunKpis,
    kpi_unit,
    measured_after,
    run_kpis,
    without_warmup_cases,
)
from sim.model import SimulationModel
from sim.scenarios import Scenario, apply_scenario

CONFIDENCE = 0.95
BASELINE = "baseline"


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float, int]:
    """(mean, low, high, n) of the Student t interval of the mean over the finite values.

    With fewer than two values the interval is undefined (NaN); with no spread it is the mean.
    """
    data = np.asarray(values, dtype=np.float64)
    data = data[np.isfinite(data)]
    n = int(data.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(data.mean())
    if n < 2:
        return mean, math.nan, math.nan, n
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * data.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


@dataclass(frozen=True)
class Estimate:
    """One KPI of one model over the replications."""

    kpi: str
    subject: str | None
    unit: str
    mean: float
    ci_low: float
    ci_high: float
    n: int
    clipped: bool = False
    """True when the t interval crossed the KPI's natural bounds (below 0, a share above 1)
    and was cut there: the symmetric interval of a skewed, non-negative quantity can."""


@dataclass(frozen=True)
class Difference:
    """Scenario minus baseline of one KPI, paired by replication."""

    kpi: str
    subject: str | None
    unit: str
    mean: float
    ci_low: float
    ci_high: float
    n: int
    relative: float
    """``mean`` over the baseline's mean (NaN when the baseline is 0)."""
    significant: bool


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    description: str
    estimates: list[Estimate]
    differences: list[Difference] = field(default_factory=list)
    """Empty for the baseline."""
    runs: list[RunKpis] = field(default_factory=list)

    def estimate(self, kpi: str, subject: str | None = None) -> Estimate:
        return next(e for e in self.estimates if (e.kpi, e.subject) == (kpi, subject))

    def difference(self, kpi: str, subject: str | None = None) -> Difference:
        return next(d for d in self.differences if (d.kpi, d.subject) == (kpi, subject))


@dataclass(frozen=True)
class Comparison:
    """The whole experiment; :meth:`to_dict` is the JSON contract of ``sc-improve simulate --json``."""

    baseline: ScenarioResult
    scenarios: list[ScenarioResult]
    replications: int
    seed: int
    horizon: dict[str, Any]
    target_lead_time_s: float | None
    confidence: float = CONFIDENCE
    waiting_causes: list[WaitingCauses] = field(default_factory=list)
    """The baseline's waiting per activity by cause, longest first, each cause with its remedy."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "replications": self.replications,
            "seed": self.seed,
            "confidence": self.confidence,
            "horizon": self.horizon,
            "target_lead_time_s": self.target_lead_time_s,
            "baseline": _result_dict(self.baseline),
            "scenarios": [_result_dict(s) for s in self.scenarios],
            "waiting_causes": [_clean(asdict(w)) for w in self.waiting_causes],
        }


def _result_dict(result: ScenarioResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "description": result.description,
        "kpis": [_clean(asdict(e)) for e in result.estimates],
        "differences": [_clean(asdict(d)) for d in result.differences],
        "runs": [_clean(asdict(run)) for run in result.runs],
    }


def _clean(value: Any) -> Any:
    """NaN and infinities become null: JSON has no numbers for them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


@dataclass(frozen=True)
class Remedy:
    """The scenario change that addresses one cause of waiting: ``change`` is a scenario
    file's change kind (``staff``, ``working_hours``, ``rework``, ``delay``) with its
    ``subject``; ``advice`` says it in words."""

    change: str
    subject: str
    advice: str


@dataclass(frozen=True)
class WaitingCause:
    cause: str
    """``busy`` (all resources of the pool busy), ``offshift`` (none on shift) or ``extraneous``."""
    mean_s: float
    """Mean seconds per instance in the baseline."""
    remedy: Remedy | None
    """None when the cause takes no time."""


@dataclass(frozen=True)
class WaitingCauses:
    """Why cases wait before one activity in the baseline, and what would shorten it."""

    activity: str
    pool: str | None
    """The pool that does most of the activity (None: it needs no resource)."""
    total_s: float
    causes: list[WaitingCause]
    """The three causes, largest first."""


def waiting_causes(baseline: ScenarioResult, model: SimulationModel) -> list[WaitingCauses]:
    """Per activity, the baseline's waiting split by cause, longest total first.

    Busy resources point at the pool's staff and off-shift hours at its working hours.
    Extraneous delay is the wait neither explains (a vendor, a hand-over): when most of
    it falls on repeats (the case comes back to the activity), cutting that rework
    removes it; otherwise only the delay itself, outside the model's resources, can be
    shortened, and no scenario change models that yet.
    """
    means = {(e.kpi, e.subject): e.mean for e in baseline.estimates}
    result = []
    for activity in model.activities:
        total = means.get(("waiting_mean_s", activity), math.nan)
        if not math.isfinite(total):
            continue
        pool = _main_pool(model, activity)
        extraneous = means.get(("waiting_extraneous_s", activity), 0.0)
        repeat = means.get(("waiting_extraneous_repeat_s", activity), 0.0)
        repeat_share = repeat / extraneous if extraneous > 0 else 0.0
        causes = [
            WaitingCause(
                cause, seconds, _remedy(cause, activity, pool, repeat_share) if seconds > 0 else None
            )
            for cause, seconds in (
                ("busy", _noise_free(means.get(("waiting_busy_s", activity), 0.0))),
                ("offshift", _noise_free(means.get(("waiting_offshift_s", activity), 0.0))),
                ("extraneous", _noise_free(extraneous)),
            )
        ]
        causes.sort(key=lambda c: -c.mean_s)
        result.append(WaitingCauses(activity, pool, total, causes))
    return sorted(result, key=lambda w: -w.total_s)


def _noise_free(seconds: float) -> float:
    """Causes are differences of clock readings: below a millisecond they are rounding, not waiting."""
    return seconds if seconds >= 1e-3 else 0.0


def _main_pool(model: SimulationModel, activity: str) -> str | None:
    staffed = [e for e in model.activities[activity].executions if e.pool is not None]
    return max(staffed, key=lambda e: e.probability).pool if staffed else None


def _remedy(cause: str, activity: str, pool: str | None, repeat_share: float) -> Remedy:
    if cause == "busy" and pool is not None:
        return Remedy("staff", pool, f"add people to the pool '{pool}' (staff: {activity})")
    if cause == "offshift" and pool is not None:
        return Remedy(
            "working_hours", pool, f"longer or shifted hours for '{pool}' (working_hours: {activity})"
        )
    if repeat_share >= 0.5:
        return Remedy(
            "rework",
            activity,
            f"{repeat_share:.0%} of it falls on cases coming back to '{activity}': less rework "
            f"(rework: {activity})",
        )
    return Remedy(
        "delay",
        activity,
        "the delay itself, outside the model's resources (e.g. supplier agreements, an automated "
        f"hand-over): try a shorter or rarer one (delay: {activity}, with duration_factor or "
        "probability_factor)",
    )


def estimates(runs: Sequence[RunKpis], confidence: float = CONFIDENCE) -> list[Estimate]:
    """Each KPI's mean and t interval over the replications, in a stable order."""
    table = _table(runs)
    result = []
    for key in _ordered(table):
        mean, low, high, n = t_interval(table[key], confidence)
        if n == 0:  # undefined in every run, e.g. the share within target without a target
            continue
        unit = kpi_unit(key[0])
        low, high, clipped = _within_bounds(unit, low, high)
        result.append(Estimate(key[0], key[1], unit, mean, low, high, n, clipped))
    return result


def _within_bounds(unit: str, low: float, high: float) -> tuple[float, float, bool]:
    """The interval cut at what the KPI can be: every KPI is non-negative, shares are at most 1.

    Differences are never cut: they can be negative."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return low, high, False
    bounded_low, bounded_high = max(low, 0.0), (min(high, 1.0) if unit == "share" else high)
    return bounded_low, bounded_high, (bounded_low, bounded_high) != (low, high)


def differences(
    baseline: Sequence[RunKpis], scenario: Sequence[RunKpis], confidence: float = CONFIDENCE
) -> list[Difference]:
    """Paired differences (scenario - baseline, replication by replication) of the KPIs both have."""
    base_table, scenario_table = _table(baseline), _table(scenario)
    base_by_rep = {run.replication: i for i, run in enumerate(baseline)}
    pairs = [
        (base_by_rep[run.replication], j) for j, run in enumerate(scenario) if run.replication in base_by_rep
    ]
    result = []
    for key in _ordered(base_table):
        if key not in scenario_table:
            continue
        base_values, scenario_values = base_table[key], scenario_table[key]
        paired = [scenario_values[j] - base_values[i] for i, j in pairs]
        mean, low, high, n = t_interval(paired, confidence)
        if n == 0:
            continue
        base_mean = t_interval(base_values, confidence)[0]
        relative = mean / base_mean if base_mean and math.isfinite(base_mean) else math.nan
        significant = bool(n >= 2 and (low > 0 or high < 0))
        result.append(Difference(key[0], key[1], kpi_unit(key[0]), mean, low, high, n, relative, significant))
    return result


def _table(runs: Sequence[RunKpis]) -> dict[KpiKey, list[float]]:
    """KPI -> value per run (NaN where a run lacks it, e.g. an activity it never executed)."""
    flat = [run.values() for run in runs]
    keys: dict[KpiKey, None] = {}
    for values in flat:
        keys.update(dict.fromkeys(values))
    return {key: [values.get(key, math.nan) for values in flat] for key in keys}


def _ordered(table: dict[KpiKey, list[float]]) -> list[KpiKey]:
    """Scalar KPIs in their defined order, then waiting by activity, then utilisation by pool."""
    groups = [list(SCALAR_KPIS), list(WAITING_KPIS), list(POOL_KPIS)]

    def position(key: KpiKey) -> tuple[int, str, int]:
        group = next(i for i, names in enumerate(groups) if key[0] in names)
        return group, key[1] or "", groups[group].index(key[0])

    return sorted(table, key=position)


def compare_scenarios(
    model: SimulationModel,
    scenarios: Sequence[Scenario],
    *,
    replications: int = 10,
    seed: int = 0,
    cases: int | None = None,
    days: float | None = None,
    start: str | None = None,
    warmup_days: float = 0.0,
    target_lead_time_s: float | None = None,
    processes: int | None = None,
    keep_runs: bool = True,
    progress: ProgressCallback | None = None,
    on_runs: Callable[[str, list[Any]], None] | None = None,
) -> Comparison:
    """Run the baseline and every scenario over the same replications and compare their KPIs.

    Scenarios are applied first, so a scenario that does not fit the model fails before
    any simulation. ``on_runs(name, runs)`` sees each model's ``SimulationRun`` list (to
    export logs) before it is dropped; ``keep_runs`` keeps the per-replication KPIs in
    the result.
    """
    if target_lead_time_s is not None and target_lead_time_s <= 0:
        raise OptionError(f"the target lead time must be above 0 seconds, got {target_lead_time_s}")
    names = [BASELINE, *(s.name for s in scenarios)]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise OptionError(f"two scenarios are named '{name}': give them different names")
    models = [model, *(apply_scenario(model, s) for s in scenarios)]
    report = ensure_progress(progress)
    all_runs: list[list[RunKpis]] = []
    for index, (name, variant) in enumerate(zip(names, models, strict=True)):
        runs = _replications(
            variant,
            replications,
            seed=seed,
            processes=processes,
            progress=subrange(report, index / len(models), (index + 1) / len(models)),
            cases=cases,
            days=days,
            start=start,
            warmup_days=warmup_days,
        )
        if on_runs is not None:
            on_runs(name, [without_warmup_cases(run) for run in runs])
        all_runs.append([run_kpis(run, target_lead_time_s) for run in runs])
        report((index + 1) / len(models), f"{name}: {replications} replications done")
    baseline_runs = all_runs[0]
    baseline = ScenarioResult(
        BASELINE, "the model as it is", estimates(baseline_runs), [], _kept(baseline_runs, keep_runs)
    )
    results = [
        ScenarioResult(
            scenario.name,
            scenario.description,
            estimates(runs),
            differences(baseline_runs, runs),
            _kept(runs, keep_runs),
        )
        for scenario, runs in zip(scenarios, all_runs[1:], strict=True)
    ]
    horizon = {"cases": cases, "days": days, "start": start, "warmup_days": warmup_days}
    return Comparison(
        baseline,
        results,
        replications,
        seed,
        horizon,
        target_lead_time_s,
        waiting_causes=waiting_causes(baseline, model),
    )


def _replications(
    model: SimulationModel,
    replications: int,
    *,
    days: float | None,
    warmup_days: float,
    **kwargs: Any,
) -> list[Any]:
    """The engine's runs, measured after the warm-up.

    With a time horizon the warm-up and the window run as one simulation whose
    measurement starts after the warm-up (:func:`sim.kpis.measured_after`), so the cases
    that arrived during the warm-up still count where they finish in the window; with a
    number of cases the engine's warm-up applies (N cases after it, run until all finish).
    """
    from sim.engine import run_replications

    if days is None:
        return run_replications(model, replications, days=None, warmup_days=warmup_days, **kwargs)
    runs = run_replications(model, replications, days=warmup_days + days, warmup_days=0.0, **kwargs)
    return [measured_after(run, model, warmup_days) for run in runs]


def _kept(runs: list[RunKpis], keep: bool) -> list[RunKpis]:
    return runs if keep else []
