"""Reading scenario files: YAML an analyst writes by hand, checked with line numbers.

A file holds one scenario (``name``, ``description``, ``changes``) or several under
``scenarios:``. Each change is a mapping whose first key names the kind of change and
its subject, followed by its options::

    name: Automate PO approval
    changes:
      - automate: Approve Purchase Order
        duration_factor: 0.05
        bots: 2
        hours: Mon-Sun 00-24
        exception_rate: 0.1
      - staff: Purchasing
        add: 1

The format is documented in docs/SIMULATION.md ("Scenarios and comparison"). Everything
wrong in the file is reported with the file, the line and what was expected; names that
need the model (activities, pools) are checked when the scenario is applied, with the
line of the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import FieldPath, ModelError, ModelFileError
from sim.model import RatePeriod, WeeklyCalendar
from sim.scenarios.changes import (
    ALWAYS_ON,
    CHANGE_TYPES,
    Automate,
    Change,
    DelayChange,
    Demand,
    Priority,
    RemoveActivity,
    Rework,
    Routing,
    Staff,
    WorkingHours,
)
from sim.scenarios.hours import HoursError, hours_label, parse_hours
from sim.scenarios.scenario import Scenario
from sim.serialize.document import file_kind, load_document, read_text
from sim.serialize.fields import (
    did_you_mean,
    expect_integer,
    expect_keys,
    expect_list,
    expect_mapping,
    expect_number,
    expect_string,
)

OPTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "automate": (("duration_factor",), ("bots", "hours", "cost_per_run", "exception_rate", "pool")),
    "staff": ((), ("add", "remove", "size", "calendar")),
    "working_hours": (("hours",), ()),
    "remove_activity": ((), ()),
    "rework": (("factor",), ("from",)),
    "routing": (("to", "probability"), ()),
    "demand": ((), ("peak", "peaks")),
    "priority": (("order",), ()),
    "delay": ((), ("probability", "probability_factor", "duration_factor", "after")),
}
"""Per kind of change: (required options, optional options)."""
LineOf = Callable[[FieldPath], int | None]


def load_scenarios(path: str | Path) -> list[Scenario]:
    """The scenarios of a YAML (or JSON) file; a bad file raises :class:`ModelFileError` with the line."""
    return parse_scenarios(read_text(path), path)


def parse_scenarios(text: str, path: str | Path = "scenario.yaml") -> list[Scenario]:
    document = load_document(text, path, file_kind(path))
    try:
        return _scenarios(document.data, Path(path), document.line_of)
    except ModelError as error:
        raise ModelFileError(error.message, path, document.line_of(error.field)) from None


def _scenarios(data: Any, path: Path, line_of: LineOf) -> list[Scenario]:
    top = expect_mapping(data, ())
    if "scenarios" in top:
        expect_keys(top, (), required=("scenarios",), optional=())
        items = expect_list(top["scenarios"], ("scenarios",))
        if not items:
            raise ModelError("lists no scenario", ("scenarios",))
        scenarios = [
            _scenario(item, ("scenarios", i), path, f"{path.stem} {i + 1}", line_of)
            for i, item in enumerate(items)
        ]
        names = [s.name for s in scenarios]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ModelError(f"two scenarios are named '{name}'", ("scenarios", i, "name"))
        return scenarios
    return [_scenario(top, (), path, path.stem, line_of)]


def _scenario(value: Any, field: FieldPath, path: Path, default_name: str, line_of: LineOf) -> Scenario:
    data = expect_mapping(value, field)
    expect_keys(data, field, required=("changes",), optional=("name", "description"))
    items = expect_list(data["changes"], (*field, "changes"))
    if not items:
        raise ModelError("lists no change", (*field, "changes"))
    changes = tuple(_change(item, (*field, "changes", i), line_of) for i, item in enumerate(items))
    return Scenario(
        name=expect_string(data.get("name", default_name), (*field, "name")),
        changes=changes,
        description=expect_string(data.get("description", ""), (*field, "description")),
        path=str(path),
    )


def _change(value: Any, field: FieldPath, line_of: LineOf) -> Change:
    data = expect_mapping(value, field)
    kinds = [key for key in data if key in CHANGE_TYPES]
    if len(kinds) != 1:
        first = next(iter(data), "")
        hint = did_you_mean(first, CHANGE_TYPES) if not kinds else f" (found {', '.join(kinds)})"
        raise ModelError(
            f"a change starts with exactly one of {', '.join(CHANGE_TYPES)}{hint}",
            (*field, first) if first else field,
        )
    kind = kinds[0]
    required, optional = OPTIONS[kind]
    expect_keys(data, field, required=(kind, *required), optional=optional)
    return replace(_BUILDERS[kind](data, field), line=line_of((*field, kind)))


def _names(value: Any, field: FieldPath) -> tuple[str, ...]:
    if isinstance(value, list):
        names = tuple(expect_string(v, (*field, i)) for i, v in enumerate(value))
    else:
        names = (expect_string(value, field),)
    return names


def _hours(value: Any, field: FieldPath) -> WeeklyCalendar:
    if isinstance(value, list):
        parts = [expect_string(v, (*field, i)) for i, v in enumerate(value)]
    else:
        parts = [expect_string(value, field)]
    try:
        hours = parse_hours(parts)
    except HoursError as error:
        raise ModelError(str(error), field) from None
    if not any(hours):
        raise ModelError("these hours never work", field)
    return WeeklyCalendar(hours_label(hours), hours)


def _fraction(value: Any, field: FieldPath) -> float:
    number = expect_number(value, field)
    if not 0 <= number <= 1:
        raise ModelError(f"must be between 0 and 1, got {number:g}", field)
    return number


def _non_negative(value: Any, field: FieldPath) -> float:
    number = expect_number(value, field)
    if number < 0:
        raise ModelError(f"must not be negative, got {number:g}", field)
    return number


def _count(value: Any, field: FieldPath) -> int:
    number = expect_integer(value, field)
    if number < 0:
        raise ModelError(f"must not be negative, got {number}", field)
    return number


def _automate(data: dict[str, Any], field: FieldPath) -> Automate:
    return Automate(
        activities=_names(data["automate"], (*field, "automate")),
        duration_factor=_non_negative(data["duration_factor"], (*field, "duration_factor")),
        bots=_count(data.get("bots", 1), (*field, "bots")),
        hours=_hours(data["hours"], (*field, "hours")) if "hours" in data else ALWAYS_ON,
        cost_per_run=_non_negative(data.get("cost_per_run", 0.0), (*field, "cost_per_run")),
        exception_rate=_exception_rate(data.get("exception_rate", 0.0), (*field, "exception_rate")),
        pool=expect_string(data["pool"], (*field, "pool")) if "pool" in data else None,
    )


def _exception_rate(value: Any, field: FieldPath) -> float:
    rate = _fraction(value, field)
    if rate == 1:
        raise ModelError("1 would leave nothing automated; use a value below 1", field)
    return rate


def _staff(data: dict[str, Any], field: FieldPath) -> Staff:
    given = [key for key in ("add", "remove", "size") if key in data]
    if len(given) != 1:
        raise ModelError("give exactly one of add, remove or size", field)
    amount = _count(data[given[0]], (*field, given[0]))
    calendar = expect_string(data["calendar"], (*field, "calendar")) if "calendar" in data else None
    pool = expect_string(data["staff"], (*field, "staff"))
    if given[0] == "size":
        return Staff(pool, size=amount, calendar=calendar)
    return Staff(pool, change=amount if given[0] == "add" else -amount, calendar=calendar)


def _working_hours(data: dict[str, Any], field: FieldPath) -> WorkingHours:
    return WorkingHours(
        pool=expect_string(data["working_hours"], (*field, "working_hours")),
        hours=_hours(data["hours"], (*field, "hours")),
    )


def _remove_activity(data: dict[str, Any], field: FieldPath) -> RemoveActivity:
    return RemoveActivity(expect_string(data["remove_activity"], (*field, "remove_activity")))


def _rework(data: dict[str, Any], field: FieldPath) -> Rework:
    return Rework(
        activity=expect_string(data["rework"], (*field, "rework")),
        factor=_non_negative(data["factor"], (*field, "factor")),
        sources=_names(data["from"], (*field, "from")) if "from" in data else None,
    )


def _routing(data: dict[str, Any], field: FieldPath) -> Routing:
    return Routing(
        after=_names(data["routing"], (*field, "routing")) if data["routing"] != [] else (),
        target=expect_string(data["to"], (*field, "to")),
        probability=_fraction(data["probability"], (*field, "probability")),
    )


def _demand(data: dict[str, Any], field: FieldPath) -> Demand:
    factor = expect_number(data["demand"], (*field, "demand"))
    if factor <= 0:
        raise ModelError(f"the demand factor must be above 0, got {factor:g}", (*field, "demand"))
    if "peak" in data and "peaks" in data:
        raise ModelError("give either peak or peaks", (*field, "peaks"))
    if "peak" in data:
        peaks = [_peak(data["peak"], (*field, "peak"))]
    else:
        items = expect_list(data.get("peaks", []), (*field, "peaks"))
        peaks = [_peak(item, (*field, "peaks", i)) for i, item in enumerate(items)]
    return Demand(factor, tuple(peaks))


def _peak(value: Any, field: FieldPath) -> RatePeriod:
    data = expect_mapping(value, field)
    expect_keys(data, field, required=("from", "to", "factor"), optional=())
    start = _instant(data["from"], (*field, "from"), end_of_day=False)
    end = _instant(data["to"], (*field, "to"), end_of_day=True)
    if end <= start:
        raise ModelError("the peak ends before it starts", (*field, "to"))
    factor = _non_negative(data["factor"], (*field, "factor"))
    return RatePeriod(start.isoformat(), end.isoformat(), factor)


def _instant(value: Any, field: FieldPath, end_of_day: bool) -> pd.Timestamp:
    """A date (inclusive: ``to: 2025-12-24`` covers that whole day) or a timestamp, in UTC."""
    whole_day = isinstance(value, date) and not isinstance(value, datetime)
    if isinstance(value, str):
        whole_day = len(value.strip()) == len("2025-12-24")
    elif isinstance(value, date | datetime):
        value = value.isoformat()
    try:
        stamp = pd.Timestamp(expect_string(value, field))
    except ValueError:
        raise ModelError(f"'{value}' is not a date (YYYY-MM-DD) or ISO 8601 timestamp", field) from None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp + timedelta(days=1) if whole_day and end_of_day else stamp


def _priority(data: dict[str, Any], field: FieldPath) -> Priority:
    order = expect_list(data["order"], (*field, "order"))
    return Priority(
        attribute=expect_string(data["priority"], (*field, "priority")),
        order=tuple(
            expect_string(str(v) if isinstance(v, int | float) else v, (*field, "order", i))
            for i, v in enumerate(order)
        ),
    )


def _delay(data: dict[str, Any], field: FieldPath) -> DelayChange:
    if not {"probability", "probability_factor", "duration_factor"} & set(data):
        raise ModelError(
            "a delay change needs probability, probability_factor or duration_factor", (*field, "delay")
        )
    if "probability" in data and "probability_factor" in data:
        raise ModelError("give either probability or probability_factor, not both", (*field, "probability"))
    return DelayChange(
        activity=expect_string(data["delay"], (*field, "delay")),
        probability=(
            _fraction(data["probability"], (*field, "probability")) if "probability" in data else None
        ),
        probability_factor=(
            _non_negative(data["probability_factor"], (*field, "probability_factor"))
            if "probability_factor" in data
            else None
        ),
        duration_factor=_non_negative(data.get("duration_factor", 1.0), (*field, "duration_factor")),
        after=_names(data["after"], (*field, "after")) if "after" in data else None,
    )


_BUILDERS = {
    "automate": _automate,
    "staff": _staff,
    "working_hours": _working_hours,
    "remove_activity": _remove_activity,
    "rework": _rework,
    "routing": _routing,
    "demand": _demand,
    "priority": _priority,
    "delay": _delay,
}
