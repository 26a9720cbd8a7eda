"""The simulation engine on small models whose right answers are known by hand or by
queueing theory (Erlang C), plus reproducibility, common random numbers and bad input."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, START
from sc_improve.progress import Cancelled
from sim import columns as simcol
from sim.engine import run_replications, simulate
from sim.engine.output import ARRIVAL, COMPLETED, TRUNCATED
from sim.errors import ModelError
from sim.model import (
    END_OF_CASE,
    START_OF_CASE,
    ActivityModel,
    ArrivalModel,
    CaseAttributeModel,
    ConditionalRule,
    Delay,
    Distribution,
    Execution,
    PriorityRule,
    RatePeriod,
    Resource,
    ResourcePool,
    RoutingModel,
    RoutingRule,
    SimulationModel,
    WeeklyCalendar,
)

ALWAYS = WeeklyCalendar("always", (1.0,) * 168)
OFFICE = WeeklyCalendar(
    "office", tuple(1.0 if d < 5 and 9 <= h < 17 else 0.0 for d in range(7) for h in range(24))
)
START_AT = "2024-01-01T00:00:00+00:00"  # a Monday


def fixed(seconds: float) -> Distribution:
    return Distribution("fixed", {"value": seconds})


def exponential(mean: float) -> Distribution:
    return Distribution("exponential", {"mean": mean})


def chain(*names: str) -> tuple[RoutingRule, ...]:
    """Routing rules for the sequence names[0] -> names[1] -> ... -> end."""
    rules = [RoutingRule((), {names[0]: 1.0})]
    for current, following in zip(names, [*names[1:], END_OF_CASE], strict=True):
        rules.append(RoutingRule((current,), {following: 1.0}))
    return tuple(rules)


def make_model(
    activities: dict[str, tuple[str | None, Distribution]],
    rules: tuple[RoutingRule, ...] | None = None,
    *,
    interarrival: Distribution | None = None,
    servers: dict[str, int] | None = None,
    calendar: WeeklyCalendar = ALWAYS,
    **changes: object,
) -> SimulationModel:
    """A model whose activities each have one execution (pool, duration)."""
    servers = servers or {}
    pool_names = sorted({pool for pool, _ in activities.values() if pool is not None})
    model = SimulationModel(
        arrivals=ArrivalModel(interarrival or exponential(600.0), ALWAYS),
        routing=RoutingModel(order=1, rules=rules or chain(*activities)),
        activities={
            name: ActivityModel(name, (Execution(pool, 1.0, duration),))
            for name, (pool, duration) in activities.items()
        },
        pools={
            p: ResourcePool(p, tuple(Resource(f"{p}-{i}", calendar.name) for i in range(servers.get(p, 1))))
            for p in pool_names
        },
        calendars={calendar.name: calendar},
        start=START_AT,
    )
    return replace(model, **changes)


def seconds(values: pd.Series) -> np.ndarray:
    return values.dt.total_seconds().to_numpy()


def waiting(run) -> np.ndarray:
    return seconds(run.log[START] - run.log[simcol.ENABLED])


# --- queueing theory ------------------------------------------------------------------


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean waiting time in queue of an M/M/c queue."""
    load = arrival_rate / service_rate
    top = load**servers / math.factorial(servers) / (1 - load / servers)
    p_wait = top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)
    return p_wait / (servers * service_rate - arrival_rate)


@pytest.mark.parametrize(("servers", "mean_gap", "mean_service"), [(1, 10.0, 7.0), (3, 4.0, 9.0)])
def test_mmc_waiting_time_matches_erlang_c(servers: int, mean_gap: float, mean_service: float) -> None:
    model = make_model(
        {"serve": ("desk", exponential(mean_service))},
        interarrival=exponential(mean_gap),
        servers={"desk": servers},
    )
    runs = run_replications(model, 10, seed=3, processes=1, cases=6000, warmup_days=3000 * mean_gap / 86400)
    means = np.array([waiting(run).mean() for run in runs])
    theory = erlang_c_wait(1 / mean_gap, 1 / mean_service, servers)
    half_width = stats.t.ppf(0.995, len(means) - 1) * means.std(ddof=1) / np.sqrt(len(means))
    assert half_width < 0.2 * theory  # the check has teeth
    assert abs(means.mean() - theory) < half_width
    utilisation = np.mean([run.utilisation["desk"] for run in runs])
    assert utilisation == pytest.approx(mean_service / mean_gap / servers, rel=0.03)
    # always-on calendars: all of the queueing is waiting for busy resources
    for run in runs:
        np.testing.assert_allclose(run.log[simcol.WAIT_BUSY_S], waiting(run), atol=1e-3)
        assert run.log[simcol.WAIT_OFFSHIFT_S].abs().max() < 1e-3


