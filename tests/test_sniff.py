"""Encoding, delimiter, quote and header detection on small hand-written files."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from sc_improve.errors import LogImportError
from sc_improve.log.readers.sniff import detect_delimiter, detect_encoding, sniff


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_plain_utf8_comma_file(tmp_path):
    dialect = sniff(write(tmp_path, "a.csv", b"case,activity,time\n1,a,2024-01-01\n"))
    assert dialect.encoding == "utf-8"
    assert dialect.delimiter == ","
    assert dialect.quotechar == '"'
    assert dialect.has_header
    assert dialect.columns == ("case", "activity", "time")
    assert dialect.skip_rows == 1
    assert "UTF-8" in dialect.describe()


def test_utf8_bom_is_recognised_and_not_part_of_the_first_name(tmp_path):
    dialect = sniff(write(tmp_path, "bom.csv", b"\xef\xbb\xbfCase;Activity\n1;a\n"))
    assert dialect.encoding == "utf-8-sig"
    assert dialect.columns == ("Case", "Activity")
    assert "byte-order mark" in dialect.describe()


def test_cp1252_file_with_umlauts(tmp_path):
    data = "Bestellung;Tätigkeit;Benutzer\n1;Bestellung anlegen;Müller\n".encode("cp1252")
    dialect = sniff(write(tmp_path, "sap.csv", data))
    assert dialect.encoding == "cp1252"
    assert dialect.columns == ("Bestellung", "Tätigkeit", "Benutzer")
    assert "Windows-1252" in dialect.describe()


def test_latin1_when_bytes_are_undefined_in_cp1252():
    assert detect_encoding(b"a;b\n\x81x;1\n", True) == "latin-1"


def test_utf16_excel_unicode_text_with_tabs(tmp_path):
    data = "Case\tActivity\n1\tPrüfen\n".encode("utf-16")
    dialect = sniff(write(tmp_path, "unicode.txt", data))
    assert dialect.encoding == "utf-16"
    assert dialect.delimiter == "\t"
    assert dialect.describe().split(", ")[1] == "delimiter tab"


def test_semicolon_beats_decimal_commas():
    lines = ["EBELN;NETWR;MENGE", "4500000001;12,50;3", "4500000002;7,25;10", "4500000003;1,00;2"]
    assert detect_delimiter(lines) == ";"


def test_semicolon_export_sets_decimal_comma(tmp_path):
    dialect = sniff(write(tmp_path, "n.csv", b"EBELN;NETWR\n4500000001;12,50\n4500000002;7,25\n"))
    assert dialect.delimiter == ";"
    assert dialect.decimal_comma


def test_pipe_delimiter(tmp_path):
    assert sniff(write(tmp_path, "p.txt", b"a|b|c\n1|2|3\n4|5|6\n")).delimiter == "|"


def test_commas_inside_quotes_do_not_confuse_the_delimiter(tmp_path):
    data = b'case;comment\n1;"late, again, and again"\n2;"ok, fine"\n'
    assert sniff(write(tmp_path, "q.csv", data)).delimiter == ";"


def test_single_quote_as_quote_character(tmp_path):
    dialect = sniff(write(tmp_path, "s.csv", b"case,activity\n1,'a, b'\n2,'c'\n"))
    assert dialect.quotechar == "'"


def test_first_row_with_a_date_is_data_not_header(tmp_path):
    dialect = sniff(write(tmp_path, "n.csv", b"1,Create,2024-01-01 08:00\n1,Approve,2024-01-02 09:00\n"))
    assert not dialect.has_header
    assert dialect.columns == ("column_1", "column_2", "column_3")
    assert dialect.skip_rows == 0
    assert "no header" in dialect.describe()


def test_blank_and_duplicate_header_names_are_made_unique(tmp_path):
    dialect = sniff(write(tmp_path, "d.csv", b"id,,id,id\n1,2,3,4\n"))
    assert dialect.columns == ("id", "column_2", "id_2", "id_3")


def test_excel_sep_line_sets_the_delimiter_and_is_skipped(tmp_path):
    dialect = sniff(write(tmp_path, "x.csv", b"sep=;\na;b\n1;2\n"))
    assert dialect.delimiter == ";"
    assert dialect.columns == ("a", "b")
    assert dialect.skip_rows == 2


def test_quoted_line_breaks_are_noticed(tmp_path):
    dialect = sniff(write(tmp_path, "m.csv", b'case,comment\n1,"two\nlines"\n2,one\n'))
    assert dialect.multiline
    assert not sniff(write(tmp_path, "o.csv", b"case,comment\n1,one\n")).multiline


def test_gzip_is_detected_by_content(tmp_path):
    path = write(tmp_path, "log.csv.gz", gzip.compress(b"a;b\n1;2\n"))
    dialect = sniff(path)
    assert dialect.compression == "gzip"
    assert dialect.delimiter == ";"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 50, "binary"),
    ],
)
def test_empty_and_binary_files_are_refused(tmp_path, data, message):
    with pytest.raises(LogImportError, match=message) as caught:
        sniff(write(tmp_path, "bad.csv", data))
    assert caught.value.path is not None


def test_zip_archive_is_refused_with_advice(tmp_path):
    path = tmp_path / "log.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("inner.csv", "a,b\n1,2\n")
    with pytest.raises(LogImportError, match="zip archive"):
        sniff(path)
