"""Which resources are machines: batch jobs, workflow and interface users, bots.

An activity instance executed by a technical user is already automated, so these
users are where the weak training labels come from. A user counts as technical by
its name (``BATCH_JOB``, ``SYS_WF``, ``RFC_EDI``... from a user-configurable list of
patterns), by its SAP user type when a USR02 extract is given (B system, S service,
C communication), or by behaviour no person shows: every timed execution under a
second, or inhuman daily volume together with work around the clock. Either
behaviour sign alone is not enough for volume and hours (a busy clerk, a night
shift), so those two must come together. Every decision carries its reason, and the
caller can force any user to human or system.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sc_improve.errors import LogImportError
from sc_improve.log.event_log import EventLog, LogCodes

NAME_PATTERNS: tuple[str, ...] = (
    r"batch",
    r"system",
    r"rfc",
    r"cron",
    r"robot",
    r"daemon",
    r"scheduler",
    r"interface",
    r"remote",
    r"sapsys",
    r"(?<![a-z])sys(?![a-z])",
    r"(?<![a-z])job(?![a-z])",
    r"(?<![a-z])edi(?![a-z])",
    r"(?<![a-z])wf(?![a-z])",
    r"(?<![a-z])bot(?![a-z])",
    r"(?<![a-z])rpa(?![a-z])",
    r"(?<![a-z])api(?![a-z])",
    r"(?<![a-z])idoc",
    r"(?<![a-z])auto",
    r"^none$",
    r"^ddic$",
)
"""Case-insensitive regular expressions; short words must stand alone (``EDI`` in
``RFC_EDI`` but not in ``EDITH``)."""

SAP_SYSTEM_TYPES: dict[str, str] = {"B": "system", "S": "service", "C": "communication"}
"""SAP USR02-USTYP values of technical users (A dialog and L reference users are people)."""

SUBSECOND_SHARE = 0.95
MIN_TIMED_EVENTS = 20
HUMAN_MEDIAN_SECONDS = 60.0
"""Sub-second executions only count when the log's typical user takes at least this long."""
MIN_EVENTS_FOR_BEHAVIOUR = 50
NIGHT_HOURS = (22, 6)
AROUND_THE_CLOCK_SHARE = 0.25
AROUND_THE_CLOCK_FACTOR = 3.0
MIN_HOURS_COVERED = 18
INHUMAN_VOLUME_FACTOR = 10.0
_NS_PER_HOUR = 3_600_000_000_000
_NS_PER_DAY = 24 * _NS_PER_HOUR


@dataclass
class SystemUsers:
    """Every resource of the log, whether it counts as a technical user, and why.

    ``table`` has one row per resource: ``user``, ``events``, ``system`` (bool),
    ``reason`` (empty for people) and ``decided_by`` ("name", "sap user type",
    "behaviour", "user" or "" for people by default).
    """

    table: pd.DataFrame

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.table.loc[self.table["system"], "user"])

    def event_mask(self, codes: LogCodes) -> np.ndarray | None:
        """True for events executed by a technical user; None when the log has no resources."""
        if codes.resource is None or codes.resources is None:
            return None
        is_system = np.isin(codes.resources.astype(str), list(self.names))
        return np.append(is_system, False)[codes.resource]


def detect_system_users(
    log: EventLog,
    *,
    name_patterns: Iterable[str] = NAME_PATTERNS,
    user_types: Mapping[str, str] | None = None,
    force_system: Iterable[str] = (),
    force_human: Iterable[str] = (),
) -> SystemUsers:
    """Class every resource of the log as technical (system) user or person, with the reason.

    ``user_types`` maps user name to SAP user type (see :func:`read_usr02`);
    ``force_system`` and ``force_human`` are the user's corrections and win over
    everything else.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"],
    ...     "concept:name": ["a", "b"], "org:resource": ["BATCH_JOB", "MEIER"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00"])}))
    >>> sorted(detect_system_users(log).names)
    ['BATCH_JOB']
    """
    codes = log.codes
    if codes.resource is None or codes.resources is None:
        return SystemUsers(_empty_table())
    users = pd.Series(codes.resources.astype(str))
    events = np.bincount(codes.resource[codes.resource >= 0], minlength=len(users))
    reason = pd.Series("", index=users.index, dtype=object)
    decided_by = pd.Series("", index=users.index, dtype=object)

    def decide(mask: np.ndarray, why: pd.Series | str, by: str) -> None:
        open_ = (decided_by == "").to_numpy() & mask
        reason[open_] = why[open_] if isinstance(why, pd.Series) else why
        decided_by[open_] = by

    for pattern in name_patterns:
        found = users.str.extract(f"({pattern})", flags=re.IGNORECASE, expand=True)[0]
        decide(found.notna().to_numpy(), "name contains '" + found.fillna("") + "'", "name")
    if user_types:
        types = users.map(lambda u: str(user_types.get(u, "")).strip().upper())
        technical = types.isin(list(SAP_SYSTEM_TYPES)).to_numpy()
        decide(
            technical,
            types.map(lambda t: f"SAP user type {t} ({SAP_SYSTEM_TYPES.get(t, '')})"),
            "sap user type",
        )
    for mask, why in _behaviour(codes, len(users)):
        decide(mask, why, "behaviour")

    system = (decided_by != "").to_numpy()
    forced_system = users.isin(list(force_system)).to_numpy()
    forced_human = users.isin(list(force_human)).to_numpy()
    reason[forced_system] = "set to system user by the user"
    reason[forced_human] = "set to person by the user"
    decided_by[forced_system | forced_human] = "user"
    system = (system | forced_system) & ~forced_human
    reason[~system & ~forced_human] = ""
    decided_by[~system & ~forced_human] = ""
    table = pd.DataFrame(
        {"user": users, "events": events, "system": system, "reason": reason, "decided_by": decided_by}
    )
    return SystemUsers(table.sort_values("events", ascending=False, kind="stable").reset_index(drop=True))


