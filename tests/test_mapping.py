"""Column mapping: suggestion from names and contents, overrides, files, and applying it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, SOURCE_ROW, START
from sc_improve.errors import LogImportError
from sc_improve.log.build import _case_time_order, apply_mapping, typed
from sc_improve.log.event_log import sort_canonical
from sc_improve.log.mapping import (
    ColumnMapping,
    MappingSuggestion,
    apply_overrides,
    load_mapping,
    parse_columns,
    save_mapping,
)
from sc_improve.log.suggest import suggest_mapping

DATA = Path(__file__).parent / "data" / "import"


def text_frame(columns: dict[str, list[str | None]]) -> pd.DataFrame:
    return pd.DataFrame(columns).astype("string[pyarrow]")


def sap_sample() -> pd.DataFrame:
    return text_frame(
        {
            "EBELN": ["4500000001"] * 3 + ["4500000002"] * 3,
            "EBELP": ["00010", "00010", "00020", "00010", "00010", "00010"],
            "TCODE": ["ME21N", "ME29N", "MIGO", "ME21N", "ME29N", "MIRO"],
            "ERDAT": ["20240131", "20240201", "20240205", "20240131", "20240202", "20240210"],
            "ERZET": ["143005", "090000", "101500", "150000", "080000", "120000"],
            "USNAM": ["MUELLER", "SCHMIDT", "MUELLER", "WEBER", "SCHMIDT", "WEBER"],
        }
    )


def test_suggestion_for_sap_field_names():
    suggestion = suggest_mapping(sap_sample())
    mapping = suggestion.mapping
    assert mapping.case == ["EBELN", "EBELP"]
    assert mapping.activity == ["TCODE"]
    assert mapping.timestamp == ["ERDAT", "ERZET"]
    assert mapping.resource == "USNAM"
    assert "purchase order item" in suggestion.reasons["case"]
    assert "ERZET" in suggestion.reasons["timestamp"]
    assert suggestion.confidence["case"] > 0.5


def test_suggestion_for_disco_style_headers():
    sample = text_frame(
        {
            "Case ID": ["c1", "c1", "c2", "c2"],
            "Activity": ["Create", "Approve", "Create", "Approve"],
            "Start Timestamp": ["2024/01/01 08:00:00", "2024/01/01 09:00:00"] * 2,
            "Complete Timestamp": ["2024/01/01 08:30:00", "2024/01/01 09:30:00"] * 2,
            "Resource": ["Kim", "Lee", "Kim", "Lee"],
        }
    )
    mapping = suggest_mapping(sample).mapping
    assert mapping.case == ["Case ID"]
    assert mapping.activity == ["Activity"]
    assert mapping.timestamp == ["Complete Timestamp"]
    assert mapping.start == ["Start Timestamp"]
    assert mapping.resource == "Resource"


def test_suggestion_for_the_purchasing_example_excerpt():
    sample = pd.read_csv(DATA / "purchasing_excerpt.csv", dtype="string[pyarrow]")
    mapping = suggest_mapping(sample).mapping
    assert (mapping.case, mapping.activity) == (["case_id"], ["activity"])
    assert (mapping.timestamp, mapping.start, mapping.resource) == (["end_time"], ["start_time"], "resource")


def test_suggestion_for_pm4py_column_names():
    sample = pd.read_csv(DATA / "interval_excerpt.csv", dtype="string[pyarrow]")
    suggestion = suggest_mapping(sample)
    assert suggestion.mapping.case == ["case:concept:name"]
    assert suggestion.mapping.activity == ["concept:name"]
    assert suggestion.mapping.timestamp == ["time:timestamp"]
    assert suggestion.mapping.start == ["start_timestamp"]
    assert suggestion.confidence["timestamp"] == 1.0


def test_suggestion_from_contents_when_names_say_nothing():
    sample = text_frame(
        {
            "c1": [f"2024-01-{1 + i // 4:02d} 10:{i % 60:02d}" for i in range(40)],
            "c2": [f"K{i // 4}" for i in range(40)],
            "c3": ["Create", "Approve", "Ship", "Invoice"] * 10,
        }
    )
    mapping = suggest_mapping(sample).mapping
    assert mapping.timestamp == ["c1"]
    assert mapping.case == ["c2"]
    assert mapping.activity == ["c3"]
    assert mapping.resource is None


def test_a_date_named_column_that_does_not_parse_is_not_the_timestamp():
    sample = text_frame(
        {"case": ["1", "1", "2"], "activity": ["a", "b", "a"], "date": ["soon", "later", "never"]}
    )
    suggestion = suggest_mapping(sample)
    assert suggestion.mapping.timestamp == []
    assert "choose one" in suggestion.reasons["timestamp"]


def test_lifecycle_column_is_suggested_when_there_is_no_start_time():
    sample = text_frame(
        {
            "case": ["1", "1", "2", "2"],
            "activity": ["a", "a", "b", "b"],
            "time": ["2024-01-01 08:00", "2024-01-01 09:00", "2024-01-02 08:00", "2024-01-02 09:00"],
            "transition": ["start", "complete", "start", "complete"],
        }
    )
    assert suggest_mapping(sample).mapping.lifecycle == "transition"


def test_override_parsing():
    available = ["EBELN", "EBELP", "ERDAT", "ERZET", "Amount, EUR"]
    assert parse_columns("EBELN, EBELP", available, role="case") == ["EBELN", "EBELP"]
    assert parse_columns("ERDAT+ERZET", available, role="timestamp") == ["ERDAT", "ERZET"]
    assert parse_columns("Amount, EUR", available, role="attributes") == ["Amount, EUR"]
    with pytest.raises(LogImportError, match=r"joined with '\+'"):
        parse_columns("ERDAT,ERZET", available, role="timestamp")


def test_unknown_column_lists_the_closest_first():
    with pytest.raises(LogImportError) as caught:
        parse_columns("EBLEN", ["ERDAT", "USNAM", "EBELN"], role="case")
    assert caught.value.column == "EBLEN"
    assert str(caught.value).index("'EBELN'") < str(caught.value).index("'USNAM'")


def test_apply_overrides_replaces_roles_and_says_so():
    suggestion = suggest_mapping(sap_sample())
    changed = apply_overrides(suggestion, case="EBELN", resource="", dayfirst="no", timestamp="ERDAT")
    assert changed.mapping.case == ["EBELN"]
    assert changed.mapping.resource is None
    assert changed.mapping.dayfirst is False
    assert changed.mapping.timestamp == ["ERDAT"]
    assert changed.reasons["case"] == "set by you"
    assert suggestion.mapping.case == ["EBELN", "EBELP"]
    with pytest.raises(LogImportError, match="unknown mapping options"):
        apply_overrides(suggestion, colour="red")
    with pytest.raises(LogImportError, match="cannot be empty"):
        apply_overrides(suggestion, case="")


def test_mapping_file_round_trip(tmp_path):
    mapping = ColumnMapping(
        case=["EBELN", "EBELP"],
        activity=["Activity", "Lifecycle"],
        timestamp=["ERDAT", "ERZET"],
        resource="USNAM",
        attributes=["NETWR"],
        timestamp_format="%Y%m%d",
        dayfirst=True,
        separator="-",
    )
    path = tmp_path / "sap.json"
    save_mapping(mapping, path)
    assert load_mapping(path) == mapping
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["format"] == "sc-improve column mapping"
    assert stored["timestamp"] == ["ERDAT", "ERZET"]
    assert [p.name for p in tmp_path.iterdir()] == ["sap.json"]


def test_hand_written_mapping_file_in_override_syntax(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(
        '{"case": "EBELN,EBELP", "activity": "TCODE", "timestamp": "CPUDT+CPUTM", "dayfirst": "yes"}'
    )
    mapping = load_mapping(path)
    assert mapping.case == ["EBELN", "EBELP"]
    assert mapping.timestamp == ["CPUDT", "CPUTM"]
    assert mapping.dayfirst is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not a readable JSON"),
        ('{"case": 5}', "column name"),
        ('{"colour": "red"}', "unknown keys"),
    ],
)
def test_bad_mapping_files(tmp_path, text, message):
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(LogImportError, match=message):
        load_mapping(path)


def test_apply_mapping_combines_columns_and_parses_date_plus_time():
    raw = text_frame(
        {
            "EBELN": ["4500000001", "4500000001", "4500000002"],
            "EBELP": ["00010", "00010", "00010"],
            "Activity": ["Create", "Approve", "Create"],
            "Status": ["ok", "ok", None],
            "ERDAT": ["31.01.2024", "01.02.2024", "02.02.2024"],
            "ERZET": ["143005", "090000", "101500"],
        }
    )
    mapping = ColumnMapping(
        case=["EBELN", "EBELP"], activity=["Activity", "Status"], timestamp=["ERDAT", "ERZET"]
    )
    log = apply_mapping(raw, mapping, source="po.csv")
    assert log.frame[CASE].tolist() == ["4500000001|00010"] * 2 + ["4500000002|00010"]
    assert log.frame[ACTIVITY].tolist() == ["Create|ok", "Approve|ok", "Create"]
    assert log.frame[END].tolist()[0] == pd.Timestamp("2024-01-31 14:30:05", tz="UTC")
    assert log.mapping["case"] == ["EBELN", "EBELP"]
    assert log.source == "po.csv"


def test_unparseable_end_drops_the_row_and_unparseable_start_keeps_it():
    raw = text_frame(
        {
            "case": ["1", "1", "2"],
            "activity": ["a", "b", "c"],
            "start": ["2024-01-01 07:00", "garbage", "2024-01-02 07:00"],
            "end": ["2024-01-01 08:00", "2024-01-01 09:00", "not a time"],
        }
    )
    log = apply_mapping(
        raw, ColumnMapping(case=["case"], activity=["activity"], timestamp=["end"], start=["start"])
    )
    assert log.n_events == 2
    assert log.raw_event_count == 3
    issues = log.issues.set_index("reason")
    assert issues.loc["unparseable timestamp", "source_row"] == 3
    assert issues.loc["unparseable timestamp", "value"] == "not a time"
    assert bool(issues.loc["unparseable timestamp", "dropped"]) is True
    assert issues.loc["unparseable start timestamp", "source_row"] == 2
    assert bool(issues.loc["unparseable start timestamp", "dropped"]) is False
    assert log.frame[START].isna().tolist() == [False, True]
    assert log.frame[SOURCE_ROW].tolist() == [1, 2]


def test_case_attributes_are_detected_and_numbers_typed():
    raw = text_frame(
        {
            "case": ["1", "1", "2", "2"],
            "activity": ["a", "b", "a", "b"],
            "time": ["2024-01-01 08:00", "2024-01-01 09:00", "2024-01-02 08:00", "2024-01-02 09:00"],
            "vendor": ["V1", "V1", "V2", "V2"],
            "amount": ["10", "12", "7", "7"],
            "item": ["00010", "00020", "00010", "00020"],
        }
    )
    mapping = ColumnMapping(case=["case"], activity=["activity"], timestamp=["time"])
    log = apply_mapping(raw, mapping, numbers_from_text=True)
    assert "case:vendor" in log.case_attributes
    assert "amount" in log.event_attributes and "item" in log.event_attributes
    assert log.frame["amount"].tolist() == [10, 12, 7, 7]
    assert log.frame["item"].tolist()[0] == "00010"


def test_typed_handles_decimal_commas_only_when_told():
    values = pd.Series(["12,5", "3,0"], dtype="string[pyarrow]").array.__arrow_array__()
    assert str(typed(values).type) == "large_string"
    assert typed(values, decimal_comma=True).tolist() == [12.5, 3.0]


def test_canonical_names_among_attributes_are_renamed():
    raw = text_frame(
        {
            "id": ["1", "1"],
            "step": ["a", "b"],
            "time": ["2024-01-01", "2024-01-02"],
            "org:resource": ["x", "y"],
        }
    )
    log = apply_mapping(raw, ColumnMapping(case=["id"], activity=["step"], timestamp=["time"]))
    assert "org:resource (source)" in log.frame.columns
    assert RESOURCE not in log.frame.columns


def test_missing_roles_and_columns_are_reported():
    raw = text_frame({"id": ["1"], "step": ["a"], "time": ["2024-01-01"]})
    with pytest.raises(LogImportError, match="no column is chosen as the case id"):
        apply_mapping(raw, ColumnMapping(activity=["step"], timestamp=["time"]))
    with pytest.raises(LogImportError, match="there is no column 'tme'") as caught:
        apply_mapping(raw, ColumnMapping(case=["id"], activity=["step"], timestamp=["tme"]))
    assert "'time'" in str(caught.value)
    with pytest.raises(LogImportError, match="not both"):
        apply_mapping(
            raw,
            ColumnMapping(
                case=["id"], activity=["step"], timestamp=["time"], start=["time"], lifecycle="step"
            ),
        )


def test_lifecycle_column_pairs_start_and_complete_events():
    raw = text_frame(
        {
            "case": ["1", "1", "2", "2"],
            "activity": ["a", "a", "b", "b"],
            "time": ["2024-01-01 08:00", "2024-01-01 09:00", "2024-01-02 08:00", "2024-01-02 10:00"],
            "transition": ["start", "complete", "start", "complete"],
        }
    )
    mapping = ColumnMapping(case=["case"], activity=["activity"], timestamp=["time"], lifecycle="transition")
    log = apply_mapping(raw, mapping)
    assert log.n_events == 2
    assert log.raw_event_count == 4
    assert log.frame[START].tolist() == [
        pd.Timestamp("2024-01-01 08:00", tz="UTC"),
        pd.Timestamp("2024-01-02 08:00", tz="UTC"),
    ]
    assert any("paired" in note for note in log.notes)


def test_suggestion_object_keeps_available_columns():
    suggestion = MappingSuggestion(ColumnMapping(case=["a"]), columns=["a", "b"])
    assert apply_overrides(suggestion, activity="b").mapping.activity == ["b"]


def test_rows_come_out_in_canonical_order_even_when_a_case_starts_with_a_dropped_row():
    raw = text_frame(
        {
            "case": ["X", "Y", "X", "Y"],
            "activity": ["a", "b", "c", "d"],
            "time": [None, "2024-01-02", "2024-01-03", "2024-01-01"],
        }
    )
    log = apply_mapping(raw, ColumnMapping(case=["case"], activity=["activity"], timestamp=["time"]))
    assert log.frame[ACTIVITY].tolist() == ["d", "b", "c"]
    assert log.frame[SOURCE_ROW].tolist() == [4, 2, 3]
    assert log.issues["reason"].tolist() == ["no end timestamp"]
    assert sort_canonical(log.frame)[ACTIVITY].tolist() == ["d", "b", "c"]


def test_case_time_order_matches_a_lexicographic_sort():
    rng = np.random.default_rng(3)
    case = rng.integers(0, 20, 500)
    end = rng.integers(0, 50, 500)
    assert np.array_equal(_case_time_order(case, end), np.lexsort((end, case)))
    ordered = np.lexsort((end, case))
    assert np.array_equal(_case_time_order(case[ordered], end[ordered]), np.arange(500))


def test_numeric_share_counts_each_row_as_pandas_reads_it():
    import pyarrow as pa
    import pyarrow.compute as pc

    from sc_improve.log.suggest import _numeric_share

    values = ["1", "1", "2.5", "abc", "1e3", "nan", "abc", "0x1", "-7", "1,5", "+3", "1.", ".5", "inf"]
    values += ["\u0661\u0662", "12345678901234567890123", "1_000", "1.0.0", " 4", "\u00b2", "-0"]
    counts = pc.value_counts(pa.chunked_array([pa.array(values, pa.large_string())]))
    expected = float(pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").notna().mean())
    assert _numeric_share(counts, len(values)) == expected


def test_codes_kept_from_the_import_equal_a_fresh_encoding():
    from sc_improve.log.event_log import encode

    raw = pd.DataFrame(
        {
            "case": ["2", "1", "2", "", "1", "3", "1"],
            "activity": ["b", "a", "a", "x", "c", "a", None],
            "time": [
                "2024-01-02",
                "2024-01-03",
                "2024-01-01",
                "2024-01-01",
                "oops",
                "2024-01-05",
                "2024-01-09",
            ],
            "user": ["u2", "u1", None, "u1", "u3", "u1", "u1"],
        }
    )
    mapping = ColumnMapping(case=["case"], activity=["activity"], timestamp=["time"], resource="user")
    log = apply_mapping(raw, mapping)
    assert log.frame[SOURCE_ROW].tolist() == [3, 1, 2, 6]
    fresh = encode(log.frame)
    for name in ("case", "activity", "activities", "case_ids", "end_ns", "resource", "resources"):
        assert getattr(log.codes, name).tolist() == getattr(fresh, name).tolist(), name


def test_typed_numbers_are_one_writable_array_as_pandas_would_make_them():
    chunks = pa.chunked_array([pa.array(["1", "2"]), pa.array(["3", None]), pa.array([], pa.string())])
    numbers = typed(chunks)
    expected = pc.cast(chunks, pa.int64()).to_pandas()
    assert numbers.dtype == expected.dtype == np.float64
    np.testing.assert_array_equal(numbers, expected.to_numpy())
    numbers[0] = 9
    assert numbers[0] == 9
    whole = typed(pa.chunked_array([pa.array(["7", "-8"]), pa.array(["9"])]))
    assert whole.dtype == np.int64 and whole.tolist() == [7, -8, 9] and whole.flags.writeable
    assert typed(pa.chunked_array([pa.array(["1,5"]), pa.array(["2"])]), decimal_comma=True).tolist() == [
        1.5,
        2.0,
    ]


def test_the_suggestion_counts_a_column_of_mixed_date_orders_as_time():
    """So that the import stops with the mixed-order message, not with "no timestamp column"."""
    sample = text_frame(
        {"case": ["1", "1", "2", "2"], "activity": ["a", "b", "a", "b"]}
        | {"when": ["13/01/2024", "01/13/2024", "02/02/2024", "03/03/2024"]}
    )
    assert suggest_mapping(sample).mapping.timestamp == ["when"]
