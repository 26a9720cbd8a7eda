"""Why an activity got its score: per-feature contributions, said in words.

The contribution of a feature to one activity's score is how much the score drops
(or rises) when that feature alone is set to its typical value in the training data
(an occlusion test, in score points). All activities and features are scored in one
batch, so explaining a log costs one extra model call. The largest contributions
become sentences built from the activity's own numbers, e.g. "runs 1,240 times a
month (+18 points)".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sc_improve.automation.model import AutomationModel
from sc_improve.units import human_duration

WORKING_DAYS_PER_MONTH = 21.7
TOP_REASONS = 3
MIN_POINTS = 1.0
"""Contributions smaller than this many score points are not worth a sentence."""


def contributions(model: AutomationModel, features: pd.DataFrame) -> pd.DataFrame:
    """Score points each model feature adds to each activity (rows) versus its typical value.

    >>> from sc_improve.automation.training import load_training_table
    >>> table = load_training_table()
    >>> model = AutomationModel(n_estimators=10).fit(table, table["label"])
    >>> contributions(model, table.head(2)).shape == (2, len(model.features))
    True
    """
    names = list(model.features)
    base = features.loc[:, names].to_numpy(dtype=np.float64)
    n_rows, n_features = base.shape
    occluded = np.repeat(base[np.newaxis], n_features, axis=0)
    occluded[np.arange(n_features), :, np.arange(n_features)] = model.reference_[:, np.newaxis]
    stacked = pd.DataFrame(np.vstack([base, occluded.reshape(-1, n_features)]), columns=names)
    probability = model.predict_proba(stacked)[:, 1]
    original = probability[:n_rows]
    without = probability[n_rows:].reshape(n_features, n_rows).T
    return pd.DataFrame((original[:, None] - without) * 100, index=features.index, columns=names)


def reasons(features: pd.DataFrame, points: pd.DataFrame, top: int = TOP_REASONS) -> list[list[str]]:
    """The ``top`` largest contributions of each activity as sentences with their points.

    Every activity gets at least one sentence: when no contribution reaches
    :data:`MIN_POINTS`, the largest one is said anyway (see :func:`_fallback`).
    """
    result = []
    for (_, row), (_, contribution) in zip(features.iterrows(), points.iterrows(), strict=True):
        ranked = contribution.abs().sort_values(ascending=False, kind="stable")
        sentences = []
        for name in ranked.index:
            if len(sentences) == top or ranked[name] < MIN_POINTS:
                break
            value = row[name]
            if pd.isna(value) or name not in PHRASES:
                continue
            sentences.append(f"{PHRASES[name](float(value))} ({contribution[name]:+.0f} points)")
        result.append(sentences or [_fallback(row, contribution, ranked.index)])
    return result


def _fallback(row: pd.Series, contribution: pd.Series, order: pd.Index) -> str:
    """The one sentence of an activity whose contributions are all below :data:`MIN_POINTS`.

    The largest-magnitude contribution that can be said in words, however small; if no
    feature can (all unknown), a plain statement of its volume and processing time.
    """
    for name in order:
        value = row.get(name)
        if name in PHRASES and value is not None and not pd.isna(value):
            points = float(contribution[name])
            size = f"{points:+.0f} points" if abs(points) >= MIN_POINTS else "under 1 point"
            return f"{PHRASES[name](float(value))} ({size})"
    events = row.get("events")
    volume = f"executed {int(events):,} times" if events is not None and not pd.isna(events) else "executed"
    processing = row.get("processing_time_mean_hours")
    if processing is None or pd.isna(processing):
        return f"{volume}, processing time unknown; no single feature moves its score"
    timing = PHRASES["processing_time_mean_hours"](float(processing))
    return f"{volume}, {timing}; no single feature moves its score"


def describe(name: str, value: float) -> str:
    """One feature value in words, e.g. ``describe("case_share", 0.4)`` -> "occurs in 40% of cases".

    >>> describe("events_per_working_day", 57.1)
    'runs 1,239 times a month'
    """
    return PHRASES[name](value)


def _level(value: float, low: float, high: float, words: tuple[str, str, str]) -> str:
    return words[0] if value < low else words[2] if value > high else words[1]


def _percent(value: float) -> str:
    """A share as a percentage that never rounds a small non-zero share to 0%."""
    return "under 1%" if 0 < value < 0.005 else f"{value:.0%}"


def _hours(value: float) -> str:
    return human_duration(value * 3600)


PHRASES: dict[str, Callable[[float], str]] = {
    "case_share": lambda v: f"occurs in {_percent(v)} of cases",
    "events_per_working_day": lambda v: f"runs {v * WORKING_DAYS_PER_MONTH:,.0f} times a month",
    "volume_rank": lambda v: _level(
        v,
        0.25,
        0.75,
        ("one of the rarer activities", "of middling volume", "one of the most frequent activities"),
    ),
    "processing_time_mean_hours": lambda v: (
        "is recorded as instantaneous" if v == 0 else f"takes {_hours(v)} per execution"
    ),
    "processing_time_cv": lambda v: _level(
        v,
        0.3,
        1.0,
        (
            f"near-identical durations (CV {v:.1f})",
            f"moderately varying durations (CV {v:.1f})",
            f"widely varying durations (CV {v:.1f})",
        ),
    ),
    "waiting_time_mean_hours": lambda v: f"cases wait {_hours(v)} before it",
    "repeats_per_case": lambda v: (
        "never repeated within a case" if v == 0 else f"repeated {v:.2f} extra times per case"
    ),
    "rework_case_share": lambda v: f"executed more than once in {_percent(v)} of its cases",
    "reversal_after_share": lambda v: f"followed by a reversal in {_percent(v)} of executions",
    "is_reversal": lambda v: "undoes or redoes earlier work" if v else "is not a reversal step",
    "predecessor_entropy_bits": lambda v: (
        f"near-identical routing into it ({v:.1f} bits)"
        if v < 0.5
        else f"reached from varied steps ({v:.1f} bits)"
    ),
    "successor_entropy_bits": lambda v: (
        f"near-identical routing after it ({v:.1f} bits)"
        if v < 0.5
        else f"followed by varied steps ({v:.1f} bits)"
    ),
    "top_variant_share": lambda v: f"{_percent(v)} of its executions lie in the ten most frequent variants",
    "start_share": lambda v: f"opens {_percent(v)} of its cases",
    "end_share": lambda v: f"closes {_percent(v)} of its cases",
    "rule_accuracy": lambda v: (
        f"the next step is predictable from the case data ({_percent(v)} accuracy)"
        if v >= 0.8
        else f"the next step is hard to predict from the case data ({_percent(v)} accuracy)"
    ),
    "rule_gain": lambda v: f"case data explains {_percent(v)} of the routing decision after it",
    "off_hours_share": lambda v: f"{_percent(v)} of executions outside office hours",
    "weekend_share": lambda v: f"{_percent(v)} of executions at weekends",
    "volume_change_monthly": lambda v: (
        "steady volume from month to month"
        if v < 0.2
        else f"volume changes by {_percent(v)} from month to month"
    ),
    "routing_change_monthly": lambda v: (
        "the same routing every month" if v < 0.1 else f"routing shifts by {_percent(v)} from month to month"
    ),
}
"""Sentence for each model feature, built from the activity's value."""
