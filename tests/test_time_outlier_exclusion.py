"""One rule, shared by `analyze` and simulation discovery, for cases with implausible dates."""

from __future__ import annotations

import pandas as pd

from sc_improve.analysis import exclude_time_outliers
from sc_improve.log.event_log import make_event_log
from sim.discover.clean import without_time_outliers


def log_with(outlier_cases: int, cases: int = 40):
    rows = []
    for case in range(cases):
        year = 1970 if case < outlier_cases else 2024
        rows.append((str(case), "a", f"{year}-03-0{1 + case % 5} 08:00"))
        rows.append((str(case), "b", f"{year}-03-09 09:00"))
    frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"])
    return make_event_log(frame)


def test_a_few_stray_cases_are_left_out_by_both():
    log = log_with(outlier_cases=1)
    exclusion = exclude_time_outliers(log)
    assert (exclusion.outlier_cases, exclusion.excluded_cases, exclusion.log.n_cases) == (1, 1, 39)
    kept, note = without_time_outliers(log)
    assert kept.n_cases == 39 and "1 case(s) (2 events)" in note


def test_a_shifted_time_axis_keeps_every_case():
    log = log_with(outlier_cases=30)
    exclusion = exclude_time_outliers(log)
    assert exclusion.axis_shifted and exclusion.log.n_cases == 40
    kept, note = without_time_outliers(log)
    assert kept.n_cases == 40 and "shifted" in note


def test_a_clean_log_is_untouched():
    exclusion = exclude_time_outliers(log_with(outlier_cases=0))
    assert (exclusion.outlier_cases, exclusion.excluded_cases, exclusion.axis_shifted) == (0, 0, False)