def test_sequence_cycle_time_is_the_sum_of_durations_without_queueing() -> None:
    model = make_model(
        {"a": ("team", exponential(600.0)), "b": ("team", exponential(1200.0))},
        servers={"team": 500},
    )
    run = simulate(model, cases=4000, seed=5)
    log = run.log
    assert np.all(waiting(run) == 0)
    first, second = log[log[ACTIVITY] == "a"], log[log[ACTIVITY] == "b"]
    assert first[CASE].tolist() == second[CASE].tolist()
    cycle = seconds(second[END].reset_index(drop=True) - first[START].reset_index(drop=True))
    durations = seconds((log[END] - log[START]).groupby(log[CASE], sort=False).sum())
    np.testing.assert_allclose(cycle, durations, atol=1e-6)
    assert cycle.mean() == pytest.approx(1800.0, rel=0.05)


# --- routing ----------------------------------------------------------------------------


def test_routing_probabilities_are_reproduced() -> None:
    rules = (
        RoutingRule((), {"a": 1.0}),
        RoutingRule(("a",), {"b": 0.3, "c": 0.7}),
        RoutingRule(("b",), {END_OF_CASE: 1.0}),
        RoutingRule(("c",), {END_OF_CASE: 1.0}),
    )
    model = make_model({n: (None, fixed(60.0)) for n in "abc"}, rules)
    run = simulate(model, cases=20_000, seed=2)
    second = run.log.groupby(CASE, sort=False)[ACTIVITY].nth(1)
    share = float((second == "b").mean())
    assert abs(share - 0.3) < 4 * math.sqrt(0.3 * 0.7 / 20_000)
    assert run.log.groupby(CASE).size().eq(2).all()


def test_longest_matching_context_wins_and_backs_off() -> None:
    rules = (
        RoutingRule((), {"x": 0.5, "y": 0.5}),
        RoutingRule(("x",), {"a": 1.0}),
        RoutingRule(("y",), {"a": 1.0}),
        RoutingRule(("x", "a"), {"b": 1.0}),
        RoutingRule(("a",), {"c": 1.0}),
        RoutingRule(("b",), {END_OF_CASE: 1.0}),
        RoutingRule(("c",), {END_OF_CASE: 1.0}),
    )
    model = make_model({n: (None, fixed(1.0)) for n in "xyabc"}, rules)
    model = replace(model, routing=replace(model.routing, order=2))
    run = simulate(model, cases=500, seed=4)
    traces = run.log.groupby(CASE, sort=False)[ACTIVITY].agg("".join)
    assert set(traces) == {"xab", "yac"}


def test_conditional_rule_applies_to_cases_with_the_attribute_value() -> None:
    rules = (RoutingRule((), {"a": 1.0}), RoutingRule(("a",), {END_OF_CASE: 1.0}))
    model = make_model(
        {"a": (None, fixed(1.0)), "vip": (None, fixed(1.0))},
        rules,
        case_attributes=(CaseAttributeModel("tier", {"gold": 0.2, "standard": 0.8}),),
    )
    conditional = (ConditionalRule(("a",), "tier", "gold", {"vip": 1.0}),)
    rules_with_vip = (*rules, RoutingRule(("vip",), {END_OF_CASE: 1.0}))
    model = replace(model, routing=replace(model.routing, rules=rules_with_vip, conditional=conditional))
    run = simulate(model, cases=5000, seed=8)
    per_case = run.log.groupby(CASE, sort=False).agg(tier=("case:tier", "first"), trace=(ACTIVITY, "".join))
    assert (per_case["trace"] == "avip").eq(per_case["tier"] == "gold").all()
    assert abs((per_case["tier"] == "gold").mean() - 0.2) < 4 * math.sqrt(0.16 / 5000)
    assert run.cases["case:tier"].tolist() == per_case["tier"].tolist()


def test_max_activities_closes_runaway_loops() -> None:
    rules = (RoutingRule((), {"a": 1.0}), RoutingRule(("a",), {"a": 1.0}))
    model = make_model({"a": (None, fixed(5.0))}, rules)
    model = replace(model, routing=replace(model.routing, max_activities=7))
    run = simulate(model, cases=20, seed=1)
    assert run.log.groupby(CASE).size().eq(7).all()
    assert run.cases[TRUNCATED].all()
    assert run.cases_completed == 20


