"""score_automation end to end: ranking, automated list, reasons, kinds and savings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sc_improve.automation.candidates import score_automation
from sc_improve.automation.explain import contributions, describe
from sc_improve.automation.kinds import AUTO_APPROVAL, ELIMINATION, INTEGRATION, RPA, automation_kind
from sc_improve.automation.model import shipped_model
from sc_improve.automation.savings import FTE_HOURS_PER_YEAR, estimate_savings
from sc_improve.automation.system_users import detect_system_users
from sc_improve.automation.training import generated_log
from sc_improve.log.read import read_log
from tests.conftest import build_log

SAMPLE_LOGS = Path(__file__).resolve().parents[1] / "sample_logs"


@pytest.fixture(scope="module")
def o2c():
    return generated_log("o2c", 4000, seed=7)


@pytest.fixture(scope="module")
def o2c_report(o2c):
    return score_automation(o2c, hourly_rate=60)


def test_every_activity_exactly_once(o2c, o2c_report):
    ranked = o2c_report.ranked()
    assert sorted(c.activity for c in ranked) == sorted(o2c.codes.activities)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert all(0 <= c.score <= 100 for c in ranked)
    assert all(c.confidence in {"low", "medium", "high"} for c in ranked)


def test_already_automated_activities_are_listed_apart(o2c_report):
    automated = {c.activity: c for c in o2c_report.automated}
    assert automated["Credit Check"].automation_rate == 1.0
    assert "Pick" not in automated
    assert all(not c.already_automated for c in o2c_report.candidates)
    assert all(c.automation_rate is not None and c.automation_rate < 0.5 for c in o2c_report.candidates)
    assert {"BATCH_JOB", "SYS_WF"} <= o2c_report.system_users.names


def test_model_ranks_automated_steps_above_manual_ones(o2c_report):
    automated = np.mean([c.score for c in o2c_report.automated])
    manual = np.mean([c.score for c in o2c_report.candidates if c.events >= 50])
    assert automated > manual + 30


def test_reasons_are_words_with_points(o2c_report):
    credit = next(c for c in o2c_report.automated if c.activity == "Credit Check")
    assert 1 <= len(credit.reasons) <= 3
    assert all("points)" in reason for reason in credit.reasons)


def test_records_for_json(o2c_report, tmp_path):
    path = tmp_path / "candidates.json"
    o2c_report.write_json(path)
    records = json.loads(path.read_text(encoding="utf-8"))
    assert len(records) == len(o2c_report.ranked())
    first = records[0]
    assert {"activity", "score", "automation_rate", "savings_hours_per_year", "reasons", "kind"} <= set(first)
    assert records[0]["score"] >= records[-1]["score"]


def test_user_corrections_change_the_automation_rate(o2c):
    report = score_automation(o2c, force_human=["BATCH_JOB", "SYS_WF", "RFC_EDI", "WEBSHOP"])
    assert report.automated == []
    credit = next(c for c in report.candidates if c.activity == "Credit Check")
    assert credit.automation_rate == 0.0


def test_without_resources_rates_are_unknown(simple_log):
    report = score_automation(simple_log)
    assert report.automated == []
    assert report.system_users is None
    assert all(c.automation_rate is None for c in report.ranked())
    assert any("no resource column" in note for note in report.notes)


def test_savings_of_the_remaining_manual_work():
    log = build_log(
        [
            ("1", "enter", "2024-01-01 08:00", "2024-01-01 08:30", "MEIER"),
            ("2", "enter", "2024-06-01 08:00", "2024-06-01 09:30", "KUNZ"),
            ("3", "enter", "2024-12-31 08:00", "2024-12-31 08:00", "BATCH_JOB"),
        ],
        ("case", "activity", "start", "end", "resource"),
    )
    mask = detect_system_users(log).event_mask(log.codes)
    savings = estimate_savings(log, mask, hourly_rate=40).loc["enter"]
    years = (
        (pd.Timestamp("2024-12-31 08:00") - pd.Timestamp("2024-01-01 08:30")).total_seconds() / 86400 / 365.25
    )
    assert savings["manual_executions_per_year"] == pytest.approx(2 / years)
    assert savings["hours_per_execution"] == pytest.approx(1.0)
    assert savings["savings_hours_per_year"] == pytest.approx(2 / years)
    assert savings["savings_cost_per_year"] == pytest.approx(80 / years)
    assert savings["savings_fte"] == pytest.approx(2 / years / FTE_HOURS_PER_YEAR)
    assert savings["touch_time"] == "start times"


def test_savings_assume_a_touch_time_without_start_times(simple_log):
    savings = estimate_savings(simple_log, None, hourly_rate=50, assumed_touch_hours=0.25)
    assert (savings["touch_time"] == "assumed").all()
    assert (savings["hours_per_execution"] == 0.25).all()


@pytest.mark.parametrize(
    ("activity", "rework", "kind"),
    [
        ("Approve Purchase Requisition", 0.0, AUTO_APPROVAL),
        ("Send Invoice", 0.0, INTEGRATION),
        ("Cancel Order", 0.0, ELIMINATION),
        ("Enter Vendor Master", 0.5, ELIMINATION),
        ("Enter Vendor Master", 0.0, RPA),
    ],
)
def test_kind_of_automation(activity, rework, kind):
    features = pd.Series({"is_reversal": float("cancel" in activity.lower()), "repeats_per_case": rework})
    assert automation_kind(activity, features) == kind


def test_a_feature_at_its_typical_value_contributes_nothing(o2c_report):
    model = shipped_model()
    features = o2c_report.features.head(3).copy()
    features["case_share"] = model.reference_[list(model.features).index("case_share")]
    assert np.allclose(contributions(model, features)["case_share"], 0.0)
    assert describe("events_per_working_day", 57.1) == "runs 1,239 times a month"


def test_every_sample_log_gets_scores_reasons_and_savings():
    for path in sorted(SAMPLE_LOGS.iterdir()):
        if path.suffix in {".md", ".txt"}:
            continue
        log = read_log(path)
        report = score_automation(log)
        ranked = report.ranked()
        assert len(ranked) == len(log.codes.activities), path.name
        assert all(np.isfinite(c.savings_hours_per_year) and c.savings_hours_per_year >= 0 for c in ranked)
        assert all(c.reasons for c in ranked), path.name
