"""Recognise the timestamp format of a column and parse it at column speed.

ERP and spreadsheet exports write time in many ways: ISO 8601, SAP's dd.mm.yyyy or
yyyymmdd (DATS) plus a separate HHMMSS time column, US or European slashed dates,
epoch seconds, Excel serial numbers. Detection looks at a sample of a few thousand
values with plain regular expressions (cheap, and easy to explain to a user); the
whole column is then parsed once with Arrow's C kernels (``strptime``, ``cast``), so
millions of rows take a fraction of a second.

Day-first versus month-first is decided from the data of the *whole* column, not
the sample: a sorted log that starts on the 1st shows no day above 12 for its first
12 days. If no value proves either order, day-first is used and a note says so.

Results are int64 nanoseconds since the epoch (UTC clock, see
:func:`sc_improve.log.event_log.to_utc` for the timezone policy) with a mask of
values that were present but could not be read, so the caller can list those rows
instead of losing them silently.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sc_improve.errors import LogImportError
from sc_improve.log.arrowtools import NAT_NS, ArrowLike, as_chunked, is_text, ns_values, plain_text

SAMPLE_SIZE = 2000
SHARE_SAMPLE_SIZE = 500
"""Values a suggestion classifies per column: enough for a share, cheap on wide tables."""
PROBE_SIZE = 100
"""A column none of whose first 100 sampled values looks like a time is rejected without reading more."""
NS_PER_SECOND = 10**9
NS_PER_DAY = 86_400 * NS_PER_SECOND
EXCEL_EPOCH_DAYS = 25_569
"""Days from Excel's day 0 (1899-12-30, in the 1900 date system) to 1970-01-01."""
EXCEL_MAX_SERIAL = 2_958_466
"""Serial of 10000-01-01: larger numbers are not Excel dates."""
MISSING_MARKERS = ("00000000", "0000-00-00", "00.00.0000", "0000/00/00")
"""SAP writes these for "no date"; they mean missing, not unparseable. All start with "00",
which a quick scan checks before the exact (slower) comparison."""

KEYWORD_FORMATS = ("iso8601", "epoch_s", "epoch_ms", "excel")

_TIME_SUFFIX = (
    r"(?:(?P<sep>T|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<F>[.,]\d{1,9})?)?"
    r"\s?(?P<P>[AaPp][Mm])?)?\s?(?P<Z>Z|[+-]\d{2}:?\d{2})?$"
)
_YMD = re.compile(r"^(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})" + _TIME_SUFFIX)
_XXY = re.compile(r"^(?P<a>\d{1,2})(?P<s>[-/.])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})" + _TIME_SUFFIX)
_DMONY = re.compile(r"^(?P<d>\d{1,2})(?P<s>[-/. ])(?P<b>[A-Za-z]{3})(?P=s)(?P<y>\d{4}|\d{2})" + _TIME_SUFFIX)
_COMPACT = re.compile(
    r"^(?P<y>(?:19|20|21)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])"
    r"(?P<T>(?:[01]\d|2[0-3])[0-5]\d[0-5]\d)?$"
)
_DATE_FORMS = ((_YMD, "%Y{s}%m{s}%d"), (_XXY, "{{0}}{s}{{1}}{s}{y}"), (_DMONY, "%d{s}%b{s}{y}"))
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_DAY_MONTH = r"^(\d{1,2})[./-](\d{1,2})[./-]"
_FRACTION = r"(:\d{2})[.,]\d{1,9}"
_DATE_CODES = {"%d": (r"\d{1,2}", 2), "%m": (r"\d{1,2}", 2), "%Y": (r"\d{4}", 4), "%y": (r"\d{2}", 2)}
_DATE_CODES["%b"] = (r"[A-Za-z]{3}", 3)
_LABELS = {
    "%d": "dd",
    "%m": "mm",
    "%Y": "yyyy",
    "%y": "yy",
    "%b": "Mon",
    "%H": "HH",
    "%I": "hh",
    "%M": "MM",
    "%S": "SS",
    "%p": "AM/PM",
    "%z": "±hh:mm",
}


