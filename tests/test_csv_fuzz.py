"""Fuzzing the CSV import: whatever the bytes, the result is an EventLog or a LogImportError.

Any other exception (a raw pyarrow, pandas, csv or Unicode error) would reach the
user as a traceback, which the import promises never to do.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sc_improve.errors import LogImportError
from sc_improve.log.event_log import EventLog
from sc_improve.log.read import read_log

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIELD = st.one_of(
    st.sampled_from(["1", "2", "A-17", "Create", "Approve", "", " ", "0010", "12,5", "3.25", "null"]),
    st.sampled_from(["2024-01-31 10:00", "31.01.2024", "01/13/2024", "13/01/2024", "20240131", "143005"]),
    st.sampled_from(['"', '""', '"a,b"', '"x\ny"', "\n", "\r\n", ";", "\t", "|", "ä", "\x00", "\ufeff"]),
    st.text(max_size=8),
)


def import_outcome(data: bytes, name: str = "fuzz.csv") -> EventLog | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return read_log(path)
        except LogImportError:
            return None


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes(data):
    outcome = import_outcome(data)
    assert outcome is None or isinstance(outcome, EventLog)


@FUZZ
@given(
    header=st.lists(
        st.sampled_from(["case", "activity", "time", "user", "", "case", "x;y"]), min_size=1, max_size=5
    ),
    rows=st.lists(st.lists(FIELD, min_size=0, max_size=6), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-16", "utf-8-sig"]),
)
def test_structured_but_broken_csv(header, rows, delimiter, encoding):
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    data = "\n".join(lines).encode(encoding, errors="replace")
    outcome = import_outcome(data)
    if outcome is not None:
        assert outcome.n_events + int(outcome.issues["dropped"].sum()) <= outcome.raw_event_count


@FUZZ
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["1", "2", "3"]), st.sampled_from(["a", "b"]), FIELD), max_size=15
    )
)
def test_well_formed_log_with_random_timestamps(rows):
    """Three sound columns, the time column fuzzed: bad times must become issues, not crashes."""
    lines = ["case,activity,time"] + [",".join(row) for row in rows]
    outcome = import_outcome("\n".join(lines).encode("utf-8", errors="replace"))
    if outcome is not None:
        assert set(outcome.frame["concept:name"].dropna()) <= {"a", "b"} or outcome.n_events == 0


def test_truncated_utf16_is_bad_input(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes(b"\xfe\xff\x00")
    with pytest.raises(LogImportError, match="UTF-16"):
        read_log(path)


def _plain_text_by_scans(array):
    """plain_text as it was first written (six string scans): the reference for the buffer-based test."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from sc_improve.log.arrowtools import BLANKS

    padded = any(pc.any(test(array, b)).as_py() for b in BLANKS for test in (pc.starts_with, pc.ends_with))
    if padded:
        array = pc.utf8_trim_whitespace(array)
    empty = pc.equal(array, "")
    if not pc.any(empty).as_py():
        return array
    return pc.if_else(empty, pa.scalar(None, array.type), array)


@FUZZ
@given(
    st.lists(
        st.none() | st.text(alphabet=["a", " ", "\t", "\u00a0", "à", "\u2003", "Â", "\n"], max_size=4),
        max_size=12,
    ),
    st.booleans(),
    st.integers(min_value=0, max_value=3),
)
def test_plain_text_matches_the_string_scans(values, large, cut):
    import pyarrow as pa

    from sc_improve.log.arrowtools import plain_text

    kind = pa.large_string() if large else pa.string()
    whole = pa.array(values, kind)
    chunks = [whole.slice(cut), whole.slice(0, cut)] if values else []
    array = pa.chunked_array(chunks, type=kind)
    assert plain_text(array).to_pylist() == _plain_text_by_scans(array).to_pylist()
