"""Weak labels from technical users, and the shipped training table."""

from __future__ import annotations

import numpy as np
import pytest

from sc_improve.automation.features import FEATURES
from sc_improve.automation.labels import AUTOMATED_RATE, automation_rates, weak_labels
from sc_improve.automation.system_users import detect_system_users
from sc_improve.automation.training import META_COLUMNS, generated_log, load_training_table, training_rows
from tests.conftest import build_log


def test_automation_rate_is_the_share_of_instances_by_technical_users():
    log = build_log(
        [
            ("1", "post", "2024-01-01 08:00", "BATCH_JOB"),
            ("2", "post", "2024-01-01 09:00", "BATCH_JOB"),
            ("3", "post", "2024-01-01 10:00", "MEIER"),
            ("3", "check", "2024-01-01 11:00", "MEIER"),
            ("4", "check", "2024-01-01 12:00", None),
            ("4", "file", "2024-01-01 13:00", None),
        ],
        ("case", "activity", "end", "resource"),
    )
    rates = automation_rates(log, detect_system_users(log))
    assert rates["post"] == pytest.approx(2 / 3)
    assert rates["check"] == 0.0  # the event without a resource does not count
    assert np.isnan(rates["file"])
    labels = weak_labels(rates)
    assert labels["post"] == 1.0 and labels["check"] == 0.0 and np.isnan(labels["file"])


def test_label_threshold_is_inclusive():
    log = build_log(
        [("1", "a", "2024-01-01 08:00", "BATCH_JOB"), ("2", "a", "2024-01-01 09:00", "MEIER")],
        ("case", "activity", "end", "resource"),
    )
    rates = automation_rates(log, detect_system_users(log))
    assert rates["a"] == AUTOMATED_RATE
    assert weak_labels(rates)["a"] == 1.0


def test_no_rates_without_resources(simple_log):
    assert automation_rates(simple_log, detect_system_users(simple_log)) is None


def test_generated_logs_label_the_automated_steps():
    rows = training_rows(generated_log("o2c", 3000, seed=3), "o2c-test", "o2c").set_index("activity")
    assert rows.loc["Credit Check", "label"] == 1
    assert rows.loc["Receive Payment", "label"] == 1
    assert rows.loc["Pick", "label"] == 0
    assert rows.loc["Pack", "automation_rate"] == 0.0
    assert (rows["events"] >= 20).all()


def test_shipped_training_table():
    table = load_training_table()
    assert list(table.columns) == [*META_COLUMNS, *FEATURES]
    assert set(table["label"]) == {0, 1}
    assert {"p2p", "o2c", "production", "repair"} <= set(table["group"])
    assert ((table["automation_rate"] >= AUTOMATED_RATE) == (table["label"] == 1)).all()
    # every group is one process; no (log, activity) twice
    assert not table.duplicated(["log", "activity"]).any()
    repair = table[table["group"] == "repair"].set_index("activity")
    assert repair.loc["Register", "label"] == 1 and repair.loc["Analyze Defect", "label"] == 0
