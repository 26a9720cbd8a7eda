"""check_quality: routing of thresholds, report order, progress, and a 200k-event random log."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, START
from sc_improve.log.event_log import make_event_log
from sc_improve.progress import Cancelled
from sc_improve.quality import (
    CHECKS,
    QualityReport,
    check_quality,
    duplicate_events,
    quality_thresholds,
    same_timestamp,
)
from sc_improve.quality.types import SEVERITY_ORDER, Finding
from tests.conftest import build_log
from tests.test_quality_checks import NOW, clean_log


def test_clean_log_gives_an_empty_report_of_all_checks():
    report = check_quality(clean_log(), now=NOW)
    assert report.findings == []
    assert report.checks_run == list(CHECKS)
    assert (report.n_events, report.n_cases) == (36, 12)


def test_report_is_sorted_by_severity_then_count():
    findings = [
        Finding("b", "info", 50, "events", "m"),
        Finding("a", "warning", 3, "events", "m"),
        Finding("c", "error", 1, "rows", "m"),
        Finding("d", "warning", 9, "events", "m"),
    ]
    report = QualityReport(findings, ["a", "b", "c", "d"], 10, 2)
    assert [f.check for f in report.findings] == ["c", "d", "a", "b"]
    assert report.count_by_severity() == {"error": 1, "warning": 2, "info": 1}
    assert report.for_check("a") == [findings[1]]


def test_report_of_a_dirty_log_is_ordered_and_serialisable():
    log = build_log(
        [
            ("1", "a", "2024-01-01 08:00"),
            ("1", "a", "2024-01-01 08:00"),
            ("1", "A", "1970-01-01 00:00"),
            ("2", "b", "2024-01-02 09:00"),
        ]
    )
    report = check_quality(log, now=NOW)
    ranks = [(SEVERITY_ORDER[f.severity], -f.count) for f in report.findings]
    assert ranks == sorted(ranks)
    assert {"duplicate_events", "timestamp_outliers", "synonymous_labels", "same_timestamp"} <= {
        f.check for f in report.findings
    }
    data = json.loads(json.dumps(report.to_dict()))
    assert data["n_events"] == 4 and len(data["findings"]) == len(report.findings)
    assert isinstance(data["findings"][0]["examples"], list)


def test_thresholds_are_routed_by_name_and_unknown_names_rejected():
    log = build_log([("1", "a", "2024-01-01 08:00:10"), ("1", "b", "2024-01-01 08:00:10")])
    assert check_quality(log, checks=["same_timestamp"]).findings[0].severity == "warning"
    tuned = check_quality(log, checks=["same_timestamp"], same_timestamp_warning_share=1.5)
    assert tuned.findings[0].severity == "info"
    assert quality_thresholds()["now"].checks == ("timestamp_outliers", "incomplete_cases")
    assert quality_thresholds()["same_timestamp_warning_share"].default == 0.05
    with pytest.raises(TypeError, match="unknown quality threshold"):
        check_quality(log, same_timestamp_warning=0.5)
    with pytest.raises(ValueError, match="unknown quality check"):
        check_quality(log, checks=["spelling"])


def test_progress_runs_from_zero_to_one_and_can_cancel(simple_log):
    seen: list[float] = []
    check_quality(simple_log, progress=lambda fraction, message="": seen.append(fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    assert len(seen) == len(CHECKS) + 1

    def cancel(fraction: float, message: str = "") -> None:
        if fraction > 0.5:
            raise Cancelled

    with pytest.raises(Cancelled):
        check_quality(simple_log, progress=cancel)


def random_frame(n_events: int, seed: int = 7) -> pd.DataFrame:
    """Two years of cases with frequent ties (times on a 5-minute grid), injected exact copies,
    and two spelling variants among the activity labels."""
    rng = np.random.default_rng(seed)
    n_cases = n_events // 5
    case = rng.integers(0, n_cases, n_events)
    spacing = 2 * 365 * 86_400 * 10**9 // n_cases
    base = pd.Timestamp("2023-01-01").value + case.astype(np.int64) * spacing
    end = base + rng.integers(0, 48, n_events) * 300 * 10**9
    start = end - rng.integers(1, 30, n_events) * 60 * 10**9
    resources = np.array([f"user{i}" for i in range(30)] + [None], dtype=object)
    labels = [f"step {i}" for i in range(8)] + ["Step 0", "step-1"]
    frame = pd.DataFrame(
        {
            CASE: case.astype(str),
            ACTIVITY: np.array(labels, dtype=object)[rng.integers(0, len(labels), n_events)],
            END: pd.to_datetime(end),
            START: pd.to_datetime(start).where(rng.random(n_events) > 0.2),
            RESOURCE: resources[rng.integers(0, len(resources), n_events)],
        }
    )
    copies = frame.sample(frac=0.01, random_state=seed)
    return pd.concat([frame, copies], ignore_index=True).sample(frac=1.0, random_state=seed)


def test_random_200k_log_counts_match_pandas():
    frame = random_frame(200_000)
    log = make_event_log(frame.reset_index(drop=True))
    report = check_quality(log, now=NOW)

    expected_duplicates = int(frame.duplicated([CASE, ACTIVITY, END, RESOURCE, START]).sum())
    sizes = frame.groupby([CASE, END]).size()
    expected_tied = int(sizes[sizes > 1].sum())
    assert expected_duplicates > 2_000 and expected_tied > 10_000

    (duplicates,) = report.for_check("duplicate_events")
    (tied,) = report.for_check("same_timestamp")
    assert duplicates.count == expected_duplicates
    assert tied.count == expected_tied
    assert report.n_events == len(frame)
    assert report.for_check("start_after_end") == []
    (synonyms,) = report.for_check("synonymous_labels")
    assert synonyms.examples == ("'step 0' / 'Step 0'", "'step 1' / 'step-1'")


event_rows = st.lists(
    st.tuples(
        st.sampled_from(["1", "2", "3"]),
        st.sampled_from(["a", "b"]),
        st.integers(0, 2),
        st.sampled_from(["Ann", "Bob", None]),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(event_rows)
def test_duplicates_and_ties_agree_with_pandas_on_any_small_log(rows):
    frame = pd.DataFrame(rows, columns=[CASE, ACTIVITY, "minute", RESOURCE])
    frame[END] = pd.Timestamp("2024-01-01") + pd.to_timedelta(frame.pop("minute"), unit="min")
    log = make_event_log(frame)
    sizes = frame.groupby([CASE, END]).size()
    expected_dup = int(frame.duplicated([CASE, ACTIVITY, END, RESOURCE]).sum())
    expected_tied = int(sizes[sizes > 1].sum())
    assert sum(f.count for f in duplicate_events(log)) == expected_dup
    assert sum(f.count for f in same_timestamp(log)) == expected_tied