class MixedDateOrders(LogImportError):
    """A column has dates that must be day-first and dates that must be month-first."""


@dataclass(frozen=True)
class TimestampFormat:
    """How the values of one column become instants.

    ``kind`` is "native" (already a date/time type), "iso8601", "strptime" (try
    ``patterns`` in order, then ``fallbacks``: the same dates with more or less time
    detail), "epoch_s", "epoch_ms" or "excel" (serial day numbers).
    ``fraction`` means fractional seconds are split off before ``strptime`` (which
    has no ``%f``). ``ambiguous`` records that day-first was a default, not a finding.
    """

    kind: str
    patterns: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()
    dayfirst: bool | None = None
    ambiguous: bool = False
    fraction: bool = False
    date_only: bool = False

    @property
    def label(self) -> str:
        """Human-readable form, e.g. "dd.mm.yyyy HH:MM:SS"."""
        if self.kind != "strptime":
            return {
                "native": "date/time values",
                "iso8601": "ISO 8601",
                "epoch_s": "seconds since 1970-01-01",
                "epoch_ms": "milliseconds since 1970-01-01",
                "excel": "Excel serial day numbers",
            }[self.kind]
        return " or ".join(dict.fromkeys(_label(p) for p in self.patterns))


@dataclass
class ParsedTimes:
    """Parsed instants of one column: int64 ns (NaT = ``NAT_NS``) and what failed.

    ``failed[i]`` is True when row i held a value that could not be read (as opposed
    to an empty cell), so the caller can report the row with its raw value.
    """

    ns: np.ndarray
    failed: np.ndarray
    format: TimestampFormat
    notes: list[str] = field(default_factory=list)

    def as_series(self, name: str | None = None) -> pd.Series:
        """The instants as a naive ``datetime64[ns]`` Series (UTC clock)."""
        return pd.Series(self.ns.view("datetime64[ns]"), name=name)


def format_from_text(text: str) -> TimestampFormat:
    """A user's explicit format: a strptime pattern or one of ``KEYWORD_FORMATS``.

    >>> format_from_text("%d.%m.%Y %H:%M").patterns
    ('%d.%m.%Y %H:%M',)
    >>> format_from_text("excel").kind
    'excel'
    """
    cleaned = text.strip()
    if cleaned.lower() in KEYWORD_FORMATS:
        return TimestampFormat(kind=cleaned.lower())
    if "%" not in cleaned:
        raise LogImportError(
            f"timestamp format {text!r} is not understood; use strptime codes such as "
            f"'%d.%m.%Y %H:%M:%S' or one of {', '.join(KEYWORD_FORMATS)}"
        )
    fraction = bool(re.search(r"[.,]%f", cleaned))
    pattern = re.sub(r"[.,]%f", "", cleaned)
    return TimestampFormat(kind="strptime", patterns=(pattern,), fraction=fraction)


def detect_format(
    values: ArrowLike, *, column: str = "", dayfirst: bool | None = None, allow_numeric: bool = True
) -> TimestampFormat:
    """Choose the format of a timestamp column from its values.

    ``allow_numeric`` lets plain numbers count as epoch seconds/milliseconds or Excel
    serials; the mapping suggestion turns it off for columns whose name does not
    hint at time, because document numbers such as 1000000123 look like epochs.

    >>> detect_format(["13.01.2024 08:00", "02.02.2024 09:30"]).label
    'dd.mm.yyyy HH:MM'
    """
    array = as_chunked(values)
    return _detect(_clean(array) if is_text(array) else array, column, dayfirst, allow_numeric)


