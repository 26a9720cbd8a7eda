"""The standard analysis of one log: map, variants, quality and bottlenecks together.

This is what ``sc-improve analyze`` prints and writes, and what a report or the app's
overview shows. :meth:`LogAnalysis.to_contract` is the stable JSON contract documented
in docs/CLI.md: fields are only ever added, never renamed or removed, within a
``schema_version``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from sc_improve.discovery.dfg import discover_map
from sc_improve.discovery.process_map import ProcessMap
from sc_improve.discovery.variants import VariantTable, discover_variants
from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import EventLog
from sc_improve.performance.bottlenecks import BottleneckReport, find_bottlenecks
from sc_improve.progress import ProgressCallback, steps
from sc_improve.quality.outliers import fix_timestamp_outliers
from sc_improve.quality.runner import check_quality
from sc_improve.quality.types import QualityReport

SCHEMA_VERSION = 1
MAX_EXCLUDED_SHARE = 0.05
TOP_VARIANTS = 10


@dataclass
class LogAnalysis:
    """Everything the standard analysis found about one log."""

    log: EventLog
    process_map: ProcessMap
    variants: VariantTable
    quality: QualityReport
    bottlenecks: BottleneckReport
    excluded_cases: int = 0
    """Cases left out of the time-based analyses because of implausible timestamps."""

    def to_contract(self) -> dict[str, object]:
        """The JSON contract of ``sc-improve analyze --json`` (see docs/CLI.md)."""
        log = self.log
        frame = log.frame
        cycle = self.bottlenecks.cycle_time
        return {
            "schema_version": SCHEMA_VERSION,
            "source": log.source,
            "mapping": log.mapping,
            "notes": list(log.notes),
            "log": {
                "cases": log.n_cases,
                "events": log.n_events,
                "raw_events": log.raw_event_count,
                "activities": [
                    {"name": node.name, "events": node.events, "cases": node.cases}
                    for node in sorted(self.process_map.activities, key=lambda n: -n.events)
                ],
                "resources": int(len(log.codes.resources)) if log.has_resource else None,
                "has_start_times": log.has_start,
                "excluded_cases": self.excluded_cases,
                "start": _iso(frame["time:timestamp"].min()) if log.n_events else None,
                "end": _iso(frame["time:timestamp"].max()) if log.n_events else None,
            },
            "variants": {
                "count": len(self.variants.variants),
                "top": [
                    {
                        "rank": variant.rank,
                        "activities": list(variant.activities),
                        "cases": variant.cases,
                        "share": variant.share,
                        "median_cycle_s": variant.median_cycle_s,
                    }
                    for variant in self.variants.variants[:TOP_VARIANTS]
                ],
            },
            "start_activities": _counted(self.process_map.start_activities),
            "end_activities": _counted(self.process_map.end_activities),
            "dfg": [
                {
                    "source": edge.source,
                    "target": edge.target,
                    "frequency": edge.frequency,
                    "cases": edge.cases,
                    "mean_s": edge.mean_s,
                    "median_s": edge.median_s,
                    "p90_s": edge.p90_s,
                }
                for edge in sorted(self.process_map.edges, key=lambda e: -e.frequency)
            ],
            "dfg_time_basis": self.process_map.time_basis,
            "quality": [
                {
                    "check": finding.check,
                    "severity": finding.severity,
                    "count": finding.count,
                    "unit": finding.unit,
                    "message": finding.message,
                    "examples": list(finding.examples),
                    "suggested_fix": finding.suggested_fix,
                    "pattern": finding.pattern,
                }
                for finding in self.quality.findings
            ],
            "bottlenecks": [asdict(item) for item in self.bottlenecks.items],
            "bottlenecks_estimated": self.bottlenecks.estimated,
            "cycle_time_s": {"mean": cycle.mean_s, "median": cycle.median_s, "p90": cycle.p90_s},
        }


def analyze_log(
    log: EventLog, progress: ProgressCallback | None = None, *, keep_time_outliers: bool = False
) -> LogAnalysis:
    """Run the standard analysis: data quality, then process map, variants and bottlenecks.

    Data quality looks at the log as imported. Cases with implausible timestamps (before
    1990, in the future, or years away from the rest of the log) are then left out of the
    time-based analyses unless ``keep_time_outliers``: a single event dated 1970 would
    otherwise add decades to a cycle time and top every bottleneck list. The exclusion
    is stated in the log's notes and in ``excluded_cases``.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1", "2", "2"],
    ...     "concept:name": ["a", "b", "a", "b"], "time:timestamp": pd.to_datetime(
    ...     ["2024-01-01 08:00", "2024-01-01 09:00", "2024-01-02 08:00", "1970-01-01 00:00"])}))
    >>> analysis = analyze_log(log)
    >>> analysis.excluded_cases, analysis.to_contract()["log"]["cases"]
    (1, 1)
    """
    if log.n_events == 0:
        raise AnalysisError(f"{log.source or 'the log'}: no events to analyse")
    step = steps(progress, ["data quality", "process map", "variants", "bottlenecks"])
    quality = check_quality(log, progress=step(0))
    analysed, excluded = log, 0
    if quality.for_check("timestamp_outliers") and not keep_time_outliers:
        analysed, excluded = _without_time_outliers(log)
    process_map = discover_map(analysed, progress=step(1))
    variants = discover_variants(analysed, progress=step(2))
    bottlenecks = find_bottlenecks(analysed, progress=step(3))
    return LogAnalysis(analysed, process_map, variants, quality, bottlenecks, excluded)


@dataclass(frozen=True)
class TimeOutlierExclusion:
    """The log to analyse over time, and how many cases with implausible dates it left out."""

    log: EventLog
    outlier_cases: int
    """Cases holding at least one implausible timestamp."""
    excluded_cases: int
    """Cases left out: ``outlier_cases``, or 0 when the time axis looks shifted."""

    @property
    def axis_shifted(self) -> bool:
        return self.outlier_cases > 0 and self.excluded_cases == 0


def exclude_time_outliers(log: EventLog) -> TimeOutlierExclusion:
    """The log without cases holding implausible timestamps, unless that is most of it.

    When more than :data:`MAX_EXCLUDED_SHARE` of the cases would go, the dates are not
    stray typos but a shifted or anonymised time axis (e.g. a log starting in 1970), and
    the log is kept as it is. Shared by the standard analysis and simulation discovery,
    so both see the same cases.
    """
    kept = fix_timestamp_outliers(log, whole_cases=True).log
    outliers = log.n_cases - kept.n_cases
    if outliers == 0 or outliers > MAX_EXCLUDED_SHARE * log.n_cases or kept.n_events == 0:
        return TimeOutlierExclusion(log, outliers, 0)
    return TimeOutlierExclusion(kept, outliers, outliers)


def _without_time_outliers(log: EventLog) -> tuple[EventLog, int]:
    exclusion = exclude_time_outliers(log)
    if exclusion.axis_shifted:
        note = (
            f"{exclusion.outlier_cases:,} of {log.n_cases:,} cases have timestamps outside the plausible "
            "range; the time axis looks shifted or anonymised, so all cases are analysed"
        )
        return log.with_frame(log.frame, note=note), 0
    exclusion.log.notes.append(
        f"{exclusion.excluded_cases:,} case(s) with implausible timestamps are left out of the map, "
        "variants and bottlenecks (see the timestamp_outliers finding; --keep-time-outliers keeps them)"
    )
    return exclusion.log, exclusion.excluded_cases


def _counted(counts: dict[str, int]) -> list[dict[str, object]]:
    return [{"name": name, "cases": count} for name, count in sorted(counts.items(), key=lambda kv: -kv[1])]


def _iso(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.isoformat()  # type: ignore[attr-defined]
