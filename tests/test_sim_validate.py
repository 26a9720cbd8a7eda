"""The fidelity protocol: the split, the error cases and one small end-to-end run."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sc_improve.errors import AnalysisError
from sc_improve.generate import generate_log
from sc_improve.log.event_log import make_event_log
from sim.validate import MEASURES, split_log, validate_log
from tests.conftest import build_log


def day(d: int, hour: int) -> str:
    return str(pd.Timestamp("2024-01-01") + pd.Timedelta(days=d, hours=hour))


def test_split_is_chronological_by_events_and_drops_cut_cases():
    rows = []
    for c in range(10):
        rows.append((str(c), "a", day(c, 9)))
        rows.append((str(c), "b", day(20 if c == 6 else c, 10)))
    split = split_log(build_log(rows))
    # 20 events, 14 in training: cases 0-5 whole, 6a and 7a; case 6 ends at day 20, case 7 on day 7.
    assert sorted(split.train.frame["case:concept:name"].unique()) == ["0", "1", "2", "3", "4", "5"]
    assert sorted(split.test.frame["case:concept:name"].unique()) == ["8", "9"]
    assert split.dropped_cases == 2
    assert split.split_at == pd.Timestamp(day(7, 9), tz="UTC")


def test_too_small_a_log_is_refused_with_the_reason():
    rows = [(str(c), "a", day(c, 9)) for c in range(30)]
    with pytest.raises(AnalysisError, match="test part has 9 complete case"):
        validate_log(build_log(rows), replications=1, processes=1)


def test_replications_must_be_positive():
    with pytest.raises(ValueError, match="replications"):
        validate_log(build_log([("1", "a", day(0, 9))]), replications=0)


def test_generated_log_is_reproduced_closely_and_the_report_serialises():
    frame = generate_log("p2p", events=3000, seed=7).rename(
        columns={
            "case_id": "case:concept:name",
            "activity": "concept:name",
            "start_time": "start_timestamp",
            "end_time": "time:timestamp",
            "resource": "org:resource",
        }
    )
    frame = frame[["case:concept:name", "concept:name", "start_timestamp", "time:timestamp", "org:resource"]]
    log = make_event_log(frame, source="generated p2p")
    report = validate_log(log, replications=2, seed=3, processes=1)
    assert set(report.measures) == set(MEASURES)
    assert len(report.runs) == 2
    assert all(run["simulated_cases"] == report.test_cases for run in report.runs)
    # The generator's routing is a first-order process: an order-2 model must reproduce its 3-grams.
    assert report.measures["n_gram_distance"].mean < 0.15
    assert report.measures["n_gram_distance"].low <= report.measures["n_gram_distance"].high
    assert report.grade in ("good", "fair", "poor")
    assert report.verdict.startswith(f"Overall: {report.grade} ")
    assert json.loads(json.dumps(report.to_dict()))["test_cases"] == report.test_cases