def _detect(
    array: pa.ChunkedArray,
    column: str,
    dayfirst: bool | None,
    allow_numeric: bool,
    size: int = SAMPLE_SIZE,
) -> TimestampFormat:
    """:func:`detect_format` on a column that is already cleaned (if text)."""
    if _is_native(array.type):
        return TimestampFormat(kind="native")
    if _is_number(array.type):
        sample = _sample(array, size).to_numpy(zero_copy_only=False).astype(np.float64)
        return _numeric_format(sample[np.isfinite(sample)], column, allow_numeric)
    if not is_text(array):
        raise LogImportError(f"holds {array.type} values, not dates or times", column=column or None)
    sample = [str(v) for v in _sample(array, size).to_pylist()]
    if not sample:
        raise LogImportError("has no values to read dates or times from", column=column or None)
    return _text_format(array, sample, column, dayfirst, allow_numeric)


def is_plain_iso(values: ArrowLike) -> bool:
    """True when a column's values read as ISO 8601 without a UTC offset (so a reader may parse them itself).

    >>> is_plain_iso(["2024-01-31T08:00:00", "2024-02-01 09:30"]), is_plain_iso(["2024-01-31T08:00Z"])
    (True, False)
    """
    array = as_chunked(values)
    if not is_text(array):
        return False
    try:
        fmt = detect_format(array, allow_numeric=False)
    except LogImportError:
        return False
    return fmt.kind == "iso8601" and not any("%z" in pattern for pattern in fmt.patterns)


def looks_like_timestamp(value: str) -> bool:
    """True when a single text value has the shape of a date or date-time (for header sniffing).

    >>> looks_like_timestamp("31.01.2024"), looks_like_timestamp("Order date")
    (True, False)
    """
    return _classify(value.strip()) is not None


def timestamp_share(
    values: ArrowLike, *, allow_numeric: bool = False
) -> tuple[float, TimestampFormat | None]:
    """Share of sample values shaped like timestamps, with the format (for suggestions).

    A column whose dates mix day-first and month-first still counts as a time
    column here, so that the import stops with that precise message instead of
    "no timestamp column".
    """
    array = as_chunked(values)
    text = is_text(array)
    if text:
        array = _clean(array)
    try:
        fmt = _detect(array, "", None, allow_numeric, SHARE_SAMPLE_SIZE)
    except MixedDateOrders:
        fmt = _detect(array, "", True, allow_numeric, SHARE_SAMPLE_SIZE)
    except LogImportError:
        return 0.0, None
    if fmt.kind == "native":
        return 1.0, fmt
    sample = _sample(array, SHARE_SAMPLE_SIZE)
    if not text:
        return float(np.mean(_parse(sample, fmt) != NAT_NS)), fmt
    values_text = [str(v) for v in sample.to_pylist()]
    shaped = sum(1 for v in values_text if _classify(v) or (allow_numeric and _NUMBER.match(v)))
    return shaped / max(len(values_text), 1), fmt


def parse_timestamps(
    values: ArrowLike,
    *,
    column: str = "",
    fmt: TimestampFormat | None = None,
    dayfirst: bool | None = None,
) -> ParsedTimes:
    """Parse a whole column; the format is detected unless given.

    >>> parsed = parse_timestamps(["2024-01-31 10:00", "oops", None])
    >>> parsed.as_series().tolist()[0], parsed.failed.tolist()
    (Timestamp('2024-01-31 10:00:00'), [False, True, False])
    """
    array = as_chunked(values)
    if is_text(array):
        array = _clean(array)
    if fmt is None or (fmt.kind != "native" and _is_native(array.type)):
        fmt = _detect(array, column, dayfirst, True)
    ns = _parse(array, fmt)
    present = _present(array)
    notes = []
    if fmt.ambiguous:
        notes.append(_ambiguity_note(column, fmt))
    if _mixes_zones(array, fmt):
        notes.append(
            f"Column '{column}' mixes times with and without a UTC offset; times without an offset "
            "were taken as UTC clock time."
        )
    return ParsedTimes(ns=ns, failed=present & (ns == NAT_NS), format=fmt, notes=notes)