def read_usr02(source: str | Path | pd.DataFrame) -> dict[str, str]:
    """User name -> SAP user type from a USR02 extract (columns BNAME and USTYP, any case).

    >>> import pandas as pd
    >>> read_usr02(pd.DataFrame({"BNAME": ["WF-BATCH", "MEIER"], "USTYP": ["B", "A"]}))
    {'WF-BATCH': 'B', 'MEIER': 'A'}
    """
    if isinstance(source, pd.DataFrame):
        table = source
    else:
        try:
            table = pd.read_csv(source, sep=None, engine="python", dtype=str)
        except (OSError, ValueError) as error:
            raise LogImportError(f"cannot read the USR02 extract: {error}", path=source) from error
    by_upper = {str(c).strip().upper(): c for c in table.columns}
    missing = [c for c in ("BNAME", "USTYP") if c not in by_upper]
    if missing:
        where = None if isinstance(source, pd.DataFrame) else source
        raise LogImportError(f"the USR02 extract has no {' or '.join(missing)} column", path=where)
    names = table[by_upper["BNAME"]].astype(str).str.strip()
    types = table[by_upper["USTYP"]].astype(str).str.strip().str.upper()
    return dict(zip(names, types, strict=True))


def _behaviour(codes: LogCodes, n_users: int) -> list[tuple[np.ndarray, pd.Series | str]]:
    """Masks of users that behave like machines, each with its reason text."""
    resource = codes.resource
    known = resource >= 0
    user = resource[known]
    end = codes.end_ns[known]
    events = np.bincount(user, minlength=n_users)
    found: list[tuple[np.ndarray, pd.Series | str]] = []

    if codes.start_ns is not None:
        start = codes.start_ns[known]
        timed = (start != LogCodes.MISSING_NS) & (start <= end)
        seconds = (end[timed] - start[timed]) / 1e9
        timed_users = user[timed]
        n_timed = np.bincount(timed_users, minlength=n_users)
        fast = np.bincount(timed_users, weights=seconds <= 1.0, minlength=n_users)
        user_median = pd.Series(seconds).groupby(timed_users).median()
        typical = float(user_median.median()) if len(user_median) else 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            subsecond = (n_timed >= MIN_TIMED_EVENTS) & (fast / n_timed >= SUBSECOND_SHARE)
        subsecond &= typical >= HUMAN_MEDIAN_SECONDS
        reasons = pd.Series(
            [
                f"{int(f):,} of {int(t):,} timed executions took a second or less"
                for f, t in zip(fast, n_timed, strict=True)
            ]
        )
        found.append((subsecond, reasons))

    ns_of_day = end % _NS_PER_DAY
    if len(end) == 0 or np.mean(ns_of_day == 0) >= 0.9:
        return found
    hour = ns_of_day // _NS_PER_HOUR
    weekend = (end // _NS_PER_DAY + 3) % 7 >= 5
    odd = weekend | (hour >= NIGHT_HOURS[0]) | (hour < NIGHT_HOURS[1])
    odd_share = np.bincount(user, weights=odd, minlength=n_users) / np.maximum(events, 1)
    hours_covered = np.bincount(np.unique(user.astype(np.int64) * 24 + hour) // 24, minlength=n_users)
    day = end // _NS_PER_DAY
    day -= day.min()
    span = int(day.max()) + 1
    active_days = np.bincount(np.unique(user.astype(np.int64) * span + day) // span, minlength=n_users)
    per_day = events / np.maximum(active_days, 1)
    enough = events >= MIN_EVENTS_FOR_BEHAVIOUR
    if not enough.any():
        return found
    typical_odd = float(np.median(odd_share[enough]))
    typical_per_day = float(np.median(per_day[enough]))
    around_the_clock = (
        enough
        & (hours_covered >= MIN_HOURS_COVERED)
        & (odd_share >= AROUND_THE_CLOCK_SHARE)
        & (odd_share >= AROUND_THE_CLOCK_FACTOR * typical_odd)
    )
    inhuman = enough & (per_day >= INHUMAN_VOLUME_FACTOR * typical_per_day)
    reasons = pd.Series(
        [
            f"{d:,.0f} events per active day (typical user: {typical_per_day:,.0f}) and "
            f"{s:.0%} of its events at night or at weekends (typical user: {typical_odd:.0%})"
            for d, s in zip(per_day, odd_share, strict=True)
        ]
    )
    found.append((around_the_clock & inhuman, reasons))
    return found


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user": pd.Series(dtype=object),
            "events": pd.Series(dtype=np.int64),
            "system": pd.Series(dtype=bool),
            "reason": pd.Series(dtype=object),
            "decided_by": pd.Series(dtype=object),
        }
    )
