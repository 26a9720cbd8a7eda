"""Working hours written the way people say them: ``Mon-Fri 08-18``, ``Mon-Fri 08:00-12:00,13:00-17:00;
Sat 09-12``, ``24/7``.

Scenario files change a pool's hours or give a bot pool its hours; the model stores 168
hourly 0/1 slots (Monday 00:00 first), so this turns the text into slots and back into a
canonical label (the same style discovery names its calendars with).

>>> hours = parse_hours("Mon-Fri 08-18")
>>> sum(hours), hours[8], hours[7], hours[5 * 24 + 9]
(50.0, 1.0, 0.0, 0.0)
>>> hours_label(parse_hours("fri 22-06"))
'Fri 22:00-24:00; Sat 00:00-06:00'
"""

from __future__ import annotations

import re

from sc_improve.errors import InputError
from sim.model import HOURS_PER_WEEK

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_PER_DAY = 24
ALWAYS = ("24/7", "always")
_TIME = r"(\d{1,2})(?::(\d{2}))?"
_RANGE = re.compile(rf"^{_TIME}\s*-\s*{_TIME}$")
_PART = re.compile(r"^(?P<days>[A-Za-z][A-Za-z ,\-]*?)(?:\s+(?P<times>\d.*))?$")


class HoursError(InputError):
    """A working-hours text that cannot be read; the message says which part and why."""


def parse_hours(spec: str | list[str]) -> tuple[float, ...]:
    """168 slots (1 = working) from a text such as ``Mon-Fri 08-18`` (parts separated by ``;``,
    or given as a list). A range ending at or before its start runs past midnight."""
    text = "; ".join(spec) if isinstance(spec, list) else spec
    if not isinstance(text, str) or not text.strip():
        raise HoursError("working hours are empty; write e.g. 'Mon-Fri 08-18'")
    if text.strip().lower() in ALWAYS:
        return (1.0,) * HOURS_PER_WEEK
    slots = [0.0] * HOURS_PER_WEEK
    for part in text.split(";"):
        match = _PART.match(part.strip())
        if not match:
            raise HoursError(f"cannot read '{part.strip()}': write days then hours, e.g. 'Mon-Fri 08-18'")
        ranges = _hour_ranges(match["times"]) if match["times"] else [(0, HOURS_PER_DAY)]
        for day in _days(match["days"]):
            for first, last in ranges:
                for hour in range(first, last if last > first else last + HOURS_PER_DAY):
                    slots[(day * HOURS_PER_DAY + hour) % HOURS_PER_WEEK] = 1.0
    return tuple(slots)


def _days(text: str) -> list[int]:
    days: list[int] = []
    for item in text.replace(" ", "").lower().split(","):
        first, _, last = item.partition("-")
        start = _day(first)
        end = _day(last) if last else start
        days.extend((start + k) % 7 for k in range((end - start) % 7 + 1))
    return days


def _day(name: str) -> int:
    key = name[:3]
    if key not in DAYS or (len(name) > 3 and not _full_day(name)):
        raise HoursError(f"unknown day '{name}': use Mon, Tue, Wed, Thu, Fri, Sat, Sun")
    return DAYS.index(key)


def _full_day(name: str) -> bool:
    return name in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _hour_ranges(text: str) -> list[tuple[int, int]]:
    ranges = []
    for item in text.split(","):
        match = _RANGE.match(item.strip())
        if not match:
            raise HoursError(f"cannot read the hours '{item.strip()}': write e.g. 08-18 or 08:00-12:30")
        first_hour, first_minute, last_hour, last_minute = match.groups()
        if (first_minute or "00") != "00" or (last_minute or "00") != "00":
            raise HoursError(f"'{item.strip()}': calendars have whole hours, so times must end in :00")
        first, last = int(first_hour), int(last_hour)
        if first > 23 or last > HOURS_PER_DAY:
            raise HoursError(f"'{item.strip()}': hours run from 00 to 24")
        if first == last % HOURS_PER_DAY and last != HOURS_PER_DAY:
            raise HoursError(
                f"'{item.strip()}': the range is empty (start equals end); use 00-24 for all day"
            )
        ranges.append((first, last))
    return ranges


def hours_label(hours: tuple[float, ...]) -> str:
    """A canonical text for 168 slots: days with equal hours grouped, e.g. ``Mon-Fri 08:00-18:00``."""
    if all(hours):
        return "24/7"
    rows = [tuple(hours[d * HOURS_PER_DAY : (d + 1) * HOURS_PER_DAY]) for d in range(7)]
    parts: list[str] = []
    day = 0
    while day < 7:
        last = day
        while last + 1 < 7 and rows[last + 1] == rows[day]:
            last += 1
        if any(rows[day]):
            days = DAYS[day].title() + (f"-{DAYS[last].title()}" if last > day else "")
            parts.append(f"{days} {_ranges_text(rows[day])}")
        day = last + 1
    return "; ".join(parts) if parts else "never"


def _ranges_text(row: tuple[float, ...]) -> str:
    runs, hour = [], 0
    while hour < HOURS_PER_DAY:
        if row[hour]:
            first = hour
            while hour < HOURS_PER_DAY and row[hour]:
                hour += 1
            runs.append(f"{first:02d}:00-{hour:02d}:00")
        hour += 1
    return ",".join(runs)
