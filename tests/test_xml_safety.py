"""Hostile XML and gzip input is refused fast, with bounded memory, before any parser runs."""

from __future__ import annotations

import gzip
import time
import tracemalloc
from pathlib import Path

import pytest
from lxml import etree

from sc_improve.errors import LogImportError
from sc_improve.log import xml_safety
from sc_improve.log.readers.ocel import read_ocel
from sc_improve.log.readers.xes import read_xes
from sc_improve.log.xml_safety import (
    check_xml_prolog,
    find_xml_error,
    open_log_bytes,
    safe_xml_parser,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE log [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<log><trace><string key="concept:name" value="&lol9;"/>
<event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-01-01T00:00:00"/></event>
</trace></log>
"""

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE log [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<log><trace><string key="concept:name" value="&xxe;"/>
<event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-01-01T00:00:00"/></event>
</trace></log>
"""

PLAIN = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment that mentions <!DOCTYPE x> is harmless -->
<?processing instruction?>
<log><trace><string key="concept:name" value="1"/>
<event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-01-01T00:00:00"/></event>
</trace></log>
"""


def write(path: Path, content: bytes, compress: bool = False) -> Path:
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("content", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_dtd_is_refused_fast_with_bounded_memory(tmp_path, content, compress):
    path = write(tmp_path / ("log.xes.gz" if compress else "log.xes"), content, compress)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(
            LogImportError, match="DTD/entity declaration; event logs never need one"
        ) as error:
            read_xes(path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 8 << 20
    assert error.value.row == 2  # the line of <!DOCTYPE
    assert "passwd" not in str(error.value) and "lollol" not in str(error.value)


def test_ocel_xml_with_dtd_is_refused(tmp_path):
    path = write(tmp_path / "log.xmlocel", XXE.replace(b"<log>", b"<log><object-types/>"))
    with pytest.raises(LogImportError, match="possible XML bomb / XXE"):
        read_ocel(path)


def test_comments_and_processing_instructions_are_allowed(tmp_path):
    check_xml_prolog(write(tmp_path / "ok.xes", PLAIN))
    check_xml_prolog(write(tmp_path / "ok.xes.gz", PLAIN, compress=True))


def test_doctype_after_a_comment_is_still_found(tmp_path):
    content = b"<?xml version='1.0'?>\n<!-- " + b"x" * 5000 + b" -->\n<!doctype log>\n<log/>"
    with pytest.raises(LogImportError, match="DTD") as error:
        check_xml_prolog(write(tmp_path / "late.xes", content))
    assert error.value.row == 3


def test_utf16_dtd_is_found(tmp_path):
    content = '\ufeff<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE log><log/>'.encode("utf-16-le")
    with pytest.raises(LogImportError, match="DTD"):
        check_xml_prolog(write(tmp_path / "utf16.xes", content))


def test_endless_prolog_is_refused_without_reading_it_all(tmp_path):
    comment = b"<!-- " + b"x" * (3 * xml_safety.PROLOG_SCAN_BYTES) + b" -->"
    path = write(tmp_path / "long.xes.gz", comment + b"<log/>", compress=True)
    with pytest.raises(LogImportError, match="no XML root element in the first 1 MiB"):
        check_xml_prolog(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"case,activity\n1,a\n", "not an XML file"), (b"<?xml version='1.0'?>", "no root")],
)
def test_non_xml_is_refused_with_a_plain_message(tmp_path, content, message):
    with pytest.raises(LogImportError, match=message):
        check_xml_prolog(write(tmp_path / "x.xes", content))


def test_gzip_bomb_is_stopped_while_streaming(tmp_path, monkeypatch):
    monkeypatch.setattr(xml_safety, "GZIP_RATIO_GRACE_BYTES", 1 << 20)
    bomb = b"<log>" + b" " * (16 << 20) + b"</log>"
    path = write(tmp_path / "bomb.xes.gz", bomb, compress=True)
    assert path.stat().st_size * xml_safety.MAX_GZIP_RATIO < len(bomb)
    check_xml_prolog(path)  # the prolog itself is fine, and reading it is bounded
    with pytest.raises(LogImportError, match="gzip bomb"):
        read_xes(path)


def test_ordinary_compression_passes_the_ratio_guard(tmp_path, monkeypatch):
    monkeypatch.setattr(xml_safety, "GZIP_RATIO_GRACE_BYTES", 1 << 10)
    path = write(tmp_path / "ok.xes.gz", PLAIN * 50, compress=True)
    with open_log_bytes(path) as data:
        assert data.read() == PLAIN * 50
        assert data.fraction == 1.0


def test_truncated_gzip_is_a_clear_error(tmp_path):
    packed = gzip.compress(PLAIN * 200)
    path = write(tmp_path / "cut.xes.gz", packed[: len(packed) // 2])
    with pytest.raises(LogImportError, match="damaged or truncated"), open_log_bytes(path) as data:
        data.read()


def test_safe_parser_does_not_expand_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    document = f"""<!DOCTYPE log [<!ENTITY inner "expanded"><!ENTITY file SYSTEM "{secret.as_uri()}">]>
<log>&inner;&file;</log>""".encode()
    root = etree.fromstring(document, safe_xml_parser())
    text = etree.tostring(root).decode()
    assert "expanded" not in text and "TOP SECRET" not in text


def test_find_xml_error_reports_the_line(tmp_path):
    broken = PLAIN.replace(b"</event>", b"</evnt>")
    location = find_xml_error(write(tmp_path / "broken.xes.gz", broken, compress=True))
    assert location is not None
    assert location.line == 5
    assert "mismatch" in location.message
    assert find_xml_error(write(tmp_path / "fine.xes", PLAIN)) is None


def test_concatenated_gzip_members_are_read_like_gunzip(tmp_path):
    path = tmp_path / "two.xes.gz"
    path.write_bytes(gzip.compress(PLAIN[:100]) + gzip.compress(PLAIN[100:]) + b"\0\0\0\0")
    with open_log_bytes(path) as data:
        assert data.read(7) + data.read() == PLAIN
