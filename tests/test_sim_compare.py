"""KPIs on hand-built runs, t intervals, paired differences, and queueing theory end to end."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pytest

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, START
from sim import columns as simcol
from sim.compare import compare_scenarios, differences, estimates, t_interval
from sim.engine.output import ARRIVAL, COMPLETED
from sim.kpis import ActivityWaiting, RunKpis, run_kpis
from sim.model import (
    END_OF_CASE,
    ActivityModel,
    ArrivalModel,
    Delay,
    Distribution,
    Execution,
    Resource,
    ResourcePool,
    RoutingModel,
    RoutingRule,
    SimulationModel,
    WeeklyCalendar,
)
from sim.scenarios import DelayChange, Demand, Rework, Scenario, Staff, apply_scenario

HOUR = 3600.0


def stamp(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@dataclass
class HandRun:
    """The fields of a SimulationRun that the KPIs read."""

    log: pd.DataFrame
    cases: pd.DataFrame
    end: pd.Timestamp = field(default_factory=lambda: stamp("2025-01-20"))
    measure_from: pd.Timestamp = field(default_factory=lambda: stamp("2025-01-06"))
    pool_busy_s: dict[str, float] = field(default_factory=lambda: {"clerks": 100.0, "idle": 0.0})
    pool_available_s: dict[str, float] = field(default_factory=lambda: {"clerks": 400.0, "idle": 0.0})
    replication: int = 0


def hand_run() -> HandRun:
    """Two weeks; cases of 10 h, 48 h and 4 h, and one still open for the last 24 h."""
    cases = pd.DataFrame(
        {
            CASE: ["A", "B", "C", "D"],
            ARRIVAL: pd.to_datetime(
                ["2025-01-06 00:00", "2025-01-07 00:00", "2025-01-10 00:00", "2025-01-19 00:00"], utc=True
            ),
            COMPLETED: pd.to_datetime(
                ["2025-01-06 10:00", "2025-01-09 00:00", "2025-01-10 04:00", None], utc=True
            ),
        }
    )
    log = pd.DataFrame(
        {
            CASE: ["A", "B", "C", "D"],
            ACTIVITY: ["check", "check", "pay", "pay"],
            simcol.ENABLED: pd.to_datetime(
                ["2025-01-06 00:00", "2025-01-07 00:00", "2025-01-10 00:00", "2025-01-19 00:00"], utc=True
            ),
            START: pd.to_datetime(
                ["2025-01-06 01:00", "2025-01-07 03:00", "2025-01-10 00:00", "2025-01-19 02:00"], utc=True
            ),
            END: pd.to_datetime(
                ["2025-01-06 10:00", "2025-01-09 00:00", "2025-01-10 04:00", "2025-01-19 03:00"], utc=True
            ),
            RESOURCE: ["ann", "bob", "ann", "bob"],
            simcol.WAIT_BUSY_S: [1800.0, 0.0, 0.0, 7200.0],
            simcol.WAIT_OFFSHIFT_S: [1800.0, 0.0, 0.0, 0.0],
            simcol.WAIT_EXTRANEOUS_S: [0.0, 3 * HOUR, 0.0, 0.0],
            simcol.COST: [10.0, 20.0, 30.0, 5.0],
        }
    )
    return HandRun(log=log, cases=cases)


def test_kpis_of_a_hand_built_run():
    kpis = run_kpis(hand_run(), target_lead_time_s=24 * HOUR)
    assert kpis.cases_arrived == 4 and kpis.cases_completed == 3
    assert kpis.cycle_time_mean_s == pytest.approx((10 + 48 + 4) / 3 * HOUR)
    assert kpis.cycle_time_median_s == pytest.approx(10 * HOUR)
    assert kpis.cycle_time_p90_s == pytest.approx((10 + 0.8 * 38) * HOUR)  # linear between 10 h and 48 h
    assert kpis.throughput_per_week == pytest.approx(1.5)
    assert kpis.wip_mean == pytest.approx((10 + 48 + 4 + 24) / (14 * 24))
    assert kpis.cost_per_case == pytest.approx(20.0)  # the open case's cost is not per completed case
    assert kpis.cost_per_week == pytest.approx(65 / 2)
    assert kpis.within_target_share == pytest.approx(2 / 3)  # D is open but only 24 h old: not yet late
    assert kpis.waiting["check"] == ActivityWaiting(2, 2 * HOUR, 900.0, 900.0, 1.5 * HOUR)
    assert kpis.waiting["pay"] == ActivityWaiting(2, 1 * HOUR, 3600.0, 0.0, 0.0)
    assert kpis.utilisation["clerks"] == 0.25 and math.isnan(kpis.utilisation["idle"])


def test_open_cases_older_than_the_target_count_as_late():
    kpis = run_kpis(hand_run(), target_lead_time_s=12 * HOUR)
    assert kpis.within_target_share == pytest.approx(2 / 4)
    assert math.isnan(run_kpis(hand_run()).within_target_share)


def test_work_in_progress_counts_only_the_measured_window():
    run = hand_run()
    run.measure_from = stamp("2025-01-07 00:00")  # case A's 10 h fall before the window
    run.cases = run.cases.iloc[1:]
    kpis = run_kpis(run)
    assert kpis.wip_mean == pytest.approx((48 + 4 + 24) / (13 * 24))


def test_t_interval_matches_the_textbook_and_handles_small_samples():
    mean, low, high, n = t_interval([9.0, 10.0, 11.0])
    assert (mean, n) == (10.0, 3)
    assert high - mean == pytest.approx(4.302652729749464 / math.sqrt(3))  # t(0.975, 2) x s / sqrt(n)
    assert t_interval([5.0, math.nan, 5.0])[:4] == (5.0, 5.0, 5.0, 2)
    single = t_interval([3.0])
    assert single[0] == 3.0 and math.isnan(single[1]) and single[3] == 1
    assert t_interval([])[3] == 0


def test_t_interval_covers_the_true_mean_95_percent_of_the_time():
    rng = np.random.default_rng(7)
    samples = rng.normal(10.0, 3.0, size=(4000, 5))
    covered = np.mean([low <= 10.0 <= high for _, low, high, _ in map(t_interval, samples)])
    assert 0.935 <= covered <= 0.965  # 4000 trials: 0.95 +- 0.0034 (1 sd)


def runs_with(values: list[float], replication_offset: int = 0) -> list[RunKpis]:
    return [
        RunKpis(
            replication=r + replication_offset,
            cases_arrived=10,
            cases_completed=10,
            cycle_time_mean_s=v,
            cycle_time_median_s=v,
            cycle_time_p90_s=v,
            throughput_per_week=1.0,
            wip_mean=1.0,
            cost_per_case=0.0,
            cost_per_week=0.0,
            within_target_share=math.nan,
            waiting={"check": ActivityWaiting(1, v, v, 0.0, 0.0)},
            utilisation={"clerks": 0.5},
        )
        for r, v in enumerate(values)
    ]


def test_paired_differences_remove_the_shared_noise():
    baseline_values = [100.0, 300.0, 150.0, 250.0, 200.0]
    baseline = runs_with(baseline_values)
    better = runs_with(
        [v - 10 + e for v, e in zip(baseline_values, [0.5, -0.5, 0.2, -0.2, 0.0], strict=True)]
    )
    difference = next(d for d in differences(baseline, better) if d.kpi == "cycle_time_mean_s")
    assert difference.mean == pytest.approx(-10.0)
    assert difference.significant and difference.ci_high < 0
    assert difference.relative == pytest.approx(-10 / 200)
    # unpaired, the same numbers would not tell the scenarios apart
    base_estimate = next(e for e in estimates(baseline) if e.kpi == "cycle_time_mean_s")
    assert base_estimate.ci_high - base_estimate.ci_low > 100
    same = differences(baseline, runs_with(baseline_values))
    assert not any(d.significant for d in same)
    assert all(d.mean == 0 and d.ci_low == 0 and d.ci_high == 0 for d in same)


def test_differences_pair_by_replication_and_skip_missing_subjects():
    baseline = runs_with([1.0, 2.0, 3.0])
    shifted = list(reversed(runs_with([11.0, 12.0, 13.0])))  # same replications, other order
    difference = next(d for d in differences(baseline, shifted) if d.kpi == "cycle_time_mean_s")
    assert (difference.mean, difference.ci_low, difference.ci_high) == (10.0, 10.0, 10.0)
    without = [RunKpis(**{**run.__dict__, "waiting": {}}) for run in runs_with([1.0, 2.0, 3.0])]
    assert ("waiting_mean_s", "check") not in {(d.kpi, d.subject) for d in differences(baseline, without)}


# ------------------------------------------------------------------------------- queueing theory

ALWAYS = WeeklyCalendar("24/7", (1.0,) * 168)


def mm1(arrivals_per_hour: float, services_per_hour: float) -> SimulationModel:
    """Poisson arrivals, one exponential server, around the clock."""
    return SimulationModel(
        arrivals=ArrivalModel(Distribution("exponential", {"mean": HOUR / arrivals_per_hour}), ALWAYS),
        routing=RoutingModel(
            1, (RoutingRule((), {"serve": 1.0}), RoutingRule(("serve",), {END_OF_CASE: 1.0}))
        ),
        activities={
            "serve": ActivityModel(
                "serve",
                (Execution("servers", 1.0, Distribution("exponential", {"mean": HOUR / services_per_hour})),),
            )
        },
        pools={"servers": ResourcePool("servers", (Resource("s1", "24/7"),))},
        calendars={"24/7": ALWAYS},
        start="2025-01-06T00:00:00+00:00",
    )


def erlang_c_wait_h(arrivals_per_hour: float, services_per_hour: float, servers: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C), in hours."""
    load = arrivals_per_hour / services_per_hour
    top = load**servers / math.factorial(servers) / (1 - load / servers)
    waiting_probability = top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)
    return waiting_probability / (servers * services_per_hour - arrivals_per_hour)