def test_executions_are_chosen_by_probability() -> None:
    model = make_model({"a": ("left", fixed(1.0))}, servers={"left": 50})
    executions = (Execution("left", 0.25, fixed(1.0)), Execution("right", 0.75, fixed(2.0)))
    model = replace(
        model,
        activities={"a": ActivityModel("a", executions)},
        pools={**model.pools, "right": ResourcePool("right", (Resource("r", "always"),))},
    )
    run = simulate(model, cases=8000, seed=6)
    left = run.log[simcol.POOL] == "left"
    assert abs(left.mean() - 0.25) < 4 * math.sqrt(0.25 * 0.75 / 8000)
    assert np.all(seconds(run.log[END] - run.log[START]) == np.where(left, 1.0, 2.0))
    assert run.log.loc[~left, RESOURCE].eq("r").all()


# --- delays, calendars, concurrency --------------------------------------------------


def test_delay_after_a_specific_predecessor_replaces_the_default() -> None:
    rules = (
        RoutingRule((), {"a": 0.5, "b": 0.5}),
        RoutingRule(("a",), {"c": 1.0}),
        RoutingRule(("b",), {"c": 1.0}),
        RoutingRule(("c",), {END_OF_CASE: 1.0}),
    )
    model = make_model({n: (None, fixed(60.0)) for n in "abc"}, rules)
    c = replace(
        model.activities["c"],
        delay=Delay(1.0, fixed(7200.0)),
        delay_after={"a": Delay(1.0, fixed(3600.0))},
    )
    model = replace(model, activities={**model.activities, "c": c})
    log = simulate(model, cases=200, seed=3).log
    previous = log.groupby(CASE, sort=False)[ACTIVITY].shift(1)
    is_c = log[ACTIVITY] == "c"
    expected = np.where(previous[is_c] == "a", 3600.0, 7200.0)
    np.testing.assert_array_equal(log.loc[is_c, simcol.WAIT_EXTRANEOUS_S], expected)
    np.testing.assert_allclose(seconds(log.loc[is_c, START] - log.loc[is_c, simcol.ENABLED]), expected)
    assert set(previous[is_c]) == {"a", "b"}


def test_delay_probability() -> None:
    model = make_model({"a": (None, fixed(1.0))})
    a = replace(model.activities["a"], delay=Delay(0.4, fixed(100.0)))
    log = simulate(replace(model, activities={"a": a}), cases=10_000, seed=9).log
    delayed = log[simcol.WAIT_EXTRANEOUS_S] == 100.0
    assert set(log[simcol.WAIT_EXTRANEOUS_S]) == {0.0, 100.0}
    assert abs(delayed.mean() - 0.4) < 4 * math.sqrt(0.24 / 10_000)


def test_work_pauses_off_shift_and_resumes_on_the_next_shift() -> None:
    model = make_model(
        {"a": ("office", fixed(3 * 3600.0))},
        interarrival=fixed(60.0),
        calendar=OFFICE,
        start="2024-01-05T15:59:00+00:00",  # a Friday; cases arrive 16:00 and 16:01
    )
    log = simulate(model, cases=2, seed=0).log
    first, second = log.iloc[0], log.iloc[1]
    assert first[START] == pd.Timestamp("2024-01-05 16:00", tz="UTC")
    assert first[END] == pd.Timestamp("2024-01-08 11:00", tz="UTC")
    assert second[START] == first[END]
    assert second[END] == pd.Timestamp("2024-01-08 14:00", tz="UTC")
    busy = 59 * 60 + 2 * 3600  # Friday 16:01-17:00 and Monday 09:00-11:00, the resource busy on shift
    assert second[simcol.WAIT_BUSY_S] == pytest.approx(busy)
    queued = (first[END] - pd.Timestamp("2024-01-05 16:01", tz="UTC")).total_seconds()
    assert second[simcol.WAIT_OFFSHIFT_S] == pytest.approx(queued - busy)
    assert first[simcol.WAIT_BUSY_S] == 0 and first[simcol.WAIT_OFFSHIFT_S] == 0


