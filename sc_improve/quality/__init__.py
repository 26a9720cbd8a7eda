"""Data-quality checks for event logs, each tied to an event-log imperfection pattern.

Run everything with :func:`check_quality`, or one check alone (every check is a
function ``check(log, **thresholds) -> list[Finding]``). Fixes are pure: they return a
:class:`FixResult` with a new log and a one-line description for the undo history.
See docs/QUALITY.md for the heuristics and thresholds.
"""

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
from sc_improve.quality.runner import CHECKS, FIXES, Threshold, apply_fix, check_quality, quality_thresholds
from sc_improve.quality.same_timestamp import same_timestamp
from sc_improve.quality.start_after_end import start_after_end
from sc_improve.quality.synonymous_labels import fix_synonymous_labels, synonymous_labels
from sc_improve.quality.types import Finding, FixResult, QualityReport, Severity
from sc_improve.quality.unparseable_timestamps import unparseable_timestamps

__all__ = [
    "CHECKS",
    "FIXES",
    "Finding",
    "FixResult",
    "QualityReport",
    "Severity",
    "Threshold",
    "apply_fix",
    "check_quality",
    "day_month_order",
    "duplicate_events",
    "fix_duplicate_events",
    "fix_incomplete_cases",
    "fix_synonymous_labels",
    "fix_timestamp_outliers",
    "import_issues",
    "incomplete_cases",
    "missing_values",
    "oversized_cases",
    "polluted_labels",
    "quality_thresholds",
    "rare_activities",
    "repeated_activities",
    "same_timestamp",
    "start_after_end",
    "synonymous_labels",
    "timestamp_granularity",
    "timestamp_outliers",
    "unparseable_timestamps",
]