@pytest.fixture(scope="module")
def queueing():
    scenarios = [
        Scenario("second server", (Staff("servers", change=1),)),
        Scenario("20 % more demand", (Demand(1.2),)),
        Scenario("no change", (Demand(1.0),)),
    ]
    return compare_scenarios(
        mm1(0.5, 1.0), scenarios, replications=10, seed=3, days=200, warmup_days=5, processes=1
    )


def test_mm1_waiting_matches_the_closed_form(queueing):
    wait = queueing.baseline.estimate("waiting_mean_s", "serve")
    assert erlang_c_wait_h(0.5, 1.0, 1) == pytest.approx(1.0)  # rho / (mu - lambda)
    assert wait.ci_low <= erlang_c_wait_h(0.5, 1.0, 1) * HOUR <= wait.ci_high
    utilisation = queueing.baseline.estimate("utilisation", "servers")
    assert utilisation.ci_low <= 0.5 <= utilisation.ci_high


def test_a_second_server_cuts_waiting_as_erlang_c_predicts(queueing):
    second = queueing.scenarios[0]
    expected_h = erlang_c_wait_h(0.5, 1.0, 2)
    assert expected_h == pytest.approx(0.1 / 1.5)
    wait = second.estimate("waiting_mean_s", "serve")
    assert wait.ci_low <= expected_h * HOUR <= wait.ci_high
    drop = second.difference("waiting_mean_s", "serve")
    assert drop.significant and drop.ci_high < 0
    assert drop.ci_low <= (expected_h - 1.0) * HOUR <= drop.ci_high


