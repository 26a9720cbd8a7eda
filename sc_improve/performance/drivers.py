"""Cycle-time drivers: which case attributes, variants and case traits go with long cases.

A shallow regression tree predicts the logarithm of each case's cycle time from its
case features (:mod:`sc_improve.performance.case_features`). The logarithm because
cycle times are skewed: on raw seconds a few extreme cases would decide the whole fit,
while "twice as long" is what an analyst asks about. A feature's importance is how much
the tree's R² on held-out cases drops when that feature's values are shuffled among
the cases (permutation importance), so it measures what the feature adds to the
prediction, on cases the tree has not seen.

The tree only ranks features. The groups reported in words ("cases with vendor = V17
take 2.3x the median") are plain medians over the cases, so they can be checked by hand.
The cost is bounded: the model sees at most ``max_cases`` cases, drawn with a fixed seed,
and on logs with more than ``MAX_GROUP_CASES`` cases the case features (and so the
groups) are read for a seeded sample of that many cases (:func:`driver_sample`), which
the result says.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from sc_improve.performance.case_features import OTHER, CaseFeature
from sc_improve.performance.grouped import ranked_medians
from sc_improve.units import human_duration

MAX_CASES = 10_000
MAX_GROUP_CASES = 50_000
"""Above this many cases, the features and slow groups are measured on a seeded sample of this many:
reading the text attributes of every case would cost more than all the rest of the analysis."""
MIN_CASES = 30
TEST_SHARE = 0.25
MAX_DEPTH = 4
REPEATS = 5
SMOOTHING = 10.0
"""Weight, in cases, of the overall mean in a level's target encoding."""
SLOWER_RATIO = 1.2
MAX_GROUPS = 10
MIN_GROUP_SHARE = 0.01
MIN_GROUP_CASES = 5


@dataclass(frozen=True)
class Driver:
    """One case feature and how much it explains of log cycle time (R² drop on held-out cases)."""

    feature: str
    label: str
    importance: float


@dataclass(frozen=True)
class GroupEffect:
    """A group of cases that is notably slower than the median case, in numbers and in words."""

    feature: str
    group: str
    cases: int
    median_cycle_time_s: float
    ratio_to_median: float
    description: str


@dataclass
class DriversResult:
    """Features by importance (largest first) and the slow groups (most excess time first)."""

    drivers: list[Driver]
    groups: list[GroupEffect]
    held_out_r2: float | None
    cases_used: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def driver_sample(n_cases: int, *, max_cases: int = MAX_GROUP_CASES, seed: int = 0) -> np.ndarray | None:
    """Ascending codes of ``max_cases`` cases drawn with a fixed seed, or None when there are no more.

    >>> sample = driver_sample(10, max_cases=4)
    >>> driver_sample(10, max_cases=20) is None, len(set(sample.tolist())), bool(np.all(np.diff(sample) > 0))
    (True, 4, True)
    """
    if n_cases <= max_cases:
        return None
    return np.sort(np.random.default_rng(seed).choice(n_cases, size=max_cases, replace=False))


def explain_cycle_times(
    features: list[CaseFeature],
    cycle_s: np.ndarray,
    *,
    max_cases: int = MAX_CASES,
    seed: int = 0,
    all_cases: int | None = None,
) -> DriversResult:
    """Rank ``features`` by how much they explain ``cycle_s`` (seconds per case) and name slow groups.

    ``all_cases`` is the number of cases in the log when ``features`` and ``cycle_s``
    describe a sample of them (see :func:`driver_sample`).
    """
    drivers, r2, used, notes = _importances(features, cycle_s, max_cases, seed)
    sampled = all_cases is not None and all_cases > len(cycle_s)
    if sampled:
        notes.append(f"slow groups were measured on a sample of {len(cycle_s):,} of the {all_cases:,} cases")
    return DriversResult(
        drivers=drivers,
        groups=_slow_groups(features, cycle_s, sampled),
        held_out_r2=r2,
        cases_used=used,
        notes=notes,
    )


