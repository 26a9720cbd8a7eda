"""Discovery of a simulation model from an event log: the steps in order."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import EventLog
from sc_improve.progress import ProgressCallback, ensure_progress
from sim.discover.arrivals import discover_arrivals
from sim.discover.attributes import discover_case_attributes
from sim.discover.clean import prepare_log
from sim.discover.delay_clock import DelayEvidence
from sim.discover.delays import DelayFit, DelayRules, discover_delays
from sim.discover.durations import activity_executions
from sim.discover.fitting import FitResult
from sim.discover.instances import Instances, build_instances
from sim.discover.options import DiscoveryOptions
from sim.discover.pools import Pools, discover_pools
from sim.discover.resources import DiscoveredResources, discover_resources
from sim.discover.result import DelayRow, Discovery, DiscoveryDiagnostics, FitRow, PoolRow, WaitingRow
from sim.discover.routing import discover_routing
from sim.discover.waiting import WaitingSplit, split_waiting, unexplained_fraction
from sim.discover.weekly import WeeklyClock
from sim.model import ActivityModel, SimulationModel

DEFAULT_OPTIONS = DiscoveryOptions()
SETTLE_QUANTILE = 0.9
"""Cases this long (90 % of cases are shorter) may still be open at the end of a log."""


def discover_model(
    log: EventLog, options: DiscoveryOptions = DEFAULT_OPTIONS, progress: ProgressCallback | None = None
) -> Discovery:
    """A simulation model of ``log`` and the diagnostics behind every choice.

    Runs on columns only (no loop over events), so a log of a million events takes seconds.
    """
    report = ensure_progress(progress)
    seconds: dict[str, float] = {}
    clock_start = time.perf_counter()

    def stage(name: str, fraction: float) -> None:
        nonlocal clock_start
        now = time.perf_counter()
        seconds[name] = round(now - clock_start, 4)
        clock_start = now
        report(fraction, name)

    if log.n_events == 0:
        raise AnalysisError("cannot discover a simulation model from an empty log")
    prepared = prepare_log(
        log,
        merge_label_spellings=options.merge_label_spellings,
        exclude_time_outliers=options.exclude_time_outliers,
    )
    log, notes = prepared.log, list(prepared.notes)
    instances = build_instances(log)
    if instances.estimated.any():
        share = instances.estimated.mean()
        notes.append(
            f"{share:.0%} of the activity instances have no start time; their starts were estimated as "
            "the later of the previous step's end in the case and the resource's previous end, so their "
            "durations (and the model's processing times) are estimates."
        )
    stage("instances", 0.1)

    case_first = instances.case_starts[:-1]
    case_span = (
        pd.Series(instances.end).groupby(instances.case).max().to_numpy() - instances.start[case_first]
    )
    settle_seconds = float(np.quantile(case_span, SETTLE_QUANTILE))
    arrivals = discover_arrivals(
        instances.start[case_first],
        settle_seconds=settle_seconds,
        min_empirical_values=options.min_empirical_values,
        tolerance=options.parametric_tolerance,
        recent_share=options.recent_share,
        drift_factor=options.drift_factor,
    )
    if arrivals.note:
        notes.append(arrivals.note)
    stage("arrivals", 0.2)

    attributes, skipped = discover_case_attributes(log, options.max_attribute_values)
    routing, routing_stats = discover_routing(
        instances,
        attributes,
        order=options.routing_order,
        min_support=options.min_context_support,
        max_conditional_attributes=options.max_conditional_attributes,
        min_conditional_support=options.min_conditional_support,
        min_conditional_change=options.min_conditional_change,
        concurrency_share=options.concurrency_share,
        min_concurrency_support=options.min_concurrency_support,
    )
    used_attributes = set(routing_stats.conditional_attributes)
    stage("routing", 0.4)

    system_names = _system_users(log) if options.detect_system_users else frozenset()
    pools = discover_pools(instances, system_names, options.role_similarity)
    notes.extend(pools.notes)
    resources = discover_resources(
        instances, pools, min_share=options.min_calendar_share, min_events=options.min_resource_events
    )
    stage("resources", 0.55)

    clock = WeeklyClock.from_weights(resources.calendar_table)
    calendar = resources.instance_calendar
    working = clock.between(instances.start, instances.end, calendar)
    durations = np.where((working <= 0) & (instances.duration > 0), instances.duration, working)
    fit_rows: list[FitRow] = [*_fit_rows("interarrival", "", "", "", arrivals.fit)]
    executions = {}
    for a, activity in enumerate(instances.activities):
        mask = instances.activity == a
        if not mask.any():
            continue
        found, fits = activity_executions(
            activity,
            durations[mask],
            pools.instance_pool[mask],
            pools.names,
            min_pool_share=options.min_pool_share,
            min_group=options.min_group_for_own_duration,
            min_empirical_values=options.min_empirical_values,
            tolerance=options.parametric_tolerance,
        )
        executions[activity] = found
        for fit in fits:
            fit_rows.extend(_fit_rows("duration", activity, fit.pool or "", "", fit.fit))
    stage("durations", 0.75)

    split = split_waiting(instances, clock, calendar)
    share = unexplained_fraction(split)
    evidence = DelayEvidence(
        clock=clock,
        calendar=calendar,
        calendar_names=tuple(resources.calendars),
        wall=share * split.total,
        share=share,
        work=durations,
    )
    delay_rules = DelayRules(
        min_support=options.min_delay_support,
        min_seconds=options.min_delay_seconds,
        min_empirical_values=options.min_empirical_values,
        tolerance=options.parametric_tolerance,
        recent_share=options.recent_share,
        drift_factor=options.drift_factor,
        choose_clock=options.choose_delay_clock,
    )
    delays, delay_fits, delay_notes = discover_delays(instances, evidence, delay_rules)
    notes.extend(delay_notes)
    for delay_fit in delay_fits:
        fit_rows.extend(_delay_rows(delay_fit))
    waiting_rows, unexplained_share = _waiting_rows(instances, split)
    if unexplained_share >= 0.005:
        notes.append(
            f"{unexplained_share:.0%} of the waiting in the log is not explained by busy resources or "
            "off-shift hours; the model reproduces it as extraneous delays (see the waiting split per "
            "activity)."
        )
    stage("waiting", 0.9)

    activities = {
        name: ActivityModel(
            name=name,
            executions=executions[name],
            delay=delays.get(name, (None, {}))[0],
            delay_after=dict(delays.get(name, (None, {}))[1]),
        )
        for name in executions
    }
    model = SimulationModel(
        arrivals=arrivals.model,
        routing=routing,
        activities=activities,
        pools=resources.pools,
        calendars={arrivals.model.calendar.name: arrivals.model.calendar, **resources.calendars},
        case_attributes=tuple(a.model for a in attributes if a.model.name in used_attributes),
        start=pd.Timestamp(float(instances.end.max()), unit="s", tz="UTC").isoformat(),
        source=log.source,
        notes=tuple(notes),
    )
    diagnostics = DiscoveryDiagnostics(
        cases=len(instances.case_starts) - 1,
        instances=instances.n,
        estimated_starts=int(instances.estimated.sum()),
        waiting=waiting_rows,
        unexplained_share=unexplained_share,
        fits=fit_rows,
        pools=_pool_rows(instances, pools, resources),
        routing={
            "order": routing.order,
            "contexts_seen": routing_stats.contexts_seen,
            "contexts_kept": routing_stats.contexts_kept,
            "conditional_rules": routing_stats.conditional_rules,
            "conditional_attributes": list(routing_stats.conditional_attributes),
            "concurrent_pairs": [list(p) for p in routing.concurrent],
            "max_activities": routing.max_activities,
        },
        skipped_attributes=skipped,
        seconds=seconds,
        notes=list(notes),
        delays=[_delay_row(f, evidence.calendar_names) for f in delay_fits],
    )
    stage("model", 1.0)
    return Discovery(model=model, diagnostics=diagnostics)


def _system_users(log: EventLog) -> frozenset[str]:
    from sc_improve.automation.system_users import detect_system_users

    return detect_system_users(log).names


def _fit_rows(quantity: str, activity: str, pool: str, predecessor: str, fit: FitResult) -> list[FitRow]:
    return [
        FitRow(
            quantity=quantity,
            activity=activity,
            pool=pool,
            predecessor=predecessor,
            family=score.family,
            distance=round(score.distance, 4),
            n=fit.n,
            chosen=score.family == fit.distribution.family,
        )
        for score in fit.scores
    ]


def _delay_rows(delay: DelayFit) -> list[FitRow]:
    if delay.fit is None:
        return []
    return _fit_rows("delay", delay.activity, "", delay.predecessor or "", delay.fit)


def _delay_row(delay: DelayFit, calendar_names: tuple[str, ...]) -> DelayRow:
    compared = not np.isnan(delay.clock.wall_distance_h)
    return DelayRow(
        activity=delay.activity,
        predecessor=delay.predecessor or "",
        probability=delay.probability,
        calendar=None if delay.clock.calendar is None else calendar_names[delay.clock.calendar],
        wall_distance_h=round(delay.clock.wall_distance_h, 3) if compared else None,
        calendar_distance_h=round(delay.clock.calendar_distance_h, 3) if compared else None,
        n=delay.n,
        recent_only=delay.recent_only,
    )


def _waiting_rows(instances: Instances, split: WaitingSplit) -> tuple[list[WaitingRow], float]:
    n_activities = len(instances.activities)

    def per_activity(values: np.ndarray) -> np.ndarray:
        return np.bincount(instances.activity, weights=values, minlength=n_activities)

    count = np.bincount(instances.activity, minlength=n_activities)
    busy, off, unexplained = (
        per_activity(split.busy),
        per_activity(split.offshift),
        per_activity(split.unexplained),
    )
    rows = [
        WaitingRow(
            activity=name,
            instances=int(count[a]),
            waiting_s=float(busy[a] + off[a] + unexplained[a]),
            busy_s=float(busy[a]),
            offshift_s=float(off[a]),
            unexplained_s=float(unexplained[a]),
        )
        for a, name in enumerate(instances.activities)
        if count[a]
    ]
    total = float(busy.sum() + off.sum() + unexplained.sum())
    return rows, float(unexplained.sum() / total) if total > 0 else 0.0


def _pool_rows(instances: Instances, pools: Pools, resources: DiscoveredResources) -> list[PoolRow]:
    rows = []
    for p, name in enumerate(pools.names):
        done = np.unique(instances.activity[pools.instance_pool == p])
        pool = resources.pools[name]
        rows.append(
            PoolRow(
                pool=name,
                members=tuple(r.name for r in pool.resources),
                activities=tuple(instances.activities[a] for a in done),
                calendars=tuple(sorted({r.calendar for r in pool.resources})),
                system=pools.system[p],
            )
        )
    return rows
