"""Timestamp format detection and column-speed parsing, with known answers."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from sc_improve.errors import LogImportError
from sc_improve.log.timestamps import (
    detect_format,
    format_from_text,
    is_plain_iso,
    parse_date_time,
    parse_time_of_day,
    parse_timestamps,
    timestamp_share,
)


def times(values, **kwargs) -> list[pd.Timestamp]:
    return parse_timestamps(values, **kwargs).as_series().tolist()


T = pd.Timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05T14:30:00", T("2024-03-05 14:30:00")),
        ("2024-03-05 14:30", T("2024-03-05 14:30:00")),
        ("2024-03-05 14:30:00.250", T("2024-03-05 14:30:00.250")),
        ("2024-03-05T14:30:00Z", T("2024-03-05 14:30:00")),
        ("2024-03-05T14:30:00+02:00", T("2024-03-05 12:30:00")),
        ("2024-03-05T14:30:00-0500", T("2024-03-05 19:30:00")),
        ("2024-03-05", T("2024-03-05")),
    ],
)
def test_iso_8601_variants_become_utc(text, expected):
    assert detect_format([text]).kind == "iso8601"
    assert times([text]) == [expected]


def test_sap_dotted_dates_with_time():
    fmt = detect_format(["31.01.2024 14:30:05", "01.02.2024 08:00:00"])
    assert fmt.label == "dd.mm.yyyy HH:MM:SS"
    assert times(["31.01.2024 14:30:05"]) == [T("2024-01-31 14:30:05")]


def test_day_first_proven_by_a_single_late_value():
    """A sorted log starting on the 1st shows no day above 12 for 12 days; the last row decides."""
    values = [f"{day:02d}/01/2024 08:00" for day in range(1, 13)] * 400 + ["13/01/2024 08:00"]
    parsed = parse_timestamps(values, column="Date")
    assert parsed.format.dayfirst is True
    assert not parsed.format.ambiguous
    assert parsed.notes == []
    assert parsed.as_series().iloc[1] == T("2024-01-02 08:00")


def test_month_first_proven_by_the_data():
    parsed = parse_timestamps(["01/02/2024", "03/14/2024"], column="Date")
    assert parsed.format.dayfirst is False
    assert parsed.as_series().tolist() == [T("2024-01-02"), T("2024-03-14")]


def test_ambiguous_dates_default_to_day_first_with_a_note():
    parsed = parse_timestamps(["01/02/2024", "03/04/2024"], column="Posting Date")
    assert parsed.format.ambiguous
    assert parsed.as_series().tolist() == [T("2024-02-01"), T("2024-04-03")]
    assert len(parsed.notes) == 1
    assert "Posting Date" in parsed.notes[0] and "dayfirst" in parsed.notes[0]


def test_dayfirst_override_removes_the_ambiguity():
    parsed = parse_timestamps(["01/02/2024", "03/04/2024"], column="d", dayfirst=False)
    assert parsed.as_series().tolist() == [T("2024-01-02"), T("2024-03-04")]
    assert parsed.notes == []


def test_conflicting_day_month_order_names_the_column():
    with pytest.raises(LogImportError, match="mixes both orders") as caught:
        detect_format(["13/01/2024", "01/13/2024"], column="Created")
    assert caught.value.column == "Created"
    assert "13/01/2024" in str(caught.value) and "01/13/2024" in str(caught.value)


def test_sap_dats_and_initial_date():
    parsed = parse_timestamps(["20240131", "00000000", "20230229", None], column="ERDAT")
    assert parsed.as_series().tolist()[0] == T("2024-01-31")
    assert parsed.failed.tolist() == [False, False, True, False]


def test_impossible_calendar_dates_fail_instead_of_rolling_over():
    parsed = parse_timestamps(["31.02.2024", "28.02.2024", "29.02.2023"], column="d")
    assert parsed.failed.tolist() == [True, False, True]
    assert parsed.as_series().tolist()[1] == T("2024-02-28")


def test_month_names_and_am_pm():
    assert times(["02-JAN-2024", "15-Feb-2024"]) == [T("2024-01-02"), T("2024-02-15")]
    assert times(["1/13/2024 3:04 PM", "1/14/2024 11:00 AM"]) == [
        T("2024-01-13 15:04"),
        T("2024-01-14 11:00"),
    ]


def test_dates_with_and_without_time_in_one_column():
    values = ["31.01.2024 14:30", "01.02.2024", "02.02.2024 08:15:30"]
    assert times(values) == [T("2024-01-31 14:30"), T("2024-02-01"), T("2024-02-02 08:15:30")]


def test_epoch_seconds_milliseconds_and_excel_serials():
    assert detect_format(pa.array([1704067200, 1704153600])).kind == "epoch_s"
    assert times(pa.array([1704067200.5])) == [T("2024-01-01 00:00:00.5")]
    assert times(["1704067200000"]) == [T("2024-01-01")]
    assert times(pa.array([45292.5, 45322.0])) == [T("2024-01-01 12:00"), T("2024-01-31")]


def test_numbers_count_as_times_only_when_allowed():
    with pytest.raises(LogImportError, match="plain numbers"):
        detect_format(pa.array([1000000123, 1000000124]), allow_numeric=False)
    assert timestamp_share(["1000000123", "1000000124"])[0] == 0.0
    assert timestamp_share(["1000000123", "1000000124"], allow_numeric=True)[0] == 1.0


def test_native_timestamps_pass_through_and_far_future_fails():
    values = pa.array([pd.Timestamp("2024-01-01 10:00").to_pydatetime(), None], type=pa.timestamp("us"))
    assert times(values) == [T("2024-01-01 10:00"), pd.NaT]
    far = parse_timestamps(["9999-12-31 00:00:00", "2024-01-01 00:00:00"])
    assert far.failed.tolist() == [True, False]


def test_unreadable_values_are_flagged_not_lost():
    parsed = parse_timestamps(["2024-01-31 10:00", "yesterday", "", None])
    assert parsed.failed.tolist() == [False, True, False, False]


def test_no_recognisable_format_names_the_column():
    with pytest.raises(LogImportError, match="not dates or times") as caught:
        detect_format(["soon", "later"], column="When")
    assert caught.value.column == "When"


def test_explicit_formats():
    fmt = format_from_text("%d.%m.%Y %H:%M:%S.%f")
    assert fmt.fraction
    assert times(["31.01.2024 14:30:05.5"], fmt=fmt) == [T("2024-01-31 14:30:05.5")]
    assert format_from_text("excel").kind == "excel"
    with pytest.raises(LogImportError, match="not understood"):
        format_from_text("dd.mm.yyyy")


def test_offsets_mixed_with_naive_times_give_a_note():
    parsed = parse_timestamps(["2024-01-01T10:00:00+01:00", "2024-01-01T10:00:00"], column="ts")
    assert parsed.as_series().tolist() == [T("2024-01-01 09:00"), T("2024-01-01 10:00")]
    assert any("UTC offset" in note for note in parsed.notes)


def test_sap_date_plus_hhmmss_time():
    combined = parse_date_time(
        ["20240131", "20240201", "20240202"], ["143005", "093000", None], column="ERDAT+ERZET"
    )
    assert combined.as_series().tolist() == [T("2024-01-31 14:30:05"), T("2024-02-01 09:30"), T("2024-02-02")]
    assert any("taken at 00:00" in note for note in combined.notes)


def test_dotted_date_plus_clock_time_and_bad_time():
    combined = parse_date_time(["31.01.2024", "31.01.2024"], ["14:30:05", "25:99"], column="BUDAT+CPUTM")
    assert combined.as_series().tolist()[0] == T("2024-01-31 14:30:05")
    assert combined.failed.tolist() == [False, True]


def test_time_of_day_as_seconds_and_day_fractions():
    ns, failed = parse_time_of_day(pa.array([36975.0, 100.0]))
    assert (ns // 10**9).tolist() == [10 * 3600 + 16 * 60 + 15, 100]
    assert not failed.any()
    fractions, _ = parse_time_of_day(pa.array([0.5, 0.25]))
    assert (fractions // 10**9).tolist() == [43200, 21600]


def test_epoch_date_column_plus_seconds_time_column():
    """The SAP extractor writes CPUDT as epoch seconds and CPUTM as seconds since midnight."""
    combined = parse_date_time(pa.array([853891200.0]), pa.array([36975.0]), column="CPUDT+CPUTM")
    assert combined.as_series().tolist() == [T("1997-01-22 10:16:15")]


def test_plain_iso_columns_are_told_apart_from_other_time_columns():
    assert is_plain_iso(["2024-03-05T14:30:00", None, "2024-03-05 14:30:00.250", "2024-03-06"])
    assert not is_plain_iso(["2024-03-05T14:30:00+02:00", "2024-03-05T14:30:00"])
    assert not is_plain_iso(["05.03.2024 14:30", "06.03.2024 08:00"])
    assert not is_plain_iso(["1709649000", "1709649060"])
    assert not is_plain_iso(["PO-1", "PO-2"])
    assert not is_plain_iso(pa.array([1, 2]))