def _importances(
    features: list[CaseFeature], cycle_s: np.ndarray, max_cases: int, seed: int
) -> tuple[list[Driver], float | None, int, list[str]]:
    n_cases = len(cycle_s)
    if n_cases < MIN_CASES:
        return [], None, 0, [f"only {n_cases} cases: too few to rank cycle-time drivers"]
    rng = np.random.default_rng(seed)
    sample = (
        rng.choice(n_cases, size=max_cases, replace=False)
        if n_cases > max_cases
        else rng.permutation(n_cases)
    )
    target = np.log1p(cycle_s[sample])
    n_test = max(int(len(sample) * TEST_SHARE), 1)
    if np.ptp(target[-n_test:]) == 0:
        return [], None, len(sample), ["cycle times of the held-out cases are all equal: nothing to explain"]
    n_train = len(sample) - n_test
    matrix = _design(features, sample, target, n_train)
    # Imported here: scikit-learn (with scipy) takes seconds to import, and only this model needs it.
    from sklearn.tree import DecisionTreeRegressor

    tree = DecisionTreeRegressor(
        max_depth=MAX_DEPTH, min_samples_leaf=max(MIN_GROUP_CASES, n_train // 100), random_state=seed
    )
    tree.fit(matrix[:n_train], target[:n_train])
    held_out, held_out_target = matrix[n_train:], target[n_train:]
    base = _r2(tree.predict(held_out, check_input=False), held_out_target)
    drivers = []
    n_held_out = len(held_out)
    for column, feature in enumerate(features):
        # The repeats are stacked and predicted in one call: one call per feature, not per repeat.
        shuffled = np.tile(held_out, (REPEATS, 1))
        for repeat in range(REPEATS):
            shuffled[repeat * n_held_out : (repeat + 1) * n_held_out, column] = rng.permutation(
                held_out[:, column]
            )
        predicted = tree.predict(shuffled, check_input=False).reshape(REPEATS, n_held_out)
        drops = [base - _r2(prediction, held_out_target) for prediction in predicted]
        drivers.append(Driver(feature.name, feature.label, float(np.mean(drops))))
    drivers.sort(key=lambda driver: -driver.importance)
    notes = [] if len(sample) == n_cases else [f"drivers were ranked on a sample of {len(sample):,} cases"]
    return drivers, base, len(sample), notes


def _r2(predicted: np.ndarray, target: np.ndarray) -> float:
    """R² of predictions (made with ``check_input=False``: the matrix is already float32 and C-ordered)."""
    residual = target - predicted
    return float(1.0 - residual @ residual / np.sum((target - target.mean()) ** 2))


def _design(features: list[CaseFeature], rows: np.ndarray, target: np.ndarray, n_train: int) -> np.ndarray:
    """Model input for the given cases (the first ``n_train`` train the model): one column per feature.

    A categorical feature is encoded by the mean target of its level among the training
    cases, shrunk towards the overall mean for small levels (target encoding). For a
    regression tree that is as good as one-hot columns (ordering levels by their mean
    response lets one split separate any group of levels) with one column instead of
    hundreds, and permuting that column shuffles the whole feature.
    """
    prior = float(target[:n_train].mean())
    matrix = np.empty((len(rows), len(features)), dtype=np.float32)
    for column, feature in enumerate(features):
        if feature.codes is not None:
            codes = feature.codes[rows]
            n_levels = len(feature.levels)
            sums = np.bincount(codes[:n_train], weights=target[:n_train], minlength=n_levels)
            counts = np.bincount(codes[:n_train], minlength=n_levels)
            matrix[:, column] = ((sums + SMOOTHING * prior) / (counts + SMOOTHING))[codes]
        else:
            values = feature.values[rows]
            known = values[:n_train][np.isfinite(values[:n_train])]
            matrix[:, column] = np.where(np.isnan(values), np.median(known) if len(known) else 0.0, values)
    return matrix


def _slow_groups(
    features: list[CaseFeature], cycle_s: np.ndarray, sampled: bool = False
) -> list[GroupEffect]:
    """Groups whose median cycle time is at least ``SLOWER_RATIO`` times the overall median.

    Ranked by excess time, cases x (group median - overall median): a large group that
    is a bit slower can matter more than a tiny group that is very slow. When the cases
    are a sample, the words say how many of the sampled cases a group has.
    """
    overall = float(np.median(cycle_s))
    if overall <= 0:
        return []
    floor = max(MIN_GROUP_CASES, math.ceil(MIN_GROUP_SHARE * len(cycle_s)))
    order = np.argsort(cycle_s)
    ranked = cycle_s[order]
    rank = np.empty(len(order), dtype=np.int32 if len(order) < 1 << 31 else np.int64)
    rank[order] = np.arange(len(order))
    candidates = []
    for feature in features:
        groups, members = _groups(feature)
        counts, medians = ranked_medians(ranked, rank, members, len(groups))
        for index, (group, subject) in enumerate(groups):
            count, median = int(counts[index]), float(medians[index])
            if subject and floor <= count < len(cycle_s) and median >= SLOWER_RATIO * overall:
                candidates.append((count * (median - overall), feature.name, group, subject, count, median))
    candidates.sort(key=lambda candidate: -candidate[0])
    return [
        GroupEffect(
            feature=name,
            group=group,
            cases=count,
            median_cycle_time_s=median,
            ratio_to_median=median / overall,
            description=(
                f"{subject} take {median / overall:.1f}x the median cycle time ({count:,} "
                f"{f'of {len(cycle_s):,} sampled ' if sampled else ''}cases, "
                f"median {human_duration(median)} against {human_duration(overall)} overall)"
            ),
        )
        for _, name, group, subject, count, median in candidates[:MAX_GROUPS]
    ]


def _groups(feature: CaseFeature) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The groups of one feature as (name, how a sentence names its cases) and each case's group.

    A group with an empty subject is not reported: the pooled "(other)" level, and cases
    without rework. A numeric feature has one group, its top quarter; -1 is no group.
    """
    if feature.codes is not None:
        groups = [(level, _level_subject(feature, level)) for level in feature.levels]
        return groups, feature.codes
    values = feature.values
    if not np.isfinite(values).any():
        return [], np.full(len(values), -1)
    # np.quantile when nothing is missing: the same value, without nanquantile's extra copies.
    threshold = float((np.nanquantile if np.isnan(values).any() else np.quantile)(values, 0.75))
    subject = (
        f"cases with {threshold:g} or more events"
        if feature.name == "events"
        else f"cases with {feature.label} ≥ {threshold:g}"
    )
    return [(f"≥ {threshold:g}", subject)], np.where(values >= threshold, 0, -1)


def _level_subject(feature: CaseFeature, level: str) -> str:
    if level == OTHER:
        return ""
    if feature.name == "rework":
        return "cases with rework" if level == "yes" else ""
    if feature.name == "variant":
        return f"cases of {level}"
    return f"cases with {feature.label} = {level}"