def test_twenty_percent_more_demand_raises_utilisation_by_twenty_percent(queueing):
    rise = queueing.scenarios[1].difference("utilisation", "servers")
    assert rise.significant
    assert rise.relative == pytest.approx(0.2, abs=0.01)
    assert rise.ci_low <= 0.1 <= rise.ci_high  # 0.5 -> 0.6
    throughput = queueing.scenarios[1].difference("throughput_per_week")
    assert throughput.relative == pytest.approx(0.2, abs=0.02)


def test_an_identical_scenario_is_never_significant(queueing):
    unchanged = queueing.scenarios[2]
    assert unchanged.differences
    assert not any(d.significant for d in unchanged.differences)
    assert all(d.mean == 0 for d in unchanged.differences)


def test_comparison_json_contract(queueing):
    data = json.loads(json.dumps(queueing.to_dict(), allow_nan=False))
    assert data["replications"] == 10 and data["seed"] == 3 and data["confidence"] == 0.95
    assert data["horizon"] == {"cases": None, "days": 200, "start": None, "warmup_days": 5}
    kpi = next(k for k in data["baseline"]["kpis"] if k["kpi"] == "waiting_mean_s")
    assert set(kpi) == {"kpi", "subject", "unit", "mean", "ci_low", "ci_high", "n", "clipped"}
    assert kpi["subject"] == "serve" and kpi["unit"] == "s" and kpi["n"] == 10
    difference = data["scenarios"][0]["differences"][0]
    assert set(difference) == {
        "kpi",
        "subject",
        "unit",
        "mean",
        "ci_low",
        "ci_high",
        "n",
        "relative",
        "significant",
    }
    assert len(data["scenarios"][0]["runs"]) == 10
    assert data["baseline"]["runs"][0]["within_target_share"] is None  # NaN -> null
    (serve,) = data["waiting_causes"]
    assert serve["activity"] == "serve" and serve["pool"] == "servers"
    assert serve["causes"][0]["cause"] == "busy"  # around the clock, no delays: all of it is queueing
    assert serve["causes"][0]["remedy"] == {
        "change": "staff",
        "subject": "servers",
        "advice": "add people to the pool 'servers' (staff: serve)",
    }
    assert [c["remedy"] for c in serve["causes"][1:]] == [None, None]


