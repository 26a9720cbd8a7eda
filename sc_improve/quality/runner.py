"""Run all data-quality checks (or some) and collect their findings in one report.

Each check is a plain function ``check(log, *, threshold=default, ...) -> list[Finding]``
registered in :data:`CHECKS`, so the GUI can run one alone and the CLI all of them.
Thresholds are passed by name to :func:`check_quality` and routed to the checks whose
signature names them; an unknown name is an error rather than silently ignored.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from sc_improve.errors import OptionError
from sc_improve.log.event_log import EventLog
from sc_improve.progress import ProgressCallback, ensure_progress
from sc_improve.quality.day_month import day_month_order
from sc_improve.quality.duplicates import duplicate_events, fix_duplicate_events
from sc_improve.quality.granularity import timestamp_granularity
from sc_improve.quality.import_issues import import_issues
from sc_improve.quality.incomplete_cases import fix_incomplete_cases, incomplete_cases
from sc_improve.quality.missing_values import missing_values
from sc_improve.quality.outliers import fix_timestamp_outliers, timestamp_outliers
from sc_improve.quality.oversized_cases import oversized_cases
from sc_improve.quality.polluted_labels import polluted_labels
from sc_improve.quality.rare_activities import rare_activities
from sc_improve.quality.repeated_activities import repeated_activities
from sc_improve.quality.same_timestamp import same_timestamp
from sc_improve.quality.start_after_end import start_after_end
from sc_improve.quality.synonymous_labels import fix_synonymous_labels, synonymous_labels
from sc_improve.quality.types import Finding, FixResult, QualityReport
from sc_improve.quality.unparseable_timestamps import unparseable_timestamps

Check = Callable[..., list[Finding]]
Fix = Callable[..., FixResult]

CHECKS: dict[str, Check] = {
    "missing_values": missing_values,
    "unparseable_timestamps": unparseable_timestamps,
    "import_issues": import_issues,
    "day_month_order": day_month_order,
    "duplicate_events": duplicate_events,
    "timestamp_outliers": timestamp_outliers,
    "same_timestamp": same_timestamp,
    "timestamp_granularity": timestamp_granularity,
    "start_after_end": start_after_end,
    "incomplete_cases": incomplete_cases,
    "synonymous_labels": synonymous_labels,
    "polluted_labels": polluted_labels,
    "rare_activities": rare_activities,
    "repeated_activities": repeated_activities,
    "oversized_cases": oversized_cases,
}
"""Check id -> check function, in the order they run and are documented."""

FIXES: dict[str, Fix] = {
    "fix_duplicate_events": fix_duplicate_events,
    "fix_timestamp_outliers": fix_timestamp_outliers,
    "fix_incomplete_cases": fix_incomplete_cases,
    "fix_synonymous_labels": fix_synonymous_labels,
}
"""Fix id (as in :attr:`Finding.fix`) -> pure function returning a :class:`FixResult`."""


def _keyword_options(function: Callable[..., object]) -> dict[str, object]:
    parameters = inspect.signature(function).parameters.values()
    return {p.name: p.default for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}


@dataclass(frozen=True)
class Threshold:
    """A tunable of the checks: its default (whose type tells a CLI how to parse a value)
    and the checks that use it."""

    name: str
    default: object
    checks: tuple[str, ...]


def quality_thresholds() -> dict[str, Threshold]:
    """Every threshold :func:`check_quality` accepts, by name, e.g. for ``--threshold`` help.

    >>> quality_thresholds()["rare_case_share"]
    Threshold(name='rare_case_share', default=0.01, checks=('rare_activities',))
    """
    found: dict[str, Threshold] = {}
    for check_id, check in CHECKS.items():
        for name, default in sorted(_keyword_options(check).items()):
            checks = found[name].checks if name in found else ()
            found[name] = Threshold(name, default, (*checks, check_id))
    return found


def check_quality(
    log: EventLog,
    *,
    now: pd.Timestamp | None = None,
    checks: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
    **thresholds: object,
) -> QualityReport:
    """Run the checks in :data:`CHECKS` (all, or those named in ``checks``) on ``log``.

    ``now`` is the reference for "in the future" (default: the current wall-clock time);
    other keyword arguments override check thresholds by name (see :func:`quality_thresholds`).

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"],
    ...     "concept:name": ["a", "a"], "time:timestamp": pd.to_datetime(["2024-01-01 08:00"] * 2)}))
    >>> [f.check for f in check_quality(log, checks=["duplicate_events", "same_timestamp"]).findings]
    ['duplicate_events', 'same_timestamp']
    """
    selected = list(CHECKS) if checks is None else list(checks)
    unknown_checks = [c for c in selected if c not in CHECKS]
    if unknown_checks:
        raise OptionError(
            f"unknown quality check(s): {', '.join(unknown_checks)}; known: {', '.join(CHECKS)}"
        )
    known = quality_thresholds()
    unknown = sorted(set(thresholds) - set(known))
    if unknown:
        raise TypeError(
            f"unknown quality threshold(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    options: dict[str, object] = {"now": now, **thresholds}
    report = ensure_progress(progress)
    findings: list[Finding] = []
    for index, check_id in enumerate(selected):
        report(index / len(selected), f"Checking {check_id.replace('_', ' ')}")
        check = CHECKS[check_id]
        accepted = _keyword_options(check)
        findings.extend(check(log, **{k: v for k, v in options.items() if k in accepted}))
    report(1.0, "Quality checks done")
    return QualityReport(findings=findings, checks_run=selected, n_events=log.n_events, n_cases=log.n_cases)


def apply_fix(log: EventLog, fix_id: str, **options: object) -> FixResult:
    """Run the fix named by a finding's ``fix`` id; the original log is left unchanged.

    ``options`` may be the same thresholds given to :func:`check_quality` (so the fix
    removes exactly what the check reported); those the fix does not use are ignored,
    names that no check or fix knows are an error.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"],
    ...     "concept:name": ["a", "a"], "time:timestamp": pd.to_datetime(["2024-01-01"] * 2)}))
    >>> apply_fix(log, "fix_duplicate_events", same_timestamp_warning_share=0.1).description
    'Dropped 1 duplicate event (same case, activity and time).'
    """
    if fix_id not in FIXES:
        raise OptionError(f"unknown fix {fix_id!r}; known: {', '.join(FIXES)}")
    fix = FIXES[fix_id]
    accepted = _keyword_options(fix)
    unknown = sorted(set(options) - set(accepted) - set(quality_thresholds()))
    if unknown:
        raise TypeError(f"unknown option(s) for {fix_id}: {', '.join(unknown)}")
    return fix(log, **{k: v for k, v in options.items() if k in accepted})
