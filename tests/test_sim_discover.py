"""Model discovery on hand-built logs whose right answers are known."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sc_improve as sci
from sim.discover import DiscoveryOptions, discover_model
from sim.discover.arrivals import discover_arrivals
from sim.discover.calendars import calendar_name
from sim.discover.fitting import fit_distribution
from sim.discover.instances import build_instances
from sim.discover.weekly import WeeklyClock
from sim.distributions import mean as distribution_mean
from sim.engine.validate import validate_model
from sim.model import END_OF_CASE, START_OF_CASE
from tests.conftest import build_log

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"
MONDAY = pd.Timestamp("2024-01-01")  # a Monday


def at(day: int, hour: float) -> str:
    return str(MONDAY + pd.Timedelta(days=day) + pd.Timedelta(minutes=round(hour * 60)))


def rule(model, *context: str) -> dict[str, float]:
    return next(r.next for r in model.routing.rules if r.context == context)


def sequential_log(traces: list[list[str]], resource: str | None = None):
    """One case per trace, a day apart, each step an hour long, directly after the previous one."""
    rows = []
    for c, trace in enumerate(traces):
        for k, activity in enumerate(trace):
            start = at(c, 9 + k)
            end = at(c, 9.5 + k)
            rows.append((str(c), activity, end, start, resource or f"r-{activity}"))
    return build_log(rows, ("case", "activity", "end", "start", "resource"))


def test_routing_probabilities_are_the_log_frequencies():
    log = sequential_log([["a", "b", "d"]] * 7 + [["a", "c", "d"]] * 3)
    model = discover_model(log).model
    assert rule(model) == {"a": 1.0}
    assert rule(model, "a") == pytest.approx({"b": 0.7, "c": 0.3})
    assert rule(model, "d") == {END_OF_CASE: 1.0}
    assert model.routing.max_activities == 3


def test_second_order_context_keeps_what_happened_two_steps_back():
    log = sequential_log([["x", "m", "b"]] * 10 + [["y", "m", "c"]] * 10)
    model = discover_model(log).model
    assert rule(model, "m") == pytest.approx({"b": 0.5, "c": 0.5})
    assert rule(model, "x", "m") == {"b": 1.0}
    assert rule(model, "y", "m") == {"c": 1.0}


def test_rare_contexts_back_off_to_shorter_ones():
    log = sequential_log([["x", "m", "b"]] * 10 + [["y", "m", "c"]] * 2)
    contexts = {r.context for r in discover_model(log).model.routing.rules}
    assert ("x", "m") in contexts
    assert ("y", "m") not in contexts


def test_loop_comes_out_as_a_repeat_probability():
    log = sequential_log([["a", "b", "b", "c"]] * 5 + [["a", "b", "c"]] * 5)
    model = discover_model(log, DiscoveryOptions(routing_order=1)).model
    assert rule(model, "b") == pytest.approx({"b": 5 / 15, "c": 10 / 15})


def test_office_hours_resource_gets_a_monday_to_friday_calendar():
    rows = []
    for week in range(4):
        for day in range(5):
            for hour in range(9, 17):
                case = f"{week}-{day}-{hour}"
                rows.append((case, "a", at(7 * week + day, hour + 0.9), at(7 * week + day, hour), "clerk"))
    log = build_log(rows, ("case", "activity", "end", "start", "resource"))
    model = discover_model(log).model
    clerk = model.pools[next(iter(model.pools))].resources[0]
    assert clerk.name == "clerk"
    assert clerk.calendar == "Mon-Fri 09:00-17:00"
    hours = np.array(model.calendars[clerk.calendar].hours).reshape(7, 24)
    expected = np.zeros((7, 24))
    expected[:5, 9:17] = 1
    assert (hours == expected).all()


def test_durations_are_working_time_of_the_resource():
    """A job from Monday 16:00 to Tuesday 10:00 by a 9-17 clerk is two working hours, not eighteen."""
    rows = []
    for week in range(3):
        for day in range(5):
            for hour in range(9, 17):
                rows.append((f"{week}-{day}-{hour}", "short", at(7 * week + day, hour + 0.5), None, "clerk"))
    for week in range(3):
        rows.append((f"long-{week}", "long", at(7 * week + 1, 10), at(7 * week, 16), "clerk"))
    log = build_log(rows, ("case", "activity", "end", "start", "resource"))
    model = discover_model(log).model
    long = model.activities["long"].executions[0].duration
    assert long.family == "fixed"
    assert long.params["value"] == pytest.approx(2 * 3600)


def test_constant_gap_is_an_unexplained_delay_and_queueing_is_not():
    rows = []
    # "ship": enabled when "pack" ends, started exactly two hours later by an idle shipper.
    for c in range(30):
        rows.append((f"d{c}", "pack", at(c, 9.5), at(c, 9), "packer"))
        rows.append((f"d{c}", "ship", at(c, 12), at(c, 11.5), "shipper"))
    # Other days show the shipper working from 06:00 to 21:00, so 09:30-11:30 is on shift.
    for day in range(30, 37):
        for hour in range(6, 21):
            rows.append((f"s{day}-{hour}", "stock", at(day, hour + 0.5), at(day, hour), "shipper"))
    # "check": ten cases enabled together at 08:00, served back to back by one checker.
    for c in range(10):
        day = 40 + 7 * (c // 10)
        rows.append((f"q{c}", "open", at(day, 8), at(day, 7.5), "opener"))
        rows.append((f"q{c}", "check", at(day, 9 + c), at(day, 8 + c), "checker"))
    log = build_log(rows, ("case", "activity", "end", "start", "resource"))
    discovery = discover_model(log, DiscoveryOptions(detect_system_users=False))
    waiting = {w.activity: w for w in discovery.diagnostics.waiting}
    assert waiting["ship"].unexplained_s == pytest.approx(30 * 2 * 3600)
    assert waiting["ship"].busy_s == 0
    assert waiting["check"].waiting_s == pytest.approx(sum(range(10)) * 3600)
    assert waiting["check"].busy_s == pytest.approx(waiting["check"].waiting_s)
    assert waiting["check"].unexplained_s == 0
    ship = discovery.model.activities["ship"]
    delay = ship.delay_after.get("pack", ship.delay)
    assert delay.probability == 1.0
    assert delay.duration.family == "fixed"
    assert delay.duration.params["value"] == pytest.approx(7200)
    check = discovery.model.activities["check"]
    assert check.delay is None and not check.delay_after


def test_start_times_are_estimated_from_case_and_resource_ends():
    log = build_log(
        [
            ("1", "a", "2024-01-01 10:00", "r1"),
            ("1", "b", "2024-01-01 11:00", "r2"),
            ("2", "a", "2024-01-01 10:10", "r1"),
            ("2", "c", "2024-01-01 10:30", "r2"),
            ("3", "a", "2024-01-01 12:00", "r3"),
            ("3", "b", "2024-01-01 13:00", "r4"),
        ],
        ("case", "activity", "end", "resource"),
    )
    instances = build_instances(log)
    starts = {
        (log.codes.case_ids[c], instances.activities[a]): pd.Timestamp(s, unit="s")
        for c, a, s in zip(instances.case, instances.activity, instances.start, strict=True)
    }
    # Case 1's b: enabled at 10:00, but r2 was busy with case 2's c until 10:30.
    assert starts[("1", "b")] == pd.Timestamp("2024-01-01 10:30")
    # Case 2's c: enabled at 10:10 and r2 had nothing before: starts when enabled.
    assert starts[("2", "c")] == pd.Timestamp("2024-01-01 10:10")
    # Case 3's b: r4 free, starts at the end of a.
    assert starts[("3", "b")] == pd.Timestamp("2024-01-01 12:00")
    assert instances.estimated.all()
    notes = discover_model(log).model.notes
    assert any("estimated" in n for n in notes)


def test_roles_separate_people_with_different_work():
    rows = []
    for c in range(40):
        buyer, payer = f"buyer{c % 2}", f"payer{c % 3}"
        rows += [
            (str(c), "order", at(c, 9), at(c, 8.5), buyer),
            (str(c), "approve", at(c, 10), at(c, 9.5), buyer),
            (str(c), "invoice", at(c, 11), at(c, 10.5), payer),
            (str(c), "pay", at(c, 12), at(c, 11.5), payer),
        ]
    log = build_log(rows, ("case", "activity", "end", "start", "resource"))
    discovery = discover_model(log)
    members = {frozenset(r.name for r in p.resources) for p in discovery.model.pools.values()}
    assert members == {frozenset({"buyer0", "buyer1"}), frozenset({"payer0", "payer1", "payer2"})}
    order_pool = discovery.model.activities["order"].executions[0].pool
    assert {r.name for r in discovery.model.pools[order_pool].resources} == {"buyer0", "buyer1"}


def test_system_users_get_a_pool_per_job_with_parallel_slots():
    rows = []
    for c in range(30):
        rows += [
            (str(c), "enter", at(c, 9), at(c, 8.5), "clerk"),
            (str(c), "post", at(c // 2, 9.1 + c % 3 * 0.1), at(c // 2, 9.05), "BATCH_JOB"),
            (str(c), "print", at(c, 9.6), at(c, 9.05), "BATCH_JOB"),
        ]
    log = build_log(rows, ("case", "activity", "end", "start", "resource"))
    model = discover_model(log).model
    post = model.pools[model.activities["post"].executions[0].pool]
    assert [r.name for r in post.resources] == ["BATCH_JOB", f"{post.name} #2"]
    assert post.name != model.activities["enter"].executions[0].pool
    assert post.name != model.activities["print"].executions[0].pool
    assert any("technical user" in n for n in model.notes)


def payment_run_log():
    """Invoices recorded in office hours, cleared by the Tuesday/Friday 20:00 payment run at
    least three days later; the same batch user releases blocks at 02:00 every night."""
    rows = []
    for c in range(60):
        day, hour = 7 * (c // 5) + c % 5, 9 + (c * 7) % 8
        rows.append((f"i{c}", "record", at(day, hour + 0.2), at(day, hour), "clerk"))
        due = day + 3 + c % 4 + hour / 24
        run = min(d for d in range(int(due) + 1, int(due) + 9) if d % 7 in (1, 4))
        rows.append((f"i{c}", "clear", at(run, 20 + (c % 6) / 12), at(run, 20 + (c % 6) / 12), "BATCH_JOB"))
    for day in range(28):
        rows.append((f"b{day}", "release", at(day, 2.1), at(day, 2.1), "BATCH_JOB"))
    return build_log(rows, ("case", "activity", "end", "start", "resource"))


def test_jobs_of_one_batch_user_keep_their_own_schedules():
    model = discover_model(payment_run_log()).model
    clear = model.pools[model.activities["clear"].executions[0].pool]
    release = model.pools[model.activities["release"].executions[0].pool]
    assert clear.name != release.name
    assert [r.calendar for r in clear.resources] == ["Tue,Fri 20:00-21:00"]
    assert [r.calendar for r in release.resources] == ["Mon-Sun 02:00-03:00"]


def test_delay_before_a_twice_weekly_run_is_counted_in_its_hours():
    """Both clocks put the replayed runs at Tuesday and Friday 20:00; only the waits differ:
    a shuffled wall-clock delay ends at a random moment and then waits for the next run."""
    discovery = discover_model(payment_run_log())
    delay = discovery.model.activities["clear"].delay_after["record"]
    assert delay.calendar == "Tue,Fri 20:00-21:00"
    row = next(r for r in discovery.diagnostics.delays if (r.activity, r.predecessor) == ("clear", "record"))
    assert row.calendar_distance_h < row.wall_distance_h - 10


def test_date_only_stamps_do_not_open_a_midnight_shift():
    rows = []
    for c in range(40):
        rows.append((str(c), "a", at(c % 5 + 7 * (c // 5), 10), at(c % 5 + 7 * (c // 5), 9), "clerk"))
    rows.append(("x", "a", at(1, 0), at(1, 0), "clerk"))
    log = build_log(rows, ("case", "activity", "end", "start", "resource"))
    model = discover_model(log).model
    assert model.pools[next(iter(model.pools))].resources[0].calendar == "Mon-Fri 09:00-10:00"


def test_log_without_resources_gets_one_pool_per_activity_sized_by_concurrency():
    rows = []
    for c in range(6):
        day = c // 3
        rows += [
            (str(c), "a", at(day, 10), at(day, 9)),
            (str(c), "b", at(day, 12 + c % 3), at(day, 11 + c % 3)),
        ]
    log = build_log(rows, ("case", "activity", "end", "start"))
    model = discover_model(log).model
    assert len(model.pools["pool: a"].resources) == 3
    assert len(model.pools["pool: b"].resources) == 1
    assert any("no resources" in n for n in model.notes)


def test_case_attribute_that_changes_routing_gives_conditional_rules():
    rows = []
    for c in range(60):
        urgent = c % 2 == 0
        second = "expedite" if (urgent and c % 10 != 0) else "ship"
        rows += [
            (str(c), "order", at(c, 9), at(c, 8), "r1", "high" if urgent else "low"),
            (str(c), second, at(c, 11), at(c, 10), "r2", "high" if urgent else "low"),
        ]
    log = build_log(rows, ("case", "activity", "end", "start", "resource", "case:priority"))
    model = discover_model(log).model
    conditional = {(r.context, r.value): r.next for r in model.routing.conditional}
    assert conditional[(("order",), "high")] == pytest.approx({"expedite": 24 / 30, "ship": 6 / 30})
    assert [a.name for a in model.case_attributes] == ["case:priority"]
    assert model.case_attributes[0].values == pytest.approx({"high": 0.5, "low": 0.5})


def test_overlapping_steps_are_marked_concurrent():
    rows = []
    for c in range(10):
        rows += [
            (str(c), "pick", at(c, 11), at(c, 9), "r1"),
            (str(c), "invoice", at(c, 10.5), at(c, 9.5), "r2"),
            (str(c), "ship", at(c, 12), at(c, 11.5), "r3"),
        ]
    log = build_log(rows, ("case", "activity", "end", "start", "resource"))
    assert discover_model(log).model.routing.concurrent == (("pick", "invoice"),)


def test_arrival_profile_is_zero_where_no_case_ever_arrives():
    rows = []
    for week in range(10):
        for day in range(5):
            for hour in (9, 10, 11):
                rows.append((f"{week}-{day}-{hour}", "a", at(7 * week + day, hour + 0.5), "r"))
    log = build_log(rows, ("case", "activity", "end", "resource"))
    arrivals = discover_model(log).model.arrivals
    weights = np.array(arrivals.calendar.hours).reshape(7, 24)
    assert weights[5:].sum() == 0
    assert weights[:, :8].sum() == 0 and weights[:, 13:].sum() == 0
    assert weights.mean() == pytest.approx(1.0)
    # On the rescaled clock the gaps are regular, so they average one week per week's arrivals.
    clock = WeeklyClock.from_weights(np.array(arrivals.calendar.hours))
    assert clock.per_week[0] == pytest.approx(7 * 24 * 3600)


def test_fitting_picks_fixed_for_constant_and_a_close_family_for_exponential_data():
    assert fit_distribution(np.full(20, 60.0)).distribution.family == "fixed"
    values = np.random.default_rng(1).exponential(300.0, 5000)
    fit = fit_distribution(values)
    assert fit.distribution.family in {"exponential", "gamma", "weibull"}
    assert fit.distance < 0.05
    assert {s.family for s in fit.scores} >= {"exponential", "normal", "uniform", "lognormal", "empirical"}


def test_calendar_names_read_like_shifts():
    hours = np.zeros((7, 24))
    hours[:5, 8:12] = hours[:5, 13:17] = 1
    assert calendar_name(hours.ravel()) == "Mon-Fri 08:00-12:00,13:00-17:00"
    assert calendar_name(np.ones(168)) == "24/7"


def test_diagnostics_serialise_and_explain_the_waiting():
    log = sequential_log([["a", "b", "c"]] * 5 + [["a", "c"]] * 5)
    diagnostics = discover_model(log).diagnostics
    data = json.loads(json.dumps(diagnostics.to_dict()))
    assert {w["activity"] for w in data["waiting"]} == {"a", "b", "c"}
    assert any(f["quantity"] == "duration" and f["chosen"] for f in data["fits"])
    assert data["cases"] == 10


def test_empty_log_is_refused_with_a_clear_error():
    log = build_log([("1", "a", "2024-01-01 10:00")]).with_frame(
        build_log([("1", "a", "2024-01-01 10:00")]).frame.iloc[:0]
    )
    with pytest.raises(ValueError, match="empty log"):
        discover_model(log)


@pytest.mark.parametrize(
    "name",
    [
        "PurchasingExample.csv.gz",
        "p2p_generated.csv",
        "o2c_generated.csv",
        "production_generated.csv",
        "08_receipt.xes.gz",
        "03_repairExample.xes.gz",
        "interval_event_log.csv",
        "ap_ar_doc_flow_transactions.csv",
        "running-example.xes",
    ],
)
def test_discovery_runs_on_every_sample_log(name):
    discovery = discover_model(sci.read_log(SAMPLES / name))
    validate_model(discovery.model)
    assert discovery.model.routing.rules
    assert discovery.model.pools
    assert sum(discovery.diagnostics.seconds.values()) < 10


def test_arrival_rate_that_dropped_late_in_the_log_uses_the_latest_rate():
    gaps = np.concatenate([np.full(200, 3600.0), np.full(100, 3 * 3600.0)])
    times = pd.Timestamp("2024-01-01").timestamp() + np.concatenate([[0.0], np.cumsum(gaps)])
    found = discover_arrivals(
        times, min_empirical_values=50, tolerance=0.1, recent_share=0.3, drift_factor=1.5
    )
    assert found.note is not None and "latest rate" in found.note
    assert distribution_mean(found.model.interarrival) == pytest.approx(3 * 3600.0, rel=0.2)
    steady = discover_arrivals(
        times[:201], min_empirical_values=50, tolerance=0.1, recent_share=0.3, drift_factor=1.5
    )
    assert steady.note is None
    assert distribution_mean(steady.model.interarrival) == pytest.approx(3600.0, rel=0.2)


def test_case_start_is_part_of_the_routing_context():
    log = sequential_log([["a", "b", "a", "c"]] * 10)
    model = discover_model(log).model
    assert rule(model, START_OF_CASE, "a") == {"b": 1.0}
    assert rule(model, "a") == pytest.approx({"b": 0.5, "c": 0.5})
    assert rule(model, "b", "a") == {"c": 1.0}
    validate_model(model)


def six_office_hours_later(day: int, hour: float) -> tuple[int, float]:
    """Six working hours of a Mon-Fri 09-17 calendar after (day, hour), by hand."""
    left_today = 17 - hour
    if left_today >= 6:
        return day, hour + 6
    following = day + 1 if (day + 1) % 7 < 5 else day + 3
    return following, 9 + 6 - left_today


def office_delay_log():
    """'review' (about a minute) starts six working hours of its reviewer (09-17) after 'submit' ends."""
    rows = []
    weekdays = [d for d in range(21) if d % 7 < 5]
    for day in weekdays:
        for hour in (9.25, 11.25, 13.25, 15.25):
            case = f"{day}-{hour}"
            rows.append((case, "submit", at(day, hour), at(day, hour - 0.25), "clerk"))
            review_day, review_hour = six_office_hours_later(day, hour)
            rows.append(
                (case, "review", at(review_day, review_hour + 0.02), at(review_day, review_hour), "reviewer")
            )
    for day in range(21, 26):  # the reviewer's other work shows the whole 09-17 day
        for hour in range(9, 17):
            rows.append((f"x{day}-{hour}", "archive", at(day, hour + 0.5), at(day, hour), "reviewer"))
    return build_log(rows, ("case", "activity", "end", "start", "resource"))


def test_delay_in_office_hours_is_counted_in_the_resources_calendar():
    discovery = discover_model(office_delay_log())
    delay = discovery.model.activities["review"].delay_after["submit"]
    assert delay.calendar == "Mon-Fri 09:00-17:00"
    assert delay.probability == 1.0
    # less the minute-long reviews of other cases during the wait (the reviewer was busy then)
    assert distribution_mean(delay.duration) == pytest.approx(6 * 3600, rel=0.02)
    row = next(r for r in discovery.diagnostics.delays if (r.activity, r.predecessor) == ("review", "submit"))
    assert row.calendar_distance_h < row.wall_distance_h
    assert any("working hours" in note for note in discovery.model.notes)


def test_delay_clock_choice_can_be_switched_off():
    model = discover_model(office_delay_log(), DiscoveryOptions(choose_delay_clock=False)).model
    delay = model.activities["review"].delay_after["submit"]
    assert delay.calendar is None
    assert distribution_mean(delay.duration) > 6 * 3600  # nights and weekends count as waiting


def test_label_spellings_are_merged_with_a_note_and_can_be_kept():
    traces = [["Create", "Approve"]] * 17 + [["Create", "APPROVE"]] * 3
    log = sequential_log(traces, resource="clerk")
    discovery = discover_model(log)
    assert set(discovery.model.activities) == {"Create", "Approve"}
    assert any("3 activity labels" in note for note in discovery.model.notes)
    kept = discover_model(log, DiscoveryOptions(merge_label_spellings=False)).model
    assert set(kept.activities) == {"Create", "Approve", "APPROVE"}


def test_cases_with_implausible_timestamps_are_left_out_unless_asked_to_keep_them():
    traces = [["a", "b"]] * 40
    rows = [
        (str(c), activity, at(c, 9.5 + k), at(c, 9 + k), "clerk")
        for c, trace in enumerate(traces)
        for k, activity in enumerate(trace)
    ]
    rows.append(("old", "a", "1970-01-01 10:00:00", "1970-01-01 09:00:00", "clerk"))
    log = build_log(rows, ("case", "activity", "end", "start", "resource"))
    discovery = discover_model(log)
    assert discovery.diagnostics.cases == 40
    assert any("1 case(s) (1 events) with implausible timestamps" in n for n in discovery.model.notes)
    assert discover_model(log, DiscoveryOptions(exclude_time_outliers=False)).diagnostics.cases == 41
