"""Spelling variants, reasons for every activity and the touch time of instantaneous manual steps."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sc_improve.automation.candidates import merge_spelling_variants, score_automation
from sc_improve.automation.explain import reasons
from sc_improve.automation.savings import ASSUMED_TOUCH_HOURS, estimate_savings
from sc_improve.automation.system_users import detect_system_users
from tests.conftest import build_log

COLUMNS = ("case", "activity", "start", "end", "resource")


def _variant_log():
    """20 cases Enter Order -> Ship; two cases spell the first step differently."""
    rows = []
    for case in range(20):
        day = f"2024-{1 + case % 12:02d}-{1 + case:02d}"
        label = {3: "enter order", 7: "Enter_Order"}.get(case, "Enter Order")
        rows.append((str(case), label, f"{day} 08:00", f"{day} 08:20", f"CLERK{case % 3}"))
        rows.append((str(case), "Ship", f"{day} 10:00", f"{day} 11:00", "WAREHOUSE"))
    return build_log(rows, COLUMNS)


def test_spelling_variants_are_scored_once_and_listed_once():
    log = _variant_log()
    report = score_automation(log)
    ranked = report.ranked()
    assert sorted(c.activity for c in ranked) == sorted(log.codes.activities)
    by_label = {c.activity: c for c in ranked}
    canonical = by_label["Enter Order"]
    assert canonical.variant_of is None
    assert canonical.events == 20
    assert by_label["Ship"].variant_of is None
    for variant in ("enter order", "Enter_Order"):
        row = by_label[variant]
        assert row.variant_of == "Enter Order"
        assert (row.score, row.kind, row.reasons, row.savings_hours_per_year) == (
            canonical.score,
            canonical.kind,
            canonical.reasons,
            canonical.savings_hours_per_year,
        )
    assert {c.activity for c in report.candidates + report.automated} == {"Enter Order", "Ship"}
    assert "Merged 2 spelling variants into 1 activity" in " ".join(report.notes)
    records = report.to_records()
    assert all("variant_of" in r for r in records)
    labels = [r["activity"] for r in records]
    assert labels.index("enter order") > labels.index("Enter Order")
    json.dumps(records)


def test_merge_keeps_resource_names_and_logs_without_variants():
    log = _variant_log()
    merged, variant_of, groups = merge_spelling_variants(log)
    assert variant_of == {"Enter_Order": "Enter Order", "enter order": "Enter Order"}
    assert groups == 1
    assert sorted(merged.codes.activities) == ["Enter Order", "Ship"]
    assert sorted(merged.codes.resources) == sorted(log.codes.resources)
    assert merged.n_events == log.n_events
    plain = build_log([("1", "a", "2024-01-01"), ("1", "b", "2024-01-02")])
    assert merge_spelling_variants(plain) == (plain, {}, 0)


def test_every_activity_has_a_reason_in_words(simple_log):
    report = score_automation(simple_log)
    assert all(c.reasons and all(isinstance(r, str) and r for r in c.reasons) for c in report.ranked())


def test_small_contributions_still_give_the_largest_one():
    features = pd.DataFrame({"case_share": [0.4], "events": [12.0], "processing_time_mean_hours": [0.5]})
    points = pd.DataFrame({"case_share": [0.3], "processing_time_mean_hours": [-0.6]})
    assert reasons(features, points) == [["takes 30 min per execution (under 1 point)"]]


def test_unknown_features_give_a_plain_statement():
    features = pd.DataFrame(
        {"case_share": [np.nan], "events": [7.0], "processing_time_mean_hours": [np.nan]}, index=["x"]
    )
    points = pd.DataFrame({"case_share": [0.0]}, index=["x"])
    (sentence,) = reasons(features, points)[0]
    assert sentence.startswith("executed 7 times, processing time unknown")


def _instant_log():
    """enter: timed 30 min by a clerk; approve: a person, recorded instantaneous; post: a batch user."""
    rows = []
    for case in range(4):
        day = f"2024-{1 + 3 * case:02d}-10"
        rows += [
            (str(case), "enter", f"{day} 08:00", f"{day} 08:30", "MEIER"),
            (str(case), "approve", None, f"{day} 09:00", "KUNZ"),
            (str(case), "post", None, f"{day} 09:01", "BATCH_JOB"),
        ]
    return build_log(rows, COLUMNS)


def test_instantaneous_manual_steps_get_the_assumed_touch_time():
    log = _instant_log()
    mask = detect_system_users(log).event_mask(log.codes)
    savings = estimate_savings(log, mask, hourly_rate=50)
    assert savings.at["enter", "hours_per_execution"] == pytest.approx(0.5)
    assert savings.at["enter", "assumed_touch_share"] == 0
    assert savings.at["approve", "hours_per_execution"] == pytest.approx(ASSUMED_TOUCH_HOURS)
    assert savings.at["approve", "assumed_touch_share"] == 1
    assert savings.at["approve", "savings_hours_per_year"] > 0
    assert savings.at["post", "savings_hours_per_year"] == 0
    assert (savings["touch_time"] == "start times").all()


def test_mixed_timing_assumes_only_the_instantaneous_executions():
    log = build_log(
        [
            ("1", "approve", "2024-01-01 08:00", "2024-01-01 09:00", "KUNZ"),
            ("2", "approve", "2024-06-01 08:00", "2024-06-01 08:00", "MEIER"),
            ("3", "approve", "2024-12-31 08:00", "2024-12-31 09:00", "KUNZ"),
        ],
        COLUMNS,
    )
    savings = estimate_savings(log, None, hourly_rate=50).loc["approve"]
    assert savings["hours_per_execution"] == pytest.approx((1 + ASSUMED_TOUCH_HOURS + 1) / 3)
    assert savings["assumed_touch_share"] == pytest.approx(1 / 3)


def test_candidates_say_when_the_touch_time_is_assumed():
    report = score_automation(_instant_log())
    by_label = {c.activity: c for c in report.ranked()}
    assert by_label["approve"].savings_hours_per_year > 0
    assert any("recorded as instantaneous" in r and "6 min" in r for r in by_label["approve"].reasons)
    assert not any("recorded as instantaneous" in r for r in by_label["enter"].reasons)
    assert by_label["post"].automation_rate == 1.0
    assert by_label["post"].savings_hours_per_year == 0
    assert any("savings assume 6 min" in note for note in report.notes)
