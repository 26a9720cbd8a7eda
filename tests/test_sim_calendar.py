"""Calendar arithmetic on hand-checkable weeks, and the arrival clock."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calendar import (
    HOUR_S,
    WEEK_S,
    ArrivalClock,
    CalendarClock,
    add_working_time,
    calendar_weights,
    next_working_instant,
    working_seconds_between,
)
from sim.model import WeeklyCalendar

MONDAY = pd.Timestamp("2024-01-08", tz="UTC")  # 2024-01-08 is a Monday


def weekday_hours(first: int, last: int, days: range = range(5)) -> tuple[float, ...]:
    return tuple(1.0 if d in days and first <= h < last else 0.0 for d in range(7) for h in range(24))


OFFICE = WeeklyCalendar("office", weekday_hours(9, 17))
NIGHTS = WeeklyCalendar(
    "nights", tuple(1.0 if h >= 22 or h < 6 else 0.0 for _ in range(7) for h in range(24))
)


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_work_started_friday_afternoon_finishes_monday_morning() -> None:
    assert add_working_time(OFFICE, at("2024-01-12 16:00"), 3 * HOUR_S) == at("2024-01-15 11:00")


def test_work_ending_exactly_at_the_end_of_the_shift_ends_then() -> None:
    assert add_working_time(OFFICE, at("2024-01-12 16:00"), HOUR_S) == at("2024-01-12 17:00")


def test_work_started_off_shift_begins_with_the_next_shift() -> None:
    assert add_working_time(OFFICE, at("2024-01-13 10:00"), 30 * 60) == at("2024-01-15 09:30")
    assert add_working_time(OFFICE, at("2024-01-10 07:00"), 8 * HOUR_S) == at("2024-01-10 17:00")


def test_a_week_of_work_takes_a_calendar_week() -> None:
    assert add_working_time(OFFICE, at("2024-01-10 12:00"), 40 * HOUR_S) == at("2024-01-17 12:00")


def test_night_shift_across_midnight() -> None:
    assert add_working_time(NIGHTS, at("2024-01-08 05:00"), 2 * HOUR_S) == at("2024-01-08 23:00")
    assert add_working_time(NIGHTS, at("2024-01-08 23:30"), HOUR_S) == at("2024-01-09 00:30")


def test_next_working_instant() -> None:
    assert next_working_instant(OFFICE, at("2024-01-13 12:00")) == at("2024-01-15 09:00")
    assert next_working_instant(OFFICE, at("2024-01-10 10:30")) == at("2024-01-10 10:30")
    assert next_working_instant(OFFICE, at("2024-01-10 17:00")) == at("2024-01-11 09:00")
    assert next_working_instant(OFFICE, at("2024-01-14 23:59")) == at("2024-01-15 09:00")


def test_working_seconds_between_two_instants() -> None:
    assert working_seconds_between(OFFICE, at("2024-01-12 16:00"), at("2024-01-15 11:00")) == 3 * HOUR_S
    assert working_seconds_between(OFFICE, at("2024-01-13 00:00"), at("2024-01-15 00:00")) == 0
    assert working_seconds_between(OFFICE, at("2024-01-08 00:00"), at("2024-01-22 00:00")) == 80 * HOUR_S


def test_naive_timestamps_are_read_as_utc() -> None:
    assert add_working_time(OFFICE, "2024-01-12 16:00", 3 * HOUR_S) == at("2024-01-15 11:00")


def test_array_and_scalar_arithmetic_agree_and_invert_each_other() -> None:
    clock = CalendarClock(calendar_weights(OFFICE), "office")
    rng = np.random.default_rng(5)
    starts = rng.uniform(-2 * WEEK_S, 10 * WEEK_S, 2000)
    work = rng.uniform(0, 100 * HOUR_S, 2000)
    finished = clock.add_working(starts, work)
    scalar = np.array([clock.add_working_at(s, w) for s, w in zip(starts, work, strict=True)])
    np.testing.assert_allclose(finished, scalar, atol=1e-6)
    np.testing.assert_allclose(clock.working_between(starts, finished), work, atol=1e-6)
    assert np.all(clock.weights[((finished % WEEK_S - 1e-6) // HOUR_S).astype(int)] == 1)
    on_shift = clock.next_working(starts)
    assert np.all(on_shift >= starts)
    np.testing.assert_array_equal(on_shift, [clock.next_working_at(s) for s in starts])
    np.testing.assert_allclose(clock.working_between(starts, on_shift), 0, atol=1e-6)


def test_always_on_is_plain_addition() -> None:
    clock = CalendarClock(np.ones(168))
    assert clock.always_on
    assert clock.add_working_at(123.5, 1000.0) == 1123.5
    assert clock.next_working_at(77.0) == 77.0


def test_a_calendar_that_never_works_refuses_work() -> None:
    clock = CalendarClock(np.zeros(168), "closed")
    with pytest.raises(ValueError, match="calendar 'closed' has no working hours"):
        clock.add_working_at(0.0, 60.0)
    with pytest.raises(ValueError, match="calendar 'closed' has no working hours"):
        clock.next_working_at(0.0)
    assert clock.add_working_at(5.0, 0.0) == 5.0


def test_bad_calendars_name_the_problem() -> None:
    with pytest.raises(ValueError, match="'short': needs 168 hourly weights, got 24"):
        calendar_weights(WeeklyCalendar("short", (1.0,) * 24))
    hours = [1.0] * 168
    hours[30] = -1.0
    with pytest.raises(ValueError, match=r"'bad': weight of hour 30 \(Tue 06:00\)"):
        calendar_weights(WeeklyCalendar("bad", tuple(hours)))


def test_arrival_clock_packs_arrivals_into_busy_hours() -> None:
    weights = np.zeros(168)
    weights[9:12] = 2.0  # Monday 9-12 twice as busy as
    weights[12:15] = 1.0  # Monday 12-15
    clock = ArrivalClock(weights)
    # weights average 1 over the week, so a week of clock holds a week of arrivals
    times = clock.time_at(np.linspace(1, WEEK_S, 90_000, endpoint=False))
    hour = (times % WEEK_S) // HOUR_S
    assert set(np.unique(hour)) <= set(range(9, 15))
    busy, quiet = np.sum((hour >= 9) & (hour < 12)), np.sum((hour >= 12) & (hour < 15))
    assert busy / quiet == pytest.approx(2.0, rel=0.01)
    np.testing.assert_allclose(
        clock.clock_at(times), np.linspace(1, WEEK_S, 90_000, endpoint=False), atol=1e-3
    )


def test_rate_factor_and_peaks_scale_demand() -> None:
    flat = ArrivalClock(np.ones(168))
    doubled = ArrivalClock(np.ones(168), rate_factor=2.0)
    np.testing.assert_allclose(doubled.time_at(np.array([3600.0, 7200.0])), [1800.0, 3600.0])
    peak = (WEEK_S, 2 * WEEK_S, 3.0)
    closed = (3 * WEEK_S, 4 * WEEK_S, 0.0)
    clock = ArrivalClock(np.ones(168), peaks=[peak, closed])
    gaps = np.arange(1, 6 * WEEK_S, 600.0)
    times = clock.time_at(gaps)
    per_week = np.bincount((times // WEEK_S).astype(int), minlength=6)
    assert per_week[1] == pytest.approx(3 * per_week[0], rel=0.01)
    assert per_week[3] == 0
    assert per_week[2] == pytest.approx(per_week[0], rel=0.01)
    np.testing.assert_array_equal(flat.time_at(gaps[:5]), gaps[:5])


def test_arrival_clock_refuses_a_calendar_without_arrivals() -> None:
    with pytest.raises(ValueError, match="no case would ever arrive"):
        ArrivalClock(np.zeros(168))
    with pytest.raises(ValueError, match="rate_factor must be a positive number"):
        ArrivalClock(np.ones(168), rate_factor=0.0)


def test_a_week_starting_at_midnight_waits_for_the_first_shift() -> None:
    assert MONDAY.day_of_week == 0
    assert next_working_instant(OFFICE, MONDAY) == MONDAY + pd.Timedelta(hours=9)
