"""Suggest which columns are the case, activity, timestamps and resource of a table.

Two kinds of evidence are combined, and both are shown to the user as the reason:
the column *name* (common process-mining names such as "Case ID" or pm4py's
``case:concept:name``, and SAP field names such as EBELN, ERDAT/ERZET, USNAM) and
the column *contents* of a sample (timestamps must parse; a case id repeats a few
times per value; an activity has few distinct values; neither looks like a date).
A name alone never makes a column a timestamp: its values must parse as well.

Only a sample of rows is inspected (plain Python/pandas is fine at that size); the
choice is a suggestion that the CLI prints and the GUI shows for confirmation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sc_improve.log.arrowtools import NAT_NS, as_chunked, as_text
from sc_improve.log.mapping import ColumnMapping, MappingSuggestion
from sc_improve.log.timestamps import TimestampFormat, parse_time_of_day, timestamp_share

TIMESTAMP_SHARE = 0.8
"""Share of sample values that must parse for a column to count as a timestamp."""
LIFECYCLE_VALUES = frozenset(
    {"start", "complete", "schedule", "assign", "reassign", "suspend", "resume", "withdraw"}
    | {"ate_abort", "pi_abort", "autoskip", "manualskip", "unknown"}
)
_LIFECYCLE_ARRAY = pa.array(sorted(LIFECYCLE_VALUES), type=pa.large_string())
_PLAIN_NUMBER = r"^[+-]?[0-9]+(?:\.[0-9]+)?$"
"""Text that pandas certainly reads as a number (ASCII digits, optional sign and decimals)."""

_CASE_NAMES = {
    "case:concept:name": (1.0, "the XES/pm4py case id column"),
    "case id": (0.95, "named like a case id"),
    "caseid": (0.95, "named like a case id"),
    "case": (0.95, "named like a case id"),
    "case key": (0.9, "named like a case id"),
    "case number": (0.9, "named like a case id"),
    "ebeln": (0.85, "SAP purchasing document number (EBELN)"),
    "vbeln": (0.85, "SAP sales/delivery/billing document number (VBELN)"),
    "aufnr": (0.8, "SAP order number (AUFNR)"),
    "banfn": (0.8, "SAP purchase requisition number (BANFN)"),
    "belnr": (0.8, "SAP accounting/invoice document number (BELNR)"),
    "mblnr": (0.75, "SAP material document number (MBLNR)"),
    "order id": (0.75, "named like an order id"),
    "order number": (0.75, "named like an order number"),
    "purchase order": (0.75, "named like a purchase order"),
    "po number": (0.75, "named like a purchase order number"),
    "document number": (0.6, "named like a document number"),
}
_ACTIVITY_NAMES = {
    "concept:name": (1.0, "the XES/pm4py activity column"),
    "activity": (0.95, "named like an activity"),
    "activity name": (0.95, "named like an activity"),
    "event": (0.9, "named like an activity"),
    "event name": (0.9, "named like an activity"),
    "event activity": (0.95, "named like an activity"),
    "ocel:activity": (0.95, "the OCEL activity column"),
    "task": (0.85, "named like an activity"),
    "action": (0.8, "named like an activity"),
    "step": (0.8, "named like an activity"),
    "tcode": (0.8, "SAP transaction code (TCODE)"),
    "transaction": (0.75, "SAP transaction"),
    "transaction code": (0.8, "SAP transaction code"),
    "status": (0.6, "a status column (each status change is an event)"),
}
_END_NAMES = {
    "time:timestamp": (1.0, "the XES/pm4py timestamp column"),
    "complete timestamp": (0.95, "named like an end time"),
    "end timestamp": (0.95, "named like an end time"),
    "end time": (0.95, "named like an end time"),
    "endtime": (0.95, "named like an end time"),
    "end date": (0.9, "named like an end time"),
    "completion time": (0.9, "named like an end time"),
    "timestamp": (0.9, "named like a timestamp"),
    "event timestamp": (0.95, "named like a timestamp"),
    "ocel:timestamp": (0.95, "the OCEL timestamp column"),
    "datetime": (0.85, "named like a timestamp"),
    "date time": (0.85, "named like a timestamp"),
    "cpudt": (0.85, "SAP entry date (CPUDT)"),
    "erdat": (0.8, "SAP creation date (ERDAT)"),
    "udate": (0.8, "SAP change date (UDATE)"),
    "budat": (0.75, "SAP posting date (BUDAT)"),
    "aedat": (0.7, "SAP last-change date (AEDAT)"),
    "bldat": (0.6, "SAP document date (BLDAT)"),
}
_START_NAMES = {
    "start timestamp": (1.0, "named like a start time"),
    "start time": (0.95, "named like a start time"),
    "starttime": (0.95, "named like a start time"),
    "start date": (0.9, "named like a start time"),
    "start": (0.85, "named like a start time"),
    "started": (0.85, "named like a start time"),
}
_RESOURCE_NAMES = {
    "org:resource": (1.0, "the XES/pm4py resource column"),
    "resource": (0.95, "named like a resource"),
    "event resource": (0.95, "named like a resource"),
    "user": (0.9, "named like a user"),
    "user name": (0.9, "named like a user"),
    "username": (0.9, "named like a user"),
    "user id": (0.85, "named like a user"),
    "performer": (0.85, "named like a resource"),
    "employee": (0.85, "named like a resource"),
    "agent": (0.8, "named like a resource"),
    "usnam": (0.85, "SAP user name (USNAM)"),
    "ernam": (0.8, "SAP 'created by' user (ERNAM)"),
    "aenam": (0.7, "SAP 'changed by' user (AENAM)"),
    "org:role": (0.5, "a role column"),
    "role": (0.5, "a role column"),
}
_LIFECYCLE_NAMES = {
    "lifecycle:transition": (1.0, "the XES lifecycle column"),
    "lifecycle": (0.9, "named like a lifecycle transition"),
    "transition": (0.8, "named like a lifecycle transition"),
    "lifecycle transition": (0.9, "named like a lifecycle transition"),
    "event type": (0.7, "named like a lifecycle transition"),
}
_PARTS = {
    "case": (("case", 0.7), ("id", 0.3)),
    "activity": (("activit", 0.7), ("event", 0.4), ("status", 0.4)),
    "end": (("timestamp", 0.8), ("time", 0.5), ("date", 0.5), ("zeit", 0.5), ("datum", 0.5)),
    "start": (("start", 0.8),),
    "resource": (("resource", 0.8), ("user", 0.6)),
    "lifecycle": (("lifecycle", 0.8),),
}
_SAP_TIME_PAIRS = {"cpudt": "cputm", "erdat": "erzet", "udate": "utime", "aedat": "aezet", "budat": "cputm"}
_TIME_WORDS = (("date", "time"), ("datum", "uhrzeit"), ("datum", "zeit"))
_SAP_ITEMS = {
    "ebeln": ("ebelp", "SAP purchase order item (EBELN + EBELP)"),
    "vbeln": ("posnr", "SAP sales document item (VBELN + POSNR)"),
    "banfn": ("bnfpo", "SAP purchase requisition item (BANFN + BNFPO)"),
}


@dataclass
class _Profile:
    """What the sample says about one column."""

    name: str
    key: str
    values: pa.ChunkedArray
    rows: int
    distinct: int
    numeric: float
    time_share: float
    time_format: TimestampFormat | None
    lifecycle_like: bool

    @property
    def time_like(self) -> bool:
        return self.time_share >= TIMESTAMP_SHARE


@dataclass
class _Role:
    """How to score columns for one role."""

    name: str
    names: dict[str, tuple[float, str]]
    parts: tuple[tuple[str, float], ...]
    fit: Callable[[_Profile], tuple[float, str]]
    minimum: float


def suggest_mapping(sample: pd.DataFrame) -> MappingSuggestion:
    """Suggest a column mapping from a sample of the raw table (e.g. its first 5,000 rows).

    Roles are filled in order (end time, start time, case, activity, resource,
    lifecycle), each taking the best-scoring column not yet used; a score is
    0.65 x name evidence + 0.35 x content evidence, and content that rules a column
    out (a case id that parses as a date, a timestamp that does not) scores zero.

    >>> sample = pd.DataFrame({"Case ID": ["1", "1", "2"], "Activity": ["a", "b", "a"],
    ...     "Complete Timestamp": ["2024-01-01 08:00", "2024-01-01 09:00", "2024-01-02 08:00"]})
    >>> suggest_mapping(sample).mapping.case
    ['Case ID']
    """
    profiles = [_profile(str(name), sample[name]) for name in sample.columns]
    chooser = _Chooser(profiles)
    mapping = ColumnMapping()
    end = chooser.take(_Role("timestamp", _END_NAMES, _PARTS["end"], _end_fit, 0.3))
    if end is not None:
        mapping.timestamp = [end.name]
        partner = _time_partner(end, chooser)
        if partner is not None:
            chooser.use(partner)
            mapping.timestamp.append(partner.name)
            chooser.reasons["timestamp"] += f"; combined with the time column '{partner.name}'"
    start = chooser.take(_Role("start", _START_NAMES, _PARTS["start"], _time_fit, 0.6))
    if start is not None:
        mapping.start = [start.name]
    case = chooser.take(_Role("case", _CASE_NAMES, _PARTS["case"], _case_fit, 0.25))
    if case is not None:
        mapping.case = [case.name]
        item_key, why = _SAP_ITEMS.get(case.key, ("", ""))
        item = chooser.free(item_key) if item_key else None
        if item is not None:
            chooser.use(item)
            mapping.case.append(item.name)
            chooser.reasons["case"] = (
                f"{why}: one case per item (choose only '{case.name}' for whole documents)"
            )
    activity = chooser.take(_Role("activity", _ACTIVITY_NAMES, _PARTS["activity"], _activity_fit, 0.25))
    if activity is not None:
        mapping.activity = [activity.name]
    resource = chooser.take(_Role("resource", _RESOURCE_NAMES, _PARTS["resource"], _resource_fit, 0.5))
    if resource is not None:
        mapping.resource = resource.name
    if start is None:
        lifecycle = chooser.take(
            _Role("lifecycle", _LIFECYCLE_NAMES, _PARTS["lifecycle"], _lifecycle_fit, 0.3)
        )
        if lifecycle is not None:
            mapping.lifecycle = lifecycle.name
    return MappingSuggestion(
        mapping=mapping,
        reasons=chooser.reasons,
        confidence=chooser.confidence,
        columns=[p.name for p in profiles],
    )


def normalise_name(name: str) -> str:
    """Lower case, with runs of spaces, underscores and hyphens as one space.

    >>> normalise_name("Case_ID")
    'case id'
    """
    return re.sub(r"[\s_\-]+", " ", name.strip().lower())


class _Chooser:
    """Assigns columns to roles one at a time, never using a column twice."""

    def __init__(self, profiles: list[_Profile]) -> None:
        self.profiles = profiles
        self.used: set[str] = set()
        self.reasons: dict[str, str] = {}
        self.confidence: dict[str, float] = {}

    def use(self, profile: _Profile) -> None:
        self.used.add(profile.name)

    def free(self, key: str) -> _Profile | None:
        """The unused column whose normalised name is ``key``."""
        return next((p for p in self.profiles if p.key == key and p.name not in self.used), None)

    def take(self, role: _Role) -> _Profile | None:
        best: tuple[float, _Profile, str] | None = None
        for profile in self.profiles:
            if profile.name in self.used:
                continue
            name_score, why = _name_score(profile.key, role.names, role.parts)
            fit, evidence = role.fit(profile)
            score = 0.65 * name_score + 0.35 * fit if fit > 0 else 0.0
            if score >= role.minimum and (best is None or score > best[0]):
                best = (score, profile, "; ".join(r for r in (why, evidence) if r))
        if best is None:
            if role.minimum < 0.5:
                self.reasons[role.name] = f"no column looks like the {role.name}; choose one"
                self.confidence[role.name] = 0.0
            return None
        score, profile, why = best
        self.use(profile)
        self.reasons[role.name] = f"'{profile.name}': {why}"
        self.confidence[role.name] = round(min(score, 1.0), 2)
        return profile


def _name_score(
    key: str, names: dict[str, tuple[float, str]], parts: tuple[tuple[str, float], ...]
) -> tuple[float, str]:
    if key in names:
        return names[key]
    for part, score in parts:
        if part in key:
            return score, f"name contains '{part}'"
    return 0.0, ""


def _profile(name: str, values: pd.Series) -> _Profile:
    key = normalise_name(name)
    array = as_chunked(values)
    present = as_text(array).drop_null()
    rows = len(present)
    if rows == 0:
        return _Profile(name, key, array, 0, 0, 0.0, 0.0, None, False)
    counts = pc.value_counts(present)
    distinct = len(counts)
    numeric = _numeric_share(counts, rows)
    hinted = any(
        _name_score(key, names, _PARTS[part])[0] >= 0.5
        for names, part in ((_END_NAMES, "end"), (_START_NAMES, "start"))
    )
    share, fmt = timestamp_share(array, allow_numeric=hinted)
    lifecycle = bool(pc.all(pc.is_in(pc.utf8_lower(present), value_set=_LIFECYCLE_ARRAY)).as_py())
    return _Profile(name, key, array, rows, distinct, numeric, share, fmt, lifecycle)


def _numeric_share(counts: pa.StructArray, rows: int) -> float:
    """Share of the sample rows whose value pandas reads as a number.

    Each distinct value is tried once and weighted by how often it occurs. Plain
    decimals (the bulk of id and amount columns) are recognised by one Arrow regex
    pass; pandas, which parses text one Python object at a time, sees only the rest
    (its other number forms such as "1e5", " 7" or "inf").
    """
    values = counts.field("values")
    plain = pc.match_substring_regex(values, _PLAIN_NUMBER).to_numpy(zero_copy_only=False).astype(bool)
    numeric = plain.copy()
    if not plain.all():
        rest = pd.Series(values.filter(pa.array(~plain)).to_pylist(), dtype="object")
        numeric[~plain] = pd.to_numeric(rest, errors="coerce").notna().to_numpy()
    occurrences = counts.field("counts").to_numpy()
    return float(occurrences[numeric].sum() / rows)


def _time_fit(profile: _Profile) -> tuple[float, str]:
    if not profile.time_like or profile.time_format is None:
        return 0.0, ""
    return (
        profile.time_share,
        f"{profile.time_share:.0%} of sample values read as {profile.time_format.label}",
    )


def _end_fit(profile: _Profile) -> tuple[float, str]:
    """Like :func:`_time_fit`, but a column named "start ..." is the end time only as a last resort."""
    fit, evidence = _time_fit(profile)
    return (fit * 0.5, evidence) if "start" in profile.key else (fit, evidence)


def _case_fit(profile: _Profile) -> tuple[float, str]:
    if profile.rows == 0 or profile.time_like or profile.lifecycle_like:
        return 0.0, ""
    if profile.distinct == 1:
        return 0.2, "a single value in the sample (one case)"
    ratio = profile.distinct / profile.rows
    counts = f"{profile.distinct} distinct values in {profile.rows} sample rows"
    if 0.02 <= ratio <= 0.6:
        return 1.0, f"{counts} (about {profile.rows / profile.distinct:.1f} rows each)"
    if ratio > 0.6:
        return 0.5, f"{counts}: mostly unique, so cases would have few events"
    return 0.3, f"{counts}: very few, so cases would be very long"


def _activity_fit(profile: _Profile) -> tuple[float, str]:
    if profile.rows == 0 or profile.time_like or profile.lifecycle_like:
        return 0.0, ""
    if profile.distinct == 1:
        return 0.2, "a single value in the sample"
    counts = f"{profile.distinct} distinct values in {profile.rows} sample rows"
    if profile.numeric >= 0.5:
        return 0.2, f"{counts}, mostly numbers"
    if profile.distinct <= max(20, min(500, 0.3 * profile.rows)):
        return 1.0, counts
    return 0.3, f"{counts}: many for activity names"


def _resource_fit(profile: _Profile) -> tuple[float, str]:
    if profile.distinct < 2 or profile.time_like or profile.lifecycle_like:
        return 0.0, ""
    counts = f"{profile.distinct} distinct values in {profile.rows} sample rows"
    if profile.numeric >= 0.9:
        return 0.2, f"{counts}, all numbers"
    return (0.8, counts) if profile.distinct <= 0.5 * profile.rows else (0.3, counts)


def _lifecycle_fit(profile: _Profile) -> tuple[float, str]:
    if profile.lifecycle_like and profile.distinct >= 2:
        return 1.0, "values are lifecycle transitions (start, complete, ...)"
    return 0.0, ""


def _time_partner(end: _Profile, chooser: _Chooser) -> _Profile | None:
    """A time-of-day column to combine with a date column (SAP ERDAT + ERZET, "Date" + "Time")."""
    keys = [_SAP_TIME_PAIRS.get(end.key, "")]
    if end.time_format is not None and end.time_format.date_only:
        keys += [end.key.replace(date, time) for date, time in _TIME_WORDS if date in end.key]
        keys += ["time", "uhrzeit"]
    for key in keys:
        partner = chooser.free(key) if key and key != end.key else None
        if partner is not None and partner.rows:
            parsed, _ = parse_time_of_day(partner.values)
            if (parsed != NAT_NS).sum() >= TIMESTAMP_SHARE * partner.rows:
                return partner
    return None
