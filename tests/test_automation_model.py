"""The calibrated model, the baseline, and the leave-one-log-out evaluation."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sc_improve.automation.baseline import BASELINE_WEIGHTS, baseline_criteria, baseline_scores
from sc_improve.automation.evaluate import leave_one_log_out, precision_at_k
from sc_improve.automation.model import MODEL_FEATURES, RESOURCE_FEATURES, AutomationModel, group_weights
from sc_improve.automation.training import load_training_table


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_training_table()


def test_model_never_sees_resources_or_raw_counts():
    assert not set(MODEL_FEATURES) & set(RESOURCE_FEATURES)
    assert "events" not in MODEL_FEATURES


def test_model_follows_the_estimator_contract(table):
    model = AutomationModel(n_estimators=10, random_state=3)
    assert clone(model).get_params() == model.get_params()
    assert model.fit(table, table["label"]) is model
    probability = model.predict_proba(table)
    assert probability.shape == (len(table), 2)
    assert np.allclose(probability.sum(axis=1), 1.0)
    assert set(model.predict(table)) <= {0, 1}
    assert model.reference_.shape == (len(MODEL_FEATURES),)
    again = AutomationModel(n_estimators=10, random_state=3).fit(table, table["label"])
    assert np.array_equal(again.predict_proba(table), probability)


def test_fitting_from_the_shipped_table_takes_well_under_a_second(table):
    weights = group_weights(table)
    AutomationModel().fit(table, table["label"], sample_weight=weights)
    started = time.process_time()
    AutomationModel().fit(table, table["label"], sample_weight=weights)
    assert time.process_time() - started < 1.0


def test_group_weights_give_each_group_the_same_total(table):
    totals = pd.Series(group_weights(table)).groupby(table["group"].to_numpy()).sum()
    assert np.allclose(totals, totals.iloc[0])
    assert totals.sum() == pytest.approx(len(table))


def test_baseline_prefers_frequent_standard_rule_based_steps():
    features = pd.DataFrame(
        {
            "events": [500, 20],
            "predecessor_entropy_bits": [0.0, 1.5],
            "successor_entropy_bits": [0.0, 1.5],
            "top_variant_share": [1.0, 0.1],
            "repeats_per_case": [0.0, 0.8],
            "reversal_after_share": [0.0, 0.4],
            "rule_accuracy": [0.95, np.nan],
            "processing_time_mean_hours": [0.2, 0.1],
        },
        index=["post invoice", "fix error"],
    )
    scores = baseline_scores(features)
    assert scores["post invoice"] == pytest.approx(99.0)  # all criteria 1 except rule accuracy 0.95
    assert scores["fix error"] < 20
    assert baseline_criteria(features).loc["fix error", "rule_based"] == 0.5
    assert sum(BASELINE_WEIGHTS.values()) == pytest.approx(1.0)


def test_precision_at_k():
    assert precision_at_k(np.array([0.9, 0.8, 0.1, 0.7]), np.array([1, 0, 1, 1]), 3) == pytest.approx(2 / 3)


def test_model_beats_chance_and_the_baseline_on_held_out_logs(table):
    report = leave_one_log_out(table, lambda: AutomationModel(n_estimators=15, calibration_folds=2))
    assert report.overall.model_auc > 0.6
    assert report.pooled_model_auc > 0.6
    assert report.overall.model_auc > report.overall.baseline_auc
    for group in report.groups:
        if group.automatable:
            assert group.model_auc > 0.6, group
    markdown = report.to_markdown()
    assert "mean over groups" in markdown and "repair" in markdown