def delayed_office_model(calendar: str | None) -> SimulationModel:
    """Cases a day apart, a 2 h delay before 'a' (office hours 09-17), 30 min of work."""
    model = make_model(
        {"a": ("office", fixed(1800.0))},
        interarrival=fixed(86_400.0),
        calendar=OFFICE,
    )
    a = replace(model.activities["a"], delay=Delay(1.0, fixed(7200.0), calendar))
    return replace(model, activities={"a": a})


def test_delay_in_working_hours_ends_in_working_hours() -> None:
    model = replace(delayed_office_model("office"), start="2024-01-01T16:00:00+00:00")
    row = simulate(model, cases=1).log.iloc[0]
    # the case arrives a gap after the start, Tuesday 16:00: 1 h on Tuesday + 1 h on Wednesday
    assert row[START] == pd.Timestamp("2024-01-03 10:00", tz="UTC")
    assert row[simcol.WAIT_EXTRANEOUS_S] == pytest.approx(18 * 3600)  # the wall-clock time it took
    assert row[simcol.WAIT_OFFSHIFT_S] == 0 and row[simcol.WAIT_BUSY_S] == 0


def test_wall_clock_delay_ending_at_night_waits_for_the_next_shift() -> None:
    model = replace(delayed_office_model(None), start="2024-01-01T16:00:00+00:00")
    row = simulate(model, cases=1).log.iloc[0]
    assert row[START] == pd.Timestamp("2024-01-03 09:00", tz="UTC")  # arrived Tuesday 16:00
    assert row[simcol.WAIT_EXTRANEOUS_S] == pytest.approx(7200.0)
    assert row[simcol.WAIT_OFFSHIFT_S] == pytest.approx(15 * 3600)  # 18:00 Tuesday to 09:00 Wednesday


def test_delay_calendar_must_exist_and_work() -> None:
    with pytest.raises(ModelError, match="delay calendar 'ofice' does not exist"):
        simulate(delayed_office_model("ofice"), cases=1)
    closed = WeeklyCalendar("closed", (0.0,) * 168)
    model = delayed_office_model("closed")
    model = replace(model, calendars={**model.calendars, "closed": closed})
    with pytest.raises(ModelError, match="no working hours, so the delay would never end"):
        simulate(model, cases=1)


def test_start_of_case_context_tells_the_first_activity_from_a_later_one() -> None:
    rules = (
        RoutingRule((), {"a": 1.0}),
        RoutingRule((START_OF_CASE, "a"), {"b": 1.0}),
        RoutingRule(("a",), {END_OF_CASE: 1.0}),
        RoutingRule(("b",), {"a": 1.0}),
    )
    model = make_model({"a": (None, fixed(60.0)), "b": (None, fixed(60.0))}, rules)
    model = replace(model, routing=replace(model.routing, order=2))
    log = simulate(model, cases=50, seed=2).log
    traces = {tuple(trace) for trace in log.groupby(CASE, sort=False)[ACTIVITY].agg(list)}
    assert traces == {("a", "b", "a")}


@pytest.mark.parametrize(
    ("context", "message"),
    [((START_OF_CASE,), "is the empty context"), (("a", START_OF_CASE), "only be the first element")],
)
def test_start_marker_misuse_is_refused(context: tuple[str, ...], message: str) -> None:
    model = make_model({"a": (None, fixed(60.0))})
    rules = (*model.routing.rules, RoutingRule(context, {"a": 1.0}))
    model = replace(model, routing=replace(model.routing, order=2, rules=rules))
    with pytest.raises(ModelError, match=message):
        simulate(model, cases=1)


def test_case_arriving_on_the_weekend_waits_off_shift() -> None:
    model = make_model(
        {"a": ("office", fixed(1800.0))},
        interarrival=fixed(3600.0),
        calendar=OFFICE,
        start="2024-01-06T10:00:00+00:00",  # Saturday
    )
    row = simulate(model, cases=1).log.iloc[0]
    assert row[START] == pd.Timestamp("2024-01-08 09:00", tz="UTC")
    assert row[simcol.WAIT_OFFSHIFT_S] == pytest.approx(46 * 3600)
    assert row[simcol.WAIT_BUSY_S] == 0


