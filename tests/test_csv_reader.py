"""The Arrow-based CSV reader: values, encodings, and errors that name the line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from sc_improve.errors import LogImportError
from sc_improve.log.readers.csv_reader import read_csv_table
from sc_improve.progress import Cancelled


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_all_columns_are_text_and_ids_keep_leading_zeros(tmp_path):
    path = write(tmp_path, "a.csv", "EBELN,EBELP,amount\n4500000001,00010,12.5\n4500000001,00020,\n")
    read = read_csv_table(path)
    assert read.table.column("EBELP").to_pylist() == ["00010", "00020"]
    assert read.table.column("amount").to_pylist() == ["12.5", None]
    assert "delimiter ','" in read.notes[0]


def test_wrong_field_count_names_the_line(tmp_path):
    path = write(tmp_path, "bad.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n")
    with pytest.raises(LogImportError) as caught:
        read_csv_table(path)
    assert caught.value.row == 3
    assert "line 3 has 2 fields but the header has 3" in str(caught.value)
    assert "bad.csv" in str(caught.value)


def test_wrong_field_count_deep_in_a_large_file(tmp_path):
    rows = "".join(f"{i},activity {i % 7},2024-01-01 08:00\n" for i in range(40_000))
    path = write(tmp_path, "big.csv", "case,activity,time\n" + rows + "1,2\n" + rows[:1000])
    with pytest.raises(LogImportError) as caught:
        read_csv_table(path)
    assert caught.value.row == 40_002


def test_unterminated_quote_in_the_middle(tmp_path):
    path = write(tmp_path, "q.csv", 'a,b,c\n1,"x,3\n4,5,6\n7,8,9\n')
    with pytest.raises(LogImportError, match="never closed") as caught:
        read_csv_table(path)
    assert caught.value.row == 2


def test_unterminated_quote_at_the_end(tmp_path):
    path = write(tmp_path, "q.csv", 'a,b,c\n1,2,3\n4,5,"6\n7,8,9\n')
    with pytest.raises(LogImportError, match="line 3 is never closed|starts on line 3"):
        read_csv_table(path)


def test_quoted_line_breaks_are_values_not_rows(tmp_path):
    path = write(tmp_path, "m.csv", 'case,comment\n1,"first\nsecond"\n2,plain\n')
    table = read_csv_table(path).table
    assert table.column("comment").to_pylist() == ["first\nsecond", "plain"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"case,activity,time\n", "header row but no data rows"),
        (b"\x00\xff\xfe\x00garbage\x00" * 40, "binary"),
    ],
)
def test_empty_header_only_and_junk(tmp_path, data, message):
    with pytest.raises(LogImportError, match=message):
        read_csv_table(write(tmp_path, "x.csv", data))


def test_cp1252_values_are_decoded(tmp_path):
    data = "Tätigkeit;Benutzer\nPrüfung;Müller\n".encode("cp1252")
    read = read_csv_table(write(tmp_path, "sap.csv", data))
    assert read.table.column("Benutzer").to_pylist() == ["Müller"]
    assert read.table.column_names == ["Tätigkeit", "Benutzer"]
    assert "Windows-1252" in read.notes[0]


def test_invalid_utf8_after_the_sample_falls_back_to_cp1252(tmp_path):
    filler = "".join(f"{i};Anlegen\n" for i in range(120_000))
    data = ("case;activity\n" + filler).encode("utf-8") + "999;Prüfen\n".encode("cp1252")
    read = read_csv_table(write(tmp_path, "late.csv", data))
    assert read.table.column("activity").to_pylist()[-1] == "Prüfen"
    assert read.dialect.encoding == "cp1252"
    assert "not valid UTF-8" in read.notes[0]


def test_utf8_bom_does_not_leak_into_values(tmp_path):
    read = read_csv_table(write(tmp_path, "bom.csv", b"\xef\xbb\xbfcase,activity\n1,a\n"))
    assert read.table.column_names == ["case", "activity"]
    assert read.table.column("case").to_pylist() == ["1"]


def test_gzip_csv(tmp_path):
    path = write(tmp_path, "log.csv.gz", gzip.compress(b"case,activity\n1,a\n2,b\n"))
    assert read_csv_table(path).table.num_rows == 2


def test_column_projection_and_row_limit(tmp_path):
    rows = "".join(f"{i},a,x\n" for i in range(100))
    read = read_csv_table(
        write(tmp_path, "p.csv", "case,activity,other\n" + rows), columns=["case"], max_rows=10
    )
    assert read.table.column_names == ["case"]
    assert read.table.num_rows == 10


def test_progress_is_reported_and_cancel_stops_the_read(tmp_path):
    path = write(tmp_path, "p.csv", "case,activity\n" + "1,a\n" * 1000)
    seen: list[float] = []
    read_csv_table(path, progress=lambda fraction, message="": seen.append(fraction))
    assert seen and seen[-1] == pytest.approx(1.0)

    def cancel(fraction: float, message: str = "") -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        read_csv_table(path, progress=cancel)


def test_windows_line_endings_and_tabs(tmp_path):
    path = write(tmp_path, "w.tsv", 'case\tactivity\r\n1\tCreate\r\n2\t"Approve\tnow"\r\n')
    table = read_csv_table(path).table
    assert table.column("activity").to_pylist() == ["Create", "Approve\tnow"]
    assert table.column_names == ["case", "activity"]


def test_a_read_of_many_blocks_reports_rising_progress_and_can_be_cancelled_midway(tmp_path, monkeypatch):
    import sc_improve.log.readers.csv_reader as csv_reader

    monkeypatch.setattr(csv_reader, "BLOCK_SIZE", 1 << 12)
    monkeypatch.setattr(csv_reader, "PROGRESS_INTERVAL", 0.0)
    path = write(
        tmp_path, "big.csv", "case,activity\n" + "".join(f"{i // 3},step {i % 3}\n" for i in range(60_000))
    )
    seen: list[float] = []
    table = read_csv_table(path, progress=lambda fraction, message="": seen.append(fraction)).table
    assert table.num_rows == 60_000 and table.column("activity")[4].as_py() == "step 1"
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)

    calls: list[float] = []

    def cancel_later(fraction: float, message: str = "") -> None:
        calls.append(fraction)
        if len(calls) == 2:
            raise Cancelled

    with pytest.raises(Cancelled):
        read_csv_table(path, progress=cancel_later)
    assert len(calls) == 2


def test_invalid_utf8_far_into_a_multiblock_file_is_reread_as_windows_1252(tmp_path, monkeypatch):
    import sc_improve.log.readers.csv_reader as csv_reader

    monkeypatch.setattr(csv_reader, "BLOCK_SIZE", 1 << 16)
    body = b"".join(b"%d,a\n" % i for i in range(400_000)) + b"9,M\xfcller\n"
    read = read_csv_table(write(tmp_path, "late.csv", b"case,activity\n" + body))
    assert read.table.column("activity")[-1].as_py() == "Müller"
    assert "Windows-1252" in read.notes[0]


def test_large_files_read_the_same_with_memory_handed_back_at_once(tmp_path, monkeypatch):
    import sc_improve.log.readers.csv_reader as csv_reader

    path = write(tmp_path, "l.csv.gz", gzip.compress(b"case,activity\n1,a\n2,\n3,c\n"))
    expected = read_csv_table(path).table
    monkeypatch.setattr(csv_reader, "LOW_MEMORY_FILE_SIZE", 1)
    assert read_csv_table(path).table.equals(expected)


def test_iso_time_columns_are_parsed_while_reading(tmp_path):
    path = write(
        tmp_path, "t.csv", "case,when,note\n1,2024-03-05T14:30:00,x\n1,,y\n2,2024-03-06 08:00:00.250,z\n"
    )
    table = read_csv_table(path, iso_times=["when"]).table
    assert table.column("when").type == pa.timestamp("ns")
    assert table.column("when").to_pylist() == [
        pd.Timestamp("2024-03-05 14:30"),
        None,
        pd.Timestamp("2024-03-06 08:00:00.250"),
    ]
    assert table.column("note").to_pylist() == ["x", "y", "z"]


@pytest.mark.parametrize("odd", ["05.03.2024 14:30", " 2024-03-05T14:30:00", "2024-03-05T14:30:00Z", "soon"])
def test_a_time_column_that_is_not_plain_iso_everywhere_is_read_as_text(tmp_path, monkeypatch, odd):
    """A value deep in the file that Arrow cannot parse as it reads sends the column back to text, intact."""
    import sc_improve.log.readers.csv_reader as csv_reader

    monkeypatch.setattr(csv_reader, "BLOCK_SIZE", 1 << 12)
    monkeypatch.setattr(csv_reader, "PROGRESS_INTERVAL", 0.0)
    rows = [f"{i},2024-03-05T14:30:{i % 60:02d}" for i in range(5000)]
    rows[4321] = f'4321,"{odd}"'
    path = write(tmp_path, "late.csv", "case,when\n" + "\n".join(rows) + "\n")
    seen: list[float] = []
    table = read_csv_table(
        path, iso_times=["when"], progress=lambda fraction, message="": seen.append(fraction)
    ).table
    assert pa.types.is_string(table.column("when").type)
    assert table.column("when")[4321].as_py() == odd
    assert table.column("when")[0].as_py() == "2024-03-05T14:30:00"
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
