"""The read_log dispatcher end to end: formats, mappings, previews and messages."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, SOURCE_ROW
from sc_improve.errors import LogImportError
from sc_improve.log.build import apply_mapping
from sc_improve.log.mapping import ColumnMapping, save_mapping
from sc_improve.log.read import (
    SAMPLE_ROWS,
    describe_mapping,
    file_kind,
    log_from_frame,
    preview_table,
    read_log,
    suggest_for_file,
)
from sc_improve.log.readers.csv_reader import read_csv_table
from sc_improve.progress import Cancelled

DATA = Path(__file__).parent / "data" / "import"

SAP_EXPORT = (
    "Bestellung;Position;Vorgang;ERDAT;ERZET;USNAM;NETWR\n"
    "4500000001;00010;Bestellung angelegt;31.01.2024;143005;MÜLLER;100,50\n"
    "4500000001;00010;Bestellung freigegeben;01.02.2024;090000;SCHMIDT;100,50\n"
    "4500000001;00010;Wareneingang;13.02.2024;101500;MÜLLER;100,50\n"
    "4500000002;00010;Bestellung angelegt;02.02.2024;080000;WEBER;20,00\n"
    "4500000002;00010;Rechnung gebucht;05.02.2024;2599;WEBER;20,00\n"
)


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def test_semicolon_sap_export_with_date_and_time_columns(tmp_path):
    path = write(tmp_path, "ekpo.csv", SAP_EXPORT, encoding="cp1252")
    overrides = {"case": "Bestellung,Position", "activity": "Vorgang"}
    log = read_log(path, overrides=overrides)
    assert log.mapping["timestamp"] == ["ERDAT", "ERZET"]
    assert log.n_events == 4
    assert log.frame[CASE].iloc[0] == "4500000001|00010"
    assert log.frame[END].iloc[0] == pd.Timestamp("2024-01-31 14:30:05", tz="UTC")
    assert log.frame[RESOURCE].iloc[0] == "MÜLLER"
    assert log.frame["case:NETWR"].tolist()[0] == 100.5
    assert "Windows-1252" in log.notes[0] and "delimiter ';'" in log.notes[0]
    issue = log.issues.iloc[0]
    assert (issue["source_row"], issue["column"], issue["value"]) == (5, "ERDAT+ERZET", "05.02.2024 2599")
    assert issue["reason"] == "unparseable timestamp"


def test_ambiguous_dates_in_a_file_produce_a_note(tmp_path):
    path = write(tmp_path, "a.csv", "case,activity,date\n1,a,01/02/2024\n1,b,03/04/2024\n")
    log = read_log(path)
    assert log.frame[END].tolist()[0] == pd.Timestamp("2024-02-01", tz="UTC")
    assert any("cannot be told from the data" in note for note in log.notes)
    month_first = read_log(path, overrides={"dayfirst": "no"})
    assert month_first.frame[END].tolist()[0] == pd.Timestamp("2024-01-02", tz="UTC")
    assert not any("cannot be told" in note for note in month_first.notes)


def test_conflicting_date_orders_stop_the_import(tmp_path):
    path = write(tmp_path, "c.csv", "case,activity,date\n1,a,13/01/2024\n1,b,01/13/2024\n")
    with pytest.raises(LogImportError, match="mixes both orders") as caught:
        read_log(path)
    assert caught.value.column == "date"


def test_real_excerpts_read_without_a_mapping():
    purchasing = read_log(DATA / "purchasing_excerpt.csv")
    assert purchasing.n_events == 40
    assert purchasing.has_start and purchasing.has_resource
    assert purchasing.frame[END].iloc[0] == pd.Timestamp("2011-01-01 05:37", tz="UTC")
    interval = read_log(DATA / "interval_excerpt.csv")
    assert interval.n_events == 30 and interval.has_start
    sap = read_log(DATA / "sap_doc_flow_excerpt.csv")
    assert sap.n_events == 20
    assert sap.frame["BELNR"].iloc[0] == 5000004300
    assert sap.frame["AWKEY"].iloc[0] == "00500053361997"


def test_saved_mapping_plus_override(tmp_path):
    path = write(tmp_path, "ekpo.csv", SAP_EXPORT, encoding="cp1252")
    mapping_file = tmp_path / "sap.json"
    mapping = ColumnMapping(
        case=["Bestellung"], activity=["Vorgang"], timestamp=["ERDAT", "ERZET"], resource="USNAM"
    )
    save_mapping(mapping, mapping_file)
    from sc_improve.log.mapping import load_mapping

    log = read_log(path, load_mapping(mapping_file), overrides={"resource": ""})
    assert RESOURCE not in log.frame.columns
    assert log.frame[CASE].iloc[0] == "4500000001"
    with pytest.raises(LogImportError, match="there is no column 'Bestelung'"):
        read_log(path, ColumnMapping(case=["Bestelung"], activity=["Vorgang"], timestamp=["ERDAT"]))


def test_gzip_csv_and_row_numbers(tmp_path):
    data = gzip.compress(b"case,activity,time\n2,b,2024-01-02\n1,a,2024-01-01\n")
    log = read_log(write(tmp_path, "log.csv.gz", data))
    assert log.frame[SOURCE_ROW].tolist() == [1, 2]
    assert log.frame[ACTIVITY].tolist() == ["b", "a"]


@pytest.mark.parametrize(
    "rows",
    [
        "1,a,2024-01-01,3,1.5\n1,b,2024-01-02,4,2.5\n2,a,2024-01-03,5,\n",
        "1,b,2024-01-02,4,2.5\n2,a,2024-01-03,5,\n1,a,2024-01-01,3,1.5\n",
    ],
    ids=["in order", "reordered"],
)
def test_number_and_time_columns_can_be_edited_in_place(tmp_path, rows):
    """Arrow hands out number columns read-only; the frame must still take ``.loc`` edits."""
    log = read_log(write(tmp_path, "log.csv", "case,activity,time,qty,price\n" + rows))
    frame = log.frame
    for column, value in (("qty", 7), ("price", 9.5), (SOURCE_ROW, 99), (END, pd.Timestamp(0, tz="UTC"))):
        frame.loc[0, column] = value
        assert frame.loc[0, column] == value
    assert frame["qty"].tolist() == [7, 4, 5]


def test_preview_and_suggestion_for_the_mapping_dialog(tmp_path):
    path = write(tmp_path, "ekpo.csv", SAP_EXPORT, encoding="cp1252")
    preview = preview_table(path, rows=2)
    assert list(preview.columns) == ["Bestellung", "Position", "Vorgang", "ERDAT", "ERZET", "USNAM", "NETWR"]
    assert len(preview) == 2
    assert preview["Position"].tolist() == ["00010", "00010"]
    suggestion = suggest_for_file(path, overrides={"case": "Bestellung"})
    text = describe_mapping(suggestion)
    assert "timestamp:  ERDAT+ERZET" in text
    assert "case:       Bestellung  (set by you" in text
    assert "resource:   USNAM" in text


def test_file_kinds(tmp_path):
    assert file_kind(write(tmp_path, "a.tsv", "x")) == "csv"
    assert file_kind(write(tmp_path, "a.TXT", "x")) == "csv"
    assert file_kind(write(tmp_path, "a.xes.gz", b"x")) == "xes"
    assert file_kind(write(tmp_path, "a.xmlocel", "x")) == "ocel"
    assert file_kind(write(tmp_path, "a.sqlite", "x")) == "ocel"
    assert file_kind(write(tmp_path, "a.json", '{"objectTypes": []}')) == "ocel"
    assert file_kind(write(tmp_path, "a.xml", '<log xes.version="1.0">')) == "xes"
    parquet = tmp_path / "export.dat"
    pq.write_table(pa.table({"a": [1]}), parquet)
    assert file_kind(parquet) == "parquet"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("log.doc", "hello", "supported formats: CSV"),
        ("data.json", '{"rows": []}', "not an OCEL log"),
        ("data.xml", "<rows/>", "neither an XES nor an OCEL"),
    ],
)
def test_unsupported_files(tmp_path, name, data, message):
    with pytest.raises(LogImportError, match=message):
        read_log(write(tmp_path, name, data))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(LogImportError, match="file not found"):
        read_log(tmp_path / "nope.csv")
    with pytest.raises(LogImportError, match="folder"):
        read_log(tmp_path)


def test_sheet_for_a_csv_is_refused(tmp_path):
    with pytest.raises(LogImportError, match="only be chosen for Excel"):
        read_log(write(tmp_path, "a.csv", "case,activity,time\n1,a,2024-01-01\n"), sheet="Orders")


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
 <trace><string key="concept:name" value="1"/>
  <event><string key="concept:name" value="a"/>
   <date key="time:timestamp" value="2024-01-01T08:00:00.000+00:00"/></event>
  <event><string key="concept:name" value="b"/>
   <date key="time:timestamp" value="2024-01-01T09:00:00.000+00:00"/></event>
 </trace>
</log>
"""

