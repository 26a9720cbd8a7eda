"""Excel and Parquet import: sheets, header search, cell types, native timestamps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sc_improve.columns import ACTIVITY, CASE, END, SOURCE_ROW
from sc_improve.errors import LogImportError
from sc_improve.log.read import preview_table, read_log
from sc_improve.log.readers.excel import list_sheets, read_excel_table
from sc_improve.log.readers.parquet import parquet_columns, read_parquet_table


def workbook(path: Path) -> Path:
    """An empty first sheet, then a report title above an SAP-like table starting in row 3."""
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    sheet = book.create_sheet("Orders")
    sheet["A1"] = "Purchase order report"
    sheet.append([])
    sheet.append(["EBELN", "Activity", "Created", "Time", "USNAM", "NETWR"])
    sheet.append(
        [4500000001, "Create PO", dt.datetime(2024, 1, 31, 14, 30), dt.time(14, 30, 5), "MUELLER", 100.5]
    )
    sheet.append([4500000001, "Approve PO", dt.date(2024, 2, 1), dt.time(9, 0), "SCHMIDT", 100.5])
    sheet.append([4500000002, "Create PO", dt.datetime(2024, 2, 2, 10, 0), dt.time(10, 15), "MUELLER", 20.0])
    other = book.create_sheet("Serials")
    other.append(["case", "activity", "when"])
    other.append(["1", "a", 45292.5])
    other.append(["1", "b", 45293.25])
    book.save(path)
    return path


def test_list_sheets_and_default_is_first_sheet_with_data(tmp_path):
    path = workbook(tmp_path / "po.xlsx")
    assert list_sheets(path) == ["Cover", "Orders", "Serials"]
    read = read_excel_table(path)
    assert read.sheet == "Orders"
    assert read.table.column_names == ["EBELN", "Activity", "Created", "Time", "USNAM", "NETWR"]
    assert read.first_row == 4
    assert "header in row 3" in read.notes[0]


def test_sheet_by_name_and_by_index(tmp_path):
    path = workbook(tmp_path / "po.xlsx")
    assert read_excel_table(path, sheet="Serials").table.num_rows == 2
    assert read_excel_table(path, sheet=2).sheet == "Serials"
    with pytest.raises(LogImportError, match="sheets are: Cover, Orders, Serials"):
        read_excel_table(path, sheet="Nope")
    with pytest.raises(LogImportError, match="index 7"):
        read_excel_table(path, sheet=7)


def test_excel_cells_keep_their_types(tmp_path):
    table = read_excel_table(workbook(tmp_path / "po.xlsx")).table
    assert pa.types.is_timestamp(table.column("Created").type)
    assert pa.types.is_time(table.column("Time").type)
    assert table.column("NETWR").to_pylist() == [100.5, 100.5, 20.0]


def test_read_log_from_excel_with_date_and_time_columns(tmp_path):
    path = workbook(tmp_path / "po.xlsx")
    overrides = {"case": "EBELN", "activity": "Activity", "timestamp": "Created+Time", "resource": "USNAM"}
    log = read_log(path, overrides=overrides)
    assert log.frame[CASE].tolist() == ["4500000001", "4500000001", "4500000002"]
    assert log.frame[END].tolist()[0] == pd.Timestamp("2024-01-31 14:30:05", tz="UTC")
    assert log.frame[SOURCE_ROW].tolist() == [4, 5, 6]
    assert log.frame["case:NETWR"].tolist() == [100.5, 100.5, 20.0]


def test_numbers_in_a_timestamp_column_are_excel_serial_dates(tmp_path):
    path = workbook(tmp_path / "po.xlsx")
    log = read_log(path, sheet="Serials", overrides={"timestamp": "when"})
    assert log.frame[END].tolist() == [
        pd.Timestamp("2024-01-01 12:00", tz="UTC"),
        pd.Timestamp("2024-01-02 06:00", tz="UTC"),
    ]
    assert log.frame[ACTIVITY].tolist() == ["a", "b"]


def test_preview_of_an_excel_sheet(tmp_path):
    preview = preview_table(workbook(tmp_path / "po.xlsx"), rows=2)
    assert len(preview) == 2
    assert preview["EBELN"].tolist() == [4500000001.0, 4500000001.0]


def test_empty_workbook_and_not_a_workbook(tmp_path):
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    with pytest.raises(LogImportError, match="no sheet with data"):
        read_excel_table(empty)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("case,activity\n1,a\n")
    with pytest.raises(LogImportError, match="not a readable Excel workbook"):
        read_excel_table(fake)


def test_header_only_sheet(tmp_path):
    path = tmp_path / "h.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["case", "activity", "time"])
    book.save(path)
    with pytest.raises(LogImportError, match="no data rows"):
        read_excel_table(path)


def parquet_log(path: Path) -> Path:
    frame = pd.DataFrame(
        {
            "case": ["1", "1", "2"],
            "activity": ["a", "b", "a"],
            "ts": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-02 09:00"]).tz_localize(
                "Europe/Berlin"
            ),
            "amount": [1.5, 2.0, 3.0],
            "wide": ["x", "y", "z"],
        },
        index=pd.Index([10, 11, 12], name="original_row"),
    )
    frame.to_parquet(path)
    return path


def test_parquet_native_timestamps_are_converted_to_utc(tmp_path):
    log = read_log(parquet_log(tmp_path / "log.parquet"))
    assert log.frame[END].tolist()[0] == pd.Timestamp("2024-01-01 09:00", tz="UTC")
    assert log.frame["amount"].tolist() == [1.5, 2.0, 3.0]


def test_parquet_projection_and_index_columns(tmp_path):
    path = parquet_log(tmp_path / "log.parquet")
    assert "original_row" in pq.read_schema(path).names
    assert parquet_columns(path) == ["case", "activity", "ts", "amount", "wide"]
    table = read_parquet_table(path, columns=["case", "ts"])
    assert table.column_names == ["case", "ts"]
    assert pa.types.is_timestamp(table.column("ts").type)
    assert read_parquet_table(path, max_rows=2).num_rows == 2


def test_parquet_mapping_with_explicit_attributes_reads_only_those(tmp_path):
    path = parquet_log(tmp_path / "log.parquet")
    overrides = {"case": "case", "activity": "activity", "timestamp": "ts", "attributes": "amount"}
    log = read_log(path, overrides=overrides)
    assert "wide" not in log.frame.columns
    assert "amount" in log.frame.columns


def test_unnamed_pandas_index_column_is_dropped(tmp_path):
    path = tmp_path / "indexed.parquet"
    pd.DataFrame({"case": ["1"], "activity": ["a"]}, index=pd.Index([7])).to_parquet(path)
    assert "__index_level_0__" in pq.read_schema(path).names
    assert parquet_columns(path) == ["case", "activity"]


def test_damaged_parquet(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 this is not really parquet PAR1")
    with pytest.raises(LogImportError, match="Parquet"):
        read_parquet_table(path)
