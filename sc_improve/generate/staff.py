"""The people, machines and system users that perform the generated events.

ERP logs record user IDs, not names, and a handful of technical users do all the
automated work. Resource analyses (workload, handover, working hours) only find
something if the same few dozen people keep appearing, each with their own share of
the work and their own calendar, so every resource is registered once here with the
calendar that governs its timestamps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sc_improve.generate.calendar import ALWAYS, Calendar

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannah", "Ivan", "Julia",
    "Karim", "Laura", "Marek", "Nina", "Oliver", "Paula", "Quentin", "Rosa", "Stefan", "Tara",
    "Umar", "Vera", "Walter", "Xenia", "Yusuf", "Zoe", "Agnieszka", "Bart", "Chiara", "Dirk",
)  # fmt: skip
LAST_NAMES = (
    "Becker", "Novak", "Jansen", "Schmidt", "Kowalski", "Rossi", "Meyer", "Dubois", "Fischer", "Smith",
    "Wagner", "Peeters", "Hoffmann", "Nowak", "Bauer", "Garcia", "Richter", "Klein", "Wolf", "Brown",
    "Schulz", "Martin", "Keller", "Visser", "Lange", "Weber", "Moreau", "Kaiser", "Zimmer", "Hansen",
    "Kraus", "Lehmann", "Vogel", "Koch", "Berg", "Wojcik", "Bakker", "Costa", "Horn", "Frank",
)  # fmt: skip

SYSTEM_USERS = ("BATCH_JOB", "SYS_WF", "RFC_EDI", "WEBSHOP")
"""Technical users: scheduled jobs, workflow automation, EDI interface, online shop."""

REFERENCE_CASES_PER_DAY = 25.0
"""Case volume per working day that the base team sizes are meant for."""


def staff_scale(n_cases: int, days: int) -> int:
    """How many times the base teams must be multiplied to carry this volume.

    A 5M-event benchmark log has a hundred times the volume of a sample log over the
    same year; with the same few dozen people each would handle thousands of cases a
    day. Scaling the teams keeps per-person workload realistic at every size.
    """
    per_working_day = n_cases / max(days * 5 / 7, 1.0)
    return max(1, math.ceil(per_working_day / REFERENCE_CASES_PER_DAY - 0.5))


@dataclass(frozen=True)
class Team:
    """People of one role who share the work unevenly, under one calendar."""

    role: str
    codes: np.ndarray
    shares: np.ndarray
    calendar: Calendar

    def pick(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Resource codes for ``n`` work items, drawn by each person's share of the work."""
        return self.codes[rng.choice(len(self.codes), size=n, p=self.shares)]


@dataclass
class Directory:
    """All resources of one generated log: name and calendar, indexed by code."""

    names: list[str] = field(default_factory=list)
    calendars: list[Calendar] = field(default_factory=list)
    _taken: set[str] = field(default_factory=set)

    def system(self, name: str) -> int:
        """The code of a technical user (registered on first use), working around the clock."""
        if name in self._taken:
            return self.names.index(name)
        return int(self._register([name], ALWAYS)[0])

    def machines(self, names: list[str], calendar: Calendar) -> np.ndarray:
        return self._register(names, calendar)

    def team(self, rng: np.random.Generator, role: str, size: int, calendar: Calendar) -> Team:
        """``size`` new people with SAP-style user IDs and a skewed share of the work.

        Shares come from a gamma distribution, so some colleagues carry visibly more
        work than others, as in any real department.
        """
        names = [self._new_user_id(rng) for _ in range(size)]
        codes = self._register(names, calendar)
        shares = rng.gamma(3.0, size=size)
        return Team(role, codes, shares / shares.sum(), calendar)

    def calendar_of(self) -> dict[str, Calendar]:
        return dict(zip(self.names, self.calendars, strict=True))

    def _register(self, names: list[str], calendar: Calendar) -> np.ndarray:
        start = len(self.names)
        self.names.extend(names)
        self.calendars.extend([calendar] * len(names))
        self._taken.update(names)
        return np.arange(start, start + len(names), dtype=np.int32)

    def _new_user_id(self, rng: np.random.Generator) -> str:
        """First initial and surname, upper case, at most 12 characters, made unique."""
        first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
        last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
        base = (first[0] + last).upper()[:10]
        candidate, number = base, 1
        while candidate in self._taken:
            number += 1
            candidate = f"{base}{number}"
        self._taken.add(candidate)
        return candidate