def test_scenario_names_must_differ_and_bad_scenarios_fail_before_simulating():
    with pytest.raises(ValueError, match="two scenarios are named 'baseline'"):
        compare_scenarios(mm1(0.5, 1.0), [Scenario("baseline", (Demand(1.0),))], replications=1, cases=5)
    with pytest.raises(ValueError, match="unknown pool or activity 'server'"):
        compare_scenarios(
            mm1(0.5, 1.0), [Scenario("typo", (Staff("server", change=1),))], replications=1, cases=5
        )


def test_intervals_of_non_negative_kpis_are_cut_at_their_bounds():
    runs = runs_with([0.0, 0.0, 30.0])  # mean 10, symmetric t interval reaches far below 0
    for run, share in zip(runs, [0.99, 1.0, 0.6], strict=True):
        run.utilisation["clerks"] = share
    by_key = {(e.kpi, e.subject): e for e in estimates(runs)}
    waiting = by_key["waiting_mean_s", "check"]
    assert waiting.ci_low == 0.0 and waiting.clipped and waiting.ci_high > 30.0
    utilisation = by_key["utilisation", "clerks"]
    assert utilisation.ci_high == 1.0 and utilisation.clipped and 0 < utilisation.ci_low < 0.6
    steady = by_key["throughput_per_week", None]
    assert not steady.clipped and steady.ci_low == steady.ci_high == 1.0
    drop = differences(runs_with([10.0, 11.0, 13.0]), runs_with([0.0, 0.0, 0.0]))
    assert next(d for d in drop if d.kpi == "waiting_mean_s").ci_low < -10  # differences are never cut
    single = estimates(runs_with([5.0]))[0]
    assert single.n == 1 and math.isnan(single.ci_low) and not single.clipped


def conveyor(servers: int) -> SimulationModel:
    """A case every hour, 10 h of work, enough servers that nobody queues: in the steady
    state 24 cases finish a day and 10 are in the system, each server busy 10 / servers."""
    every_hour = Distribution("fixed", {"value": HOUR})
    return SimulationModel(
        arrivals=ArrivalModel(every_hour, ALWAYS),
        routing=RoutingModel(1, (RoutingRule((), {"work": 1.0}), RoutingRule(("work",), {END_OF_CASE: 1.0}))),
        activities={
            "work": ActivityModel(
                "work", (Execution("crew", 1.0, Distribution("fixed", {"value": 10 * HOUR})),)
            )
        },
        pools={"crew": ResourcePool("crew", tuple(Resource(f"c{i}", "24/7") for i in range(servers)))},
        calendars={"24/7": ALWAYS},
        start="2025-01-06T00:00:00+00:00",
    )


def test_the_warm_up_makes_a_short_window_show_the_steady_state():
    cold, warm = (
        compare_scenarios(conveyor(20), [], replications=1, days=2, warmup_days=w, processes=1).baseline
        for w in (0.0, 2.0)
    )
    assert warm.estimate("throughput_per_week").mean == pytest.approx(24 * 7, rel=0.03)
    assert warm.estimate("wip_mean").mean == pytest.approx(10, rel=0.02)
    assert warm.estimate("utilisation", "crew").mean == pytest.approx(10 / 20, rel=0.02)
    assert warm.estimate("cycle_time_mean_s").mean == pytest.approx(10 * HOUR)
    # from an empty system nothing finishes in the first 10 h, and the line fills up over them
    assert cold.estimate("throughput_per_week").mean == pytest.approx(38 / 2 * 7, abs=4)
    assert cold.estimate("wip_mean").mean == pytest.approx((10 * 5 + 38 * 10) / 48, rel=0.03)