def test_resources_with_different_calendars_share_the_pool() -> None:
    nights = WeeklyCalendar("nights", tuple(1.0 if h >= 20 else 0.0 for _ in range(7) for h in range(24)))
    model = make_model({"a": ("mixed", fixed(600.0))}, interarrival=exponential(1800.0), calendar=OFFICE)
    pool = ResourcePool("mixed", (Resource("day", "office"), Resource("night", "nights")))
    model = replace(model, pools={"mixed": pool}, calendars={"office": OFFICE, "nights": nights})
    log = simulate(model, days=14, seed=2).log
    hour = log[START].dt.hour
    weekday = log[START].dt.day_of_week
    by_day = log[RESOURCE] == "day"
    assert hour[by_day].between(9, 16).all() and (weekday[by_day] < 5).all()
    assert (hour[~by_day] >= 20).all()
    assert by_day.any() and (~by_day).any()


def test_concurrent_pair_starts_together_and_joins_before_the_next_activity() -> None:
    durations = {"a": 600.0, "b": 1200.0, "c": 60.0}
    sequential = make_model({n: (None, fixed(d)) for n, d in durations.items()})
    parallel = replace(sequential, routing=replace(sequential.routing, concurrent=(("a", "b"),)))
    serial_log = simulate(sequential, cases=50, seed=1).log
    log = simulate(parallel, cases=50, seed=1).log

    def cycle(frame: pd.DataFrame) -> np.ndarray:
        grouped = frame.groupby(CASE, sort=False)
        return seconds(grouped[END].max() - grouped[START].min())

    np.testing.assert_allclose(cycle(serial_log), 1860.0)
    np.testing.assert_allclose(cycle(log), 1260.0)
    rows = {name: log[log[ACTIVITY] == name].reset_index(drop=True) for name in durations}
    assert rows["b"][simcol.ENABLED].equals(rows["a"][START])
    assert rows["c"][simcol.ENABLED].equals(rows["b"][END])

    longer_first = replace(
        parallel, activities={**parallel.activities, "a": replace(parallel.activities["a"])}
    )
    longer_first = replace(
        longer_first,
        activities={
            **longer_first.activities,
            "a": ActivityModel("a", (Execution(None, 1.0, fixed(3000.0)),)),
        },
    )
    log = simulate(longer_first, cases=10, seed=1).log
    a_rows, c_rows = log[log[ACTIVITY] == "a"], log[log[ACTIVITY] == "c"]
    np.testing.assert_array_equal(c_rows[simcol.ENABLED].to_numpy(), a_rows[END].to_numpy())


def test_priority_rule_serves_listed_values_first() -> None:
    model = make_model(
        {"a": ("desk", fixed(100.0))},
        interarrival=fixed(60.0),
        case_attributes=(CaseAttributeModel("tier", {"gold": 0.3, "standard": 0.7}),),
    )
    fifo = simulate(model, cases=300, seed=5)
    prioritised = simulate(replace(model, priority=PriorityRule("tier", ("gold",))), cases=300, seed=5)

    def mean_wait(run, tier: str) -> float:
        return float(waiting(run)[run.log["case:tier"].to_numpy() == tier].mean())

    assert mean_wait(prioritised, "gold") < 0.2 * mean_wait(prioritised, "standard")
    assert mean_wait(fifo, "gold") == pytest.approx(mean_wait(fifo, "standard"), rel=0.3)


# --- output --------------------------------------------------------------------------


def test_cost_is_hourly_rate_times_working_time_plus_cost_per_run() -> None:
    model = make_model({"a": ("desk", exponential(1800.0))}, servers={"desk": 20})
    activity = ActivityModel("a", (Execution("desk", 1.0, exponential(1800.0), cost_per_run=2.5),))
    model = replace(
        model, activities={"a": activity}, pools={"desk": replace(model.pools["desk"], cost_per_hour=36.0)}
    )
    log = simulate(model, cases=300, seed=1).log
    hours = seconds(log[END] - log[START]) / 3600
    np.testing.assert_allclose(log[simcol.COST], 36.0 * hours + 2.5, rtol=1e-9)


def test_log_is_canonical_and_converts_to_an_event_log() -> None:
    model = make_model({"a": ("desk", exponential(300.0)), "b": (None, exponential(300.0))})
    run = simulate(model, cases=100, seed=1, replication=4)
    log = run.log
    assert str(log[CASE].dtype) == "string" and str(log[START].dtype) == "datetime64[ns, UTC]"
    assert log[CASE].iloc[0] == "4-1"
    assert log.loc[log[ACTIVITY] == "b", RESOURCE].isna().all()
    assert log.loc[log[ACTIVITY] == "b", simcol.POOL].eq("").all()
    assert log[simcol.REPLICATION].eq(4).all()
    case_number = log[CASE].str.split("-").str[1].astype(int).to_numpy()
    assert np.all(np.diff(case_number) >= 0)
    event_log = run.to_event_log()
    assert event_log.n_events == len(log)
    assert event_log.frame[CASE].tolist() == log[CASE].tolist()


