"""The automation classifier: a calibrated random forest re-fitted from the shipped table.

The score the app shows is the calibrated probability (0-100) that an activity is
automatable, in the sense of the weak labels (:mod:`sc_improve.automation.labels`).
The forest is fitted at start-up from ``data/training_table.csv`` in a fraction of a
second, so the package never loads a pickled model and works with any scikit-learn
version. The model sees every feature except raw counts (which grow with the log's
size) and the two that read the resource column (handoffs, distinct resources),
so it scores logs with and without resources alike.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold

from sc_improve.automation.features import FEATURES
from sc_improve.automation.training import load_training_table

RESOURCE_FEATURES = ("handoff_share", "distinct_resources")
SIZE_FEATURES = ("events", "cases")
MODEL_FEATURES: tuple[str, ...] = tuple(f for f in FEATURES if f not in RESOURCE_FEATURES + SIZE_FEATURES)


class AutomationModel(ClassifierMixin, BaseEstimator):
    """Random forest on the activity features, with sigmoid calibration by cross-validation.

    ``features`` names the columns of the feature table it uses; missing values are
    handled by the forest itself. ``calibration_folds`` forests are fitted, each
    calibrated on the rows it did not see; their spread is the model's uncertainty
    (see :meth:`spread`). ``reference_`` holds each feature's median in the training
    data, the "typical value" that explanations compare with.

    >>> from sc_improve.automation.training import load_training_table
    >>> table = load_training_table()
    >>> model = AutomationModel(n_estimators=20).fit(table, table["label"])
    >>> bool(model.predict_proba(table)[:, 1].max() > 0.5)
    True
    """

    def __init__(
        self,
        n_estimators: int = 30,
        min_samples_leaf: int = 3,
        max_features: str | float = "sqrt",
        calibration_folds: int = 3,
        features: tuple[str, ...] = MODEL_FEATURES,
        random_state: int = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.calibration_folds = calibration_folds
        self.features = features
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray, sample_weight: np.ndarray | None = None):
        forest = RandomForestClassifier(
            n_estimators=self.n_estimators,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
            random_state=self.random_state,
        )
        folds = StratifiedKFold(self.calibration_folds, shuffle=True, random_state=self.random_state)
        matrix = self._matrix(X)
        self.calibrated_ = CalibratedClassifierCV(forest, method="sigmoid", cv=folds)
        self.calibrated_.fit(matrix, np.asarray(y, dtype=int), sample_weight=sample_weight)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            self.reference_ = np.nanmedian(matrix, axis=0)
        self.classes_ = self.calibrated_.classes_
        self.n_features_in_ = len(self.features)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.calibrated_.predict_proba(self._matrix(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def spread(self, X: pd.DataFrame) -> np.ndarray:
        """Standard deviation of the automatable probability over the calibrated forests."""
        matrix = self._matrix(X)
        members = [member.predict_proba(matrix)[:, 1] for member in self.calibrated_.calibrated_classifiers_]
        return np.std(members, axis=0)

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        return X.loc[:, list(self.features)].to_numpy(dtype=np.float64)


def group_weights(table: pd.DataFrame) -> np.ndarray:
    """Sample weights that give every process group the same total weight.

    The generated processes contribute a hundred rows each and the real repair log
    eight; unweighted, the forest would hardly notice the real log.
    """
    sizes = table.groupby("group")["group"].transform("size").to_numpy(dtype=float)
    return len(table) / (sizes * table["group"].nunique())


@lru_cache(maxsize=1)
def shipped_model() -> AutomationModel:
    """The model fitted on the shipped training table (once per process)."""
    table = load_training_table()
    return AutomationModel().fit(table, table["label"], sample_weight=group_weights(table))
