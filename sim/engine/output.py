"""The result of a run: the simulated event log in canonical form, per-case facts and the
resource figures utilisation needs, all built from whole arrays after the event loop."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sc_improve.columns import ACTIVITY, CASE, CASE_ATTRIBUTE_PREFIX, END, RESOURCE, START
from sc_improve.log.event_log import STRING_DTYPE, EventLog, make_event_log
from sim import columns as simcol
from sim.calendar import CalendarClock
from sim.engine.cases import Cases
from sim.engine.events import EventTrace
from sim.engine.script import Script

ARRIVAL = "sim:arrival"
COMPLETED = "sim:completed"
TRUNCATED = "sim:truncated"
"""Columns of :attr:`SimulationRun.cases` next to the case id and case attributes."""


@dataclass(frozen=True)
class SimulationRun:
    """One replication.

    ``log`` holds the activity instances of the cases that arrived after the warm-up and
    finished by ``end``, sorted by case then end (case ids ``"<replication>-<n>"``, ``n``
    counting every case of the run from 1, warm-up included, so the same case index means
    the same case across scenarios). ``cases`` has one row per such case: arrival,
    completion (NaT while still open at ``end``) and whether ``max_activities`` cut it.
    ``pool_busy_s`` and ``pool_available_s`` are working seconds between ``measure_from``
    and ``end``, counting the warm-up cases' work that falls in that window too.
    """

    log: pd.DataFrame
    cases: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp
    measure_from: pd.Timestamp
    cases_arrived: int
    cases_completed: int
    pool_busy_s: dict[str, float]
    pool_available_s: dict[str, float]
    replication: int
    seed: int

    @property
    def utilisation(self) -> dict[str, float]:
        """Busy share of each pool's working time (NaN when the pool had no working time)."""
        return {
            pool: (busy / self.pool_available_s[pool] if self.pool_available_s[pool] > 0 else float("nan"))
            for pool, busy in self.pool_busy_s.items()
        }

    def to_event_log(self) -> EventLog:
        return make_event_log(
            self.log, source=f"simulation (seed {self.seed}, replication {self.replication})"
        )


@dataclass(frozen=True)
class RunFrame:
    """Names and clocks the output needs to turn codes and seconds into a log."""

    origin_ns: int
    activities: list[str]
    pools: list[str]
    pool_cost_per_hour: np.ndarray
    pool_clock: list[CalendarClock]
    """Per pool: on shift when any member is (for the busy / off-shift waiting split)."""
    resources: list[str]
    resource_pool: np.ndarray
    resource_clock: list[CalendarClock]
    attribute_columns: list[str]
    calendar_clock: list[CalendarClock]
    """Per calendar of the model, in its order (delays counted in working time use them)."""


def to_timestamps(origin_ns: int, seconds: np.ndarray) -> pd.DatetimeIndex:
    nanoseconds = np.where(np.isnan(seconds), np.iinfo(np.int64).min, 0)
    valid = ~np.isnan(seconds)
    nanoseconds[valid] = origin_ns + np.round(seconds[valid] * 1e9).astype(np.int64)
    return pd.DatetimeIndex(nanoseconds.astype("datetime64[ns]")).tz_localize("UTC")


def _labels(codes: np.ndarray, names: list[str], *, distinct: bool = False) -> pd.Series:
    """Strings for integer codes (-1 = missing); ``distinct`` skips merging repeated names."""
    categories = pd.Index(names, dtype=object)
    if not distinct and not categories.is_unique:
        unique_names, position = np.unique(np.asarray(names, dtype=object), return_inverse=True)
        codes = np.where(codes >= 0, position[np.maximum(codes, 0)], -1)
        categories = pd.Index(unique_names, dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories)).astype(STRING_DTYPE)


def build_run(
    frame: RunFrame,
    script: Script,
    cases: Cases,
    trace: EventTrace,
    *,
    start_s: float,
    measure_s: float,
    end_s: float,
    truncated: np.ndarray,
    seed: int,
    replication: int,
) -> SimulationRun:
    case_labels = [f"{replication}-{n + 1}" for n in range(cases.first_measured, cases.count)]
    measured_case = script.case - cases.first_measured
    keep = (measured_case >= 0) & ~np.isnan(trace.start_s) & (trace.end_s <= end_s)
    rows = np.flatnonzero(keep)
    rows = rows[np.lexsort((rows, trace.end_s[rows], script.case[rows]))]
    log = _event_table(frame, script, cases, trace, rows, case_labels, replication)
    done = trace.case_done_s[cases.first_measured :]
    completed = ~np.isnan(done) & (done <= end_s)
    case_table = pd.DataFrame(
        {
            CASE: pd.Series(case_labels, dtype=STRING_DTYPE),
            ARRIVAL: to_timestamps(frame.origin_ns, cases.arrival_s[cases.first_measured :]),
            COMPLETED: to_timestamps(frame.origin_ns, np.where(completed, done, np.nan)),
            TRUNCATED: truncated[cases.first_measured :],
        }
    )
    _add_attributes(case_table, frame, cases, np.arange(cases.first_measured, cases.count))
    busy, available = _pool_time(frame, trace, measure_s, end_s)
    return SimulationRun(
        log=log,
        cases=case_table,
        start=to_timestamps(frame.origin_ns, np.array([start_s]))[0],
        end=to_timestamps(frame.origin_ns, np.array([end_s]))[0],
        measure_from=to_timestamps(frame.origin_ns, np.array([measure_s]))[0],
        cases_arrived=cases.count - cases.first_measured,
        cases_completed=int(completed.sum()),
        pool_busy_s=dict(zip(frame.pools, busy.tolist(), strict=True)),
        pool_available_s=dict(zip(frame.pools, available.tolist(), strict=True)),
        replication=replication,
        seed=seed,
    )