def test_warmup_cases_stay_out_of_the_log_and_the_days_horizon_cuts() -> None:
    model = make_model({"a": ("desk", exponential(500.0))}, interarrival=exponential(600.0))
    run = simulate(model, days=2, warmup_days=1, seed=7)
    assert run.measure_from == run.start + pd.Timedelta(days=1)
    assert run.end == run.measure_from + pd.Timedelta(days=2)
    assert (run.cases[ARRIVAL] >= run.measure_from).all()
    assert (run.cases[ARRIVAL] < run.end).all()
    assert int(run.cases[CASE].iloc[0].split("-")[1]) > 50  # about 144 cases arrived in the warm-up
    assert (run.log[END] <= run.end).all()
    assert run.cases_arrived == len(run.cases) and run.cases_completed <= run.cases_arrived
    assert run.cases[COMPLETED].notna().sum() == run.cases_completed
    assert run.cases_arrived == pytest.approx(2 * 86400 / 600, rel=0.15)


def test_arrivals_follow_rate_factor_and_peaks() -> None:
    model = make_model({"a": (None, fixed(1.0))}, interarrival=exponential(3600.0))
    base = simulate(model, days=28, seed=1)
    arrivals = replace(model.arrivals, rate_factor=2.0)
    doubled = simulate(replace(model, arrivals=arrivals), days=28, seed=1)
    assert doubled.cases_arrived == pytest.approx(2 * base.cases_arrived, rel=0.08)
    peak = RatePeriod("2024-01-08T00:00:00+00:00", "2024-01-15T00:00:00+00:00", 0.0)
    paused = simulate(replace(model, arrivals=replace(model.arrivals, peaks=(peak,))), days=28, seed=1)
    week = (paused.cases[ARRIVAL] - paused.start).dt.days // 7
    assert (week != 1).all()
    assert paused.cases_arrived == pytest.approx(0.75 * base.cases_arrived, rel=0.1)


# --- reproducibility and common random numbers ---------------------------------------


def busy_office_model() -> SimulationModel:
    rules = (
        RoutingRule((), {"register": 1.0}),
        RoutingRule(("register",), {"check": 0.6, "approve": 0.4}),
        RoutingRule(("check",), {"approve": 0.8, "check": 0.2}),
        RoutingRule(("approve",), {END_OF_CASE: 1.0}),
    )
    model = make_model(
        {
            "register": ("clerks", Distribution("gamma", {"shape": 2.0, "scale": 300.0})),
            "check": ("clerks", Distribution("lognormal", {"mu": 6.5, "sigma": 0.5})),
            "approve": ("managers", exponential(400.0)),
        },
        rules,
        interarrival=exponential(500.0),
        servers={"clerks": 2, "managers": 1},
    )
    approve = replace(model.activities["approve"], delay=Delay(0.3, exponential(3600.0)))
    return replace(model, activities={**model.activities, "approve": approve})


def test_same_seed_gives_the_identical_log_and_another_seed_does_not() -> None:
    model = busy_office_model()
    first = simulate(model, cases=500, seed=11)
    again = simulate(model, cases=500, seed=11)
    pd.testing.assert_frame_equal(first.log, again.log)
    pd.testing.assert_frame_equal(first.cases, again.cases)
    assert first.pool_busy_s == again.pool_busy_s
    other = simulate(model, cases=500, seed=12)
    assert not first.log[END].equals(other.log[END])
    other_replication = simulate(model, cases=500, seed=11, replication=1)
    assert not first.cases[ARRIVAL].equals(other_replication.cases[ARRIVAL])


def test_adding_a_resource_keeps_arrivals_routes_and_durations() -> None:
    model = busy_office_model()
    clerks = model.pools["clerks"]
    more = replace(
        model,
        pools={
            **model.pools,
            "clerks": replace(clerks, resources=(*clerks.resources, Resource("extra", "always"))),
        },
    )
    base = simulate(model, cases=2000, seed=21)
    staffed = simulate(more, cases=2000, seed=21)
    assert waiting(staffed).mean() < 0.8 * waiting(base).mean()  # the change matters
    pd.testing.assert_series_equal(base.cases[ARRIVAL], staffed.cases[ARRIVAL])

    def per_case(run) -> pd.DataFrame:
        frame = run.log.assign(
            duration=seconds(run.log[END] - run.log[START]), delay=run.log[simcol.WAIT_EXTRANEOUS_S]
        )
        ordered = frame.sort_values([CASE, simcol.ENABLED, ACTIVITY], kind="stable")
        return ordered.groupby(CASE, sort=True).agg(
            trace=(ACTIVITY, tuple), durations=("duration", tuple), delays=("delay", tuple)
        )

    pd.testing.assert_frame_equal(per_case(base), per_case(staffed))