OCEL = """{"objectTypes": [{"name": "order", "attributes": []}],
 "eventTypes": [{"name": "place", "attributes": []}, {"name": "ship", "attributes": []}],
 "objects": [{"id": "o1", "type": "order", "attributes": [], "relationships": []}],
 "events": [
  {"id": "e1", "type": "place", "time": "2024-01-01T08:00:00Z", "attributes": [],
   "relationships": [{"objectId": "o1", "qualifier": ""}]},
  {"id": "e2", "type": "ship", "time": "2024-01-02T08:00:00Z", "attributes": [],
   "relationships": [{"objectId": "o1", "qualifier": ""}]}]}
"""


def test_xes_goes_to_the_xes_reader(tmp_path):
    pytest.importorskip("sc_improve.log.readers.xes")
    log = read_log(write(tmp_path, "log.xes", XES))
    assert log.frame[ACTIVITY].tolist() == ["a", "b"]
    with pytest.raises(LogImportError, match="applies to tables"):
        read_log(tmp_path / "log.xes", overrides={"case": "x"})


@pytest.mark.parametrize("name", ["log.jsonocel", "log.json"])
def test_ocel_goes_to_the_ocel_reader(tmp_path, name):
    pytest.importorskip("sc_improve.log.readers.ocel")
    log = read_log(write(tmp_path, name, OCEL), object_type="order")
    assert log.frame[CASE].tolist() == ["o1", "o1"]
    assert log.frame[ACTIVITY].tolist() == ["place", "ship"]


