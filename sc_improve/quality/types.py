"""Result types of the data-quality checks: findings, the report, and fix results.

A :class:`Finding` is written for a process analyst, not a programmer: one sentence
with the numbers, a few examples to look up in the source file, and what to do about
it. Each finding names the event-log imperfection pattern of Suriadi et al. (2017,
"Event log imperfection patterns for process mining: towards a systematic approach to
cleaning event logs", Information Systems 64) it is an instance of, so that analysts
can read up on causes and remedies; checks for problems outside those eleven patterns
(missing values, truncated cases) leave ``pattern`` as None.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from sc_improve.log.event_log import EventLog

Severity = Literal["error", "warning", "info"]
"""``error``: analysis results are likely wrong until this is fixed; ``warning``: some
results (times, the map, resource views) are distorted; ``info``: worth knowing."""

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

FORM_BASED_EVENT_CAPTURE = "form-based event capture"
INADVERTENT_TIME_TRAVEL = "inadvertent time travel"
UNANCHORED_EVENT = "unanchored event"
SCATTERED_EVENT = "scattered event"
ELUSIVE_CASE = "elusive case"
SCATTERED_CASE = "scattered case"
COLLATERAL_EVENTS = "collateral events"
POLLUTED_LABEL = "polluted label"
DISTORTED_LABEL = "distorted label"
SYNONYMOUS_LABELS = "synonymous labels"
HOMONYMOUS_LABEL = "homonymous label"


@dataclass(frozen=True)
class Finding:
    """One data-quality problem found by one check.

    ``count`` is the number of affected ``unit`` s ("events", "cases", "labels", ...)
    as stated in ``message``; ``examples`` point at case ids, source rows or labels;
    ``fix`` is the id of the automatic fix in :data:`sc_improve.quality.FIXES`, if any.
    """

    check: str
    severity: Severity
    count: int
    unit: str
    message: str
    examples: tuple[str, ...] = ()
    suggested_fix: str = ""
    pattern: str | None = None
    fix: str | None = None


@dataclass
class QualityReport:
    """All findings of a quality run, most severe first, then largest count first."""

    findings: list[Finding]
    checks_run: list[str]
    n_events: int
    n_cases: int

    def __post_init__(self) -> None:
        self.findings = sorted(self.findings, key=lambda f: (SEVERITY_ORDER[f.severity], -f.count))

    def for_check(self, check: str) -> list[Finding]:
        """The findings of one check (empty when it found nothing or did not run)."""
        return [f for f in self.findings if f.check == check]

    def count_by_severity(self) -> dict[str, int]:
        """How many findings there are of each severity, for a one-line summary."""
        counts = dict.fromkeys(SEVERITY_ORDER, 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-serialisable data (tuples become lists when dumped)."""
        return asdict(self)


@dataclass(frozen=True)
class FixResult:
    """A fixed copy of a log and one line describing the fix for the undo history."""

    log: EventLog
    description: str
