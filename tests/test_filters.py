"""Filters: what each keeps on a hand-built log, composition, saving, and checks against slow versions."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sc_improve.columns import CASE, END, START
from sc_improve.discovery.dfg import discover_map
from sc_improve.discovery.filters import (
    FILTER_KINDS,
    ActivityFilter,
    AttributeFilter,
    DurationFilter,
    EndpointFilter,
    FollowsFilter,
    TimeframeFilter,
    VariantFilter,
    apply_filters,
    filter_from_dict,
)
from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import EventLog
from tests.conftest import build_log
from tests.test_dfg import WITH_START, random_log
from tests.test_variants import sequences_by_case


@pytest.fixture
def orders() -> EventLog:
    """Five cases; variants a-b-c (1, 3, 5), a-c (2), b-a (4); regions EU/US; case 3 spans the month end."""
    return build_log(
        [
            ("1", "a", "2024-01-01 08:00", "EU"),
            ("1", "b", "2024-01-01 10:00", "EU"),
            ("1", "c", "2024-01-01 12:00", "EU"),
            ("2", "a", "2024-01-05 08:00", "US"),
            ("2", "c", "2024-01-05 09:00", "US"),
            ("3", "a", "2024-01-31 20:00", "EU"),
            ("3", "b", "2024-02-01 01:00", "EU"),
            ("3", "c", "2024-02-02 08:00", "EU"),
            ("4", "b", "2024-02-10 00:00", "US"),
            ("4", "a", "2024-02-10 01:00", "US"),
            ("5", "a", "2024-01-10 08:00", "EU"),
            ("5", "b", "2024-01-10 09:00", "EU"),
            ("5", "c", "2024-01-10 10:00", "EU"),
        ],
        ("case", "activity", "end", "case:region"),
    )


def cases(log: EventLog) -> set[str]:
    return set(log.frame[CASE].unique())


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("contained", {"4"}),
        ("intersecting", {"3", "4"}),
        ("started", {"4"}),
        ("completed", {"3", "4"}),
    ],
)
def test_timeframe_modes(orders, mode, expected):
    assert cases(TimeframeFilter("2024-02-01", "2024-02-11", mode).apply(orders)) == expected


def test_timeframe_end_is_exclusive_and_sides_may_be_open(orders):
    assert cases(TimeframeFilter(end="2024-01-05 09:00", mode="completed").apply(orders)) == {"1"}
    assert cases(TimeframeFilter(end="2024-01-05 09:01", mode="completed").apply(orders)) == {"1", "2"}
    assert cases(TimeframeFilter(start="2024-01-10", mode="started").apply(orders)) == {"3", "4", "5"}


def test_timeframe_trim_keeps_only_events_inside(orders):
    trimmed = TimeframeFilter("2024-02-01", "2024-02-11", "trim").apply(orders)
    assert trimmed.frame[CASE].tolist() == ["3", "3", "4", "4"]
    assert trimmed.frame["concept:name"].tolist() == ["b", "c", "b", "a"]


def test_trim_needs_the_whole_activity_inside():
    log = build_log(
        [
            ("1", "a", "2024-01-01 10:00", "2024-01-01 07:00"),
            ("1", "b", "2024-01-01 12:00", "2024-01-01 11:00"),
        ],
        WITH_START,
    )
    kept = TimeframeFilter("2024-01-01 08:00", "2024-01-02", "trim").apply(log)
    assert kept.frame["concept:name"].tolist() == ["b"]


def test_timeframe_accepts_aware_times_and_rejects_unknown_modes(orders):
    aware = TimeframeFilter("2024-02-01 01:00+01:00", None, "started")
    assert aware.start == pd.Timestamp("2024-02-01 00:00", tz="UTC")
    with pytest.raises(ValueError, match="trim"):
        TimeframeFilter(mode="during")


def test_attribute_filter_at_case_and_event_level(orders):
    assert cases(AttributeFilter("case:region", ["EU"]).apply(orders)) == {"1", "3", "5"}
    assert cases(AttributeFilter("case:region", "EU", keep=False).apply(orders)) == {"2", "4"}
    assert cases(AttributeFilter("concept:name", ["b"]).apply(orders)) == {"1", "3", "4", "5"}
    only_b = AttributeFilter("concept:name", ["b"], level="event").apply(orders)
    assert only_b.frame["concept:name"].tolist() == ["b"] * 4
    without_b = AttributeFilter("concept:name", ["b"], keep=False, level="event").apply(orders)
    assert "b" not in set(without_b.frame["concept:name"])
    assert without_b.n_events == orders.n_events - 4


def test_attribute_filter_names_a_missing_column(orders):
    with pytest.raises(AnalysisError, match="'case:plant'"):
        AttributeFilter("case:plant", ["P1"]).apply(orders)
    with pytest.raises(ValueError, match="level"):
        AttributeFilter("case:region", ["EU"], level="activity")


def test_variant_filter_top_k_and_coverage(orders):
    assert cases(VariantFilter(top_k=1).apply(orders)) == {"1", "3", "5"}
    assert cases(VariantFilter(coverage=0.6).apply(orders)) == {"1", "3", "5"}
    assert cases(VariantFilter(coverage=0.61).apply(orders)) == {"1", "2", "3", "5"}
    assert cases(VariantFilter(top_k=2, coverage=0.5).apply(orders)) == {"1", "3", "5"}
    assert cases(VariantFilter(coverage=1.0).apply(orders)) == cases(orders)
    with pytest.raises(ValueError):
        VariantFilter()
    with pytest.raises(ValueError):
        VariantFilter(coverage=0)


def test_duration_filter_bounds_are_inclusive(orders):
    assert cases(DurationFilter(min_s=7200).apply(orders)) == {"1", "3", "5"}
    assert cases(DurationFilter(max_s=3600).apply(orders)) == {"2", "4"}
    assert cases(DurationFilter(min_s=3600, max_s=7200).apply(orders)) == {"2", "4", "5"}
    with pytest.raises(ValueError):
        DurationFilter()


def test_endpoint_filter(orders):
    assert cases(EndpointFilter(start_activities=["b"]).apply(orders)) == {"4"}
    assert cases(EndpointFilter(end_activities=["c"]).apply(orders)) == {"1", "2", "3", "5"}
    assert cases(EndpointFilter(["a"], ["a", "c"]).apply(orders)) == {"1", "2", "3", "5"}
    with pytest.raises(AnalysisError, match="cases starting with \\('a',\\) and ending with \\('a',\\)"):
        EndpointFilter(["a"], ["a"]).apply(orders)


def test_follows_filter(orders):
    assert cases(FollowsFilter("a", "b").apply(orders)) == {"1", "3", "5"}
    assert cases(FollowsFilter("a", "b", keep=False).apply(orders)) == {"2", "4"}
    assert cases(FollowsFilter("a", "c").apply(orders)) == {"2"}
    assert cases(FollowsFilter("a", "c", directly=False).apply(orders)) == {"1", "2", "3", "5"}
    assert cases(FollowsFilter("b", "a", directly=False).apply(orders)) == {"4"}


def test_eventually_follows_itself_needs_two_occurrences():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00"),
            ("1", "x", "2024-01-01 09:00"),
            ("1", "a", "2024-01-01 10:00"),
            ("2", "a", "2024-01-02 08:00"),
        ]
    )
    assert cases(FollowsFilter("a", "a", directly=False).apply(log)) == {"1"}
    assert cases(FollowsFilter("x", "a").apply(log)) == {"1"}


def test_sequence_filters_read_cases_in_flow_order():
    log = build_log(
        [
            ("1", "long", "2024-01-01 12:00", "2024-01-01 08:00"),
            ("1", "short", "2024-01-01 10:00", "2024-01-01 09:00"),
        ],
        WITH_START,
    )
    assert cases(FollowsFilter("long", "short").apply(log)) == {"1"}
    assert cases(EndpointFilter(start_activities=["long"], end_activities=["short"]).apply(log)) == {"1"}


def test_activity_filter_reconnects_the_map(orders):
    without_b = ActivityFilter(["b"], keep=False).apply(orders)
    process_map = discover_map(without_b)
    assert process_map.edge("a", "c").frequency == 4
    only_a = ActivityFilter("a").apply(orders)
    assert set(only_a.frame["concept:name"]) == {"a"}
    assert only_a.n_cases == 5


def test_filters_apply_in_order_and_leave_notes(orders):
    steps = [TimeframeFilter("2024-01-01", "2024-02-01", "intersecting"), VariantFilter(top_k=1)]
    filtered = apply_filters(orders, steps)
    assert cases(filtered) == {"1", "3", "5"}
    assert len(filtered.notes) == 2
    assert filtered.notes[0].startswith(
        "filter 'timeframe 2024-01-01 00:00 to 2024-02-01 00:00 (intersecting)'"
    )
    assert "kept 4 of 5 cases and 11 of 13 events" in filtered.notes[0]
    assert orders.notes == []
    late_first = apply_filters(
        orders, [TimeframeFilter("2024-02-01", None, "started"), VariantFilter(top_k=1)]
    )
    assert cases(late_first) == {"4"}


def test_empty_result_names_the_filter(orders):
    with pytest.raises(AnalysisError, match="'timeframe 2024-02-01 00:00 to the end \\(started\\)'"):
        apply_filters(orders, [VariantFilter(top_k=1), TimeframeFilter("2024-02-01", None, "started")])


def test_empty_result_points_out_unknown_activity_names(orders):
    with pytest.raises(AnalysisError, match="'Pay invoice': not an activity of this log"):
        EndpointFilter(end_activities=["Pay invoice"]).apply(orders)
    with pytest.raises(AnalysisError, match="'z': not an activity of this log"):
        FollowsFilter("a", "z").apply(orders)
    with pytest.raises(AnalysisError, match="'y', 'z': not an activity"):
        ActivityFilter(["y", "z"]).apply(orders)


def test_progress_reports_each_filter(orders):
    seen = []
    apply_filters(
        orders, [VariantFilter(top_k=2), DurationFilter(max_s=7200)], lambda f, m="": seen.append(m)
    )
    assert seen == ["top 2 variants", "cycle time at most 7,200 s", ""]


@pytest.mark.parametrize(
    "original",
    [
        TimeframeFilter("2024-01-01", "2024-02-01 12:30", "trim"),
        TimeframeFilter(None, "2024-02-01", "contained"),
        AttributeFilter("case:region", ["EU", "US"], keep=False, level="event"),
        VariantFilter(top_k=3, coverage=0.8),
        DurationFilter(min_s=60.5),
        EndpointFilter(start_activities=["a"]),
        FollowsFilter("a", "b", directly=False, keep=False),
        ActivityFilter(["a", "b"]),
    ],
    ids=lambda f: f.kind,
)
def test_filters_survive_a_json_round_trip(original, orders):
    data = json.loads(json.dumps(original.to_dict()))
    assert data["kind"] == original.kind
    rebuilt = filter_from_dict(data)
    assert rebuilt == original
    assert type(rebuilt) is type(original)


def test_every_kind_is_registered():
    assert set(FILTER_KINDS) == {
        "timeframe",
        "attribute",
        "variant",
        "duration",
        "endpoint",
        "follows",
        "activity",
    }


def test_bad_dicts_are_rejected():
    with pytest.raises(ValueError, match="unknown filter kind 'rework'"):
        filter_from_dict({"kind": "rework"})
    with pytest.raises(ValueError, match="no setting colour"):
        filter_from_dict({"kind": "variant", "top_k": 2, "colour": "red"})


def test_case_filters_agree_with_slow_versions_on_a_random_log():
    log = random_log(1500, n_activities=5, seed=9, start=True)
    sequences = dict(zip(log.codes.case_ids.tolist(), sequences_by_case(log), strict=True))

    def directly(seq: tuple[str, ...]) -> bool:
        return any(x == "act 1" and y == "act 2" for x, y in zip(seq, seq[1:], strict=False))

    def eventually(seq: tuple[str, ...]) -> bool:
        return "act 1" in seq and "act 2" in seq[seq.index("act 1") + 1 :]

    assert cases(FollowsFilter("act 1", "act 2").apply(log)) == {
        c for c, s in sequences.items() if directly(s)
    }
    assert cases(FollowsFilter("act 1", "act 2", directly=False).apply(log)) == {
        c for c, s in sequences.items() if eventually(s)
    }
    assert cases(EndpointFilter(["act 0"], ["act 3"]).apply(log)) == {
        c for c, s in sequences.items() if s[0] == "act 0" and s[-1] == "act 3"
    }

    frame = log.frame.assign(begin=log.frame[START].fillna(log.frame[END]))
    spans = frame.groupby(CASE).agg(first=("begin", "min"), last=(END, "max"))
    low, high = pd.Timestamp("2024-03-01", tz="UTC"), pd.Timestamp("2024-05-01", tz="UTC")
    expected = {
        "contained": (spans["first"] >= low) & (spans["last"] < high),
        "intersecting": (spans["first"] < high) & (spans["last"] >= low),
        "started": (spans["first"] >= low) & (spans["first"] < high),
        "completed": (spans["last"] >= low) & (spans["last"] < high),
    }
    for mode, mask in expected.items():
        assert cases(TimeframeFilter(low, high, mode).apply(log)) == set(spans.index[mask]), mode
    seconds = (spans["last"] - spans["first"]).dt.total_seconds()
    assert cases(DurationFilter(min_s=86400).apply(log)) == set(spans.index[seconds >= 86400])
