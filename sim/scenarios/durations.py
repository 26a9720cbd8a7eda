"""Scaling a duration distribution: the same shape, every value times a factor.

An automated step that takes a tenth of the time keeps the spread of the human one
(long cases stay long relative to short ones), and with common random numbers each
case's draw sits at the same quantile, so the comparison sees only the factor.

>>> from sim.model import Distribution
>>> scale_distribution(Distribution("lognormal", {"mu": 4.0, "sigma": 0.5}), 0.5).params["sigma"]
0.5
"""

from __future__ import annotations

import math

from sim.model import Distribution

_SCALED_PARAMS = {
    "fixed": ("value",),
    "exponential": ("mean",),
    "uniform": ("low", "high"),
    "normal": ("mean", "std"),
    "gamma": ("scale",),
    "weibull": ("scale",),
    "lognormal": (),
    "empirical": (),
}
"""Parameters proportional to the durations; lognormal shifts ``mu`` by log(factor) instead."""


def scale_distribution(distribution: Distribution, factor: float) -> Distribution:
    """The distribution of ``factor`` x X for X drawn from ``distribution`` (factor >= 0)."""
    if factor < 0 or not math.isfinite(factor):
        raise ValueError(f"a duration factor must be a non-negative number, got {factor}")
    if factor == 0:
        return Distribution("fixed", {"value": 0.0})
    params = dict(distribution.params)
    for name in _SCALED_PARAMS[distribution.family]:
        params[name] *= factor
    if distribution.family == "lognormal":
        params["mu"] += math.log(factor)
    quantiles = tuple(q * factor for q in distribution.quantiles)
    return Distribution(distribution.family, params, quantiles)
