"""Automation candidates of a log: score, confidence, reasons, kind and savings per activity.

This is the one entry point the CLI and the app call. It detects the technical
users (or takes the caller's corrected list), computes the features, scores every
activity with the shipped model and the baseline, explains the scores and
estimates the savings. Activities that technical users already do at least half of
the time are listed apart, with their automation rate.

Activity labels that differ only in case, spaces or punctuation ("Change Price",
"CHANGE PRICE", "Change_Price") are one activity typed several ways: they are merged
into the most frequent spelling before the features are computed (the normalisation of
:mod:`sc_improve.quality.synonymous_labels`) and scored once. Every original label
still gets a row; a variant's row repeats its canonical activity's result and names it
in ``variant_of``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pandas as pd

from sc_improve.atomic import write_text_atomically
from sc_improve.automation.baseline import baseline_scores
from sc_improve.automation.explain import contributions, reasons
from sc_improve.automation.features import activity_features
from sc_improve.automation.kinds import automation_kind
from sc_improve.automation.labels import AUTOMATED_RATE, automation_rates
from sc_improve.automation.model import shipped_model
from sc_improve.automation.savings import ASSUMED_TOUCH_HOURS, FTE_HOURS_PER_YEAR, estimate_savings
from sc_improve.automation.system_users import SystemUsers, detect_system_users
from sc_improve.columns import ACTIVITY
from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import STRING_DTYPE, EventLog
from sc_improve.progress import ProgressCallback, steps
from sc_improve.quality.common import counted
from sc_improve.quality.synonymous_labels import label_groups
from sc_improve.units import human_duration

DEFAULT_HOURLY_RATE = 50.0
SHORT_SPAN_DAYS = 90
LOW_CONFIDENCE_EVENTS = 20
HIGH_CONFIDENCE_EVENTS = 100
LOW_CONFIDENCE_SPREAD = 0.15
HIGH_CONFIDENCE_SPREAD = 0.05
"""Confidence bands: the spread of the calibrated forests' probabilities, and the volume
behind the features."""
ASSUMED_REASON_SHARE = 0.05
"""An activity whose manual executions are at least this often recorded as instantaneous
gets a reason saying its savings use the assumed touch time (the notes count all)."""


@dataclass(frozen=True)
class Candidate:
    """One activity: ``score`` 0-100 (calibrated probability that it is automatable),
    ``automation_rate`` 0-1 or None without resources, savings if its remaining manual
    executions were automated.

    ``variant_of`` is None for an activity scored in its own right; for a spelling
    variant of another label it names that (canonical) activity, whose score, kind,
    reasons, events and savings the row repeats (so do not add up variant rows).
    """

    activity: str
    score: float
    confidence: str
    baseline_score: float
    automation_rate: float | None
    already_automated: bool
    kind: str
    reasons: list[str]
    events: int
    savings_hours_per_year: float
    savings_cost_per_year: float
    savings_fte: float
    variant_of: str | None = None


@dataclass
class CandidateReport:
    """Ranked candidates (not yet automated) and the activities already mostly automated.

    ``system_users`` is the detection result the labels used (None without a
    resource column), so the caller can show it and re-run with corrections.
    ``candidates`` and ``automated`` hold each merged activity once under its
    canonical spelling; ``variants`` holds the rows of the other spellings.
    """

    candidates: list[Candidate]
    automated: list[Candidate]
    system_users: SystemUsers | None
    features: pd.DataFrame
    hourly_rate: float
    touch_time: str
    notes: list[str] = field(default_factory=list)
    variants: list[Candidate] = field(default_factory=list)

    def ranked(self) -> list[Candidate]:
        """Every activity label of the log exactly once, highest score first, each spelling
        variant right after its canonical activity."""
        return sorted(
            [*self.candidates, *self.automated, *self.variants],
            key=lambda c: (-c.score, c.variant_of or c.activity, c.variant_of is not None, c.activity),
        )

    def to_records(self) -> list[dict[str, object]]:
        """JSON-ready rows of :meth:`ranked` (what ``sc-improve candidates --json`` writes)."""
        return [asdict(candidate) for candidate in self.ranked()]

    def write_json(self, path: str | Path) -> None:
        write_text_atomically(path, json.dumps(self.to_records(), indent=2, ensure_ascii=False) + "\n")


def score_automation(
    log: EventLog,
    hourly_rate: float = DEFAULT_HOURLY_RATE,
    *,
    system_users: SystemUsers | None = None,
    force_system: Iterable[str] = (),
    force_human: Iterable[str] = (),
    user_types: Mapping[str, str] | None = None,
    fte_hours: float = FTE_HOURS_PER_YEAR,
    progress: ProgressCallback | None = None,
) -> CandidateReport:
    """Score which activities of the log are worth automating, and what it would save.

    ``system_users`` is a detection result the user already corrected; otherwise it
    is detected here with ``force_system``/``force_human``/``user_types`` (see
    :func:`~sc_improve.automation.system_users.detect_system_users`).

    >>> from sc_improve.automation.training import generated_log
    >>> report = score_automation(generated_log("o2c", 3000, seed=1), hourly_rate=60)
    >>> "Credit Check" in {c.activity for c in report.automated}
    True
    """
    if log.n_events == 0:
        raise AnalysisError("the log has no events to score")
    step = steps(progress, ["technical users", "features", "scores and reasons", "savings"])
    step(0)
    has_resource = log.has_resource
    if has_resource and system_users is None:
        system_users = detect_system_users(
            log, user_types=user_types, force_system=force_system, force_human=force_human
        )
    log, variant_of, n_merged = merge_spelling_variants(log)
    users = system_users if has_resource else None
    rates = automation_rates(log, users) if users is not None else None
    features = activity_features(log, progress=step(1))

    step(2)
    model = shipped_model()
    probability = model.predict_proba(features)[:, 1]
    spread = model.spread(features)
    baseline = baseline_scores(features)
    why = reasons(features, contributions(model, features))

    finish = step(3)
    savings = estimate_savings(
        log, users.event_mask(log.codes) if users is not None else None, hourly_rate, fte_hours=fte_hours
    )
    rows = []
    assumed_share = savings["assumed_touch_share"]
    for index, activity in enumerate(features.index):
        rate = None if rates is None or pd.isna(rates[activity]) else float(rates[activity])
        events = int(features.at[activity, "events"])
        rows.append(
            Candidate(
                activity=str(activity),
                score=round(float(probability[index]) * 100, 1),
                confidence=_confidence(events, float(spread[index])),
                baseline_score=round(float(baseline[activity]), 1),
                automation_rate=rate,
                already_automated=rate is not None and rate >= AUTOMATED_RATE,
                kind=automation_kind(str(activity), features.loc[activity]),
                reasons=[*why[index], *_assumed_touch_reason(savings, str(activity))],
                events=events,
                savings_hours_per_year=round(float(savings.at[activity, "savings_hours_per_year"]), 1),
                savings_cost_per_year=round(float(savings.at[activity, "savings_cost_per_year"]), 0),
                savings_fte=round(float(savings.at[activity, "savings_fte"]), 3),
            )
        )
    finish(1.0, "done")
    touch = str(savings["touch_time"].iloc[0]) if len(savings) else "assumed"
    by_activity = {c.activity: c for c in rows}
    variants = [
        replace(by_activity[canonical], activity=variant, variant_of=canonical)
        for variant, canonical in variant_of.items()
    ]
    notes = _notes(log, touch)
    if variant_of:
        notes.append(
            f"Merged {counted(len(variant_of), 'spelling variant')} into "
            f"{counted(n_merged, 'activity', 'activities')} (labels that differ only "
            "in upper/lower case, spaces or punctuation); each variant is listed with its activity's result."
        )
    n_assumed = int(((assumed_share > 0) & (savings["savings_hours_per_year"] > 0)).sum())
    if touch == "start times" and n_assumed:
        notes.append(
            f"{counted(n_assumed, 'activity', 'activities')} with manual executions "
            f"recorded as instantaneous or without start time: savings assume "
            f"{human_duration(ASSUMED_TOUCH_HOURS * 3600)} per such execution."
        )
    return CandidateReport(
        candidates=sorted((c for c in rows if not c.already_automated), key=lambda c: (-c.score, c.activity)),
        automated=sorted(
            (c for c in rows if c.already_automated), key=lambda c: (-(c.automation_rate or 0), c.activity)
        ),
        system_users=users,
        features=features,
        hourly_rate=hourly_rate,
        touch_time=touch,
        notes=notes,
        variants=sorted(variants, key=lambda c: (-c.score, c.variant_of or "", c.activity)),
    )


def merge_spelling_variants(log: EventLog) -> tuple[EventLog, dict[str, str], int]:
    """The log with each group of activity spellings merged into its most frequent one.

    Returns the merged log, ``{variant: canonical}`` and the number of groups. Only
    activity labels are merged (resource names stay as the user sees and corrects
    them); the grouping is :func:`~sc_improve.quality.synonymous_labels.label_groups`.
    """
    codes = log.codes
    groups = label_groups(codes.activities, codes.activity)
    if not groups:
        return log, {}, 0
    variant_of = {spelling: g.preferred for g in groups for spelling in g.spellings[1:]}
    labels = pd.array([variant_of.get(str(a), str(a)) for a in codes.activities], dtype=STRING_DTYPE)
    frame = log.frame.copy(deep=False)
    frame[ACTIVITY] = pd.Series(labels.take(codes.activity, allow_fill=True), index=frame.index)
    return log.with_frame(frame), variant_of, len(groups)


def _confidence(events: int, spread: float) -> str:
    if events < LOW_CONFIDENCE_EVENTS or spread > LOW_CONFIDENCE_SPREAD:
        return "low"
    if events >= HIGH_CONFIDENCE_EVENTS and spread < HIGH_CONFIDENCE_SPREAD:
        return "high"
    return "medium"


def _assumed_touch_reason(savings: pd.DataFrame, activity: str) -> list[str]:
    share = float(savings.at[activity, "assumed_touch_share"])
    if share < ASSUMED_REASON_SHARE or savings.at[activity, "touch_time"] != "start times":
        return []
    if float(savings.at[activity, "savings_hours_per_year"]) <= 0:
        return []
    what = "its manual executions are" if share >= 0.995 else f"{share:.0%} of its manual executions are"
    minutes = human_duration(ASSUMED_TOUCH_HOURS * 3600)
    return [f"{what} recorded as instantaneous: savings assume {minutes} of manual work each"]


def _notes(log: EventLog, touch: str) -> list[str]:
    notes = []
    if not log.has_resource:
        notes.append(
            "The log has no resource column: automation rates are unknown and the scores come "
            "from the other features alone."
        )
    days = (log.codes.end_ns.max() - log.codes.end_ns.min()) / 86_400e9
    if days < SHORT_SPAN_DAYS:
        notes.append(f"The log spans only {days:.0f} days: yearly savings are extrapolated from it.")
    if touch == "assumed":
        notes.append("The log has no start times: savings assume a fixed manual time per execution.")
    return notes
