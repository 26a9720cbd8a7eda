"""Case attributes as categorical draws: their most common values and shares.

Only attributes that behave like categories are modelled (a handful of values cover
most cases); identifiers, amounts and dates would need other models and are listed in
the diagnostics as skipped instead of being turned into thousands of "categories".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sc_improve.log.event_log import EventLog
from sim.model import CaseAttributeModel

OTHER_VALUE = "(other)"
MIN_COVERED_SHARE = 0.8


@dataclass(frozen=True)
class CaseAttribute:
    """One modelled attribute: its model and each case's value code (index into ``values``)."""

    model: CaseAttributeModel
    values: tuple[str, ...]
    case_value: np.ndarray


def discover_case_attributes(log: EventLog, max_values: int) -> tuple[list[CaseAttribute], list[str]]:
    """Categorical attributes of the log's cases (named by their ``case:`` column), and those skipped."""
    starts = log.codes.case_starts[:-1]
    found, skipped = [], []
    for column in log.case_attributes:
        per_case = log.frame[column].iloc[starts].astype("string").fillna("")
        shares = per_case.value_counts(normalize=True, sort=True)
        top = shares.iloc[:max_values]
        if len(shares) <= 1 or top.sum() < MIN_COVERED_SHARE:
            skipped.append(column)
            continue
        values = tuple(str(v) for v in top.index)
        probabilities = {v: float(p) for v, p in zip(values, top.to_numpy(), strict=True)}
        if len(shares) > len(top):
            values = (*values, OTHER_VALUE)
            probabilities[OTHER_VALUE] = float(1.0 - top.sum())
        codes = pd.Index([v for v in values if v != OTHER_VALUE]).get_indexer(per_case.to_numpy(dtype=object))
        codes = np.where(codes < 0, len(values) - 1, codes).astype(np.int64)
        model = CaseAttributeModel(name=column, values=_normalised(probabilities))
        found.append(CaseAttribute(model=model, values=values, case_value=codes))
    return found, skipped


def _normalised(probabilities: dict[str, float]) -> dict[str, float]:
    total = sum(probabilities.values())
    return {k: v / total for k, v in probabilities.items()}
