"""Sampling, checking and averaging the model's duration distributions.

Every family is sampled by its inverse distribution function (``quantile``) applied to
uniform numbers. That one path serves both callers: ``sample`` draws with a numpy
generator, and the engine feeds uniforms from its keyed streams so that a scenario which
changes a distribution (an automated step twice as fast) keeps each case's draw at the
same quantile: common random numbers, so differences come from the change, not from noise.
All functions work on whole arrays at once; the engine draws every duration of a run in
one call per activity and execution.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from sim.model import DISTRIBUTION_FAMILIES, Distribution

_MAY_BE_NEGATIVE = {("normal", "mean"), ("lognormal", "mu")}
"""Location parameters that live on a scale where negative values make sense."""
_STRICTLY_POSITIVE = {("gamma", "shape"), ("weibull", "shape")}


def validate_distribution(dist: Distribution, where: str = "distribution") -> None:
    """Raise ``ValueError`` naming ``where`` and the offending field if ``dist`` cannot be sampled."""
    family = dist.family
    if family not in DISTRIBUTION_FAMILIES:
        known = ", ".join(DISTRIBUTION_FAMILIES)
        raise ValueError(f"{where}: unknown distribution family {family!r} (expected one of: {known})")
    expected = DISTRIBUTION_FAMILIES[family]
    missing = [name for name in expected if name not in dist.params]
    if missing:
        raise ValueError(f"{where}: {family} distribution needs parameter(s) {', '.join(missing)}")
    unknown = [name for name in dist.params if name not in expected]
    if unknown:
        allowed = ", ".join(expected) or "none"
        raise ValueError(
            f"{where}: {family} distribution has unknown parameter(s) {', '.join(unknown)} "
            f"(it takes: {allowed})"
        )
    for name in expected:
        value = dist.params[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{where}: {family} parameter {name} must be a finite number, got {value!r}")
        if (family, name) in _STRICTLY_POSITIVE and value <= 0:
            raise ValueError(f"{where}: {family} parameter {name} must be positive, got {value}")
        if (family, name) not in _MAY_BE_NEGATIVE and value < 0:
            raise ValueError(f"{where}: {family} parameter {name} must not be negative, got {value}")
    if family == "uniform" and dist.params["low"] > dist.params["high"]:
        raise ValueError(f"{where}: uniform low ({dist.params['low']}) is above high ({dist.params['high']})")
    _validate_quantiles(dist, where)


def _validate_quantiles(dist: Distribution, where: str) -> None:
    if dist.family != "empirical":
        if dist.quantiles:
            raise ValueError(f"{where}: quantiles are only used by the empirical family, not {dist.family}")
        return
    values = np.asarray(dist.quantiles, dtype=float)
    if values.size == 0:
        raise ValueError(f"{where}: empirical distribution has no quantiles")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{where}: empirical quantiles must be finite numbers")
    if values[0] < 0:
        raise ValueError(f"{where}: empirical quantiles must not be negative, got {values[0]}")
    if np.any(np.diff(values) < 0):
        position = int(np.flatnonzero(np.diff(values) < 0)[0]) + 1
        raise ValueError(f"{where}: empirical quantiles must be ascending (value {position} is smaller)")


def quantile(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """Durations at probabilities ``u`` (each in the open interval 0..1): the inverse CDF.

    Monotone in ``u``, which is what makes common random numbers line up across scenarios.
    """
    u = np.asarray(u, dtype=float)
    p = dist.params
    family = dist.family
    if family == "fixed":
        return np.full(u.shape, float(p["value"]))
    if family == "exponential":
        return -float(p["mean"]) * np.log1p(-u)
    if family == "uniform":
        return p["low"] + (p["high"] - p["low"]) * u
    if family == "normal":
        return _truncated_normal_quantile(float(p["mean"]), float(p["std"]), u)
    if family == "lognormal":
        return np.exp(p["mu"] + p["sigma"] * special.ndtri(u))
    if family == "gamma":
        return float(p["scale"]) * special.gammaincinv(float(p["shape"]), u)
    if family == "weibull":
        return float(p["scale"]) * (-np.log1p(-u)) ** (1.0 / float(p["shape"]))
    if family == "empirical":
        values = np.asarray(dist.quantiles, dtype=float)
        if values.size == 1:
            return np.full(u.shape, values[0])
        return np.interp(u, np.linspace(0.0, 1.0, values.size), values)
    raise ValueError(f"unknown distribution family {family!r}")


def _truncated_normal_quantile(mu: float, sigma: float, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of N(mu, sigma) conditioned on being >= 0.

    Works in log space (``log_ndtr``/``ndtri_exp``) so that a mean many standard
    deviations below zero still gives sensible small positive values instead of NaN.
    """
    if sigma == 0:
        return np.full(u.shape, max(mu, 0.0))
    log_mass_above_zero = special.log_ndtr(mu / sigma)
    # P(X > x | X >= 0) = 1 - u  <=>  Phi((mu - x) / sigma) = (1 - u) * Phi(mu / sigma)
    z = special.ndtri_exp(np.log1p(-u) + log_mass_above_zero)
    return np.maximum(mu - sigma * z, 0.0)


def sample(dist: Distribution, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` independent draws of ``dist`` using ``rng``."""
    validate_distribution(dist)
    u = rng.random(size)
    u[u == 0.0] = np.nextafter(0.0, 1.0)
    return quantile(dist, u)


def mean(dist: Distribution) -> float:
    """The distribution's expected value in seconds (exact, not sampled)."""
    validate_distribution(dist)
    p = dist.params
    family = dist.family
    if family == "fixed":
        return float(p["value"])
    if family == "exponential":
        return float(p["mean"])
    if family == "uniform":
        return (p["low"] + p["high"]) / 2.0
    if family == "normal":
        mu, sigma = float(p["mean"]), float(p["std"])
        if sigma == 0:
            return max(mu, 0.0)
        alpha = mu / sigma
        # E[X | X >= 0] = mu + sigma * phi(alpha) / Phi(alpha), the ratio in log space for stability
        log_ratio = -0.5 * alpha * alpha - 0.5 * math.log(2 * math.pi) - float(special.log_ndtr(alpha))
        return max(mu + sigma * math.exp(log_ratio), 0.0)
    if family == "lognormal":
        return math.exp(p["mu"] + p["sigma"] ** 2 / 2.0)
    if family == "gamma":
        return float(p["shape"] * p["scale"])
    if family == "weibull":
        return float(p["scale"] * math.gamma(1.0 + 1.0 / p["shape"]))
    values = np.asarray(dist.quantiles, dtype=float)
    if values.size == 1:
        return float(values[0])
    # piecewise-linear inverse CDF on equally spaced probabilities: trapezoid average
    return float(np.mean((values[1:] + values[:-1]) / 2.0))
