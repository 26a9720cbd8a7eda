"""Simulation engine benchmark: activity instances per second, and replications of a year.

    .venv/bin/python bench/bench_sim.py              # 1 process throughput + 10 x 1 year on 2 processes
    .venv/bin/python bench/bench_sim.py --repeat 5 --replications 10 --processes 2

The model is a realistic purchase-to-pay process built by hand (15 activities, 5 pools
with office, warehouse and always-on calendars, extraneous delays for deliveries and
invoices, a rework loop, routing by a case attribute, a concurrent pair, a priority rule),
sized so that one simulated year has about 20,000 cases. Then the same figures for the
model ``sim.discover`` finds in ``sample_logs/p2p_generated.csv`` (about 2,500 cases a
year): the issue's "10 replications of one year of the P2P sample".

Throughput is measured in-process after the imports: ``simulate(days=365)`` best of
``--repeat``, split into drawing (arrivals, routes, durations), the SimPy event loop and
building the log, using the progress messages as stage marks. The replications figure is
the wall time of ``run_replications`` including starting the worker processes.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.engine import run_replications, simulate  # noqa: E402
from sim.model import (  # noqa: E402
    END_OF_CASE,
    ActivityModel,
    ArrivalModel,
    CaseAttributeModel,
    ConditionalRule,
    Delay,
    Distribution,
    Execution,
    PriorityRule,
    Resource,
    ResourcePool,
    RoutingModel,
    RoutingRule,
    SimulationModel,
    WeeklyCalendar,
)

HOUR = 3600.0
DAY = 86400.0
SAMPLE_LOG = Path(__file__).resolve().parent.parent / "sample_logs" / "p2p_generated.csv"


def weekly(name: str, days: range, first_hour: int, last_hour: int, weight: float = 1.0) -> WeeklyCalendar:
    hours = [
        weight if day in days and first_hour <= hour < last_hour else 0.0
        for day in range(7)
        for hour in range(24)
    ]
    return WeeklyCalendar(name, tuple(hours))


def minutes(family: str, **params: float) -> Distribution:
    scale = {"mean": 60.0, "std": 60.0, "low": 60.0, "high": 60.0, "scale": 60.0, "value": 60.0}
    return Distribution(family, {k: v * scale.get(k, 1.0) for k, v in params.items()})


def execution(
    pool: str | None, duration: Distribution, probability: float = 1.0, cost: float = 0.0
) -> Execution:
    return Execution(pool, probability, duration, cost)


def p2p_model() -> SimulationModel:
    office = weekly("office", range(5), 8, 17)
    warehouse = weekly("warehouse", range(6), 6, 22)
    always = WeeklyCalendar("always", (1.0,) * 168)
    arrival_hours = [
        (1.0 if day < 5 and 8 <= hour < 18 else 0.2 if day == 5 and 9 <= hour < 12 else 0.0)
        for day in range(7)
        for hour in range(24)
    ]
    arrivals = ArrivalModel(
        interarrival=Distribution("exponential", {"mean": 365 * DAY / 20_000}),
        calendar=WeeklyCalendar("arrivals", tuple(arrival_hours)),
    )

    def people(prefix: str, count: int, calendar: str) -> tuple[Resource, ...]:
        return tuple(Resource(f"{prefix}{i:02d}", calendar) for i in range(count))

    pools = {
        "requesters": ResourcePool("requesters", people("REQ", 8, "office"), 40.0),
        "buyers": ResourcePool("buyers", people("BUY", 6, "office"), 55.0),
        "managers": ResourcePool("managers", people("MGR", 3, "office"), 90.0),
        "warehouse": ResourcePool("warehouse", people("WH", 4, "warehouse"), 35.0),
        "accounts": ResourcePool("accounts", people("AP", 5, "office"), 45.0),
        "bots": ResourcePool("bots", people("BOT", 2, "always"), 0.0),
    }
    delivery = Delay(1.0, Distribution("lognormal", {"mu": 12.4, "sigma": 0.6}))  # about 3 days
    activities = {
        "Create Purchase Requisition": [execution("requesters", minutes("gamma", shape=2.0, scale=6.0))],
        "Approve Purchase Requisition": [execution("managers", minutes("lognormal", mu=1.2, sigma=0.7))],
        "Create Purchase Order": [
            execution("buyers", minutes("weibull", shape=1.5, scale=20.0), 0.8),
            execution("bots", minutes("fixed", value=0.5), 0.2, 0.05),
        ],
        "Approve Purchase Order": [execution("managers", minutes("exponential", mean=8.0))],
        "Change Price": [execution("buyers", minutes("uniform", low=3.0, high=12.0))],
        "Change Quantity": [execution("buyers", minutes("normal", mean=6.0, std=3.0))],
        "Send PO to Vendor": [execution("bots", minutes("fixed", value=0.2), cost=0.02)],
        "Record Order Confirmation": [
            execution("buyers", Distribution("empirical", quantiles=(60.0, 120.0, 240.0, 300.0, 900.0)))
        ],
        "Record Goods Receipt": [execution("warehouse", minutes("gamma", shape=3.0, scale=4.0))],
        "Record Service Entry": [execution("requesters", minutes("lognormal", mu=2.0, sigma=0.5))],
        "Record Invoice Receipt": [execution("accounts", minutes("gamma", shape=2.0, scale=5.0))],
        "Block Invoice": [execution(None, minutes("fixed", value=0.0))],
        "Release Invoice Block": [execution("accounts", minutes("exponential", mean=25.0))],
        "Clear Invoice": [
            execution("accounts", minutes("exponential", mean=4.0), 0.5),
            execution("bots", minutes("fixed", value=0.1), 0.5, 0.05),
        ],
        "Delete Purchase Order": [execution("buyers", minutes("fixed", value=3.0))],
    }
    delays = {
        "Record Goods Receipt": (
            None,
            {"Send PO to Vendor": delivery, "Record Order Confirmation": delivery},
        ),
        "Record Service Entry": (Delay(1.0, Distribution("exponential", {"mean": 5 * DAY})), {}),
        "Record Invoice Receipt": (Delay(0.9, Distribution("exponential", {"mean": 2 * DAY})), {}),
        "Clear Invoice": (Delay(1.0, Distribution("uniform", {"low": 10 * DAY, "high": 30 * DAY})), {}),
        "Approve Purchase Requisition": (Delay(0.3, Distribution("exponential", {"mean": 4 * HOUR})), {}),
    }
    activity_models = {
        name: ActivityModel(name, tuple(executions), *delays.get(name, (None, {})))
        for name, executions in activities.items()
    }
    rules = (
        RoutingRule((), {"Create Purchase Requisition": 1.0}),
        RoutingRule(("Create Purchase Requisition",), {"Approve Purchase Requisition": 1.0}),
        RoutingRule(("Approve Purchase Requisition",), {"Create Purchase Order": 0.97, END_OF_CASE: 0.03}),
        RoutingRule(
            ("Create Purchase Order",),
            {
                "Send PO to Vendor": 0.8,
                "Change Price": 0.1,
                "Change Quantity": 0.06,
                "Delete Purchase Order": 0.04,
            },
        ),
        RoutingRule(("Approve Purchase Order",), {"Send PO to Vendor": 1.0}),
        RoutingRule(
            ("Change Price",), {"Send PO to Vendor": 0.7, "Change Price": 0.1, "Change Quantity": 0.2}
        ),
        RoutingRule(("Change Quantity",), {"Send PO to Vendor": 0.9, "Change Price": 0.1}),
        RoutingRule(("Send PO to Vendor",), {"Record Goods Receipt": 0.7, "Record Order Confirmation": 0.3}),
        RoutingRule(("Record Order Confirmation",), {"Record Goods Receipt": 1.0}),
        RoutingRule(
            ("Record Goods Receipt",), {"Record Invoice Receipt": 0.95, "Record Goods Receipt": 0.05}
        ),
        RoutingRule(("Record Service Entry",), {"Record Invoice Receipt": 1.0}),
        RoutingRule(("Record Invoice Receipt",), {"Clear Invoice": 0.88, "Block Invoice": 0.12}),
        RoutingRule(("Block Invoice",), {"Release Invoice Block": 1.0}),
        RoutingRule(("Release Invoice Block",), {"Clear Invoice": 1.0}),
        RoutingRule(("Clear Invoice",), {END_OF_CASE: 1.0}),
        RoutingRule(("Delete Purchase Order",), {END_OF_CASE: 1.0}),
        RoutingRule(("Record Goods Receipt", "Record Goods Receipt"), {"Record Invoice Receipt": 1.0}),
    )
    conditional = (
        ConditionalRule(("Create Purchase Order",), "amount", "high", {"Approve Purchase Order": 1.0}),
        ConditionalRule(("Send PO to Vendor",), "category", "services", {"Record Service Entry": 1.0}),
    )
    return SimulationModel(
        arrivals=arrivals,
        routing=RoutingModel(
            order=2,
            rules=rules,
            conditional=conditional,
            concurrent=(("Record Goods Receipt", "Record Invoice Receipt"),),
        ),
        activities=activity_models,
        pools=pools,
        calendars={"office": office, "warehouse": warehouse, "always": always},
        case_attributes=(
            CaseAttributeModel("amount", {"low": 0.7, "medium": 0.2, "high": 0.1}),
            CaseAttributeModel("category", {"goods": 0.85, "services": 0.15}),
        ),
        priority=PriorityRule("amount", ("high",)),
        start="2025-01-01T00:00:00+00:00",
        source="bench_sim.py (hand-built P2P)",
    )


def timed_run(model: SimulationModel, days: float) -> dict[str, float]:
    marks: list[tuple[str, float]] = []

    def progress(fraction: float, message: str = "") -> None:
        if not marks or marks[-1][0] != message:
            marks.append((message, time.perf_counter()))

    begin, begin_cpu = time.perf_counter(), time.process_time()
    run = simulate(model, days=days, seed=1, progress=progress)
    total, cpu = time.perf_counter() - begin, time.process_time() - begin_cpu
    stamp = dict(marks)
    instances = len(run.log)
    return {
        "total": total,
        "cpu": cpu,
        "draw": stamp["simulating"] - stamp["drawing cases"],
        "loop": stamp["building the simulated log"] - stamp["simulating"],
        "output": stamp["done"] - stamp["building the simulated log"],
        "instances": instances,
        "cases": run.cases_arrived,
        "utilisation": run.utilisation,
    }


def discovered_sample_model() -> SimulationModel | None:
    """The model ``sim.discover`` finds in the P2P sample log (None if discovery is not there)."""
    try:
        from sim.discover import discover_model
    except ImportError:
        return None
    from sc_improve import read_log

    return discover_model(read_log(SAMPLE_LOG)).model


def report(name: str, model: SimulationModel, args: argparse.Namespace) -> None:
    simulate(model, days=7, seed=0)  # warm caches (scipy, pandas) outside the timed runs
    best = min((timed_run(model, args.days) for _ in range(args.repeat)), key=lambda r: r["total"])
    print(
        f"{name}: one run of {args.days:g} days: {best['cases']:,} cases, "
        f"{best['instances']:,} activity instances"
    )
    print(
        f"  best of {args.repeat}: total {best['total']:.2f} s = draw {best['draw']:.2f} s + "
        f"event loop {best['loop']:.2f} s + log {best['output']:.2f} s"
    )
    print(
        f"  throughput: {best['instances'] / best['total']:,.0f} activity instances/s (whole run; "
        f"{best['instances'] / best['cpu']:,.0f}/s of CPU time)"
    )
    print(f"              {best['instances'] / best['loop']:,.0f} activity instances/s (event loop alone)")
    print("  utilisation: " + ", ".join(f"{k} {v:.0%}" for k, v in best["utilisation"].items()))
    children_before = _children_cpu()
    begin = time.perf_counter()
    runs = run_replications(model, args.replications, seed=1, processes=args.processes, days=args.days)
    wall = time.perf_counter() - begin
    workers_cpu = _children_cpu() - children_before
    events = sum(len(r.log) for r in runs)
    print(
        f"  {args.replications} replications x {args.days:g} days on {args.processes} processes: "
        f"{wall:.2f} s wall, workers {workers_cpu:.2f} s CPU in total "
        f"({events:,} activity instances, worker start-up included)"
    )


def _children_cpu() -> float:
    """CPU seconds of finished child processes: the workers' own work, whatever else runs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=float, default=365.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    print(
        f"bench_sim {date.today()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    report("hand-built P2P model", p2p_model(), args)
    sample = discovered_sample_model()
    if sample is not None:
        report(f"model discovered from {SAMPLE_LOG.name}", sample, args)


if __name__ == "__main__":
    main()