def _delay_elapsed(
    frame: RunFrame, enabled: np.ndarray, delay: np.ndarray, calendar: np.ndarray
) -> np.ndarray:
    """Wall-clock seconds each delay took: a delay counted in a calendar's working time
    also spans the hours that calendar is off."""
    elapsed = delay.copy()
    for code in np.unique(calendar[(calendar >= 0) & (delay > 0)]):
        mine = (calendar == code) & (delay > 0)
        elapsed[mine] = frame.calendar_clock[code].add_working(enabled[mine], delay[mine]) - enabled[mine]
    return elapsed


def _event_table(
    frame: RunFrame,
    script: Script,
    cases: Cases,
    trace: EventTrace,
    rows: np.ndarray,
    case_labels: list[str],
    replication: int,
) -> pd.DataFrame:
    pool = script.pool[rows]
    has_pool = pool >= 0
    start = trace.start_s[rows]
    enabled = trace.enabled_s[rows]
    delay = _delay_elapsed(frame, enabled, script.delay_s[rows], script.delay_calendar[rows])
    duration = script.duration_s[rows]
    wait_busy = np.zeros(rows.size)
    for code, clock in enumerate(frame.pool_clock):
        mine = pool == code
        if mine.any():
            wait_busy[mine] = clock.working_between(enabled[mine] + delay[mine], start[mine])
    queued = np.where(has_pool, np.maximum(start - enabled - delay, 0.0), 0.0)
    wait_busy = np.clip(wait_busy, 0.0, queued)
    cost_per_hour = np.append(frame.pool_cost_per_hour, 0.0)[pool]  # pool -1 (none) picks the 0
    table = pd.DataFrame(
        {
            CASE: _labels(script.case[rows] - cases.first_measured, case_labels, distinct=True),
            ACTIVITY: _labels(script.activity[rows], frame.activities),
            START: to_timestamps(frame.origin_ns, start),
            END: to_timestamps(frame.origin_ns, trace.end_s[rows]),
            RESOURCE: _labels(trace.resource[rows], frame.resources),
            simcol.ENABLED: to_timestamps(frame.origin_ns, enabled),
            simcol.WAIT_EXTRANEOUS_S: delay,
            simcol.WAIT_BUSY_S: wait_busy,
            simcol.WAIT_OFFSHIFT_S: queued - wait_busy,
            simcol.POOL: _labels(np.where(has_pool, pool + 1, 0), ["", *frame.pools]),
            simcol.COST: cost_per_hour * duration / 3600.0 + script.cost_per_run[rows],
            simcol.REPLICATION: np.full(rows.size, replication, dtype=np.int64),
        }
    )
    _add_attributes(table, frame, cases, script.case[rows])
    return table


def _add_attributes(table: pd.DataFrame, frame: RunFrame, cases: Cases, case_index: np.ndarray) -> None:
    for column, (name, values) in enumerate(
        zip(frame.attribute_columns, cases.attribute_values, strict=True)
    ):
        table[name] = _labels(cases.attribute_codes[case_index, column], list(values))


def attribute_column(name: str) -> str:
    """Case attributes appear ``case:``-prefixed, as in the canonical log."""
    return name if name.startswith(CASE_ATTRIBUTE_PREFIX) else CASE_ATTRIBUTE_PREFIX + name


def _pool_time(
    frame: RunFrame, trace: EventTrace, measure_s: float, end_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Working seconds each pool was busy and available between ``measure_s`` and ``end_s``."""
    pool_count = len(frame.pools)
    available = np.zeros(pool_count)
    busy = np.zeros(pool_count)
    worked = np.flatnonzero(trace.resource >= 0)
    resource = trace.resource[worked]
    begin = np.maximum(trace.start_s[worked], measure_s)
    finish = np.minimum(trace.end_s[worked], end_s)
    clocks = {id(clock): clock for clock in frame.resource_clock}
    clock_of_resource = np.array([id(clock) for clock in frame.resource_clock], dtype=np.int64)
    for clock_id, clock in clocks.items():
        members = np.flatnonzero(clock_of_resource == clock_id)
        span = float(clock.working_between(measure_s, end_s))
        np.add.at(available, frame.resource_pool[members], span)
        mine = np.isin(resource, members) & (finish > begin)
        seconds = clock.working_between(begin[mine], finish[mine])
        np.add.at(busy, frame.resource_pool[resource[mine]], seconds)
    return busy, available
