"""The table-based fast paths of the performance helpers agree with their general (sort/hash) paths.

Small keys are counted over the key space and small (case, group) spaces with a flag
table; large ones fall back to compact()'s hash table and packed sorts. Forcing the
fallbacks on a whole report must not change any figure.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sc_improve.columns import RESOURCE
from sc_improve.log.event_log import make_event_log
from sc_improve.performance import find_bottlenecks, grouped, resource_analysis, resources
from sc_improve.performance.case_features import _values_at
from sc_improve.performance.grouped import compact, distinct_cases, ranked_medians
from sc_improve.performance.resources import _top_keys, names_at
from tests.test_performance_random import random_log


def _force_general_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grouped, "DENSE_FACTOR", 0)
    monkeypatch.setattr(grouped, "DENSE_MINIMUM", 0)
    monkeypatch.setattr(grouped, "DISTINCT_DENSE_FACTOR", 0)


def test_distinct_cases_flag_table_and_sort_agree(monkeypatch):
    rng = np.random.default_rng(11)
    groups = rng.integers(-1, 40, 20_000)
    case = rng.integers(0, 3_000, 20_000)  # any order: neither path needs sorted cases
    by_pandas = pd.DataFrame({"g": groups, "c": case}).query("g >= 0").groupby("g")["c"].nunique()
    table = distinct_cases(groups, case, 40)
    _force_general_paths(monkeypatch)
    assert table.tolist() == distinct_cases(groups, case, 40).tolist() == by_pandas.tolist()


def test_top_keys_count_and_rank_the_same_on_both_paths(monkeypatch):
    rng = np.random.default_rng(5)
    keys = rng.zipf(1.5, 20_000) % 5_000
    keys[:300] = 4_321  # a clear winner; the rest has many ties in frequency
    best, rank = _top_keys(keys, 20)
    _force_general_paths(monkeypatch)
    general_best, general_rank = _top_keys(keys, 20)
    monkeypatch.setattr(resources, "RANK_TABLE_LIMIT", 0)
    searched_best, searched_rank = _top_keys(keys, 20)
    assert best.tolist() == general_best.tolist() == searched_best.tolist()
    assert rank.tolist() == general_rank.tolist() == searched_rank.tolist()
    counts = pd.Series(keys).value_counts()
    expected = sorted(counts.index, key=lambda key: (-counts[key], key))[:20]
    assert best.tolist() == expected
    assert rank.tolist() == [expected.index(key) if key in expected else -1 for key in keys.tolist()]


def test_names_at_builds_the_default_text_column():
    names = np.array(["amy", "bob", "cid"], dtype=object)
    codes = np.array([2, 0, 0, 1])
    column = pd.Series(names_at(names, codes))
    pd.testing.assert_series_equal(column, pd.Series(["cid", "amy", "amy", "bob"]))


def test_compact_dense_path_numbers_keys_in_order():
    codes, uniques = compact(np.array([9, -1, 2, 9, 4, -1]))
    assert uniques.tolist() == [2, 4, 9]
    assert codes.tolist() == [2, -1, 0, 2, 1, -1]


def test_ranked_medians_match_pandas():
    rng = np.random.default_rng(12)
    values = rng.exponential(86400.0, 5_000)
    groups = rng.integers(-1, 30, 5_000)
    order = np.argsort(values)
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order))
    count, median = ranked_medians(values[order], rank, groups, 31)  # group 30 stays empty
    frame = pd.DataFrame({"g": groups, "v": values}).query("g >= 0").groupby("g")["v"]
    assert count[:30].tolist() == frame.size().tolist() and count[30] == 0
    np.testing.assert_allclose(median[:30], frame.median().to_numpy(), rtol=1e-15)
    assert np.isnan(median[30])


def test_workload_over_a_long_span_uses_the_hash_path_and_stays_ordered():
    """Two resources a century apart: keys far beyond the rows, so cells are hashed, then ordered."""
    log = make_event_log(
        pd.DataFrame(
            {
                "case:concept:name": ["1", "1", "2", "2"],
                "concept:name": ["a", "b", "a", "b"],
                "time:timestamp": pd.to_datetime(
                    ["2024-01-01 10:00", "2024-01-02 10:00", "1924-01-01 10:00", "1924-01-01 12:00"]
                ),
                "start_timestamp": pd.to_datetime(
                    ["2024-01-01 09:00", "2024-01-02 08:00", "1924-01-01 09:30", "1924-01-01 11:00"]
                ),
                RESOURCE: ["zed", "amy", "zed", "amy"],
            }
        )
    )
    workload = resource_analysis(log).workload
    assert workload["resource"].tolist() == ["amy", "amy", "zed", "zed"]
    assert workload["period_start"].dt.year.tolist() == [1924, 2024, 1924, 2024]
    assert workload["busy_s"].tolist() == [3600.0, 7200.0, 1800.0, 3600.0]


@pytest.mark.parametrize("starts", [False, True])
def test_report_is_the_same_with_the_general_paths(monkeypatch, starts):
    log = random_log(3_000, starts=starts, seed=4)
    frame = log.frame.copy()
    frame.loc[np.random.default_rng(2).random(len(frame)) < 0.1, RESOURCE] = None
    log = log.with_frame(frame)
    fast = find_bottlenecks(log).to_dict()
    _force_general_paths(monkeypatch)
    general = find_bottlenecks(log).to_dict()
    for report in (fast, general):
        # Rows with equal sort keys may come in another order.
        report["transitions"]["rows"].sort(key=lambda row: (row["source"], row["target"]))
        report["items"].sort(key=lambda item: (item["kind"], item["name"]))
    assert fast == general


def test_importing_the_package_does_not_import_scikit_learn():
    code = "import sys, sc_improve.performance; print('sklearn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_values_at_reads_arrow_chunks_like_iloc():
    parts = [
        pd.Series(values, dtype="string[pyarrow]") for values in (["a", "b", None], ["c"], [], ["d", "a"])
    ]
    column = pd.concat(parts, ignore_index=True).rename("case:x")
    assert column.array.__arrow_array__().num_chunks > 1
    rows = np.array([0, 2, 3, 5])
    expected = column.iloc[rows].reset_index(drop=True)
    pd.testing.assert_series_equal(_values_at(column, rows), expected)
    numbers = pd.Series([1.5, 2.5, 3.5], name="case:y")
    pd.testing.assert_series_equal(
        _values_at(numbers, np.array([1, 2])), pd.Series([2.5, 3.5], name="case:y")
    )