def test_log_from_frame_uses_the_suggestion():
    frame = pd.DataFrame(
        {
            "case_id": ["1", "1", "2"],
            "activity": ["a", "b", "a"],
            "end_time": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00", "2024-01-02 08:00"]),
            "resource": ["r1", "r2", "r1"],
        }
    )
    log = log_from_frame(frame, source="generated")
    assert log.n_events == 3 and log.n_cases == 2
    assert log.has_resource
    assert log.mapping["timestamp"] == ["end_time"]


def test_progress_reaches_the_end_and_cancel_propagates(tmp_path):
    path = write(tmp_path, "p.csv", "case,activity,time\n" + "1,a,2024-01-01 08:00\n" * 50)
    seen: list[float] = []
    read_log(path, progress=lambda fraction, message="": seen.append(fraction))
    assert seen[-1] == pytest.approx(1.0)
    assert seen == sorted(seen)

    def cancel(fraction: float, message: str = "") -> None:
        if fraction > 0.1:
            raise Cancelled

    with pytest.raises(Cancelled):
        read_log(path, progress=cancel)


def test_a_single_column_file_hints_at_the_delimiter(tmp_path):
    path = write(tmp_path, "one.csv", "case:activity:time\n1:a:2024-01-01\n")
    with pytest.raises(LogImportError, match="delimiter may be something other"):
        read_log(path)


def _long_log(tmp_path: Path, odd: str | None = None) -> Path:
    """More rows than the suggestion's sample, so the whole file is read a second time with the mapping."""
    rows = [
        f"{i // 4},step {i % 4},2024-01-{1 + i % 28:02d}T08:{i % 60:02d}:00,2024-02-{1 + i % 28:02d} 09:00,"
        f"u{i % 7},{i % 13},{i % 5}.5"
        for i in range(SAMPLE_ROWS + 1500)
    ]
    if odd is not None:
        rows[SAMPLE_ROWS + 700] = rows[SAMPLE_ROWS + 700].replace("2024-02-", odd, 1)
    return write(tmp_path, "long.csv", "case,activity,start,end,user,qty,price\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize("odd", [None, "oops "], ids=["clean", "bad time late in the file"])
def test_reading_iso_times_while_reading_gives_the_log_of_the_text_path(tmp_path, monkeypatch, odd):
    import sc_improve.log.read as read

    path = _long_log(tmp_path, odd)
    asked: list[object] = []
    real = read.read_csv_table
    monkeypatch.setattr(
        read, "read_csv_table", lambda *a, **k: asked.append(k.get("iso_times")) or real(*a, **k)
    )
    log = read_log(path)
    assert log.mapping["timestamp"] == ["end"] and log.mapping["start"] == ["start"]
    assert asked == [None, ["end", "start"]]
    text = read_csv_table(path)
    assert not any(pa.types.is_timestamp(kind) for kind in text.table.schema.types)
    expected = apply_mapping(
        text.table,
        ColumnMapping.from_dict(log.mapping),
        source=str(path),
        notes=text.notes,
        numbers_from_text=True,
    )
    pd.testing.assert_frame_equal(log.frame, expected.frame)
    pd.testing.assert_frame_equal(log.issues, expected.issues)
    assert log.notes == expected.notes
    for name in ("case", "activity", "activities", "case_ids", "end_ns", "start_ns", "resource", "resources"):
        assert getattr(log.codes, name).tolist() == getattr(expected.codes, name).tolist(), name
    if odd is not None:
        assert log.issues["source_row"].tolist() == [SAMPLE_ROWS + 701]
        assert log.n_events == SAMPLE_ROWS + 1499


def test_a_mapping_naming_a_missing_column_fails_before_the_whole_file_is_read(tmp_path, monkeypatch):
    import sc_improve.log.read as read

    path = _long_log(tmp_path)
    whole_reads: list[int | None] = []
    real = read.read_csv_table

    def counting(*args, **kwargs):
        whole_reads.append(kwargs.get("max_rows"))
        return real(*args, **kwargs)

    monkeypatch.setattr(read, "read_csv_table", counting)
    mapping = ColumnMapping(case=["case"], activity=["activity"], timestamp=["end"], attributes=["qtty"])
    with pytest.raises(LogImportError, match="there is no column 'qtty'"):
        read_log(path, mapping)
    assert whole_reads == [SAMPLE_ROWS]