def parse_date_time(
    dates: ArrowLike,
    times: ArrowLike,
    *,
    column: str = "",
    fmt: TimestampFormat | None = None,
    dayfirst: bool | None = None,
) -> ParsedTimes:
    """Combine a date column and a time-of-day column (SAP ERDAT + ERZET, CPUDT + CPUTM).

    Times may be HHMMSS digits (143005), "14:30:05", seconds since midnight (numbers
    that are not valid HHMMSS), Excel day fractions, or Arrow time values. A row with a
    date but an empty time is taken at 00:00 and counted in a note; a row whose time
    cannot be read fails like an unreadable date.

    >>> parse_date_time(["31.01.2024"], ["143005"]).as_series().tolist()
    [Timestamp('2024-01-31 14:30:05')]
    """
    date_part = parse_timestamps(dates, column=column, fmt=fmt, dayfirst=dayfirst)
    time_ns, time_failed = parse_time_of_day(times)
    has_date = date_part.ns != NAT_NS
    day_start = np.where(has_date, date_part.ns - np.mod(date_part.ns, NS_PER_DAY), NAT_NS)
    no_time = has_date & (time_ns == NAT_NS) & ~time_failed
    ns = np.where(has_date & (time_ns != NAT_NS), day_start + time_ns, day_start)
    ns[time_failed] = NAT_NS
    notes = list(date_part.notes)
    if no_time.any():
        notes.append(
            f"{int(no_time.sum())} rows of '{column}' have a date but no time; they were taken at 00:00."
        )
    failed = date_part.failed | (has_date & time_failed)
    return ParsedTimes(ns=ns, failed=failed, format=date_part.format, notes=notes)


def parse_time_of_day(values: ArrowLike) -> tuple[np.ndarray, np.ndarray]:
    """Time-of-day column as ns since midnight (NaT when empty) and a mask of unreadable values."""
    array = as_chunked(values)
    kind = array.type
    if pa.types.is_time(kind) or pa.types.is_duration(kind):
        unit = {"s": NS_PER_SECOND, "ms": 10**6, "us": 10**3, "ns": 1}[kind.unit]
        raw = pc.fill_null(pc.cast(array, pa.int64()), NAT_NS).to_numpy()
        return np.where(raw == NAT_NS, NAT_NS, raw * unit), np.zeros(len(raw), dtype=bool)
    if _is_native(kind):
        ns = ns_values(pc.cast(array, pa.timestamp("ns")) if pa.types.is_date(kind) else array)
        return np.where(ns == NAT_NS, NAT_NS, np.mod(ns, NS_PER_DAY)), np.zeros(len(ns), dtype=bool)
    if _is_number(kind):
        numbers = array.to_numpy(zero_copy_only=False).astype(np.float64)
        return _numeric_time(numbers)
    if not is_text(array):
        return np.full(len(array), NAT_NS, dtype=np.int64), _present(array)
    cleaned = _clean(array)
    present = _present(cleaned)
    digits = pc.fill_null(pc.match_substring_regex(cleaned, r"^\d{1,6}(\.0+)?$"), False).to_numpy()
    if digits[present].all():
        numbers = pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False)
        return _numeric_time(numbers)
    ns = np.full(len(cleaned), NAT_NS, dtype=np.int64)
    stripped = pc.replace_substring_regex(cleaned, _FRACTION, r"\1")
    base = np.datetime64("1900-01-01", "ns").astype(np.int64)
    for pattern in ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p"):
        todo = present & (ns == NAT_NS)
        if not todo.any():
            break
        subset = stripped.filter(pa.array(todo))
        parsed = ns_values(pc.strptime(subset, format=pattern, unit="ns", error_is_null=True))
        ns[todo] = np.where(parsed == NAT_NS, NAT_NS, parsed - base)
    return ns, present & (ns == NAT_NS)