def test_changing_routing_keeps_arrivals_and_attributes() -> None:
    model = busy_office_model()
    model = replace(model, case_attributes=(CaseAttributeModel("region", {"north": 0.5, "south": 0.5}),))
    rules = tuple(
        replace(r, next={"check": 0.1, "approve": 0.9}) if r.context == ("register",) else r
        for r in model.routing.rules
    )
    changed = replace(model, routing=replace(model.routing, rules=rules))
    base = simulate(model, cases=500, seed=5)
    other = simulate(changed, cases=500, seed=5)
    pd.testing.assert_series_equal(base.cases[ARRIVAL], other.cases[ARRIVAL])
    pd.testing.assert_series_equal(base.cases["case:region"], other.cases["case:region"])
    assert (other.log[ACTIVITY] == "check").sum() < (base.log[ACTIVITY] == "check").sum()


def test_replications_in_process_equal_single_runs() -> None:
    model = busy_office_model()
    runs = run_replications(model, 3, seed=4, processes=1, cases=200)
    assert [run.replication for run in runs] == [0, 1, 2]
    pd.testing.assert_frame_equal(runs[2].log, simulate(model, cases=200, seed=4, replication=2).log)


@pytest.mark.slow
def test_replications_in_worker_processes_equal_in_process_ones() -> None:
    model = busy_office_model()
    parallel = run_replications(model, 3, seed=4, processes=2, cases=200)
    serial = run_replications(model, 3, seed=4, processes=1, cases=200)
    for left, right in zip(parallel, serial, strict=True):
        pd.testing.assert_frame_equal(left.log, right.log)


# --- bad input -----------------------------------------------------------------------


def bad_models() -> list[tuple[SimulationModel, str]]:
    good = busy_office_model()
    register = good.activities["register"]
    return [
        (
            replace(
                good,
                activities={
                    **good.activities,
                    "register": replace(register, executions=(Execution("typists", 1.0, fixed(1.0)),)),
                },
            ),
            "activity 'register', execution 1: pool 'typists' does not exist",
        ),
        (
            replace(
                good,
                activities={
                    **good.activities,
                    "register": replace(register, executions=(Execution("clerks", 0.5, fixed(1.0)),)),
                },
            ),
            "activity 'register': executions: probabilities sum to 0.5, not 1",
        ),
        (
            replace(
                good,
                activities={
                    **good.activities,
                    "register": replace(
                        register,
                        executions=(Execution("clerks", 1.0, Distribution("poisson", {"mean": 1.0})),),
                    ),
                },
            ),
            "activity 'register', execution 1: duration: unknown distribution family 'poisson'",
        ),
        (
            replace(good, routing=replace(good.routing, rules=good.routing.rules[1:])),
            "no rule with an empty context",
        ),
        (
            replace(
                good,
                routing=replace(
                    good.routing, rules=(*good.routing.rules[:3], RoutingRule(("approve",), {"archive": 1.0}))
                ),
            ),
            "next activity 'archive' does not exist",
        ),
        (
            replace(
                good,
                routing=replace(
                    good.routing,
                    conditional=(ConditionalRule(("check",), "colour", "red", {"approve": 1.0}),),
                ),
            ),
            "'colour' is not a case attribute",
        ),
        (
            replace(good, calendars={"always": WeeklyCalendar("always", (0.0,) * 168)}),
            "needs pool 'clerks', whose resources' calendars have no working hours",
        ),
        (
            replace(good, calendars={"always": WeeklyCalendar("always", (0.5,) * 168)}),
            "calendar 'always': resource calendars take weight 0 (off) or 1 (working)",
        ),
        (
            replace(good, pools={**good.pools, "managers": ResourcePool("managers", ())}),
            "needs pool 'managers', which has no resources",
        ),
        (
            replace(good, arrivals=replace(good.arrivals, calendar=WeeklyCalendar("none", (0.0,) * 168))),
            "no case would ever arrive",
        ),
        (
            replace(good, arrivals=replace(good.arrivals, peaks=(RatePeriod("2024-02-01", "soon", 2.0),))),
            "arrivals: peak 1 end: 'soon' is not an ISO 8601 timestamp",
        ),
        (
            replace(good, priority=PriorityRule("tier", ("gold",))),
            "priority rule: 'tier' is not a case attribute",
        ),
    ]


