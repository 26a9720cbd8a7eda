"""Choosing a duration distribution by goodness of fit.

Every family of :data:`sim.model.DISTRIBUTION_FAMILIES` is fitted by moments or closed
form (fast and robust, no optimiser that can wander off), then scored by the
Wasserstein distance between the observed values and the fitted quantiles, divided by
the observed mean so that scores compare across activities. The best parametric family
wins unless it misses the data by more than a tolerance and there are enough values for
an empirical distribution to be trustworthy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from sim.model import Distribution

SCORING_POINTS = 400
EMPIRICAL_QUANTILES = 101


@dataclass(frozen=True)
class FitScore:
    """One candidate family: its parameters and its distance to the data (lower is better)."""

    family: str
    params: dict[str, float]
    distance: float


@dataclass(frozen=True)
class FitResult:
    distribution: Distribution
    scores: tuple[FitScore, ...]
    n: int

    @property
    def distance(self) -> float:
        return next(s.distance for s in self.scores if s.family == self.distribution.family)


def fit_distribution(
    values: np.ndarray, *, min_empirical_values: int = 50, parametric_tolerance: float = 0.1
) -> FitResult:
    """The best-fitting non-negative distribution of ``values`` (seconds), with every score."""
    data = np.sort(np.clip(np.asarray(values, dtype=np.float64), 0.0, None))
    data = data[np.isfinite(data)]
    if len(data) == 0:
        raise ValueError("cannot fit a distribution to no values")
    mean = float(data.mean())
    probabilities = (np.arange(SCORING_POINTS) + 0.5) / SCORING_POINTS
    observed = np.quantile(data, probabilities)
    scale = mean if mean > 0 else 1.0
    spread = float(data[-1] - data[0])
    if spread <= 1e-9 * max(abs(mean), 1.0):
        fixed = Distribution("fixed", {"value": round(mean, 6)})
        return FitResult(fixed, (FitScore("fixed", dict(fixed.params), 0.0),), len(data))

    scores = []
    for family, params, quantile in _candidates(data):
        fitted = np.nan_to_num(quantile(probabilities), nan=np.inf, posinf=np.inf)
        distance = float(np.mean(np.abs(fitted - observed)) / scale)
        plain = {name: float(value) for name, value in params.items()}
        scores.append(FitScore(family, plain, distance if np.isfinite(distance) else np.inf))
    quantiles = tuple(
        float(q) for q in np.quantile(data, np.linspace(0, 1, min(EMPIRICAL_QUANTILES, len(data))))
    )
    empirical_quantile = np.interp(probabilities, np.linspace(0, 1, len(quantiles)), quantiles)
    empirical_distance = float(np.mean(np.abs(empirical_quantile - observed)) / scale)
    scores.append(FitScore("empirical", {}, empirical_distance))
    parametric = min((s for s in scores if s.family != "empirical"), key=lambda s: s.distance)
    use_empirical = len(data) >= min_empirical_values and parametric.distance > parametric_tolerance
    if use_empirical:
        chosen = Distribution("empirical", {}, quantiles)
    else:
        chosen = Distribution(parametric.family, dict(parametric.params))
    return FitResult(chosen, tuple(sorted(scores, key=lambda s: s.distance)), len(data))


def _candidates(
    data: np.ndarray,
) -> Iterator[tuple[str, dict[str, float], Callable[[np.ndarray], np.ndarray]]]:
    """(family, params, quantile function) for every parametric family that fits these values."""
    mean = float(data.mean())
    std = float(data.std())
    yield "fixed", {"value": mean}, lambda p: np.full_like(p, mean)
    yield (
        "uniform",
        {"low": float(data[0]), "high": float(data[-1])},
        lambda p: data[0] + p * (data[-1] - data[0]),
    )
    if mean <= 0:
        return
    yield "exponential", {"mean": mean}, lambda p: stats.expon.ppf(p, scale=mean)
    if std > 0:
        below = -mean / std
        yield (
            "normal",
            {"mean": mean, "std": std},
            lambda p: stats.truncnorm.ppf(p, below, np.inf, loc=mean, scale=std),
        )
        shape = (mean / std) ** 2
        yield (
            "gamma",
            {"shape": shape, "scale": mean / shape},
            lambda p: stats.gamma.ppf(p, shape, scale=mean / shape),
        )
        weibull_shape = _weibull_shape(std / mean)
        if weibull_shape is not None:
            weibull_scale = mean / special.gamma(1 + 1 / weibull_shape)
            yield (
                "weibull",
                {"shape": weibull_shape, "scale": weibull_scale},
                lambda p: stats.weibull_min.ppf(p, weibull_shape, scale=weibull_scale),
            )
    positive = data[data > 0]
    if len(positive) >= 2:
        logs = np.log(positive)
        mu, sigma = float(logs.mean()), float(logs.std())
        if sigma > 0:
            yield (
                "lognormal",
                {"mu": mu, "sigma": sigma},
                lambda p: stats.lognorm.ppf(p, sigma, scale=np.exp(mu)),
            )


def _weibull_shape(cv: float) -> float | None:
    """The Weibull shape whose coefficient of variation is ``cv`` (moment matching)."""

    def gap(log_shape: float) -> float:
        k = np.exp(log_shape)
        return np.sqrt(special.gamma(1 + 2 / k) / special.gamma(1 + 1 / k) ** 2 - 1) - cv

    try:
        return float(np.exp(optimize.brentq(gap, np.log(0.05), np.log(50.0))))
    except ValueError:
        return None
