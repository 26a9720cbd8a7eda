"""Production: a discrete-manufacturing order from creation to technical completion.

The model follows an SAP PP flow. Each material has a routing: a subsequence of the
work-center types below, in their technological order. An operation is one activity
instance named after its work-center type (e.g. "Turning"): its start time is the
operation start and its end time the final confirmation, the resource is the machine,
and ``operation`` carries the routing step number (0010, 0020, ...). In XES these
become lifecycle start/complete pairs.

Its deliberate, detectable patterns are:

* most orders are created by the nightly MRP run, the rest by planners;
* a component shortage found at release makes material staging wait for days;
* the single paint line has a long queue (a machine bottleneck);
* urgent orders wait less everywhere, low-priority orders more;
* a few problem materials fail quality inspection often, which adds rework on the
  last machine and a repeated inspection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_improve.generate.arrivals import Seasonality, arrival_times
from sc_improve.generate.calendar import HOUR, OFFICE, SHIFTS, Schedule
from sc_improve.generate.events import AttributeValues
from sc_improve.generate.partners import categorical, popularity
from sc_improve.generate.staff import staff_scale
from sc_improve.generate.steps import Assigned, Delay, Simulation

FIRST_CASE_ID = 1_000_001
EVENTS_PER_CASE = 10.1


@dataclass(frozen=True)
class WorkCenterType:
    name: str
    prefix: str
    machines: int
    queue_hours: float
    setup_hours: float
    minutes_per_unit: float
    routing_share: float
    """Share of materials whose routing includes this step."""


WORK_CENTERS = (
    WorkCenterType("Cutting", "SAW", 2, 4, 0.3, 0.4, 0.6),
    WorkCenterType("Turning", "CNC", 3, 6, 0.5, 1.2, 0.5),
    WorkCenterType("Milling", "MILL", 2, 8, 0.6, 1.5, 0.4),
    WorkCenterType("Welding", "WELD", 1, 6, 0.4, 1.0, 0.3),
    WorkCenterType("Painting", "PAINT", 1, 24, 0.5, 0.5, 0.4),
    WorkCenterType("Assembly", "ASM", 2, 5, 0.3, 2.0, 0.8),
)

PLANTS = ("DE01", "PL01")
PLANT_SHARES = (0.65, 0.35)
PRIORITIES = (1, 2, 3)
PRIORITY_SHARES = (0.1, 0.7, 0.2)
PRIORITY_WAIT = (0.3, 1.0, 1.5)
"""Multiplier of queueing times: urgent orders are expedited."""
INSPECTION_RESULTS = ("pass", "fail")

MRP_RUN = Schedule.weekly("MRP run", range(5), (1,))
TECO_RUN = Schedule.weekly("technical completion job", (5,), (2,))


@dataclass(frozen=True)
class ProductionConfig:
    """Rates of the production model (the tests check them)."""

    materials: int = 60
    material_popularity: float = 0.9
    lot_size: float = 40.0
    mrp_share: float = 0.6
    shortage_rate: float = 0.1
    fail_rate: float = 0.08
    problem_material_share: float = 0.1
    problem_fail_rate: float = 0.35
    max_reworks: int = 2
    automatic_receipt_share: float = 0.5
    batch_completion_share: float = 0.5


def simulate(
    sim: Simulation, n: int, start: int, days: int, config: ProductionConfig | None = None
) -> dict[str, AttributeValues]:
    """Add the events of ``n`` production orders to ``sim``; return the case attributes."""
    cfg = config or ProductionConfig()
    rng = sim.rng
    cases = np.arange(n)
    scale = staff_scale(n, days)
    planners = sim.directory.team(rng, "production planner", 3 * scale, OFFICE)
    warehouse = sim.directory.team(rng, "warehouse clerk", 5 * scale, SHIFTS)
    inspectors = sim.directory.team(rng, "quality inspector", 3 * scale, SHIFTS)
    machines = _MachinePark(
        [
            sim.directory.machines(
                [f"{wc.prefix}-{i:02d}" for i in range(1, wc.machines * scale + 1)], SHIFTS
            )
            for wc in WORK_CENTERS
        ]
    )

    routing = np.column_stack([rng.random(cfg.materials) < wc.routing_share for wc in WORK_CENTERS])
    routing[routing.sum(axis=1) == 0, -1] = True
    fail_rate = np.where(
        rng.random(cfg.materials) < cfg.problem_material_share, cfg.problem_fail_rate, cfg.fail_rate
    )
    lot_size = cfg.lot_size * np.exp(0.6 * rng.standard_normal(cfg.materials))
    material_names = [f"{'SF' if i % 3 == 0 else 'FG'}-{2000 + i}" for i in range(cfg.materials)]

    # Creation: MRP run at night or a planner by hand; cases in order of creation.
    by_mrp = rng.random(n) < cfg.mrp_share
    need = arrival_times(rng, n, start, days, OFFICE, Seasonality())
    ready = np.where(by_mrp, MRP_RUN.next_run(need) + sim.seconds(0, 3600, n), need)
    chronological = np.argsort(ready, kind="stable")
    ready, by_mrp = ready[chronological], by_mrp[chronological]

    material = rng.choice(cfg.materials, size=n, p=popularity(cfg.materials, cfg.material_popularity))
    plant = rng.choice(len(PLANTS), size=n, p=PLANT_SHARES)
    priority = rng.choice(len(PRIORITIES), size=n, p=PRIORITY_SHARES)
    urgency = np.asarray(PRIORITY_WAIT)[priority]
    quantity = np.maximum(1, np.round(lot_size[material] * np.exp(0.3 * rng.standard_normal(n)))).astype(
        np.int64
    )

    t = np.empty(n, dtype=np.int64)
    t[by_mrp] = sim.record("Create Production Order", cases[by_mrp], ready[by_mrp], "BATCH_JOB")
    manual = cases[~by_mrp]
    t[manual] = sim.perform("Create Production Order", manual, ready[manual], planners, duration=Delay(0.1))
    t = sim.perform(
        "Release Production Order",
        cases,
        t,
        planners,
        wait=Delay(16, 1.0),
        duration=Delay(0.05),
        wait_scale=urgency,
    )

    short = cases[rng.random(n) < cfg.shortage_rate]
    sim.record("Component Shortage", short, t[short] + sim.seconds(1, 30, len(short)), "SYS_WF")
    shortage_wait = np.ones(n)
    shortage_wait[short] = 7.5
    t = sim.perform(
        "Stage Material",
        cases,
        t,
        warehouse,
        wait=Delay(8, 0.8),
        duration=Delay(0.5),
        wait_scale=shortage_wait * urgency,
    )
    t = sim.perform("Goods Issue Components", cases, t, warehouse, wait=Delay(1, 0.8), duration=Delay(0.1))

    # Routing: work-center types in technological order, each a subsequence per material.
    steps = routing[material]
    step_number = np.cumsum(steps, axis=1) * 10
    last_type = steps.shape[1] - 1 - np.argmax(steps[:, ::-1], axis=1)
    machine_time = np.zeros(n)
    for k, wc in enumerate(WORK_CENTERS):
        mine = cases[steps[:, k]]
        machine = machines.pick(rng, np.full(len(mine), k))
        work = (wc.setup_hours + quantity[mine] * wc.minutes_per_unit / 60) * np.exp(
            0.15 * rng.standard_normal(len(mine))
        )
        machine_time[mine] = work
        t[mine] = sim.perform(
            wc.name,
            mine,
            t[mine],
            Assigned(machine, SHIFTS),
            wait=Delay(wc.queue_hours, 0.9),
            duration=np.maximum(work * HOUR, 60).astype(np.int64),
            wait_scale=urgency[mine],
            attributes={
                "operation": categorical(
                    step_number[steps[:, k], k] // 10 - 1, _operation_numbers(len(WORK_CENTERS))
                )
            },
        )

    # Quality inspection, with rework on the last machine while it fails.
    pending = cases
    for round_ in range(cfg.max_reworks + 1):
        failed = (rng.random(len(pending)) < fail_rate[material[pending]]) & (round_ < cfg.max_reworks)
        t[pending] = sim.perform(
            "Quality Inspection",
            pending,
            t[pending],
            inspectors,
            wait=Delay(4, 1.0),
            duration=Delay(0.5),
            wait_scale=urgency[pending],
            attributes={"inspection_result": categorical(failed.astype(int), INSPECTION_RESULTS)},
        )
        pending = pending[failed]
        machine = machines.pick(rng, last_type[pending])
        t[pending] = sim.perform(
            "Rework",
            pending,
            t[pending],
            Assigned(machine, SHIFTS),
            wait=Delay(6, 1.0),
            duration=np.maximum(machine_time[pending] * 0.5 * HOUR, 60).astype(np.int64),
        )

    automatic = rng.random(n) < cfg.automatic_receipt_share
    t[automatic] = sim.record(
        "Goods Receipt", cases[automatic], t[automatic] + sim.seconds(30, 300, int(automatic.sum())), "SYS_WF"
    )
    manual = cases[~automatic]
    t[manual] = sim.perform(
        "Goods Receipt", manual, t[manual], warehouse, wait=Delay(2, 1.0), duration=Delay(0.1)
    )

    batch = rng.random(n) < cfg.batch_completion_share
    sim.record(
        "Technical Completion",
        cases[batch],
        TECO_RUN.next_run(t[batch]) + sim.seconds(0, 1800, int(batch.sum())),
        "BATCH_JOB",
    )
    manual = cases[~batch]
    sim.perform(
        "Technical Completion", manual, t[manual], planners, wait=Delay(40, 0.8), duration=Delay(0.05)
    )

    return {
        "material": categorical(material, material_names),
        "plant": categorical(plant, PLANTS),
        "order_quantity": quantity,
        "priority": np.asarray(PRIORITIES, dtype=np.int64)[priority],
    }


@dataclass(frozen=True)
class _MachinePark:
    """Resource codes of the machines of each work-center type."""

    by_type: list[np.ndarray]

    def pick(self, rng: np.random.Generator, types: np.ndarray) -> np.ndarray:
        """A machine of the given type for each operation, uniformly among that type's machines."""
        counts = np.array([len(codes) for codes in self.by_type])
        table = np.zeros((len(self.by_type), counts.max()), dtype=np.int32)
        for k, codes in enumerate(self.by_type):
            table[k, : len(codes)] = codes
        return table[types, (rng.random(len(types)) * counts[types]).astype(np.int64)]


def _operation_numbers(count: int) -> list[str]:
    return [f"{10 * (i + 1):04d}" for i in range(count)]
