"""Human-readable durations for labels, reports and tooltips.

Process maps and reports show times to people who think in minutes, hours and days,
not in seconds; every view formats them the same way through :func:`human_duration`.
"""

from __future__ import annotations

import math

_UNITS: tuple[tuple[float, str, float], ...] = (
    (1.0, "s", 60.0),
    (60.0, "min", 60.0),
    (3600.0, "h", 24.0),
    (86400.0, "d", 365.0),
    (365.0 * 86400.0, "y", math.inf),
)
"""(seconds per unit, symbol, value at which the next unit takes over)."""


def human_duration(seconds: float | None) -> str:
    """A short duration such as "2.3 d", "4 h" or "15 min", for labels that must stay small.

    The unit is the largest one that keeps the number at 1 or more; values below 10 keep
    one decimal (dropped when it is 0), larger ones are whole numbers. A value that
    rounds up to the next unit's threshold moves to that unit, so 59.97 s reads "1 min",
    not "60 s". Missing values (None, NaN) read "n/a".

    >>> human_duration(2.3 * 86400), human_duration(4 * 3600), human_duration(900)
    ('2.3 d', '4 h', '15 min')
    """
    if seconds is None or math.isnan(seconds):
        return "n/a"
    if seconds < 0:
        return "-" + human_duration(-seconds)
    if math.isinf(seconds):
        return "∞"
    for size, symbol, limit in _UNITS[:-1]:
        number = _format_number(seconds / size)
        if float(number) < limit:
            return f"{number} {symbol}"
    size, symbol, _ = _UNITS[-1]
    return f"{_format_number(seconds / size)} {symbol}"


def _format_number(value: float) -> str:
    if round(value, 1) < 10:
        text = f"{value:.1f}"
        return text[:-2] if text.endswith(".0") else text
    return f"{value:.0f}"
