"""The transparent baseline: a weighted sum of the RPA task-selection criteria.

The RPA literature (e.g. Lacity & Willcocks 2016; Wanner et al. 2019; Syed et al.
2020) selects tasks that are frequent, standardised, rule-based, have few
exceptions, and take enough manual effort to be worth automating. This scorer turns
each criterion into a 0-1 value within the log and adds them with fixed weights, so
anyone can recompute a score by hand. The weights are our own reading of those
criteria, not fitted; the machine-learned model is measured against this.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BASELINE_WEIGHTS: dict[str, float] = {
    "volume": 0.30,
    "standardisation": 0.25,
    "rule_based": 0.20,
    "low_rework": 0.15,
    "processing_time": 0.10,
}
NEUTRAL = 0.5
"""Value of a criterion the log cannot measure (e.g. rule-based-ness of a rare activity)."""


def baseline_criteria(features: pd.DataFrame) -> pd.DataFrame:
    """Each criterion on a 0-1 scale (1 = a better automation candidate) for one log's activities.

    Volume and processing time are ranks within the log (0 lowest, 1 highest), so the
    baseline compares an activity with its neighbours, not with other companies.
    """
    n_activities = len(features)
    width = np.log2(n_activities + 1) if n_activities else 1.0
    standard = pd.concat(
        [
            1 - features["predecessor_entropy_bits"] / width,
            1 - features["successor_entropy_bits"] / width,
            features["top_variant_share"],
        ],
        axis=1,
    ).mean(axis=1)
    rework = (features["repeats_per_case"].fillna(0) + features["reversal_after_share"].fillna(0)).clip(0, 1)
    criteria = pd.DataFrame(
        {
            "volume": _rank(features["events"]),
            "standardisation": standard.clip(0, 1),
            "rule_based": features["rule_accuracy"],
            "low_rework": 1 - rework,
            "processing_time": _rank(features["processing_time_mean_hours"]),
        },
        index=features.index,
    )
    return criteria.fillna(NEUTRAL)


def baseline_scores(features: pd.DataFrame) -> pd.Series:
    """Baseline score 0-100 of every activity of one log (its :func:`activity_features` table).

    >>> import pandas as pd
    >>> table = pd.DataFrame({"events": [100, 10], "predecessor_entropy_bits": [0.0, 1.0],
    ...     "successor_entropy_bits": [0.0, 1.0], "top_variant_share": [1.0, 0.2],
    ...     "repeats_per_case": [0.0, 0.5], "reversal_after_share": [0.0, 0.5],
    ...     "rule_accuracy": [1.0, 0.4], "processing_time_mean_hours": [0.5, 0.1]}, index=["a", "b"])
    >>> baseline_scores(table).round(1).to_dict()
    {'a': 100.0, 'b': 15.8}
    """
    criteria = baseline_criteria(features)
    weights = pd.Series(BASELINE_WEIGHTS)
    return (criteria[weights.index] @ weights * 100).rename("baseline_score")


def _rank(values: pd.Series) -> pd.Series:
    """0 for the lowest value, 1 for the highest; NaN stays NaN; 1 for a single value."""
    known = values.notna().sum()
    if known <= 1:
        return values.where(values.isna(), 1.0)
    return (values.rank(method="average") - 1) / (known - 1)