def office_clerks() -> SimulationModel:
    office = WeeklyCalendar(
        "office", tuple(1.0 if h % 24 in range(8, 16) and h < 120 else 0.0 for h in range(168))
    )
    model = mm1(0.3, 0.5)
    return replace(
        model,
        pools={"servers": ResourcePool("servers", (Resource("s1", "office"), Resource("s2", "24/7")))},
        calendars={"24/7": ALWAYS, "office": office},
    )


def test_measuring_after_the_warm_up_matches_the_engines_own_window():
    """Same arrivals and horizon end, so the pools' working time in the window must agree
    with what the engine counts when it runs the warm-up itself."""
    from sim.engine import simulate
    from sim.kpis import measured_after

    model = office_clerks()
    whole = measured_after(simulate(model, days=21, warmup_days=0, seed=2), model, 7)
    engine = simulate(model, days=14, warmup_days=7, seed=2)
    assert whole.measure_from == engine.measure_from and whole.end == engine.end
    for pool in model.pools:
        assert whole.pool_available_s[pool] == pytest.approx(engine.pool_available_s[pool])
        assert whole.pool_busy_s[pool] == pytest.approx(engine.pool_busy_s[pool], rel=1e-9)
    assert whole.cases_arrived == engine.cases_arrived


def test_extraneous_waiting_of_first_visits_points_at_the_delay_change():
    model = mm1(0.1, 1.0)
    two_hours = Delay(0.5, Distribution("fixed", {"value": 2 * HOUR}))
    model = replace(model, activities={"serve": replace(model.activities["serve"], delay=two_hours)})
    advice = compare_scenarios(model, [], replications=2, cases=200, seed=1, processes=1)
    (serve,) = advice.waiting_causes
    extraneous = next(c for c in serve.causes if c.cause == "extraneous")
    assert extraneous.mean_s == pytest.approx(0.5 * 2 * HOUR, rel=0.15)
    assert (extraneous.remedy.change, extraneous.remedy.subject) == ("delay", "serve")
    halved = Scenario("half the delay", (DelayChange(extraneous.remedy.subject, duration_factor=0.5),))
    comparison = compare_scenarios(model, [halved], replications=2, cases=200, seed=1, processes=1)
    difference = comparison.scenarios[0].difference("waiting_extraneous_s", "serve")
    # common random numbers: the same instances are delayed, each by half as long
    assert difference.mean == pytest.approx(-0.5 * extraneous.mean_s, rel=1e-9)


def test_extraneous_waiting_on_repeats_points_at_rework():
    five_hours = Delay(1.0, Distribution("fixed", {"value": 5 * HOUR}))
    model = mm1(0.1, 1.0)
    model = replace(
        model,
        routing=RoutingModel(
            1,
            (
                RoutingRule((), {"serve": 1.0}),
                RoutingRule(("serve",), {"fix": 0.5, END_OF_CASE: 0.5}),
                RoutingRule(("fix",), {"serve": 1.0}),
            ),
        ),
        activities={
            **model.activities,
            "fix": ActivityModel("fix", (Execution(None, 1.0, Distribution("fixed", {"value": 60.0})),)),
            "serve": replace(model.activities["serve"], delay_after={"fix": five_hours}),
        },
    )
    comparison = compare_scenarios(model, [], replications=2, cases=200, seed=1, processes=1)
    serve = next(w for w in comparison.waiting_causes if w.activity == "serve")
    extraneous = next(c for c in serve.causes if c.cause == "extraneous")
    repeats = comparison.baseline.estimate("waiting_extraneous_repeat_s", "serve").mean
    assert repeats == pytest.approx(extraneous.mean_s)  # only returns after "fix" are delayed
    assert extraneous.remedy.change == "rework" and extraneous.remedy.subject == "serve"
    apply_scenario(model, Scenario("less rework", (Rework("serve", 0.5),)))  # the advice is a valid change
    busy = next(c for c in serve.causes if c.cause == "busy")
    apply_scenario(model, Scenario("more staff", (Staff(busy.remedy.subject, change=1),)))
