"""read_xes on small hand-written XES files whose content is known."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import rustxes
from lxml import etree

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, SOURCE_ROW, START
from sc_improve.errors import LogImportError
from sc_improve.log.event_log import STRING_DTYPE
from sc_improve.log.readers import xes_chunks, xes_plain
from sc_improve.log.readers.xes import read_xes
from sc_improve.log.xml_safety import open_log_bytes
from sc_improve.progress import Cancelled


def event(activity: str, time: str, *extra: str) -> str:
    return (
        f'<event><string key="concept:name" value="{activity}"/>'
        f'<date key="time:timestamp" value="{time}"/>{"".join(extra)}</event>'
    )


def trace(case: str | None, *events: str, attributes: str = "") -> str:
    name = f'<string key="concept:name" value="{case}"/>' if case is not None else ""
    return f"<trace>{name}{attributes}{''.join(events)}</trace>\n"


def xes_text(*traces: str, default_case: str | None = None) -> str:
    """An XES document; ``default_case`` declares a global (default) trace name."""
    default = (
        f'<global scope="trace"><string key="concept:name" value="{default_case}"/></global>\n'
        if default_case
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
        '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
        + default
        + "".join(traces)
        + "</log>\n"
    )


def write(tmp_path: Path, text: str, name: str = "log.xes") -> Path:
    path = tmp_path / name
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def lifecycle(value: str) -> str:
    return f'<string key="lifecycle:transition" value="{value}"/>'


OFFSETS = xes_text(
    trace(
        "c1",
        event("a", "2024-03-01T10:00:00+02:00", '<string key="org:resource" value="ann"/>'),
        event("b", "2024-03-01T11:30:00.250+02:00", '<float key="cost" value="1.5"/>'),
        event("c", "2024-03-01T12:00:00Z", '<int key="qty" value="3"/>'),
        attributes='<string key="supplier" value="ACME"/>',
    ),
    trace(
        "c2",
        event("a", "2024-03-01T06:00:00-05:30", '<boolean key="urgent" value="true"/>'),
        event("b", "2024-03-01T12:00:00"),
    ),
)


def test_reads_events_with_canonical_names_types_and_rows(tmp_path):
    log = read_xes(write(tmp_path, OFFSETS))
    frame = log.frame
    assert log.n_events == 5 and log.n_cases == 2 and log.raw_event_count == 5
    assert frame[CASE].tolist() == ["c1", "c1", "c1", "c2", "c2"]
    assert frame[ACTIVITY].tolist() == ["a", "b", "c", "a", "b"]
    assert frame[SOURCE_ROW].tolist() == [1, 2, 3, 4, 5]
    assert frame[CASE].dtype == STRING_DTYPE and frame[RESOURCE].dtype == STRING_DTYPE
    assert str(frame[END].dtype) == "datetime64[ns, UTC]"
    supplier = frame["case:supplier"]
    assert supplier.dtype == "category" and supplier.cat.categories.tolist() == ["ACME"]
    assert supplier.isna().tolist() == [False] * 3 + [True] * 2 and supplier.iloc[0] == "ACME"
    assert frame["cost"].tolist()[1] == 1.5
    assert str(frame["qty"].dtype) == "Int64" and frame["qty"].tolist()[2] == 3
    assert frame["urgent"].tolist()[3] is True
    assert START not in frame.columns and log.notes == []


def test_offsets_are_converted_to_utc_like_lxml(tmp_path):
    path = write(tmp_path, OFFSETS)
    dates = [pd.Timestamp(d.get("value")) for d in etree.parse(str(path)).iterfind(".//{*}event/{*}date")]
    expected = [d.tz_localize("UTC") if d.tzinfo is None else d.tz_convert("UTC") for d in dates]
    got = read_xes(path).frame.sort_values(SOURCE_ROW)[END]
    assert got.tolist() == expected
    assert got.iloc[0] == pd.Timestamp("2024-03-01 08:00", tz="UTC")  # +02:00 -> UTC
    assert got.iloc[3] == pd.Timestamp("2024-03-01 11:30", tz="UTC")  # -05:30 -> UTC
    assert got.iloc[4] == pd.Timestamp("2024-03-01 12:00", tz="UTC")  # no offset: kept as is


def test_gzipped_file_gives_the_same_log(tmp_path):
    plain = read_xes(write(tmp_path, OFFSETS, "log.xes")).frame
    packed = read_xes(write(tmp_path, OFFSETS, "log.xes.gz")).frame
    pd.testing.assert_frame_equal(plain, packed)


def test_start_complete_events_become_instances(tmp_path):
    text = xes_text(
        trace(
            "1",
            event("a", "2024-01-01T08:00:00", lifecycle("start")),
            event("a", "2024-01-01T09:00:00", lifecycle("complete")),
            event("b", "2024-01-01T09:30:00", lifecycle("start")),
        ),
    )
    log = read_xes(write(tmp_path, text))
    assert log.n_events == 1 and log.raw_event_count == 3
    assert log.frame[START].tolist() == [pd.Timestamp("2024-01-01 08:00", tz="UTC")]
    assert log.frame[SOURCE_ROW].tolist() == [2]
    assert log.issues[["source_row", "reason"]].values.tolist() == [[3, "unmatched lifecycle start"]]
    assert "paired 2 start/complete events into 1 activity instance" in log.notes


def test_small_chunks_give_the_same_log(tmp_path, monkeypatch):
    traces = [
        trace(str(i), *(event(f"act{j}", f"2024-01-0{1 + j}T0{i % 10}:00:00") for j in range(3)))
        for i in range(40)
    ]
    path = write(tmp_path, xes_text(*traces), "many.xes.gz")
    whole = read_xes(path)
    monkeypatch.setattr(xes_chunks, "CHUNK_BYTES", 700)
    seen: list[float] = []
    chunked = read_xes(path, progress=lambda fraction, message="": seen.append(fraction))
    pd.testing.assert_frame_equal(whole.frame, chunked.frame)
    assert sorted(chunked.frame[SOURCE_ROW]) == list(range(1, 121))
    assert len(seen) > 10 and seen == sorted(seen) and seen[-1] == 1.0


@pytest.mark.parametrize("chunk_bytes", [5, 37, 256])
def test_tags_and_trace_ends_split_across_blocks_are_still_counted(tmp_path, monkeypatch, chunk_bytes):
    """Blocks shorter than a tag split ``<event`` and ``</trace>`` between reads."""
    traces = [
        trace(str(i), *(event(f"act{j}", f"2024-01-0{1 + j}T10:00:00") for j in range(3))) for i in range(8)
    ]
    path = write(tmp_path, xes_text(*traces))
    whole = read_xes(path)
    monkeypatch.setattr(xes_chunks, "CHUNK_BYTES", chunk_bytes)
    with open_log_bytes(path) as data:
        pieces = list(xes_chunks.split_pieces(data, path))
    assert sum(bytes(piece.body).count(b"<event>") for piece in pieces) == 24 and len(pieces) > 1
    assert all(bytes(piece.body).rstrip().endswith(b"</trace>") for piece in pieces[:-1])
    pd.testing.assert_frame_equal(whole.frame, read_xes(path).frame)


def test_cancel_from_progress_stops_the_read(tmp_path, monkeypatch):
    path = write(tmp_path, xes_text(*(trace(str(i), event("a", "2024-01-01T00:00:00")) for i in range(50))))
    monkeypatch.setattr(xes_chunks, "CHUNK_BYTES", 300)

    def cancel_after_first_chunk(fraction: float, message: str = "") -> None:
        if fraction > 0:
            raise Cancelled

    with pytest.raises(Cancelled):
        read_xes(path, progress=cancel_after_first_chunk)


def test_broken_xml_names_the_line_and_keeps_stderr_clean(tmp_path, capfd):
    text = xes_text(
        trace("1", event("a", "2024-01-01T00:00:00")), trace("2", event("b", "2024-01-02T00:00:00"))
    )
    broken = text.replace("</event></trace>\n<trace>", "</evnt></trace>\n<trace>", 1)
    with pytest.raises(LogImportError, match="XML is broken here") as error:
        read_xes(write(tmp_path, broken))
    assert error.value.row == 4
    assert "panicked" not in capfd.readouterr().err


def test_truncated_file_names_its_last_line(tmp_path):
    text = xes_text(*(trace(str(i), event("a", "2024-01-01T00:00:00")) for i in range(5)))
    cut = text[: len(text) // 2]
    with pytest.raises(LogImportError, match="ends before </log>: it is incomplete") as error:
        read_xes(write(tmp_path, cut))
    assert error.value.row == cut.count("\n") + 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('<?xml version="1.0"?><root><trace/></root>', "not an XES event log"),
        (xes_text(), "contains no events"),
        (xes_text(trace("1", '<event><string key="concept:name" value="a"/></event>')), "time:timestamp"),
        ("activity,time\na,2024\n", "not an XML file"),
    ],
)
def test_unusable_files_get_plain_messages(tmp_path, text, message):
    with pytest.raises(LogImportError, match=message):
        read_xes(write(tmp_path, text))


def test_compression_is_recognised_from_content_not_name(tmp_path):
    path = tmp_path / "log.xes"
    path.write_bytes(gzip.compress(OFFSETS.encode()))
    assert read_xes(path).n_events == 5
    with pytest.raises(LogImportError, match="file not found"):
        read_xes(tmp_path / "missing.xes")


def test_bad_dates_nameless_traces_and_lists_are_reported(tmp_path):
    text = xes_text(
        trace(
            "1",
            event("a", "2024-01-01T08:00:00", '<list key="items"><string key="i" value="x"/></list>'),
            event("b", "2024-01-01"),
        ),
        trace(None, event("c", "2024-01-01T09:00:00")),
    )
    log = read_xes(write(tmp_path, text))
    assert log.frame[ACTIVITY].tolist() == ["a"]
    assert "items" not in log.frame.columns
    reasons = dict(zip(log.issues["source_row"], log.issues["reason"], strict=True))
    assert reasons == {2: "no end timestamp", 3: "no case id"}
    assert any("could not be read as XES dates (e.g. '2024-01-01')" in note for note in log.notes)
    assert any("left out list/container attributes" in note for note in log.notes)


def test_global_defaults_are_not_written_into_data(tmp_path):
    """XES <global> values are placeholders; a trace without a name has no case id."""
    text = xes_text(
        trace("1", event("a", "2024-01-01T08:00:00")),
        trace(None, event("b", "2024-01-01T09:00:00")),
        default_case="UNKNOWN",
    )
    log = read_xes(write(tmp_path, text))
    assert log.frame[CASE].tolist() == ["1"]
    assert log.issues["reason"].tolist() == ["no case id"]


def test_file_cut_right_after_a_trace_is_refused(tmp_path):
    text = xes_text(
        trace("1", event("a", "2024-01-01T08:00:00")), trace("2", event("b", "2024-01-01T09:00:00"))
    )
    cut = text[: text.index("</trace>") + len("</trace>")]
    with pytest.raises(LogImportError, match="ends before </log>"):
        read_xes(write(tmp_path, cut))


def test_attribute_typed_differently_in_two_pieces_becomes_text(tmp_path, monkeypatch):
    monkeypatch.setattr(xes_chunks, "CHUNK_BYTES", 400)
    text = xes_text(
        trace("1", event("a", "2024-01-01T08:00:00", '<int key="lot" value="7"/><int key="qty" value="1"/>')),
        *(trace(str(i), event("a", "2024-01-01T09:00:00")) for i in range(2, 6)),
        trace(
            "6",
            event(
                "b", "2024-01-01T10:00:00", '<string key="lot" value="L-9"/><float key="qty" value="2.5"/>'
            ),
        ),
    )
    frame = read_xes(write(tmp_path, text)).frame.set_index(CASE)
    assert frame.loc["1", "lot"] == "7" and frame.loc["6", "lot"] == "L-9"
    assert frame.loc["1", "qty"] == 1.0 and frame.loc["6", "qty"] == 2.5


def test_events_hidden_in_comments_are_refused_rather_than_lost(tmp_path):
    text = xes_text(
        trace("1", event("a", "2024-01-01T08:00:00"), "<!-- " + event("b", "2024-01-01T09:00:00") + " -->")
    )
    with pytest.raises(LogImportError, match="inside XML comments or CDATA sections are not supported"):
        read_xes(write(tmp_path, text))


# The plain parser (xes_plain) must give what rustxes gives, or decline the piece.


def rustxes_table(tmp_path: Path, text: str) -> pa.Table:
    path = write(tmp_path, text, "oracle.xes")
    frame, _ = rustxes.import_xes(str(path))
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())


def body_of(text: str) -> bytes:
    data = text.encode("utf-8")
    return data[data.index(b"<trace") :]


def same_table(left: pa.Table, right: pa.Table) -> bool:
    names = sorted(left.column_names)
    return names == sorted(right.column_names) and left.select(names).equals(right.select(names))


PLAIN_DOCUMENTS = {
    "offsets, fractions, Z and no zone": OFFSETS,
    "entities and other scripts": xes_text(
        trace(
            "R&amp;D &lt;1&gt;",
            event("a &quot;x&quot; &apos;y&apos; &amp;amp;", "2024-01-01T08:00:00.123456789+05:45"),
            event("Größe 測定", "1999-12-31T23:59:59.5-11:00", '<string key="note" value=""/>'),
        )
    ),
    "open-form attributes, spacing, attributes after events": (
        '<?xml version="1.0" encoding="utf-8"?>\n<log>\n  <trace>\n    <int key="n" value="-12"></int>\n'
        '    <event>\n      <string key="concept:name" value="a"/>\n'
        '      <float key="x" value="1e-3" />\n      <date key="time:timestamp" value="2024-02-29T00:00:00Z">'
        "\n      </date>\n    </event>\n"
        '    <string key="late" value="after the events"/>\n  </trace>\n  <trace></trace>\n</log>\n'
    ),
    "values missing on some events, a trace without events": xes_text(
        trace("1", event("a", "2024-01-01T00:00:00", '<boolean key="ok" value="false"/>')),
        trace("2"),
        trace(
            "3",
            event("b", "2024-01-01T01:00:00"),
            event("c", "2024-01-01T02:00:00", '<int key="qty" value="007"/><float key="w" value=".5"/>'),
        ),
    ),
    "an event without attributes": xes_text(trace("1", "<event></event>", event("a", "2024-01-01T00:00:00"))),
}


@pytest.mark.parametrize("text", PLAIN_DOCUMENTS.values(), ids=PLAIN_DOCUMENTS.keys())
def test_plain_parser_gives_what_rustxes_gives(tmp_path, text):
    table = xes_plain.parse_plain_traces(body_of(text))
    assert table is not None
    assert same_table(table, rustxes_table(tmp_path, text))


NOT_PLAIN = {
    "comment": trace("1", event("a", "2024-01-01T00:00:00"), "<!-- note -->"),
    "CDATA": trace("1", event("a", "2024-01-01T00:00:00", '<string key="x" value="<![CDATA[y]]>"/>')),
    "numeric reference": trace("1", event("&#65;", "2024-01-01T00:00:00")),
    "unknown entity": trace("1", event("&nbsp;", "2024-01-01T00:00:00")),
    "single quotes": trace("1", event("a", "2024-01-01T00:00:00", "<string key='x' value='y'/>")),
    "value before key": trace("1", event("a", "2024-01-01T00:00:00", '<string value="y" key="x"/>')),
    "id attribute": trace("1", event("a", "2024-01-01T00:00:00", '<id key="u" value="abc"/>')),
    "list attribute": trace(
        "1", event("a", "2024-01-01T00:00:00", '<list key="l"><string key="i" value="x"/></list>')
    ),
    "nested attribute": trace(
        "1", event("a", "2024-01-01T00:00:00", '<string key="x" value="y"><int key="m" value="1"/></string>')
    ),
    "key twice": trace("1", event("a", "2024-01-01T00:00:00", '<string key="concept:name" value="b"/>')),
    "one key, two types": trace(
        "1",
        event("a", "2024-01-01T00:00:00", '<int key="x" value="1"/>'),
        event("b", "2024-01-01T00:00:00", '<string key="x" value="y"/>'),
    ),
    "boolean as 1": trace("1", event("a", "2024-01-01T00:00:00", '<boolean key="b" value="1"/>')),
    "int with plus sign": trace("1", event("a", "2024-01-01T00:00:00", '<int key="n" value="+7"/>')),
    "float as NaN": trace("1", event("a", "2024-01-01T00:00:00", '<float key="f" value="NaN"/>')),
    "date without time": trace("1", event("a", "2024-01-01")),
    "leap second": trace("1", event("a", "2024-12-31T23:59:60Z")),
    "offset without colon": trace("1", event("a", "2024-01-01T00:00:00+0100")),
    "misspelt end tag": trace("1", event("a", "2024-01-01T00:00:00")).replace("</event>", "</evnt>"),
    "event left open": trace("1", event("a", "2024-01-01T00:00:00")).replace("</event>", ""),
    "stray text": trace("1", event("a", "2024-01-01T00:00:00")).replace("<event>", "<event>text"),
    "event outside a trace": trace("1") + event("a", "2024-01-01T00:00:00"),
    "self-closed event": trace("1", "<event/>", event("a", "2024-01-01T00:00:00")),
}


@pytest.mark.parametrize("traces", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_plain_parser_declines_anything_else(traces):
    assert xes_plain.parse_plain_traces(body_of(xes_text(traces))) is None


def test_plain_parser_declines_invalid_utf8_and_cut_pieces():
    body = body_of(xes_text(trace("1", event("a", "2024-01-01T00:00:00"))))
    assert xes_plain.parse_plain_traces(body.replace(b'"a"', b'"\xff"')) is None
    for cut in range(1, len(body) - len("</log>\n")):
        assert xes_plain.parse_plain_traces(body[:cut]) is None or body[:cut].rstrip().endswith(b"</trace>")


def test_rustxes_and_plain_parser_give_the_same_log(tmp_path, monkeypatch):
    """Pieces the plain parser declines go to rustxes; mixing both in one file changes nothing."""
    monkeypatch.setattr(xes_chunks, "CHUNK_BYTES", 600)
    traces = [
        trace(
            str(i),
            event("a", f"2024-01-0{1 + i % 9}T08:00:00+01:00", lifecycle("start")),
            event(
                "a",
                f"2024-01-0{1 + i % 9}T09:30:00.5+01:00",
                lifecycle("complete"),
                '<int key="qty" value="3"/>' if i % 3 else '<string key="note" value="x &amp; y"/>',
            ),
            attributes=f'<float key="amount" value="{i}.25"/>',
        )
        for i in range(30)
    ]
    traces[7] = traces[7].replace('value="7.25"', "value='7.25'")  # this piece goes to rustxes
    path = write(tmp_path, xes_text(*traces))
    calls: list[pa.Table | None] = []

    def spy(body: bytes | memoryview) -> pa.Table | None:
        calls.append(xes_plain.parse_plain_traces(body))
        return calls[-1]

    monkeypatch.setattr(xes_chunks, "parse_plain_traces", spy)
    mixed = read_xes(path)
    monkeypatch.setattr(xes_chunks, "parse_plain_traces", lambda body: None)
    only_rustxes = read_xes(path)
    pd.testing.assert_frame_equal(mixed.frame, only_rustxes.frame)
    assert mixed.notes == only_rustxes.notes and mixed.n_events == 30
    assert any(table is None for table in calls) and any(table is not None for table in calls)


def test_file_declaring_another_encoding_is_left_to_rustxes(tmp_path, monkeypatch):
    text = xes_text(trace("1", event("caf\xe9", "2024-01-01T00:00:00")))
    path = tmp_path / "latin.xes"
    path.write_bytes(text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1"))
    called: list[int] = []
    monkeypatch.setattr(xes_chunks, "parse_plain_traces", lambda body: called.append(1))
    read_xes(path)
    assert called == []


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("<extension ", "<extension><unclosed/><open>", "XML is broken here"),
        ("<log ", "<logs ", "XML is broken here"),
    ],
)
def test_broken_header_is_refused_even_when_the_traces_are_plain(tmp_path, old, new, message):
    text = xes_text(trace("1", event("a", "2024-01-01T00:00:00")))
    assert xes_plain.parse_plain_traces(body_of(text)) is not None
    with pytest.raises(LogImportError, match=message):
        read_xes(write(tmp_path, text.replace(old, new, 1)))
