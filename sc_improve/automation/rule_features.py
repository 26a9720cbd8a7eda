"""Rule-based-ness: can what follows an activity be predicted from the case's data?

An activity whose next step is decided by simple rules on the order data (amount,
plant, vendor...) is a candidate for a bot or a workflow rule; one whose next step
looks random given the data needs human judgement. We measure this with the
cross-validated accuracy of a shallow decision tree that predicts the next activity
(or the end of the case) from the case and event attributes, on a bounded random
sample of the activity's events, so the cost does not grow with the log.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, cross_val_score
from sklearn.tree import DecisionTreeClassifier

from sc_improve.columns import CORE_COLUMNS, LIFECYCLE
from sc_improve.log.event_log import EventLog

SAMPLE_PER_ACTIVITY = 600
"""Events per activity the tree sees at most."""
MIN_EVENTS = 20
"""Activities with fewer events get no rule-based-ness (NaN): too few to cross-validate."""
MAX_ACTIVITIES = 300
"""Only the most frequent activities get a tree, which bounds the cost on huge logs."""
TREE_DEPTH = 3
FOLDS = 3
MAX_CATEGORIES = 20
"""Rarer categories of an attribute are pooled into one code."""
ID_LIKE_SHARE = 0.5
"""A text attribute with more distinct values than this share of rows is an identifier."""
EXCLUDED_NAME = re.compile(r"^(org:|ocel:)|resource|user|variant|instance|@@", re.IGNORECASE)
"""Attributes never used: resource identity (the labels come from it), identifiers, and
variant annotations, which name the path taken and would leak the answer."""


def rule_features(log: EventLog, following: np.ndarray, random_state: int = 0) -> dict[str, np.ndarray]:
    """Cross-validated accuracy of the tree per activity, and its gain over always guessing the
    most common next activity (0 when the next activity never varies).

    Without any usable attribute the tree can only guess the most common next
    activity, so the accuracy is that share and the gain is 0.
    """
    codes = log.codes
    n_activities = len(codes.activities)
    accuracy = np.full(n_activities, np.nan)
    gain = np.full(n_activities, np.nan)
    rows = _sample_rows(codes.activity, n_activities, random_state)
    if len(rows) == 0:
        return {"rule_accuracy": accuracy, "rule_gain": gain}
    features = _attribute_matrix(log.frame, rows)
    sampled_activity = codes.activity[rows]
    target = following[rows]
    folds = KFold(FOLDS, shuffle=True, random_state=random_state)
    order = np.argsort(sampled_activity, kind="stable")
    bounds = np.searchsorted(sampled_activity[order], np.arange(n_activities + 1))
    for activity in range(n_activities):
        members = order[bounds[activity] : bounds[activity + 1]]
        if len(members) < MIN_EVENTS:
            continue
        y = target[members]
        majority = np.bincount(y).max() / len(y)
        if features.shape[1] == 0 or majority == 1.0:
            accuracy[activity], gain[activity] = majority, 0.0
            continue
        tree = DecisionTreeClassifier(max_depth=TREE_DEPTH, random_state=random_state)
        score = float(np.mean(cross_val_score(tree, features[members], y, cv=folds)))
        accuracy[activity] = score
        gain[activity] = max(score - majority, 0.0) / (1.0 - majority)
    return {"rule_accuracy": accuracy, "rule_gain": gain}


def _sample_rows(activity: np.ndarray, n_activities: int, random_state: int) -> np.ndarray:
    """Up to SAMPLE_PER_ACTIVITY random rows of each of the MAX_ACTIVITIES most frequent activities."""
    counts = np.bincount(activity, minlength=n_activities)
    eligible = np.zeros(n_activities, dtype=bool)
    eligible[np.argsort(-counts, kind="stable")[:MAX_ACTIVITIES]] = True
    eligible &= counts >= MIN_EVENTS
    key = np.random.default_rng(random_state).random(len(activity))
    order = np.lexsort((key, activity))
    group_start = np.searchsorted(activity[order], activity[order], side="left")
    rank = np.arange(len(order)) - group_start
    chosen = order[(rank < SAMPLE_PER_ACTIVITY) & eligible[activity[order]]]
    return np.sort(chosen)


def _attribute_matrix(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Numeric matrix of the usable attributes for the sampled rows (NaN where missing)."""
    excluded = set(CORE_COLUMNS) | {LIFECYCLE}
    columns = [c for c in frame.columns if c not in excluded and not EXCLUDED_NAME.search(c)]
    sample = frame.iloc[rows]
    encoded = []
    for column in columns:
        values = sample[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            encoded.append(values.astype("float64").to_numpy(na_value=np.nan))
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            continue
        text = values.astype("string")
        if text.nunique() > ID_LIKE_SHARE * len(text) or text.nunique() < 2:
            continue
        top = text.value_counts().index[:MAX_CATEGORIES]
        present = text.notna().to_numpy()
        codes = pd.Index(top).get_indexer(text.fillna("")).astype(float)
        codes[present & (codes < 0)] = MAX_CATEGORIES
        codes[~present] = np.nan
        encoded.append(codes)
    if not encoded:
        return np.empty((len(rows), 0))
    return np.column_stack(encoded)
