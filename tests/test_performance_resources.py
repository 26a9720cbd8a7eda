"""Resource summary, workload per day and week, and handoffs, checked by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sc_improve.performance import resource_analysis
from tests.conftest import build_log

HOUR = 3600.0


@pytest.fixture
def staffed_log():
    """Case 1 (Mon 1 Jan): a ann 08, b bob 09, c bob 10, d ann 12.

    Case 2 (Tue 2 Jan): a ann 08, b bob 11, c cid 11:30.

    Handoffs: ann->bob twice (waits 1 h and 3 h), bob->ann once (2 h), bob->cid once (30 min);
    bob->bob (case 1, b->c) is no handoff.
    """
    return build_log(
        [
            ("1", "a", "2024-01-01 08:00", "ann"),
            ("1", "b", "2024-01-01 09:00", "bob"),
            ("1", "c", "2024-01-01 10:00", "bob"),
            ("1", "d", "2024-01-01 12:00", "ann"),
            ("2", "a", "2024-01-02 08:00", "ann"),
            ("2", "b", "2024-01-02 11:00", "bob"),
            ("2", "c", "2024-01-02 11:30", "cid"),
        ],
        ("case", "activity", "end", "resource"),
    )


def test_handoffs_counts_waits_and_share(staffed_log):
    result = resource_analysis(staffed_log)
    pairs = {(h.from_resource, h.to_resource): h for h in result.handoffs}
    assert set(pairs) == {("ann", "bob"), ("bob", "ann"), ("bob", "cid")}
    ann_bob = pairs[("ann", "bob")]
    assert (ann_bob.count, ann_bob.cases, ann_bob.median_wait_s, ann_bob.total_wait_s) == (
        2,
        2,
        2 * HOUR,
        4 * HOUR,
    )
    assert pairs[("bob", "ann")].median_wait_s == 2 * HOUR
    assert pairs[("bob", "cid")].total_wait_s == 0.5 * HOUR
    assert result.handoffs[0] is ann_bob  # most frequent first
    assert ann_bob.estimated
    assert result.handoff_count == 4
    assert result.handoff_share == pytest.approx(4 / 5)


def test_top_handoffs_limits_the_list_not_the_count(staffed_log):
    result = resource_analysis(staffed_log, top_handoffs=1)
    assert [(h.from_resource, h.to_resource) for h in result.handoffs] == [("ann", "bob")]
    assert result.handoffs[0].median_wait_s == 2 * HOUR
    assert result.handoff_count == 4


def test_resource_summary(staffed_log):
    result = resource_analysis(staffed_log)
    ann, bob, cid = result.resource("ann"), result.resource("bob"), result.resource("cid")
    assert (ann.events, ann.cases, ann.activities) == (3, 2, 2)
    assert (bob.events, bob.cases, bob.activities) == (3, 2, 2)
    assert (cid.events, cid.cases, cid.activities) == (1, 1, 1)
    assert ann.mean_processing_s is None and ann.total_processing_s is None
    assert ann.mean_wait_s == 2 * HOUR  # only d has a wait
    assert bob.mean_wait_s == pytest.approx((1 + 1 + 3) / 3 * HOUR)
    assert [row.resource for row in result.resources][2] == "cid"


def test_workload_per_day_and_per_week(staffed_log):
    daily = resource_analysis(staffed_log).workload
    ann = daily[daily["resource"] == "ann"]
    assert ann["period_start"].tolist() == [
        pd.Timestamp("2024-01-01", tz="UTC"),
        pd.Timestamp("2024-01-02", tz="UTC"),
    ]
    assert ann["events"].tolist() == [2, 1]
    assert daily["busy_s"].isna().all()
    weekly = resource_analysis(staffed_log, period="week").workload
    assert weekly["period_start"].unique().tolist() == [pd.Timestamp("2024-01-01", tz="UTC")]  # a Monday
    assert weekly.set_index("resource")["events"].to_dict() == {"ann": 3, "bob": 3, "cid": 1}


def test_weeks_start_on_monday():
    log = build_log(
        [("1", "a", "2023-12-31 23:00", "ann"), ("1", "b", "2024-01-01 01:00", "ann")],
        ("case", "activity", "end", "resource"),
    )
    weekly = resource_analysis(log, period="week").workload
    assert weekly["period_start"].dt.strftime("%Y-%m-%d").tolist() == ["2023-12-25", "2024-01-01"]


def test_busy_time_and_share_with_start_times():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00", "2024-01-01 12:00", "ann"),
            ("1", "b", "2024-01-01 13:00", "2024-01-01 15:00", "ann"),
        ],
        ("case", "activity", "start", "end", "resource"),
    )
    result = resource_analysis(log)
    row = result.workload.iloc[0]
    assert (row["events"], row["busy_s"]) == (2, 6 * HOUR)
    assert row["busy_share"] == pytest.approx(6 / 24)
    assert result.resource("ann").mean_processing_s == 3 * HOUR
    assert result.handoffs == [] and result.handoff_count == 0


def test_log_without_resources_gives_empty_results_with_a_note(simple_log):
    result = resource_analysis(simple_log)
    assert result.resources == [] and result.handoffs == [] and result.workload.empty
    assert "no resource" in result.notes[0]


def test_events_without_resource_are_left_out():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00", "ann"),
            ("1", "b", "2024-01-01 09:00", None),
            ("1", "c", "2024-01-01 10:00", "bob"),
        ],
        ("case", "activity", "end", "resource"),
    )
    result = resource_analysis(log)
    assert result.handoff_count == 0  # the enabler of c has no resource
    assert {row.resource for row in result.resources} == {"ann", "bob"}
    assert "1 events have no resource" in result.notes[0]


def test_to_dict_is_json_ready(staffed_log):
    data = resource_analysis(staffed_log).to_dict()
    text = json.dumps(data)
    assert '"period_start": "2024-01-01 00:00:00+00:00"' in text
    assert data["workload"][0]["busy_s"] is None


def test_unknown_period_is_rejected(staffed_log):
    with pytest.raises(ValueError, match="period"):
        resource_analysis(staffed_log, period="month")