@pytest.mark.parametrize("index", range(12))
def test_bad_models_give_clear_errors(index: int) -> None:
    model, message = bad_models()[index]
    with pytest.raises(ModelError) as error:
        simulate(model, cases=10)
    assert message in str(error.value)


def test_bad_run_arguments_give_clear_errors() -> None:
    model = busy_office_model()
    with pytest.raises(ValueError, match="exactly one horizon"):
        simulate(model, cases=10, days=1)
    with pytest.raises(ValueError, match="exactly one horizon"):
        simulate(model)
    with pytest.raises(ValueError, match="cases must be a positive whole number"):
        simulate(model, cases=0)
    with pytest.raises(ValueError, match="needs a start"):
        simulate(replace(model, start=None), cases=10)
    with pytest.raises(ValueError, match="seed must be a non-negative"):
        simulate(model, cases=10, seed=-1)
    with pytest.raises(ValueError, match="replications must be a positive"):
        run_replications(model, 0, cases=10)


def test_utilisation_counts_working_time_within_the_window() -> None:
    model = make_model(
        {"a": ("office", fixed(3600.0))},
        interarrival=fixed(1800.0),  # twice what one person can do: always busy on shift
        calendar=OFFICE,
    )
    closed = WeeklyCalendar("closed", (0.0,) * 168)
    pool = ResourcePool("office", (Resource("worker", "office"), Resource("absent", "closed")))
    model = replace(model, pools={"office": pool}, calendars={"office": OFFICE, "closed": closed})
    run = simulate(model, days=14, seed=1)
    assert run.pool_available_s["office"] == 2 * 5 * 8 * 3600  # two weeks of Mon-Fri 9-17, one person
    assert run.pool_busy_s["office"] == pytest.approx(run.pool_available_s["office"])
    assert run.log[RESOURCE].eq("worker").all()
    assert run.cases_completed < run.cases_arrived


def test_a_horizon_without_arrivals_gives_an_empty_log() -> None:
    model = make_model({"a": ("desk", fixed(60.0))}, interarrival=fixed(30 * 86400.0))
    run = simulate(model, days=2, seed=0)
    assert run.cases_arrived == 0 and run.log.empty
    assert run.pool_busy_s == {"desk": 0.0} and run.pool_available_s == {"desk": 2 * 86400.0}


def test_progress_is_reported_and_cancelling_stops_the_run() -> None:
    model = busy_office_model()
    seen: list[float] = []
    simulate(model, days=30, seed=1, progress=lambda fraction, message="": seen.append(fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 10

    def cancel_halfway(fraction: float, message: str = "") -> None:
        if fraction > 0.5:
            raise Cancelled

    with pytest.raises(Cancelled):
        simulate(model, days=30, seed=1, progress=cancel_halfway)


def test_work_ending_exactly_at_the_horizon_counts_as_done() -> None:
    model = make_model({"a": (None, fixed(3600.0))}, interarrival=fixed(3600.0))
    run = simulate(model, days=1, seed=0)  # arrivals 01:00 ... 23:00, the last one ends at 24:00
    assert run.cases_arrived == 23 and len(run.log) == 23
    assert run.cases_completed == 23
    assert run.log[END].max() == run.end


def test_scaling_a_duration_keeps_each_draw_at_its_quantile() -> None:
    model = busy_office_model()
    approve = model.activities["approve"]
    faster = replace(approve, executions=(replace(approve.executions[0], duration=exponential(200.0)),))
    base = simulate(model, cases=300, seed=8)
    changed = simulate(replace(model, activities={**model.activities, "approve": faster}), cases=300, seed=8)

    def approve_durations(run) -> pd.Series:
        rows = run.log[run.log[ACTIVITY] == "approve"]
        return pd.Series(seconds(rows[END] - rows[START]), index=rows[CASE].to_numpy()).sort_index()

    before, after = approve_durations(base), approve_durations(changed)
    assert before.index.equals(after.index)
    np.testing.assert_allclose(after.to_numpy(), before.to_numpy() / 2, rtol=1e-9, atol=1e-5)
