"""Text attributes with few distinct values are stored as categoricals, in every reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sc_improve.columns import ACTIVITY, CASE, RESOURCE
from sc_improve.discovery.filters import AttributeFilter
from sc_improve.log.categories import MAX_DISTINCT_SHARE, compact_text, repetitive_text_columns
from sc_improve.log.event_log import STRING_DTYPE
from sc_improve.log.mapping import ColumnMapping
from sc_improve.log.read import read_log
from sc_improve.performance.bottlenecks import find_bottlenecks

PLANTS = ("DE01", "US02", "CN03")


def write_orders(path: Path, rows: int = 400) -> Path:
    """Orders of two events each: plant and vendor per case, a note per event, a unique document number."""
    rng = np.random.default_rng(3)
    lines = ["order,step,time,user,plant,vendor,note,document"]
    for index in range(rows // 2):
        plant = PLANTS[index % 3]
        vendor = "" if index % 7 == 0 else f"Vendor {index % 5}"
        created = pd.Timestamp("2024-03-01 08:00") + pd.Timedelta(days=index % 28)
        wait = pd.Timedelta(days=3 if plant == "CN03" else 0, hours=1 + int(rng.integers(0, 5)))
        for step, moment in (("Create", created), ("Approve", created + wait)):
            note = ["ok", "late", "urgent"][int(rng.integers(0, 3))]
            fields = (f"PO{index:05d}", step, moment.isoformat(), f"U{index % 4}", plant, vendor, note)
            lines.append(",".join((*fields, f"D{len(lines):07d}")))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_repetitive_text_attributes_become_sorted_categoricals(tmp_path):
    log = read_log(write_orders(tmp_path / "orders.csv"))
    frame = log.frame
    plant, vendor, note = frame["case:plant"], frame["case:vendor"], frame["note"]
    assert plant.dtype == "category" and plant.cat.categories.tolist() == ["CN03", "DE01", "US02"]
    assert vendor.dtype == "category" and vendor.isna().sum() == 2 * 29
    assert note.dtype == "category" and set(note.cat.categories) == {"late", "ok", "urgent"}
    assert frame["document"].dtype == STRING_DTYPE
    for key in (CASE, ACTIVITY, RESOURCE):
        assert frame[key].dtype == STRING_DTYPE


def test_categorical_values_match_the_file(tmp_path):
    path = write_orders(tmp_path / "orders.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    log = read_log(path)
    rows = log.frame["@@source_row"].to_numpy() - 1
    expected_vendor = [value or None for value in raw["vendor"].iloc[rows]]
    got_vendor = [None if pd.isna(v) else v for v in log.frame["case:vendor"]]
    assert got_vendor == expected_vendor
    assert log.frame["note"].astype(str).tolist() == raw["note"].iloc[rows].tolist()


def test_case_attribute_promotion_compares_categorical_codes(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "case,activity,time,region,channel\n"
        "1,a,2024-01-01 08:00,EU,web\n1,b,2024-01-01 09:00,EU,phone\n"
        "2,a,2024-01-02 08:00,,web\n2,b,2024-01-02 09:00,,web\n"
        "3,a,2024-01-03 08:00,US,web\n3,b,2024-01-03 09:00,US,web\n"
        "4,a,2024-01-04 08:00,US,phone\n4,b,2024-01-04 09:00,US,phone\n"
    )
    frame = read_log(path).frame
    assert "case:region" in frame.columns and frame["case:region"].dtype == "category"
    assert "channel" in frame.columns and "case:channel" not in frame.columns


def test_filters_and_bottlenecks_work_on_categorical_attributes(tmp_path):
    log = read_log(write_orders(tmp_path / "orders.csv"))
    kept = AttributeFilter("case:plant", ["DE01"]).apply(log)
    assert kept.n_cases == sum(1 for index in range(200) if PLANTS[index % 3] == "DE01")
    assert set(kept.frame["case:plant"]) == {"DE01"}
    dropped = AttributeFilter("case:plant", ["DE01"], keep=False).apply(log)
    assert kept.n_cases + dropped.n_cases == log.n_cases
    drivers = find_bottlenecks(log).cycle_time.drivers
    assert drivers is not None and drivers.drivers[0].feature == "case:plant"
    slow = [(group.feature, group.group) for group in drivers.groups]
    assert ("case:plant", "CN03") in slow


def test_compact_text_keeps_near_unique_and_empty_columns_as_they_are():
    share = MAX_DISTINCT_SHARE
    few = pa.chunked_array([["x", "y"] * 10])
    unique = pa.chunked_array([[f"v{i}" for i in range(20)]])
    assert compact_text(few) is not None
    assert compact_text(unique) is None
    assert compact_text(pa.chunked_array([pa.nulls(5, pa.string())])) is None
    assert compact_text(pa.chunked_array([[1, 2, 1]])) is None
    borderline = pa.chunked_array([[f"v{i % int(20 * share)}" for i in range(20)]])
    assert compact_text(borderline) is not None


def test_categoricals_cost_less_memory_than_text(tmp_path):
    log = read_log(write_orders(tmp_path / "orders.csv", rows=4000))
    plant = log.frame["case:plant"]
    as_text = plant.astype(STRING_DTYPE)
    assert plant.memory_usage(deep=True) < as_text.memory_usage(deep=True) / 3


def test_the_reader_encodes_the_repetitive_text_columns_of_the_sample():
    sample = pa.table(
        {
            "order": [f"PO{i}" for i in range(100)],
            "step": ["Create", "Approve"] * 50,
            "when": ["2024-01-01T08:00:00"] * 100,
            "plant": ["DE01", "US02", None, "DE01"] * 25,
            "qty": [str(i % 3) for i in range(100)],
            "document": [f"D{i}" for i in range(100)],
            "empty": pa.nulls(100, pa.string()),
        }
    )
    mapping = ColumnMapping(case=["order"], activity=["step"], timestamp=["when"])
    assert repetitive_text_columns(sample, mapping) == ["plant"]
    assert (
        repetitive_text_columns(sample, ColumnMapping(case=["plant"], activity=["step"], timestamp=["when"]))
        == []
    )


def test_a_column_that_only_repeats_in_the_sample_is_read_as_text(tmp_path):
    """The first 5,000 rows decide the encoding; values further down must still all arrive."""
    path = tmp_path / "log.csv"
    rows = [
        f"{i // 2},{'ab'[i % 2]},2024-01-01T08:00:00,{'same' if i < 6000 else f'n{i}'}" for i in range(40_000)
    ]
    path.write_text("case,activity,time,label\n" + "\n".join(rows) + "\n")
    frame = read_log(path).frame
    label = frame["label"]
    assert label.dtype == STRING_DTYPE
    expected = ["same" if row < 6000 else f"n{row}" for row in frame["@@source_row"].to_numpy() - 1]
    assert label.tolist() == expected