def _numeric_time(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numbers as time of day: HHMMSS (SAP), seconds since midnight, or Excel day fractions.

    Whole numbers are HHMMSS unless some are not valid HHMMSS (36975 has 69 minutes)
    while all are below 86400: then they are seconds, as some extractors write them.
    """
    present = np.isfinite(numbers)
    values = numbers[present]
    ns = np.full(len(numbers), NAT_NS, dtype=np.int64)
    if values.size == 0:
        return ns, np.zeros(len(numbers), dtype=bool)
    integral = np.all(values == np.round(values))
    if not integral and np.all((values >= 0) & (values < 1)):
        seconds = np.round(values * 86_400_000) / 1000
    else:
        whole = values.astype(np.int64)
        hours, minutes, secs = whole // 10_000, whole // 100 % 100, whole % 100
        hhmmss = (whole >= 0) & (hours < 24) & (minutes < 60) & (secs < 60)
        as_seconds = not hhmmss.all() and bool(np.all((values >= 0) & (values < 86_400)))
        seconds = values if as_seconds else np.where(hhmmss, hours * 3600 + minutes * 60 + secs, -1)
    ok = (seconds >= 0) & (seconds < 86_400)
    chosen = np.where(ok, np.round(np.asarray(seconds, dtype=np.float64) * 1000), 0).astype(np.int64)
    ns[present] = np.where(ok, chosen * 10**6, NAT_NS)
    return ns, present & (ns == NAT_NS)


def _mixes_zones(array: pa.ChunkedArray, fmt: TimestampFormat) -> bool:
    """True when some values carry a UTC offset and others do not."""
    if not is_text(array) or not any("%z" in p for p in fmt.patterns):
        return False
    zoned = pc.sum(pc.match_substring_regex(array, r"(Z|[+-]\d{2}:?\d{2})$")).as_py() or 0
    return 0 < zoned < len(array) - array.null_count


def _is_native(kind: pa.DataType) -> bool:
    return pa.types.is_timestamp(kind) or pa.types.is_date(kind)


def _is_number(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)


def _clean(array: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trimmed text with blanks and SAP "no date" markers as null."""
    text = plain_text(array)
    if not pc.any(pc.starts_with(text, "00")).as_py():
        return text
    marker = pc.fill_null(pc.is_in(text, value_set=pa.array(MISSING_MARKERS, type=text.type)), False)
    if not pc.any(marker).as_py():
        return text
    return pc.if_else(marker, pa.scalar(None, text.type), text)


def _present(array: pa.ChunkedArray) -> np.ndarray:
    return pc.is_valid(array).to_numpy(zero_copy_only=False).astype(bool)


def _sample(array: pa.ChunkedArray | pa.Array, size: int = SAMPLE_SIZE, windows: int = 50) -> pa.Array:
    """Up to ``size`` non-null values from ``windows`` stretches spread over the whole column.

    Contiguous slices rather than scattered positions: slicing is free on chunked
    data, while picking single rows would first concatenate the whole column.
    """
    array = as_chunked(array)
    width = max(size * 2 // windows, 1)
    starts = np.unique(np.linspace(0, max(len(array) - width, 0), windows).astype(np.int64))
    pieces = [array.slice(int(start), width) for start in starts]
    picked = pa.chunked_array([c for piece in pieces for c in piece.chunks], type=array.type).combine_chunks()
    return picked.filter(pc.is_valid(picked)).slice(0, size)


def _numeric_format(values: np.ndarray, column: str, allow_numeric: bool) -> TimestampFormat:
    where = column or None
    if values.size == 0:
        raise LogImportError("has no values to read dates or times from", column=where)
    integral = bool(np.all(values == np.round(values)))
    if integral and np.all((values >= 19_000_101) & (values <= 21_001_231)):
        return TimestampFormat(kind="strptime", patterns=("%Y%m%d",), date_only=True)
    if not allow_numeric:
        raise LogImportError("holds plain numbers, not dates or times", column=where)
    middle = float(np.median(values))
    if 1e8 <= middle < 1e11:
        return TimestampFormat(kind="epoch_s")
    if 1e11 <= middle < 1e14:
        return TimestampFormat(kind="epoch_ms")
    if 0 < middle < EXCEL_MAX_SERIAL:
        return TimestampFormat(kind="excel", date_only=integral)
    raise LogImportError(
        f"holds numbers such as {values[0]:g} that are neither epoch times nor Excel dates", column=where
    )


@lru_cache(maxsize=4 * SAMPLE_SIZE)
def _classify(value: str) -> tuple[str, bool, tuple[int, int] | None] | None:
    """(strptime template, fraction?, day/month fields to weigh) for one sample value.

    Templates for day/month-ambiguous dates keep ``{0}``/``{1}`` placeholders that are
    filled once the order is known. Cached: a suggestion classifies the same sample
    values twice (to find the format, then to count how many have it).
    """
    compact = _COMPACT.match(value)
    if compact:
        return ("%Y%m%d%H%M%S" if compact["T"] else "%Y%m%d"), False, None
    for regex, date_template in _DATE_FORMS:
        match = regex.match(value)
        if not match:
            continue
        year = "%Y" if len(match["y"]) == 4 else "%y"
        template = date_template.format(s=match["s"], y=year)
        if match["H"]:
            template += ("T" if match["sep"] == "T" else " ") + ("%I" if match["P"] else "%H") + ":%M"
            template += ":%S" if match["S"] else ""
            template += " %p" if match["P"] else ""
        template += " %z" if match["Z"] else ""
        fields = (int(match["a"]), int(match["b"])) if regex is _XXY else None
        return template, bool(match["F"]), fields
    return None


def _text_format(
    array: pa.ChunkedArray, sample: list[str], column: str, dayfirst: bool | None, allow_numeric: bool
) -> TimestampFormat:
    where = column or None
    if not any(_classify(v) or (allow_numeric and _NUMBER.match(v)) for v in sample[:PROBE_SIZE]):
        raise _not_times(sample, where)
    shapes = [(value, _classify(value)) for value in sample]
    classified = [shape for _, shape in shapes if shape is not None]
    numeric = [float(v) for v in sample if _NUMBER.match(v)] if allow_numeric else []
    if len(numeric) > len(classified):
        return _numeric_format(np.asarray(numeric), column, allow_numeric)
    if not classified:
        raise _not_times(sample, where)
    templates = [t for t, _ in Counter(t for t, _, _ in classified).most_common()]
    fraction = any(f for _, f, _ in classified)
    order, ambiguous = _day_order(array, classified, column, dayfirst)
    patterns = [t.format(*order) for t in templates]
    date_only = not any("%H" in p or "%I" in p for p in patterns)
    iso = all(_ISO.match(value) for value, shape in shapes if shape is not None)
    return TimestampFormat(
        kind="iso8601" if iso else "strptime",
        patterns=tuple(patterns),
        fallbacks=tuple(p for p in _fallbacks(patterns) if p not in patterns),
        dayfirst=order == ("%d", "%m") if any("{0}" in t for t in templates) else None,
        ambiguous=ambiguous,
        fraction=fraction,
        date_only=date_only,
    )


def _not_times(sample: list[str], column: str | None) -> LogImportError:
    examples = ", ".join(repr(v) for v in sample[:3])
    return LogImportError(
        f"values such as {examples} are not dates or times in a recognised format; "
        "set the timestamp format explicitly (for example '%d.%m.%Y %H:%M:%S')",
        column=column,
    )


def _day_order(
    array: pa.ChunkedArray,
    classified: list[tuple[str, bool, tuple[int, int] | None]],
    column: str,
    dayfirst: bool | None,
) -> tuple[tuple[str, str], bool]:
    """Day-first or month-first for dd/mm vs mm/dd dates, decided over the whole column."""
    if not any(fields is not None for _, _, fields in classified):
        return ("%d", "%m"), False
    if dayfirst is not None:
        return (("%d", "%m") if dayfirst else ("%m", "%d")), False
    prefixes = pc.unique(pc.utf8_slice_codeunits(array, 0, 6)).drop_null()
    fields = pd.Series(prefixes.to_pylist(), dtype="object").str.extract(_DAY_MONTH).dropna().astype(int)
    first_over = fields[fields[0] > 12]
    second_over = fields[fields[1] > 12]
    if len(first_over) and len(second_over):
        raise MixedDateOrders(
            f"has dates whose first number is above 12 (e.g. '{_example(array, first_over.iloc[0])}', "
            f"so day-first) and dates whose second number is above 12 (e.g. "
            f"'{_example(array, second_over.iloc[0])}', so month-first); the column mixes both orders. "
            "Set the date order (dayfirst) or an explicit timestamp format.",
            column=column or None,
        )
    if len(first_over):
        return ("%d", "%m"), False
    if len(second_over):
        return ("%m", "%d"), False
    return ("%d", "%m"), True


def _example(array: pa.ChunkedArray, fields: pd.Series) -> str:
    """A raw value whose day/month fields are ``fields`` (for error messages)."""
    pattern = rf"^0?{fields[0]}[./-]0?{fields[1]}[./-]"
    hits = array.filter(pc.fill_null(pc.match_substring_regex(array, pattern), False))
    return str(hits[0]) if len(hits) else f"{fields[0]}/{fields[1]}"


def _fallbacks(patterns: list[str]) -> list[str]:
    """Same dates with less or more time detail: a midnight exported without its time still reads."""
    extra = []
    for pattern in patterns:
        date = re.split(r"[ T]%[HI]", pattern)[0].removesuffix(" %z")
        extra += [date, f"{date} %H:%M", f"{date} %H:%M:%S"]
    return list(dict.fromkeys(extra))


def _ambiguity_note(column: str, fmt: TimestampFormat) -> str:
    return (
        f"Column '{column}': no date has a day or month above 12, so the order cannot be told from the "
        f"data; read as day-first ({fmt.label}). If the dates are month-first, set dayfirst to false in "
        "the column mapping (or give the timestamp format explicitly)."
    )


def _label(pattern: str) -> str:
    return re.sub(r"%[a-zA-Z]", lambda m: _LABELS.get(m.group(0), m.group(0)), pattern)


def _parse(array: pa.ChunkedArray | pa.Array, fmt: TimestampFormat) -> np.ndarray:
    array = as_chunked(array)
    if fmt.kind == "native" or _is_native(array.type):
        if pa.types.is_date(array.type):
            array = pc.cast(array, pa.timestamp("s"))
        return ns_values(array)
    if fmt.kind in ("epoch_s", "epoch_ms", "excel"):
        return _parse_numeric(array, fmt.kind)
    if _is_number(array.type):
        array = pc.cast(pc.cast(array, pa.int64(), safe=False), pa.large_string())
    if fmt.kind == "iso8601":
        fast = _iso_cast(array)
        if fast is not None:
            return fast
    return _parse_patterns(array, fmt)


def _iso_cast(array: pa.ChunkedArray) -> np.ndarray | None:
    """Arrow's ISO 8601 cast: the fastest path, valid only if every value is clean ISO."""
    for target in (pa.timestamp("ns"), pa.timestamp("ns", tz="UTC")):
        try:
            return ns_values(pc.cast(array, target))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return None


def _parse_patterns(array: pa.ChunkedArray, fmt: TimestampFormat) -> np.ndarray:
    """strptime with each pattern in turn, each pass only over the rows still unread."""
    extra = np.zeros(len(array), dtype=np.int64)
    if fmt.fraction:
        digits = pc.struct_field(pc.extract_regex(array, r":\d{2}[.,](?P<f>\d{1,9})"), [0])
        padded = pc.utf8_rpad(digits, width=9, padding="0")
        extra = pc.fill_null(pc.cast(padded, pa.int64()), 0).to_numpy()
        array = pc.replace_substring_regex(array, _FRACTION, r"\1")
    present = _present(array)
    ns = np.full(len(array), NAT_NS, dtype=np.int64)
    for index, pattern in enumerate(fmt.patterns + fmt.fallbacks):
        todo = None if index == 0 else np.flatnonzero(present & (ns == NAT_NS))
        if todo is not None and todo.size == 0:
            break
        subset = array if todo is None else array.filter(pa.array(_mask(todo, len(array))))
        try:
            parsed = ns_values(pc.strptime(subset, format=pattern, unit="ns", error_is_null=True))
        except pa.ArrowInvalid as error:
            raise LogImportError(f"timestamp format {pattern!r} cannot be used: {error}") from error
        if todo is None:
            ns = parsed
        else:
            ns[todo] = parsed
        invalid = _calendar_invalid(subset, pattern)
        if invalid is not None:
            rows = np.flatnonzero(invalid) if todo is None else todo[invalid]
            ns[rows] = NAT_NS
    valid = ns != NAT_NS
    ns[valid] += extra[valid]
    return ns


def _mask(positions: np.ndarray, length: int) -> np.ndarray:
    mask = np.zeros(length, dtype=bool)
    mask[positions] = True
    return mask


def _calendar_invalid(array: pa.ChunkedArray, pattern: str) -> np.ndarray | None:
    """Rows whose date does not exist (31.02.2024): Arrow's strptime rolls those over.

    Checked on the distinct date prefixes only (a few thousand even for millions of
    rows) with pandas' strict parser, then mapped back with ``is_in``.
    """
    date_format, regex, width = _date_prefix(pattern)
    if "%d" not in date_format:
        return None
    prefixes = pc.utf8_slice_codeunits(array, 0, width)
    distinct = pd.Series(pc.unique(prefixes).drop_null().to_pylist(), dtype="object")
    dates = distinct.str.extract(f"^({regex})", expand=False)
    checked = pd.to_datetime(dates, format=date_format, errors="coerce")
    bad = dates.notna() & checked.isna()
    if not bad.any():
        return None
    hits = pc.is_in(prefixes, value_set=pa.array(distinct[bad].tolist(), type=prefixes.type))
    return pc.fill_null(hits, False).to_numpy(zero_copy_only=False).astype(bool)


def _date_prefix(pattern: str) -> tuple[str, str, int]:
    """The leading date part of a pattern: its format, a regex for it, and its widest length."""
    date_format, regex, width = "", "", 0
    for token in re.findall(r"%.|[^%]", pattern):
        if token in _DATE_CODES:
            piece, size = _DATE_CODES[token]
        elif not token.startswith("%") and token not in (" ", "T"):
            piece, size = re.escape(token), len(token)
        else:
            break
        date_format, regex, width = date_format + token, regex + piece, width + size
    return date_format, regex, width


def _parse_numeric(array: pa.ChunkedArray, kind: str) -> np.ndarray:
    if is_text(array):
        numeric = pc.fill_null(pc.match_substring_regex(array, _NUMBER.pattern), False)
        array = pc.cast(pc.if_else(numeric, array, pa.scalar(None, array.type)), pa.float64())
    values = array.to_numpy(zero_copy_only=False).astype(np.float64)
    if kind == "epoch_s":
        ns = values * NS_PER_SECOND
    elif kind == "epoch_ms":
        ns = values * 10**6
    else:
        millis = np.round((values - EXCEL_EPOCH_DAYS) * 86_400_000)
        ns = np.where((values > 0) & (values < EXCEL_MAX_SERIAL), millis * 10**6, np.nan)
    limit = float(np.iinfo(np.int64).max)
    ok = np.isfinite(ns) & (np.abs(ns) < limit)
    return np.where(ok, np.nan_to_num(ns), NAT_NS).astype(np.int64)
